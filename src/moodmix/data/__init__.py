"""Data files shared by the engine and the simulator, read with ``importlib.resources``.

    from moodmix.data import ARTISTS, read_toml
    ARTISTS["folk"][0]                                                # 'Bon Iver'
    read_toml("moodmix.engine.vocabulary", "moods.toml")["strength"]  # 0.7

``artists.toml`` is the one list of real artists: the analyser recognises them in prompts and
the simulator's catalog is made of them (and generated names). The files ship in the wheel.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from importlib import resources
from types import MappingProxyType
from typing import Any, Final


def read_toml(package: str, name: str) -> dict[str, Any]:
    """The TOML file ``name`` shipped inside ``package`` (a dotted name), parsed."""
    return tomllib.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))


ARTISTS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {genre: tuple(names) for genre, names in read_toml(__name__, "artists.toml")["artists"].items()}
)
"""Genre -> real artist names, best known first; each name once, under its best-known genre."""
