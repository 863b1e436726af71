"""The analyser's words: how text is cut into them, and what each one means.

    from moodmix.engine.vocabulary import lexicon, tokenise
    words = [t.word for t in tokenise("Rainy Sunday, NOTHING sad ☔")]
    lexicon().entry_at(words, 0)        # Match(entry=Term(label='rain', ...), size=1)
    lexicon().artist_at(["bon", "iver"], 0)   # (Artist(name='Bon Iver', ...), 2)

``lexicon`` holds the reading machinery; ``tables`` reads the word lists (the TOML files
beside it) it is built from, and the artists are ``moodmix.data.ARTISTS``.
Only the names below are used outside this package.
"""

from moodmix.data import ARTISTS
from moodmix.engine.vocabulary.lexicon import (
    NEUTRAL,
    STOPWORDS,
    Artist,
    Lexicon,
    Nudge,
    Term,
    genre_family,
    genre_term,
    lexicon,
)
from moodmix.engine.vocabulary.tables import ARTIST_TAILS, TYPICAL_SOUND, VOICE
from moodmix.engine.vocabulary.tokens import Token, clean, phrase_key, tokenise

__all__ = [
    "ARTISTS",
    "ARTIST_TAILS",
    "NEUTRAL",
    "STOPWORDS",
    "TYPICAL_SOUND",
    "VOICE",
    "Artist",
    "Lexicon",
    "Nudge",
    "Term",
    "Token",
    "clean",
    "genre_family",
    "genre_term",
    "lexicon",
    "phrase_key",
    "tokenise",
]
