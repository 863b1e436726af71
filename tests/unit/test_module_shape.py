"""The shape the redesign gave the code, kept: small modules, and constructors in the gateway,
resilience, store and coordination packages that take few arguments and switch no layer on."""

from __future__ import annotations

import ast
from pathlib import Path

import moodmix

SRC = Path(moodmix.__file__).parent
MAX_LINES = 400
MAX_ARGS = 8
LAYERED = ("reccobeats", "resilience", "store", "coordination")
NOT_A_LAYER_SWITCH = {"http2", "owns_storage", "owns_client"}
"""Boolean arguments that say how, not whether: the client's protocol, who closes a resource."""


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(SRC)): n
        for path in SRC.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_constructor_takes_over_8_arguments_or_a_layer_switch() -> None:
    found: list[str] = []
    for package in LAYERED:
        for path in (SRC / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.FunctionDef) and node.name == "__init__"):
                    continue
                args = node.args.posonlyargs + node.args.args[1:] + node.args.kwonlyargs
                switches = [
                    a.arg
                    for a in args
                    if a.annotation is not None
                    and ast.unparse(a.annotation) in ("bool", "bool | None")
                    and a.arg not in NOT_A_LAYER_SWITCH
                ]
                if len(args) > MAX_ARGS or switches:
                    found.append(f"{path.relative_to(SRC)}:{node.lineno} {len(args)} {switches}")
    assert found == []
