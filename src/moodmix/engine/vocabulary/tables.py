"""The vocabulary's tables, read once from the TOML files beside this module.

    from moodmix.engine.vocabulary.tables import COMPARATIVES, FLIPS, MOODS
    MOODS[0].words.split(",")[0]   # 'happy'
    FLIPS["vocal"]                 # 'instrumental': "no lyrics" asks for instrumentals
    COMPARATIVES["slower"]         # 'slow': "slower" is a step toward slow

Each file says what its entries mean; ``types.Spec`` is the shape of one entry. The artists
themselves are ``moodmix.data.ARTISTS``, shared with the simulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from moodmix.data import read_toml
from moodmix.engine.vocabulary.types import Level, Spec

_PACKAGE: Final = "moodmix.engine.vocabulary"


def _read(name: str) -> dict[str, Any]:
    return read_toml(_PACKAGE, name)


def _level(value: float | list[float]) -> Level:
    return (value[0], value[1]) if isinstance(value, list) else value


def _specs(rows: list[dict[str, Any]]) -> tuple[Spec, ...]:
    return tuple(
        Spec(row["words"], {f: _level(v) for f, v in row["nudges"].items()}, row.get("say", ""))
        for row in rows
    )


_moods = _read("moods.toml")
MOOD_STRENGTH: Final[float] = _moods["strength"]
MOODS: Final = _specs(_moods["moods"])

_activities = _read("activities.toml")
ACTIVITY_STRENGTH: Final[float] = _activities["strength"]
ACTIVITIES: Final = _specs(_activities["activities"])

_settings = _read("settings.toml")
SETTING_STRENGTH: Final[float] = _settings["strength"]
WEATHER: Final = _specs(_settings["weather"])
PLACES_AND_TIMES: Final = _specs(_settings["places_and_times"])

_sound = _read("sound.toml")
SOUND_STRENGTH: Final[float] = _sound["strength"]
SOUND: Final = _specs(_sound["sound"])
VOCALS: Final = _specs(_sound["vocals"])
LIVE: Final = _specs(_sound["live"])
VERSIONS: Final = _specs(_sound["versions"])
FLIPS: Final[Mapping[str, str]] = _sound["flips"]
VOICE: Final[Mapping[str, str]] = _sound["voice"]
IMPLIED_GENRES: Final[Mapping[str, str]] = _sound["implied_genres"]

_genres = _read("genres.toml")
GENRE_STRENGTH: Final[float] = _genres["strength"]
ERA_STRENGTH: Final[float] = _genres["era_strength"]
GENRES: Final = _specs(_genres["genres"])
ERAS: Final = _specs(_genres["eras"])
FAMILIES: Final[Mapping[str, str]] = _genres["families"]
TYPICAL_SOUND: Final[Mapping[str, Mapping[str, float]]] = _genres["typical_sound"]

_words = _read("words.toml")
NEGATORS: Final = frozenset[str](_words["negators"])
SOFTENERS: Final = frozenset[str](_words["softeners"])
POST_NEGATORS: Final = frozenset[str](_words["post_negators"])
HEDGES: Final = frozenset[str](_words["hedges"])
POST_HEDGES: Final = frozenset[str](_words["post_hedges"])
INTENSIFIERS: Final = frozenset[str](_words["intensifiers"])
CONTRASTS: Final = frozenset[str](_words["contrasts"])
BREAKS: Final = frozenset[str](_words["breaks"])
ARTIST_CUES: Final = frozenset[str](_words["artist_cues"])
ARTIST_TAILS: Final = frozenset[str](_words["artist_tails"])
FILLERS: Final = frozenset[str](_words["fillers"])
MORES: Final = frozenset[str](_words["mores"])
THANS: Final = frozenset[str](_words["thans"])
COMPARATIVES: Final[Mapping[str, str]] = _words["comparatives"]

EMOJI: Final[Mapping[str, str]] = _read("emoji.toml")["emoji"]
FOREIGN: Final[Mapping[str, str]] = _read("foreign.toml")["foreign"]

_artist_words = _read("artist_words.toml")
ALIASES: Final[Mapping[str, str]] = _artist_words["aliases"]
COMMON_WORDS: Final = frozenset[str](_artist_words["common_words"])
