"""Word lists the synthetic catalog makes titles and artist names from, read from words.toml::

    from moodmix.simulator.catalog.words import ADJECTIVES, NOUNS
    f"{ADJECTIVES[3]} {NOUNS[0]}"  # 'Silent Heart'

``titles`` combines them through templates. A seeded catalog picks words by index, so the
order in the file is part of what a seed means.
"""

from __future__ import annotations

from typing import Final

from moodmix.data import read_toml

_WORDS: Final = read_toml("moodmix.simulator.catalog", "words.toml")


def _words(name: str) -> tuple[str, ...]:
    return tuple(_WORDS[name])


ADJECTIVES: Final = _words("adjectives")
NOUNS: Final = _words("nouns")
PLURALS: Final = _words("plurals")
GERUNDS: Final = _words("gerunds")
PREPOSITIONS: Final = _words("prepositions")
IMPERATIVES: Final = _words("imperatives")
ENDINGS: Final = _words("endings")
PLACES: Final = _words("places")
PLACE_ENDINGS: Final = _words("place_endings")
FIRST_NAMES: Final = _words("first_names")
LAST_NAMES: Final = _words("last_names")
ENSEMBLES: Final = _words("ensembles")
FORMS: Final = _words("forms")
MARKINGS: Final = _words("markings")
NUMBERS: Final = tuple(str(n) for n in range(1, 33))
FORM_PLURALS: Final = _words("form_plurals")
