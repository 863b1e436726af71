"""The answer a language model gives about a mood: its JSON schema, validated and clamped.

The model is asked for JSON matching ``answer_schema()`` (OpenAI structured outputs); what
comes back is read with ``parse_answer`` and trusted no further than this module allows::

    answer = parse_answer('{"features": {"energy": {"target": 1.7, "weight": 0.8}}, ...}')
    answer.features["energy"].target      # 1.0: clamped to the feature's scale
    answer.artists                        # ('Bon Iver',): names, not yet confirmed anywhere
    parse_answer("not json")              # MalformedAnswer("the answer is not JSON: ...")

Unknown fields and unknown features are dropped, numbers are clamped to their scales, lists
are cut to a few items, and every piece of text is made plain: one line, no control
characters, no angle brackets, no links, at most a sentence long. Names stay names: nothing
here is executed, rendered or followed.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Annotated, Any, Final

import orjson
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from moodmix.llm.errors import MalformedAnswer

SCALES: Final[dict[str, tuple[float, float]]] = {
    **{
        name: (0.0, 1.0)
        for name in (
            "energy",
            "valence",
            "danceability",
            "acousticness",
            "instrumentalness",
            "speechiness",
            "liveness",
            "mode",
        )
    },
    "tempo": (40.0, 220.0),
    "loudness": (-60.0, 0.0),
}
"""The features a model may speak about, each with its scale (as ``engine.profile``)."""

MAX_NAMES: Final = 5
"""Artists, tracks, genres, eras or things to avoid kept from one answer, each."""
MAX_TEXT: Final = 200
"""Characters kept of a piece of text (a name, a description, the reading)."""
MAX_NAME: Final = 100

_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*://|www\.)\S*")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^<>]*>")


def plain(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` as one plain line: no control characters, tags, angle brackets or links; cut
    to ``limit``."""
    kept = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch
        for ch in unicodedata.normalize("NFC", text)
    )
    kept = _URL.sub(" ", _TAG.sub(" ", kept)).replace("<", " ").replace(">", " ")
    kept = _SPACE.sub(" ", kept).strip()
    return kept[:limit].rstrip()


def _text(value: Any) -> Any:
    return plain(value) if isinstance(value, str) else value


def _names(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    names: list[str] = []
    for item in value:
        name = plain(item, MAX_NAME) if isinstance(item, str) else ""
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return tuple(names[:MAX_NAMES])


def _tracks(value: Any) -> Any:
    return value[:MAX_NAMES] if isinstance(value, list) else value


def _number(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number, not true or false")
    if isinstance(value, int | float) and not math.isfinite(value):
        raise ValueError("a finite number")
    return value


Text = Annotated[str, BeforeValidator(_text)]
Names = Annotated[tuple[str, ...], BeforeValidator(_names)]
Number = Annotated[float, BeforeValidator(_number)]


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class FeatureAnswer(_Lenient):
    """One feature: a target, an optional acceptable range, and how much it matters (0..1)."""

    target: Number
    low: Number | None = None
    high: Number | None = None
    weight: Number = 0.5

    def clamped(self, name: str) -> FeatureAnswer:
        """This answer inside ``name``'s scale, with ``low <= target <= high``."""
        lo, hi = SCALES[name]
        target = min(hi, max(lo, self.target))
        low = lo if self.low is None else min(hi, max(lo, self.low))
        high = hi if self.high is None else min(hi, max(lo, self.high))
        if low > high:
            low, high = high, low
        return FeatureAnswer(
            target=min(high, max(low, target)),
            low=low,
            high=high,
            weight=min(1.0, max(0.0, self.weight)),
        )


class TrackAnswer(_Lenient):
    """A track the model names: its title and its (first) artist."""

    title: Text = Field(max_length=MAX_TEXT)
    artist: Text = Field(max_length=MAX_TEXT)


class ModelAnswer(_Lenient):
    """What a model read in a mood; everything optional, everything bounded."""

    features: dict[str, FeatureAnswer] = Field(default_factory=dict)
    genres: Names = ()
    eras: Names = ()
    artists: Names = ()
    tracks: Annotated[tuple[TrackAnswer, ...], BeforeValidator(_tracks)] = ()
    avoid: Names = ()
    playlist_name: Text | None = None
    playlist_description: Text | None = None
    reading: Text | None = None

    def bounded(self) -> ModelAnswer:
        """Known features only, each clamped; empty text turned into ``None``."""
        return self.model_copy(
            update={
                "features": {
                    name: answer.clamped(name)
                    for name, answer in self.features.items()
                    if name in SCALES
                },
                "tracks": tuple(t for t in self.tracks if t.title and t.artist),
                "playlist_name": self.playlist_name or None,
                "playlist_description": self.playlist_description or None,
                "reading": self.reading or None,
            }
        )


def parse_answer(content: str | bytes) -> ModelAnswer:
    """The answer in ``content`` (a JSON object), bounded; ``MalformedAnswer`` if it is not one.

    A feature whose value cannot be read is dropped with the rest of the answer kept; a
    list or object in the wrong place fails the whole answer.
    """
    try:
        data = orjson.loads(content)
    except orjson.JSONDecodeError as exc:
        raise MalformedAnswer(f"the answer is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise MalformedAnswer(f"the answer is JSON but not an object ({type(data).__name__})")
    features = data.get("features")
    if isinstance(features, dict):
        data["features"] = {
            str(name): value
            for name, value in features.items()
            if str(name) in SCALES and _feature_ok(value)
        }
    try:
        return ModelAnswer.model_validate(data).bounded()
    except ValidationError as exc:
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "answer"
        raise MalformedAnswer(
            f"the answer is not the JSON asked for: {where}: {first['msg']}"
        ) from None


def _feature_ok(value: Any) -> bool:
    try:
        FeatureAnswer.model_validate(value)
    except ValidationError:
        return False
    return True


def answer_schema() -> dict[str, Any]:
    """The JSON schema sent as ``response_format`` (strict: every field, no others; a feature
    the mood says nothing about is ``null``)."""
    number = {"type": "number"}
    feature = {
        "type": "object",
        "properties": {"target": number, "low": number, "high": number, "weight": number},
        "required": ["target", "low", "high", "weight"],
        "additionalProperties": False,
    }
    names = {"type": "array", "items": {"type": "string"}}
    track = {
        "type": "object",
        "properties": {"title": {"type": "string"}, "artist": {"type": "string"}},
        "required": ["title", "artist"],
        "additionalProperties": False,
    }
    features = {
        "type": "object",
        "properties": {name: {"anyOf": [feature, {"type": "null"}]} for name in SCALES},
        "required": list(SCALES),
        "additionalProperties": False,
    }
    properties: dict[str, Any] = {
        "features": features,
        "genres": names,
        "eras": names,
        "artists": names,
        "tracks": {"type": "array", "items": track},
        "avoid": names,
        "playlist_name": {"type": "string"},
        "playlist_description": {"type": "string"},
        "reading": {"type": "string"},
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
