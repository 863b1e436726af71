"""The language-model stand-in's answers: a fixed table, so every run answers alike.

::

    answer = answer_for("songs that feel like a Wes Anderson film")
    answer["reading"]          # 'whimsical, pastel, nostalgic: ...'
    answer["artists"]          # ['Bon Iver', 'Radiohead']: real names, in the stand-in catalog

A prompt gets the first entry one of whose words it contains (case-folded), else the default
entry. Artists come from ``moodmix.data.ARTISTS`` (each genre's best known first), which the
ReccoBeats stand-in's catalog also holds, so the names the table gives can be confirmed there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from moodmix.data import ARTISTS


def _feature(target: float, low: float, high: float, weight: float) -> dict[str, float]:
    return {"target": target, "low": low, "high": high, "weight": weight}


@dataclass(frozen=True)
class Entry:
    words: tuple[str, ...]
    answer: dict[str, Any]


def _answer(
    features: dict[str, dict[str, float]],
    *,
    genres: list[str],
    artists: list[str],
    name: str,
    description: str,
    reading: str,
    eras: list[str] | None = None,
    avoid: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "features": features,
        "genres": genres,
        "eras": eras or [],
        "artists": artists,
        "tracks": [],
        "avoid": avoid or [],
        "playlist_name": name,
        "playlist_description": description,
        "reading": reading,
    }


TABLE: Final[tuple[Entry, ...]] = (
    Entry(
        ("wes anderson",),
        _answer(
            {
                "valence": _feature(0.68, 0.45, 0.9, 0.7),
                "acousticness": _feature(0.62, 0.35, 0.95, 0.6),
                "energy": _feature(0.42, 0.2, 0.65, 0.5),
                "tempo": _feature(104, 80, 130, 0.3),
            },
            genres=["folk", "indie"],
            eras=["1960s", "1970s"],
            artists=[ARTISTS["folk"][0], ARTISTS["indie"][0]],
            name="Symmetry in Pastel",
            description="Whimsical, nostalgic songs with a wink, for tidy frames and faded hues.",
            reading="whimsical, pastel and nostalgic: gentle, bright, mostly acoustic",
        ),
    ),
    Entry(
        ("summer camp", "last day of summer"),
        _answer(
            {
                "valence": _feature(0.55, 0.35, 0.8, 0.6),
                "energy": _feature(0.5, 0.3, 0.75, 0.4),
                "acousticness": _feature(0.55, 0.3, 0.9, 0.5),
            },
            genres=["folk", "pop"],
            artists=[ARTISTS["folk"][1], ARTISTS["pop"][1]],
            name="Last Campfire",
            description="Bittersweet sing-alongs for packing up and saying goodbye.",
            reading="bittersweet and nostalgic: warm, communal, a little wistful",
            avoid=["aggressive"],
        ),
    ),
    Entry(
        ("rain", "rainy", "mellow"),
        _answer(
            {
                "energy": _feature(0.3, 0.1, 0.5, 0.8),
                "acousticness": _feature(0.75, 0.5, 1.0, 0.7),
                "valence": _feature(0.45, 0.25, 0.7, 0.4),
            },
            genres=["folk", "lo-fi"],
            artists=[ARTISTS["folk"][0], ARTISTS["lo-fi"][0]],
            name="Window Seat Weather",
            description="Soft, acoustic songs for grey skies and slow hours.",
            reading="calm, acoustic, reflective rather than sad",
        ),
    ),
    Entry(
        ("workout", "gym", "running"),
        _answer(
            {
                "energy": _feature(0.88, 0.7, 1.0, 0.9),
                "danceability": _feature(0.75, 0.55, 1.0, 0.6),
                "tempo": _feature(128, 115, 150, 0.6),
            },
            genres=["hip-hop", "electronic"],
            artists=[ARTISTS["hip-hop"][0], ARTISTS["electronic"][0]],
            name="Rep Count",
            description="Driving, high-tempo tracks to keep moving.",
            reading="high energy, driving beat, motivating",
        ),
    ),
    Entry(
        ("focus", "study", "coding"),
        _answer(
            {
                "instrumentalness": _feature(0.85, 0.6, 1.0, 0.9),
                "speechiness": _feature(0.04, 0.0, 0.12, 0.6),
                "energy": _feature(0.35, 0.15, 0.55, 0.5),
            },
            genres=["ambient", "lo-fi"],
            artists=[ARTISTS["ambient"][0], ARTISTS["lo-fi"][0]],
            name="Deep Work",
            description="Instrumental, unobtrusive music to think to.",
            reading="instrumental and steady, nothing to sing along to",
        ),
    ),
)

DEFAULT: Final = _answer(
    {
        "energy": _feature(0.5, 0.3, 0.7, 0.3),
        "valence": _feature(0.55, 0.35, 0.75, 0.3),
    },
    genres=["pop"],
    artists=[ARTISTS["pop"][0]],
    name="Something for Now",
    description="A balanced mix for whatever the moment is.",
    reading="an open mood: balanced, neither very calm nor very intense",
)

INVENTED: Final = {
    "artists": ["The Velvet Lanterns", "Marlowe and the Quiet Hours"],
    "tracks": [{"title": "Paper Lighthouse", "artist": "The Velvet Lanterns"}],
}
"""Names no catalog holds, for the ``invented`` fault."""

HOSTILE: Final = {
    "artists": ["https://evil.example/artist", "<script>alert(1)</script>"],
    "playlist_name": "<script>alert('x')</script>Night Drive",
    "playlist_description": "Listen at https://evil.example/steal?c=1 <b>now</b>",
    "reading": "<img src=x onerror=alert(1)> ignore previous instructions",
}
"""Markup, links and instructions where names belong, for the ``hostile`` fault."""


def answer_for(text: str) -> dict[str, Any]:
    """The table's answer for ``text`` (a fresh copy)."""
    folded = text.casefold()
    entry = next((e for e in TABLE if any(word in folded for word in e.words)), None)
    answer = entry.answer if entry is not None else DEFAULT
    return {**answer, "features": dict(answer["features"])}
