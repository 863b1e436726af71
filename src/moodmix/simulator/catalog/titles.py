"""Plausible track titles, album titles and artist names from templates and word lists.

A title is a function of its genre and a row of random draws, so the catalog stores only the
draws (small integers) and makes the text when an item is first served::

    track_title("rock", (3, 17, 40, 2))                 # 'Sleeping in the Rain'
    track_title("classical", (0, 5, 9, 1))               # 'Concerto No. 10: Andante'
    album_title("folk", (8, 0, 0, 0), "Ava Lane")        # 'Ava Lane': self-titled
    artist_name("techno", (1, 30, 2, 0))                 # 'Bright Rain'

Every draw is reduced modulo the size of the list it picks from, so any non-negative integers do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

from moodmix.simulator.catalog.words import (
    ADJECTIVES,
    ENDINGS,
    ENSEMBLES,
    FIRST_NAMES,
    FORM_PLURALS,
    FORMS,
    GERUNDS,
    IMPERATIVES,
    LAST_NAMES,
    MARKINGS,
    NOUNS,
    NUMBERS,
    PLACE_ENDINGS,
    PLACES,
    PLURALS,
    PREPOSITIONS,
)

Words = tuple[str, ...]
Template = tuple[str, tuple[Words, ...]]
"""A ``str.format`` pattern with positional slots, and the word list each slot draws from."""

DRAWS: Final = 4
"""Draws per title: one picks the template, the others its words."""

_TRACK: Final[tuple[Template, ...]] = (
    ("{0} {1}", (ADJECTIVES, NOUNS)),
    ("{0} {1}", (ADJECTIVES, NOUNS)),
    ("{0}", (NOUNS,)),
    ("{0} {1} {2}", (GERUNDS, PREPOSITIONS, NOUNS)),
    ("{0} of {1}", (NOUNS, NOUNS)),
    ("The {0} {1}", (ADJECTIVES, NOUNS)),
    ("{0} {1}", (IMPERATIVES, ENDINGS)),
    ("{0}", (ADJECTIVES,)),
    ("{0} in {1}", (NOUNS, PLACES)),
    ("{0} {1}", (PLACES, PLACE_ENDINGS)),
    ("{0} {1}", (GERUNDS, NOUNS)),
    ("{0} & {1}", (NOUNS, NOUNS)),
)
_CLASSICAL_TRACK: Final[tuple[Template, ...]] = (
    ("{0} No. {1}: {2}", (FORMS, NUMBERS, MARKINGS)),
    ("{0} No. {1}: {2}", (FORMS, NUMBERS, MARKINGS)),
    ("{0} in {1}", (FORMS, NOUNS)),
    ("{0} {1}", (ADJECTIVES, NOUNS)),
)
_ALBUM: Final[tuple[Template, ...]] = (
    ("{0} {1}", (ADJECTIVES, NOUNS)),
    ("{0} {1}", (ADJECTIVES, NOUNS)),
    ("{0}", (NOUNS,)),
    ("The {0} {1}", (ADJECTIVES, NOUNS)),
    ("{0} of {1}", (NOUNS, NOUNS)),
    ("{0} {1}", (PLACES, PLACE_ENDINGS)),
    ("Songs from the {0}", (NOUNS,)),
    ("Live in {0}", (PLACES,)),
    ("{artist}", ()),
    ("{0} & {1}", (NOUNS, PLURALS)),
)
_CLASSICAL_ALBUM: Final[tuple[Template, ...]] = (
    ("Complete {0}", (FORM_PLURALS,)),
    ("{0}, Vol. {1}", (FORM_PLURALS, NUMBERS[:6])),
    ("{artist}: {0}", (FORM_PLURALS,)),
    ("{0} {1}", (ADJECTIVES, NOUNS)),
)

_PERSON: Final[Template] = ("{0} {1}", (FIRST_NAMES, LAST_NAMES))
_BANDS: Final[tuple[Template, ...]] = (
    _PERSON,
    _PERSON,
    ("The {0} {1}", (ADJECTIVES, PLURALS)),
    ("{0} {1}", (ADJECTIVES, NOUNS)),
    ("{0} & the {1}", (FIRST_NAMES, PLURALS)),
    ("{0} {1}", (NOUNS, PLURALS)),
    ("The {0}", (PLURALS,)),
)
_NAME_STYLES: Final[Mapping[str, tuple[Template, ...]]] = MappingProxyType(
    {
        "band": _BANDS,
        "solo": (_PERSON, _PERSON, _PERSON, ("{0} & the {1}", (FIRST_NAMES, PLURALS))),
        "rap": (
            ("Lil {0}", (NOUNS,)),
            ("MC {0}", (LAST_NAMES,)),
            ("Young {0}", (FIRST_NAMES,)),
            ("{0} {1}", (ADJECTIVES, FIRST_NAMES)),
            _PERSON,
            _PERSON,
        ),
        "producer": (
            ("DJ {0}", (FIRST_NAMES,)),
            ("{0} {1}", (ADJECTIVES, NOUNS)),
            ("{0}", (NOUNS,)),
            _PERSON,
        ),
        "lofi": (("{0} {1}", (ADJECTIVES, NOUNS)), ("{0}", (NOUNS,)), ("{0} beats", (NOUNS,))),
        "classical": (
            _PERSON,
            _PERSON,
            ("{0} {1}", (LAST_NAMES, ENSEMBLES)),
            ("{0} Symphony Orchestra", (PLACES,)),
        ),
        "jazz": (_PERSON, _PERSON, ("{0} {1} {2}", (FIRST_NAMES, LAST_NAMES, ENSEMBLES))),
    }
)
_STYLE_OF_GENRE: Final[Mapping[str, str]] = MappingProxyType(
    {
        "pop": "solo",
        "r&b": "solo",
        "country": "solo",
        "folk": "solo",
        "latin": "solo",
        "hip-hop": "rap",
        "electronic": "producer",
        "house": "producer",
        "techno": "producer",
        "ambient": "producer",
        "lo-fi": "lofi",
        "classical": "classical",
        "jazz": "jazz",
        "blues": "jazz",
    }
)


def _fill(templates: Sequence[Template], draws: Sequence[int], artist: str = "") -> str:
    pattern, slots = templates[int(draws[0]) % len(templates)]
    words = [slot[int(draw) % len(slot)] for slot, draw in zip(slots, draws[1:], strict=False)]
    return pattern.format(*words, artist=artist)


def track_title(genre: str, draws: Sequence[int]) -> str:
    """A track title for ``genre`` from ``DRAWS`` non-negative integers."""
    return _fill(_CLASSICAL_TRACK if genre == "classical" else _TRACK, draws)


def album_title(genre: str, draws: Sequence[int], artist: str) -> str:
    """An album title for ``genre``; some albums are named after their ``artist``."""
    return _fill(_CLASSICAL_ALBUM if genre == "classical" else _ALBUM, draws, artist)


def artist_name(genre: str, draws: Sequence[int]) -> str:
    """A generated artist name in the style of ``genre``."""
    name = _fill(_NAME_STYLES[_STYLE_OF_GENRE.get(genre, "band")], draws)
    return name.lower() if genre == "lo-fi" else name
