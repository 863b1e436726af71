"""The analyser's words: how text is cut into them, and what each one means.

Text becomes ``Token`` s (``tokens``: emoji replaced by their word, case and accents folded,
punctuation kept as pauses); the ``Lexicon`` finds, at any token, the longest phrase it
knows (a ``Term`` that nudges features, or a ``Role`` word such as a negation; a comparative
such as "slower" is its term, marked ``comparative``) and the longest artist name::

    tokens = tokenise("Rainy Sunday, NOTHING sad ☔")
    [t.word for t in tokens]                  # ['rainy', 'sunday', 'nothing', 'sad', 'rain']
    lex = lexicon()
    lex.entry_at([t.word for t in tokens], 0)  # Match(entry=Term(label='rain', ...), size=1)
    lex.artist_at(["bon", "iver"], 0)          # (Artist(name='Bon Iver', genre='folk', ...), 2)

The words themselves are data files read by ``tables``; nothing here is a model or a
download, so reading is offline, deterministic and linear in the length of the text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Final, Literal

from moodmix.data import ARTISTS
from moodmix.engine.profile import SCALES
from moodmix.engine.vocabulary.tables import (
    ACTIVITIES,
    ACTIVITY_STRENGTH,
    ALIASES,
    ARTIST_CUES,
    BREAKS,
    COMMON_WORDS,
    COMPARATIVES,
    CONTRASTS,
    ERA_STRENGTH,
    ERAS,
    FAMILIES,
    FILLERS,
    FLIPS,
    FOREIGN,
    GENRE_STRENGTH,
    GENRES,
    HEDGES,
    IMPLIED_GENRES,
    INTENSIFIERS,
    LIVE,
    MOOD_STRENGTH,
    MOODS,
    MORES,
    NEGATORS,
    PLACES_AND_TIMES,
    POST_HEDGES,
    POST_NEGATORS,
    SETTING_STRENGTH,
    SOFTENERS,
    SOUND,
    SOUND_STRENGTH,
    THANS,
    VERSIONS,
    VOCALS,
    WEATHER,
)
from moodmix.engine.vocabulary.tokens import phrase_key
from moodmix.engine.vocabulary.types import Level, Spec

Kind = Literal["mood", "sound", "vocals", "live", "activity", "setting", "genre", "era", "version"]
Role = Literal[
    "negate", "soften", "post_negate", "hedge", "post_hedge", "intensify", "contrast", "break",
    "cue", "filler", "more", "than",
]  # fmt: skip

NEUTRAL: Final[Mapping[str, float]] = {
    "energy": 0.5,
    "valence": 0.5,
    "danceability": 0.5,
    "acousticness": 0.4,
    "instrumentalness": 0.2,
    "speechiness": 0.08,
    "liveness": 0.15,
    "tempo": 118.0,
    "loudness": -8.0,
    "mode": 0.5,
}
"""Typical values on each feature's own scale: the targets of a text that says nothing."""

STOPWORDS: Final = frozenset(
    {"the", "a", "an", "of", "and", "at", "in", "on", "i", "me", "my", "n"}
)
_SUFFIXES: Final = (
    ("iest", "y"),
    ("est", ""),
    ("ies", "y"),
    ("ier", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("d", ""),
    ("ing", ""),
    ("ing", "e"),
    ("er", ""),
    ("en", ""),
    ("e", ""),
    ("ly", ""),
    ("y", ""),
)


@dataclass(frozen=True, slots=True)
class Nudge:
    """A pull of one feature towards ``target`` (on 0..1, scaled by ``SCALES``)."""

    feature: str
    target: float
    strength: float


@dataclass(frozen=True, slots=True)
class Term:
    """A word's meaning: its label, kind, nudges, and how the explanation says it."""

    label: str
    kind: Kind
    nudges: tuple[Nudge, ...]
    say: str
    adjective: bool = False
    genre: str | None = None
    """A genre this term also names when wanted ("rap" -> "hip-hop")."""


@dataclass(frozen=True, slots=True)
class Artist:
    """A known artist; ``plain`` names read as ordinary words and need a capital or a cue."""

    name: str
    genre: str
    plain: bool


@dataclass(frozen=True, slots=True)
class Match:
    """What the lexicon found at a token: the entry, how many tokens it spans, hedged by "-ish"."""

    entry: Term | Role
    size: int
    hedged: bool = False
    comparative: bool = False
    """Found as a comparative ("slower"): a step toward the term rather than the term itself."""


class Lexicon:
    """Every phrase and artist name the analyser knows, found by longest match."""

    def __init__(
        self,
        phrases: Mapping[tuple[str, ...], Term | Role],
        artists: Mapping[tuple[str, ...], Artist],
        comparatives: Mapping[tuple[str, ...], Term] | None = None,
    ) -> None:
        self.phrases = dict(phrases)
        self.artists = dict(artists)
        self.comparatives = dict(comparatives or {})
        self._comparative_sizes = _sizes_by_first(self.comparatives)
        self._comparative_of: dict[tuple[Kind, str], str] = {}
        for key, compared in self.comparatives.items():
            if len(key) == 1:
                self._comparative_of.setdefault((compared.kind, compared.label), key[0])
        self._phrase_sizes = _sizes_by_first(self.phrases)
        self._artist_sizes = _sizes_by_first(self.artists)
        self.terms: dict[tuple[Kind, str], Term] = {}
        for entry in self.phrases.values():
            if isinstance(entry, Term):
                self.terms.setdefault((entry.kind, entry.label), entry)

    def entry_at(self, words: Sequence[str], i: int) -> Match | None:
        """The longest comparative starting at ``words[i]`` ("slower", "slow it down"), else the
        longest phrase, else a known stem of that word."""
        for size in self._comparative_sizes.get(words[i], ()):
            key = tuple(words[i : i + size])
            if (compared := self.comparatives.get(key)) is not None:
                return Match(compared, size, comparative=True)
        for size in self._phrase_sizes.get(words[i], ()):
            entry = self.phrases.get(tuple(words[i : i + size])) if i + size <= len(words) else None
            if entry is not None:
                return Match(entry, size)
        return self._stem_at(words[i])

    def artist_at(self, words: Sequence[str], i: int) -> tuple[Artist, int] | None:
        """The longest known artist name starting at ``words[i]``, with its length."""
        for size in self._artist_sizes.get(words[i], ()):
            artist = (
                self.artists.get(tuple(words[i : i + size])) if i + size <= len(words) else None
            )
            if artist is not None:
                return artist, size
        return None

    def term(self, kind: Kind, label: str) -> Term | None:
        """The term of ``kind`` labelled ``label``."""
        return self.terms.get((kind, label))

    def comparative_of(self, term: Term) -> str | None:
        """The comparative of ``term`` ("calm" -> "calmer"), if the vocabulary has one."""
        return self._comparative_of.get((term.kind, term.label))

    def flip(self, term: Term) -> Term | None:
        """What a negation of ``term`` asks for instead ("no vocals" -> instrumental), if any."""
        label = FLIPS.get(term.label)
        if label is None or term.kind not in ("vocals", "live", "sound"):
            return None
        return self.term(term.kind, label)

    def is_word(self, word: str) -> bool:
        """Whether ``word`` alone means something to the analyser."""
        return (word,) in self.phrases or (word,) in self.comparatives

    def _stem_at(self, word: str) -> Match | None:
        hedged = len(word) > 5 and word.endswith("ish")
        base = word[:-3] if hedged else word
        for candidate in (base, *_stems(base)):
            if candidate == word:
                continue
            entry = self.phrases.get((candidate,))
            if isinstance(entry, Term):
                return Match(entry, 1, hedged)
        return None


def _stems(word: str) -> Iterable[str]:
    for suffix, replacement in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)] + replacement
            yield stem
            if len(stem) > 3 and stem[-1] == stem[-2]:
                yield stem[:-1]


def _sizes_by_first(keys: Iterable[tuple[str, ...]]) -> dict[str, tuple[int, ...]]:
    sizes: dict[str, set[int]] = {}
    for key in keys:
        if key:
            sizes.setdefault(key[0], set()).add(len(key))
    return {first: tuple(sorted(found, reverse=True)) for first, found in sizes.items()}


def _unit(feature: str, value: float) -> float:
    low, high = SCALES[feature]
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _nudges(levels: Mapping[str, Level], strength: float) -> tuple[Nudge, ...]:
    out = []
    for feature, level in levels.items():
        value, weight = level if isinstance(level, tuple) else (level, strength)
        out.append(Nudge(feature, _unit(feature, value), weight))
    return tuple(out)


def _terms(
    specs: Iterable[Spec], kind: Kind, strength: float, adjective: bool = False
) -> list[tuple[list[str], Term]]:
    out = []
    for spec in specs:
        words = [word.strip() for word in spec.words.split(",") if word.strip()]
        label = words[0]
        term = Term(
            label,
            kind,
            _nudges(spec.nudges, strength),
            spec.say or label,
            adjective,
            IMPLIED_GENRES.get(label) if kind == "vocals" else None,
        )
        out.append((words, term))
    return out


_ROLES: Final[tuple[tuple[Role, frozenset[str]], ...]] = (
    ("negate", NEGATORS),
    ("soften", SOFTENERS),
    ("post_negate", POST_NEGATORS),
    ("hedge", HEDGES),
    ("post_hedge", POST_HEDGES),
    ("intensify", INTENSIFIERS),
    ("contrast", CONTRASTS),
    ("break", BREAKS),
    ("cue", ARTIST_CUES),
    ("filler", FILLERS),
    ("more", MORES),
    ("than", THANS),
)


@cache
def lexicon() -> Lexicon:
    """The one lexicon, built from the vocabulary's tables on first use."""
    phrases: dict[tuple[str, ...], Term | Role] = {}
    for role, words in _ROLES:
        for word in sorted(words):
            phrases.setdefault(phrase_key(word), role)
    tables = (
        _terms(VOCALS, "vocals", 0.8),
        _terms(LIVE, "live", 0.8),
        _terms(SOUND, "sound", SOUND_STRENGTH),
        _terms(MOODS, "mood", MOOD_STRENGTH),
        _terms(ACTIVITIES, "activity", ACTIVITY_STRENGTH),
        _terms(WEATHER, "setting", SETTING_STRENGTH, adjective=True),
        _terms(PLACES_AND_TIMES, "setting", SETTING_STRENGTH),
        _terms(GENRES, "genre", GENRE_STRENGTH),
        _terms(ERAS, "era", ERA_STRENGTH),
        _terms(VERSIONS, "version", 0.5),
    )
    for table in tables:
        for forms, term in table:
            for word in forms:
                phrases.setdefault(phrase_key(word), term)
    for foreign, english in sorted(FOREIGN.items()):
        meaning = phrases[phrase_key(english)]
        phrases.setdefault(phrase_key(foreign), meaning)
    return Lexicon(phrases, _artists(phrases), _comparatives(phrases))


def _comparatives(
    phrases: Mapping[tuple[str, ...], Term | Role],
) -> dict[tuple[str, ...], Term]:
    out: dict[tuple[str, ...], Term] = {}
    for word, base in COMPARATIVES.items():
        term = phrases.get(phrase_key(base))
        if not isinstance(term, Term):
            raise ValueError(f"comparative {word!r} compares {base!r}, which is not a term")
        out[phrase_key(word)] = term
    return out


def _artists(phrases: Mapping[tuple[str, ...], object]) -> dict[tuple[str, ...], Artist]:
    def plain(key: tuple[str, ...]) -> bool:
        content = [word for word in key if word not in STOPWORDS]
        return all(word in COMMON_WORDS or (word,) in phrases for word in content)

    genre_of = {name: genre for genre, names in ARTISTS.items() for name in names}
    spellings = [(name, name) for name in genre_of] + list(ALIASES.items())
    out: dict[tuple[str, ...], Artist] = {}
    for spelling, name in spellings:
        key = phrase_key(spelling)
        keys = [key, key[1:]] if len(key) > 1 and key[0] == "the" else [key]
        for each in keys:
            out.setdefault(each, Artist(name, genre_of[name], plain(each)))
    return out


def genre_family(label: str) -> str:
    """The catalog genre nearest to genre ``label`` (itself when it is one)."""
    return FAMILIES.get(label, label)


def genre_term(name: str) -> Term | None:
    """The genre ``name`` is a word for ("Hip Hop", "RnB", "lofi"), or ``None``."""
    entry = lexicon().phrases.get(phrase_key(name))
    return entry if isinstance(entry, Term) and entry.kind == "genre" else None
