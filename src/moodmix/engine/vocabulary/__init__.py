"""The analyser's words: how text is cut into them, and what each one means.

    from moodmix.engine.vocabulary import lexicon, tokenise
    words = [t.word for t in tokenise("Rainy Sunday, NOTHING sad ☔")]
    lexicon().entry_at(words, 0)        # Match(entry=Term(label='rain', ...), size=1)
    lexicon().artist_at(["bon", "iver"], 0)   # (Artist(name='Bon Iver', ...), 2)

``lexicon`` holds the reading machinery; the other modules are the tables it is built from.
Only the names below are used outside this package.
"""

from moodmix.engine.vocabulary.artists import ARTISTS
from moodmix.engine.vocabulary.genres import TYPICAL_SOUND
from moodmix.engine.vocabulary.lexicon import (
    NEUTRAL,
    STOPWORDS,
    Artist,
    Lexicon,
    Nudge,
    Term,
    Token,
    clean,
    genre_family,
    genre_term,
    lexicon,
    phrase_key,
    tokenise,
)
from moodmix.engine.vocabulary.sound import VOICE
from moodmix.engine.vocabulary.words import ARTIST_TAILS

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
