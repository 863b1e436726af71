"""Mood analysis: free text -> a ``MoodProfile``, embedded, offline and deterministic.

    profile = analyse("rainy Sunday, mellow acoustic, nothing sad")
    profile.targets["acousticness"]   # 0.711: asked for
    profile.ranges["valence"]         # (0.329, 0.832): "nothing sad" raised the floor
    profile.recognised.settings       # ('rain', 'sunday')
    profile.explanation  # 'Mellow and acoustic for a rainy Sunday, steering clear of sad: ...'
    read("not too sad").hits[0]   # Hit(term=Term(label='sad', ...), negated=True, soft=True, ...)

How it reads: the text is cut into words (``vocabulary.tokenise``); each word or phrase the
vocabulary knows nudges a few features towards a target with a strength. Words around it
change the nudge: intensifiers ("very") push the target further from neutral and strengthen
it, hedges ("a bit", "-ish") do the opposite, a negation ("nothing", "no", "without") rules the
word out until the end of its clause: either-or choices flip ("no lyrics" asks for
instrumentals), moods become a floor or a ceiling with a gentle pull away ("nothing sad"
raises the valence floor rather than asking for happy), and "not too" only softens. A clause
after "but" weighs more than the one before, so "sad but hopeful" blends, leaning hopeful.
Per feature, the target is the strength-weighted mean of its nudges; the weight grows with the
nudges' combined strength; the range narrows as the weight grows and widens when nudges
disagree. Explicit tempi ("170 bpm", "120-130 bpm", "under 100 bpm") set tempo directly, and
artists are found by name (case and accents ignored) or, after "like", "similar to" and the
like, as any capitalised name.

Nothing here is a model or a download: reading is linear in the text, which is cut at
``MAX_CHARS`` characters and ``vocabulary.MAX_TOKENS`` words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from moodmix.engine._vocab_sound import VOICE
from moodmix.engine._vocab_words import ARTIST_TAILS
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile, Recognised
from moodmix.engine.vocabulary import (
    NEUTRAL,
    STOPWORDS,
    Artist,
    Lexicon,
    Nudge,
    Term,
    Token,
    clean,
    lexicon,
    tokenise,
)

MAX_CHARS: Final = 10_000
"""Characters of a text read at most."""

BASE_WEIGHT: Final = 0.05
"""The weight of a feature the text says nothing about."""

CONTRAST: Final = 1.3
"""How much more a clause after "but" weighs than the one before it."""

_INTENSIFY: Final = (1.25, 1.25)
_HEDGE: Final = (0.6, 0.65)
_MAX_STRETCH: Final = 1.8
_MAX_WEIGHT: Final = 1.8
_GENTLE_FLIP: Final = 0.75
"""How much of its opposite a negated sound word asks for ("not loud": quiet, gently)."""
_MAX_CONTRASTS: Final = 2
_REACH: Final = 5
"""Words a negation reaches past its last negated word."""

_CONNECTORS: Final = frozenset({"the", "of", "de", "del", "la", "le", "van", "von", "da"})
_UPPER_BOUND: Final = frozenset({"under", "below", "max", "maximum", "most", "beneath", "upto"})
_LOWER_BOUND: Final = frozenset({"over", "above", "min", "minimum", "least"})
_NUMBER = re.compile(r"\d{1,3}(?:\.\d+)?")
_PIVOT: Final = {
    name: (NEUTRAL[name] - SCALES[name][0]) / (SCALES[name][1] - SCALES[name][0])
    for name in FEATURES
}
_MAX_LISTED: Final = 12


@dataclass(slots=True)
class Hit:
    """A term as the text uses it: ``weight`` scales its strengths, ``stretch`` how far its
    targets lie from neutral (above 1 intensified, below 1 hedged)."""

    term: Term
    end: int
    weight: float = 1.0
    stretch: float = 1.0
    negated: bool = False
    soft: bool = False
    clause: int = 0
    """How many contrasts ("but") came before it."""

    def hedge(self) -> None:
        self.stretch *= _HEDGE[0]
        self.weight *= _HEDGE[1]


@dataclass(slots=True)
class Reading:
    """What ``read`` found in a text, in text order."""

    hits: list[Hit] = field(default_factory=list)
    artists: list[str] = field(default_factory=list)
    artist_genres: list[str] = field(default_factory=list)
    avoided_artists: list[str] = field(default_factory=list)
    tempo: tuple[float, float, float] | None = None
    """(target, low, high) in BPM, when the text gives a number."""

    @property
    def understood(self) -> bool:
        return bool(self.hits or self.artists or self.avoided_artists or self.tempo)


def analyse(text: str) -> MoodProfile:
    """The ``MoodProfile`` of ``text``; a neutral one that says so when nothing is understood."""
    text = text[:MAX_CHARS]
    reading = read(text)
    if not reading.understood:
        return neutral(text)
    return _profile(text, reading, lexicon())


def neutral(text: str = "") -> MoodProfile:
    """Typical targets, full ranges, low weights, ``understood=False``."""
    return MoodProfile(
        text=text,
        targets={name: _rounded(name, NEUTRAL[name]) for name in FEATURES},
        ranges={name: SCALES[name] for name in FEATURES},
        weights=dict.fromkeys(FEATURES, BASE_WEIGHT),
        understood=False,
        explanation=(
            "No mood, activity, setting, genre, tempo or artist was recognised in the text, "
            "so this is a neutral profile: typical targets, wide ranges and low weights."
        ),
    )


def read(text: str) -> Reading:
    """The terms, artists and tempo in ``text``, with the modifiers applied to each term."""
    return _Reader(text, lexicon()).read()


class _Reader:
    """One pass over the tokens, keeping the state of negations, modifiers and artist cues."""

    def __init__(self, text: str, lex: Lexicon) -> None:
        self.text = clean(text)
        self.lex = lex
        self.tokens: list[Token] = tokenise(self.text)
        self.words = [token.word for token in self.tokens]
        self.shouting = not any(c.islower() for token in self.tokens for c in token.raw)
        self.out = Reading()
        self.contrasts = 0
        self.cue_at = -1
        self.list_at = -1
        self._reset()

    def _reset(self) -> None:
        self.negating = False
        self.negated_any = False
        self.soft = False
        self.negated_at = -1
        self.stretch = 1.0
        self.weight = 1.0

    def read(self) -> Reading:
        i = 0
        while i < len(self.tokens):
            i += self._step(i)
        return self.out

    def _step(self, i: int) -> int:
        token = self.tokens[i]
        if token.pause:
            self._reset()
            if i == self.list_at and token.pause == ",":
                self.cue_at = i
        if (found := self.lex.artist_at(self.words, i)) and self._accept(*found, i):
            return self._artist(found[0].name, found[0], i, found[1])
        if (tempo := _tempo_at(self.words, i)) is not None:
            self.out.tempo, size = tempo
            self._reset()
            return size
        if size := self._unknown_artist(i):
            return size
        match = self.lex.entry_at(self.words, i)
        if match is None:
            return self._unknown(i)
        if isinstance(match.entry, Term):
            self._term(match.entry, i, i + match.size, match.hedged)
        else:
            self._role(match.entry, i, match.size)
        return match.size

    def _unknown(self, i: int) -> int:
        word = self.words[i]
        if word == "or" and i == self.list_at:
            self.cue_at = i + 1
        elif word.isdigit() and len(word) == 4 and 1920 <= int(word) <= 2029:
            era = self.lex.term("era", f"{int(word) // 10 * 10}s")
            if era is not None:
                self._term(era, i, i + 1, False)
        return 1

    def _term(self, term: Term, start: int, end: int, hedged: bool) -> None:
        negated = self.negating and start - self.negated_at <= _REACH
        hit = Hit(
            term,
            end,
            weight=self.weight * CONTRAST**self.contrasts,
            stretch=self.stretch,
            negated=negated,
            soft=negated and self.soft,
            clause=self.contrasts,
        )
        if hedged:
            hit.hedge()
        self.out.hits.append(hit)
        self.stretch = self.weight = 1.0
        if negated:
            self.negated_at, self.negated_any = end, True

    def _role(self, role: str, i: int, size: int) -> None:
        last = self.out.hits[-1] if self.out.hits else None
        adjacent = last is not None and last.end == i and not self.tokens[i].pause
        if role in ("negate", "soften"):
            self._reset()
            self.negating, self.soft, self.negated_at = True, role == "soften", i + size
        elif role == "post_negate" and last is not None and adjacent:
            last.negated, last.soft = True, False
        elif role == "post_hedge" and last is not None and adjacent:
            last.hedge()
        elif role == "hedge":
            self.stretch *= _HEDGE[0]
            self.weight *= _HEDGE[1]
        elif role == "intensify":
            if self.negating:
                self.soft = True
            else:
                self.stretch = min(_MAX_STRETCH, self.stretch * _INTENSIFY[0])
                self.weight = min(_MAX_WEIGHT, self.weight * _INTENSIFY[1])
        elif role == "contrast":
            self.contrasts = min(_MAX_CONTRASTS, self.contrasts + 1)
            self._reset()
        elif role == "break":
            if not self.negating or self.negated_any:
                self._reset()
            if i == self.list_at:
                self.cue_at = i + size
        elif role == "cue" or (role == "filler" and self.cue_at == i):
            self.cue_at = i + size

    def _accept(self, artist: Artist, size: int, i: int) -> bool:
        if not artist.plain or self.cue_at == i:
            return True
        after = i + size
        tail = after < len(self.tokens) and not self.tokens[after].pause
        if tail and self.words[after] in ARTIST_TAILS:
            return True
        if self.shouting:
            return False
        raws = [t.raw for t in self.tokens[i : i + size] if t.word not in STOPWORDS]
        if not all(raw[:1].isupper() for raw in raws):
            return False
        return len(raws) > 1 or not (i == 0 or self.tokens[i].pause == ".")

    def _unknown_artist(self, i: int) -> int:
        first = self.tokens[i]
        if self.cue_at != i or self.shouting or not first.raw[:1].isupper():
            return 0
        if first.word != "the" and self.lex.is_word(first.word):
            return 0
        last = -1
        j = i
        while j < len(self.tokens) and j - i < 6 and (j == i or not self.tokens[j].pause):
            raw = self.tokens[j].raw
            if raw[:1].isupper() or raw[:1].isdigit():
                last = j
            elif self.words[j] not in _CONNECTORS:
                break
            j += 1
        if last < 0 or (last == i and first.word == "the"):
            return 0
        name = self.text[first.start : self.tokens[last].end]
        return self._artist(name, None, i, last + 1 - i)

    def _artist(self, name: str, known: Artist | None, i: int, size: int) -> int:
        if self.negating and i - self.negated_at <= _REACH:
            if name not in self.out.avoided_artists:
                self.out.avoided_artists.append(name)
        elif name not in self.out.artists and len(self.out.artists) < _MAX_LISTED:
            self.out.artists.append(name)
            if known is not None:
                self.out.artist_genres.append(known.genre)
        self.list_at = i + size
        self._reset()
        return size


def _number(word: str) -> float | None:
    return float(word) if _NUMBER.fullmatch(word) else None


def _tempo_at(words: Sequence[str], i: int) -> tuple[tuple[float, float, float], int] | None:
    """A tempo in BPM starting at ``words[i]``: ((target, low, high), words used)."""
    if words[i] == "bpm" and i + 1 < len(words) and (value := _number(words[i + 1])) is not None:
        return _tempo(value, value, words, i), 2
    first = _number(words[i])
    if first is None:
        return None
    j, second = i + 1, first
    joined = j + 1 < len(words) and words[j] in ("to", "and")
    if joined and (value := _number(words[j + 1])) is not None:
        second, j = value, j + 2
    elif j < len(words) and (value := _number(words[j])) is not None:
        second, j = value, j + 1
    if j < len(words) and words[j] == "bpm":
        return _tempo(first, second, words, i), j + 1 - i
    if tuple(words[j : j + 3]) == ("beats", "per", "minute"):
        return _tempo(first, second, words, i), j + 3 - i
    return None


def _tempo(first: float, second: float, words: Sequence[str], i: int) -> tuple[float, float, float]:
    low_scale, high_scale = SCALES["tempo"]

    def bpm(value: float) -> float:
        return min(high_scale, max(low_scale, value))

    low, high = sorted((bpm(first), bpm(second)))
    before = words[max(0, i - 2) : i]
    if before and (before[-1] in _UPPER_BOUND or before == ["less", "than"]):
        return bpm(high - 12), low_scale, high
    if before and (before[-1] in _LOWER_BOUND or before == ["more", "than"]):
        return bpm(low + 12), low, high_scale
    if low == high:
        return low, bpm(low - 8), bpm(low + 8)
    return (low + high) / 2, low, high


@dataclass(slots=True)
class _Pulls:
    """The nudges on one feature (unit scale), and the floor and ceiling negations set."""

    pulls: list[tuple[float, float]] = field(default_factory=list)
    floor: float = 0.0
    ceiling: float = 1.0


def _pull(pulls: _Pulls, nudge: Nudge, stretch: float, weight: float) -> None:
    pivot = _PIVOT[nudge.feature]
    target = _clamp(pivot + (nudge.target - pivot) * stretch)
    pulls.pulls.append((target, min(0.95, nudge.strength * weight)))


def _avoid(pulls: _Pulls, nudge: Nudge, weight: float, soft: bool) -> None:
    pivot = _PIVOT[nudge.feature]
    if abs(nudge.target - pivot) < 0.05:
        return
    bound = pivot + (nudge.target - pivot) * (0.75 if soft else 0.45)
    if nudge.target < pivot:
        pulls.floor = max(pulls.floor, bound)
    else:
        pulls.ceiling = min(pulls.ceiling, bound)
    away = _clamp(pivot + (pivot - nudge.target) * (0.2 if soft else 0.4))
    pulls.pulls.append((away, min(0.95, nudge.strength * weight * (0.4 if soft else 0.6))))


def _features(reading: Reading, lex: Lexicon) -> dict[str, _Pulls]:
    features = {name: _Pulls() for name in FEATURES}
    for hit in reading.hits:
        term, flipped = hit.term, _flipped(hit, lex)
        if flipped is not None:
            gentle = _GENTLE_FLIP if term.kind == "sound" else 1.0
            for nudge in flipped.nudges:
                _pull(features[nudge.feature], nudge, gentle, hit.weight * gentle)
        elif hit.negated and term.kind in ("mood", "sound"):
            main = max(nudge.strength for nudge in term.nudges)
            for nudge in term.nudges:
                if nudge.strength >= main:
                    _avoid(features[nudge.feature], nudge, hit.weight, hit.soft)
        elif not hit.negated:
            for nudge in term.nudges:
                _pull(features[nudge.feature], nudge, hit.stretch, hit.weight)
    for genre in reading.artist_genres:
        like = lex.term("genre", genre)
        for nudge in like.nudges if like else ():
            _pull(features[nudge.feature], nudge, 1.0, 0.5)
    return features


def _flipped(hit: Hit, lex: Lexicon) -> Term | None:
    """The opposite a negated hit asks for ("no vocals" -> instrumental), if it has one."""
    if not hit.negated or (hit.soft and hit.term.kind == "sound"):
        return None
    return lex.flip(hit.term)


def _settle(name: str, pulls: _Pulls) -> tuple[float, float, float, float]:
    """(target, low, high, weight) on the unit scale."""
    total = sum(strength for _, strength in pulls.pulls)
    if total <= 0:
        target, spread, weight = _PIVOT[name], 0.5, BASE_WEIGHT
    else:
        target = sum(t * s for t, s in pulls.pulls) / total
        spread = math.sqrt(sum(s * (t - target) ** 2 for t, s in pulls.pulls) / total)
        missing = math.prod(1.0 - s for _, s in pulls.pulls)
        weight = BASE_WEIGHT + (1.0 - BASE_WEIGHT) * (1.0 - missing)
    half = 1.0 if total <= 0 else min(0.45, max(0.08, 0.3 - 0.2 * weight + spread))
    low, high = max(0.0, target - half), min(1.0, target + half)
    low = max(low, pulls.floor)
    high = min(max(high, low), pulls.ceiling)
    low = min(low, high)
    return _clamp(target, low, high), low, high, weight


def _profile(text: str, reading: Reading, lex: Lexicon) -> MoodProfile:
    features = _features(reading, lex)
    targets: dict[str, float] = {}
    ranges: dict[str, tuple[float, float]] = {}
    weights: dict[str, float] = {}
    for name in FEATURES:
        target, low, high, weight = _settle(name, features[name])
        if name == "tempo" and reading.tempo is not None:
            target, low, high = (_to_unit(name, bpm) for bpm in reading.tempo)
            weight = 0.95
        targets[name] = _from_unit(name, target)
        ranges[name] = (_from_unit(name, low), _from_unit(name, high))
        weights[name] = round(weight, 3)
    recognised = _recognised(reading, lex)
    profile = MoodProfile(
        text=text,
        targets=targets,
        ranges=ranges,
        weights=weights,
        recognised=recognised,
        unwanted_versions=_unwanted(reading, recognised.live),
    )
    return replace(profile, explanation=_explain(profile, reading))


def _recognised(reading: Reading, lex: Lexicon) -> Recognised:
    found: dict[str, list[str]] = {kind: [] for kind in _LISTED}
    vocals: str | None = None
    live: bool | None = None
    for hit in reading.hits:
        term = hit.term
        if hit.negated:
            found["negations"].append(term.label)
            term = _flipped(hit, lex) or term
            if term.kind == "version" and term.label == "live":
                live = False
                continue
        if term.kind == "vocals":
            vocals = VOICE.get(term.label, vocals)
            if term.genre and not hit.negated:
                found["genres"].append(term.genre)
        elif term.kind == "live":
            live = term.label == "live"
        elif term.kind == "version" and term.label == "live":
            live = True
        elif not hit.negated and term.kind in _LISTED_KIND:
            found[_LISTED_KIND[term.kind]].append(term.label)
    found["negations"].extend(reading.avoided_artists)
    lists = {kind: tuple(dict.fromkeys(words))[:_MAX_LISTED] for kind, words in found.items()}
    return Recognised(
        moods=lists["moods"],
        activities=lists["activities"],
        settings=lists["settings"],
        genres=lists["genres"],
        eras=lists["eras"],
        artists=tuple(reading.artists),
        negations=lists["negations"],
        vocals=vocals,
        live=live,
        tempo_bpm=None if reading.tempo is None else round(reading.tempo[0], 1),
    )


_LISTED_KIND: Final = {
    "mood": "moods",
    "sound": "moods",
    "activity": "activities",
    "setting": "settings",
    "genre": "genres",
    "era": "eras",
}
_LISTED: Final = ("moods", "activities", "settings", "genres", "eras", "negations")


def _unwanted(reading: Reading, live: bool | None) -> tuple[str, ...]:
    unwanted = ["karaoke"]
    wanted: set[str] = set()
    for hit in reading.hits:
        if hit.term.kind == "version":
            (unwanted.append if hit.negated else wanted.add)(hit.term.label)
    if live is False:
        unwanted.append("live")
    elif live is True:
        wanted.add("live")
    return tuple(version for version in dict.fromkeys(unwanted) if version not in wanted)


def _explain(profile: MoodProfile, reading: Reading) -> str:
    """One sentence: what the text asked for, for what, avoiding what, and the main features."""
    said: dict[str, list[str]] = {key: [] for key in _SAID}
    for hit in reading.hits:
        said[_said_as(hit)].append(_say(hit))
    said["avoid"].extend(reading.avoided_artists)
    unique = {key: list(dict.fromkeys(words)) for key, words in said.items()}
    head = " ".join(
        part for part in (_described(reading), _kind(unique["era"], unique["noun"])) if part
    )
    if unique["version"]:
        versions = _join(unique["version"][:2])
        head = f"{versions} of {head}" if head else versions
    head = head or "music"
    if reading.artists:
        head += f" in the vein of {_join(reading.artists[:3])}"
    place = _setting_phrase(unique["adj"][:2], unique["at"][:3])
    acts = _join(unique["act"][:2])
    if acts:
        head += f" for {acts}" + (f" on {place}" if place else "")
    elif place:
        head += f" for {place}"
    if unique["avoid"]:
        head += f", steering clear of {_join(unique['avoid'][:4])}"
    if unique["temper"]:
        head += f", not too {_join(unique['temper'][:3], 'or')}"
    return f"{head[:1].upper()}{head[1:]}: {_summary(profile, reading)}."


_SAID: Final = ("describe", "noun", "era", "version", "act", "adj", "at", "avoid", "temper")
_SAID_AS: Final = {
    "mood": "describe",
    "sound": "describe",
    "vocals": "describe",
    "live": "describe",
    "genre": "noun",
    "era": "era",
    "version": "version",
    "activity": "act",
}


def _said_as(hit: Hit) -> str:
    if hit.negated:
        return "temper" if hit.soft else "avoid"
    if hit.term.kind == "setting":
        return "adj" if hit.term.adjective else "at"
    return _SAID_AS[hit.term.kind]


def _say(hit: Hit) -> str:
    if hit.negated and hit.term.kind == "sound":
        return hit.term.label
    if hit.negated or hit.term.kind not in ("mood", "sound"):
        return hit.term.say
    if hit.stretch < 1.0:
        return f"slightly {hit.term.say}"
    if hit.stretch > 1.0:
        return f"very {hit.term.say}"
    return hit.term.say


def _kind(eras: list[str], genres: list[str]) -> str:
    """The kind of music: "1980s synth-pop", "jazz and soul", "1970s music", or none."""
    kind = _join(genres[:2]) or ("music" if eras else "")
    return f"{eras[0]} {kind}" if eras else kind


def _described(reading: Reading) -> str:
    """The mood and sound words, at most three, clauses joined by "but": "sad but hopeful"."""
    clauses: dict[int, list[str]] = {}
    seen: set[str] = set()
    for hit in reading.hits:
        if _said_as(hit) == "describe" and len(seen) < 3 and (say := _say(hit)) not in seen:
            seen.add(say)
            clauses.setdefault(hit.clause, []).append(say)
    return " but ".join(_join(words) for words in clauses.values())


def _setting_phrase(adjectives: list[str], nouns: list[str]) -> str:
    if not adjectives and not nouns:
        return ""
    nouns = nouns or ["a day"]
    article, first = _split_article(nouns[0])
    rest = [_split_article(noun)[1] for noun in nouns[1:2] if noun.split()[-1] in _TIMES_OF_DAY]
    words = " ".join([*adjectives, first, *rest])
    if article in ("a", "an") or (not article and adjectives):
        article = "an" if words[:1].lower() in "aeiou" else "a"
    return f"{article} {words}".strip()


_TIMES_OF_DAY: Final = frozenset({"morning", "afternoon", "evening", "night"})


def _split_article(noun: str) -> tuple[str, str]:
    head, _, rest = noun.partition(" ")
    return (head, rest) if head in ("a", "an", "the") and rest else ("", noun)


def _summary(profile: MoodProfile, reading: Reading) -> str:
    def weight(name: str) -> float:
        return profile.weights[name]

    ranked = sorted(FEATURES, key=lambda name: (-weight(name), FEATURES.index(name)))
    shown = [name for name in ranked if weight(name) >= 0.3][:4] or ranked[:2]
    return ", ".join(_describe(name, profile, reading) for name in shown)


def _describe(name: str, profile: MoodProfile, reading: Reading) -> str:
    value = profile.targets[name]
    if name == "tempo":
        if reading.tempo is not None:
            return f"tempo around {value:.0f} BPM"
        return f"{_band(value, _TEMPO_WORDS)} tempo"
    if name == "loudness":
        return _band(value, _LOUDNESS_WORDS)
    if name == "mode":
        return _band(value, _MODE_WORDS)
    if name == "liveness":
        return _band(value, _LIVENESS_WORDS)
    if name == "speechiness":
        return _band(value, _SPEECH_WORDS)
    return f"{_band(value, _LEVELS)} {name}"


_LEVELS: Final = (
    (0.15, "very low"),
    (0.35, "low"),
    (0.45, "low-to-mid"),
    (0.55, "mid"),
    (0.65, "mid-to-high"),
    (0.85, "high"),
    (math.inf, "very high"),
)
_TEMPO_WORDS: Final = (
    (85.0, "slow"),
    (105.0, "relaxed"),
    (125.0, "moderate"),
    (145.0, "brisk"),
    (math.inf, "fast"),
)
_LOUDNESS_WORDS: Final = ((-13.0, "quiet"), (-7.0, "moderate volume"), (math.inf, "loud"))
_MODE_WORDS: Final = ((0.35, "minor key"), (0.65, "either key"), (math.inf, "major key"))
_SPEECH_WORDS: Final = (
    (0.12, "little speech"),
    (0.33, "some rapped or spoken lines"),
    (0.66, "rap-like speech"),
    (math.inf, "mostly spoken"),
)
_LIVENESS_WORDS: Final = ((0.3, "studio sound"), (0.6, "some live feel"), (math.inf, "live feel"))


def _band(value: float, bands: Iterable[tuple[float, str]]) -> str:
    return next(word for bound, word in bands if value < bound)


def _join(words: Sequence[str], last: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def _to_unit(name: str, value: float) -> float:
    low, high = SCALES[name]
    return _clamp((value - low) / (high - low))


def _from_unit(name: str, unit: float) -> float:
    low, high = SCALES[name]
    return _rounded(name, low + unit * (high - low))


def _rounded(name: str, value: float) -> float:
    return round(value, 1 if name in ("tempo", "loudness") else 3)
