"""The import contracts that keep the gateway closed name every one of its private modules."""

from __future__ import annotations

import tomllib
from pathlib import Path

import moodmix.reccobeats

CONTRACT = "the engine and the service use the gateway's public surface, none of its layers"


def test_the_closed_gateway_contract_lists_every_private_module() -> None:
    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["name"] == CONTRACT]
    package = Path(moodmix.reccobeats.__file__).parent
    private = {f"moodmix.reccobeats.{p.stem}" for p in package.glob("_*.py")} - {
        "moodmix.reccobeats.__init__"
    }
    assert private, "the gateway has private modules"
    assert set(contract["forbidden_modules"]) == private
