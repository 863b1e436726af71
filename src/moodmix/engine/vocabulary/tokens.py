"""How text is cut into words: emoji replaced by their word, case and accents folded,
punctuation kept as the pause before the next word.

    tokens = tokenise("Rainy Sunday, NOTHING sad ☔")
    [t.word for t in tokens]          # ['rainy', 'sunday', 'nothing', 'sad', 'rain']
    tokens[2].pause                   # ',': a comma came before it
    fold("Fête's")                    # 'fete'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

from moodmix.engine.vocabulary.tables import EMOJI

MAX_TOKENS: Final = 2_000
"""Tokens read from one text at most; a prompt never needs more."""

_PAUSES: Final = {**dict.fromkeys(".!?\n…", "."), **dict.fromkeys(',;:()[]{}|/"“”—–', ",")}
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+(?:['’][^\W\d_]+)*|[&+]|[.!?\n…,;:()\[\]{}|/\"“”—–]")
_EMOJI_WORDS: Final = {ord(char): f" {word} " for char, word in EMOJI.items()}


@dataclass(frozen=True, slots=True)
class Token:
    """One word or number: folded ``word``, ``raw`` as written, its span, the pause before it."""

    word: str
    raw: str
    start: int
    end: int
    pause: Literal["", ",", "."] = ""


def fold(word: str) -> str:
    """Case and accents folded, apostrophes dropped: ``"Fête's"`` -> ``'fete'``."""
    lowered = word.casefold()
    for mark in ("'s", "’s"):
        if lowered.endswith(mark):
            lowered = lowered[: -len(mark)]
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in "'’")


def clean(text: str) -> str:
    """``text`` in NFKC form with the known emoji replaced by their words."""
    return unicodedata.normalize("NFKC", text).translate(_EMOJI_WORDS)


def tokenise(text: str, limit: int = MAX_TOKENS) -> list[Token]:
    """The words and numbers of ``text`` (at most ``limit``); spans index ``clean(text)``."""
    tokens: list[Token] = []
    pause: Literal["", ",", "."] = ""
    for found in _TOKEN.finditer(clean(text)):
        piece = found.group()
        kind = _PAUSES.get(piece)
        if kind is not None:
            pause = "." if "." in (pause, kind) else ","
            continue
        word = "and" if piece in "&+" else fold(piece)
        if not word:
            continue
        tokens.append(Token(word, piece, found.start(), found.end(), pause))
        pause = ""
        if len(tokens) >= limit:
            break
    return tokens


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The folded words of a vocabulary phrase, as ``tokenise`` would cut them."""
    return tuple(token.word for token in tokenise(phrase))
