"""``MoodProfile``: what a mood asks of the music, feature by feature.

The mood analyser produces it from free text; seeds, candidates and scoring consume it::

    profile = analyse("rainy Sunday, mellow acoustic, nothing sad")
    profile.targets["acousticness"], profile.ranges["valence"], profile.weights["energy"]
    profile.to_json()   # {"targets", "ranges", "weights", "recognised", "explanation", ...}

Feature scales: 0..1 for the unit features; ``tempo`` in BPM (40..220); ``loudness`` in dB
(-60..0); ``mode`` 0 (minor) .. 1 (major). Weights are 0..1: how much a feature matters to
this mood (0: not at all). A neutral profile (text not understood) has mid targets, wide
ranges, low weights and ``understood=False``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

UNIT_FEATURES: Final = (
    "energy",
    "valence",
    "danceability",
    "acousticness",
    "instrumentalness",
    "speechiness",
    "liveness",
)
FEATURES: Final = (*UNIT_FEATURES, "tempo", "loudness", "mode")
"""Every feature a profile speaks about, in a fixed order."""

SCALES: Final[dict[str, tuple[float, float]]] = {
    **{name: (0.0, 1.0) for name in UNIT_FEATURES},
    "tempo": (40.0, 220.0),
    "loudness": (-60.0, 0.0),
    "mode": (0.0, 1.0),
}
"""The range each feature lives in; distances are measured after scaling to 0..1."""


@dataclass(frozen=True)
class Recognised:
    """What the analyser understood in the text, each in the words of its vocabulary."""

    moods: tuple[str, ...] = ()
    activities: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    """Times, places and weather: "sunday", "rain", "night", "beach"."""
    genres: tuple[str, ...] = ()
    eras: tuple[str, ...] = ()
    artists: tuple[str, ...] = ()
    """Artist names the text points at ("like Adele", "Daft Punk vibes")."""
    negations: tuple[str, ...] = ()
    """What the text rules out, e.g. "sad", "aggressive"."""
    vocals: str | None = None
    """"instrumental", "vocal" or "rap" when the text says so."""
    live: bool | None = None
    """True for live recordings wanted, False for studio only, None when unsaid."""
    tempo_bpm: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "moods": list(self.moods),
            "activities": list(self.activities),
            "settings": list(self.settings),
            "genres": list(self.genres),
            "eras": list(self.eras),
            "artists": list(self.artists),
            "negations": list(self.negations),
            "vocals": self.vocals,
            "live": self.live,
            "tempo_bpm": self.tempo_bpm,
        }


@dataclass(frozen=True)
class MoodProfile:
    """Targets, acceptable ranges and weights per feature, with what was recognised."""

    text: str
    targets: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    weights: dict[str, float]
    recognised: Recognised = field(default_factory=Recognised)
    unwanted_versions: tuple[str, ...] = ("karaoke",)
    """Track versions to drop: "live", "remix", "karaoke", "acoustic", ... (by title)."""
    understood: bool = True
    explanation: str = ""
    suggested_name: str | None = None
    """A playlist name the reader proposes (a language-model reader may); else one is made."""
    suggested_description: str | None = None

    def to_json(self) -> dict[str, Any]:
        suggested = {
            key: value
            for key, value in (
                ("suggested_name", self.suggested_name),
                ("suggested_description", self.suggested_description),
            )
            if value is not None
        }
        return {
            "text": self.text,
            "targets": dict(self.targets),
            "ranges": {k: [lo, hi] for k, (lo, hi) in self.ranges.items()},
            "weights": dict(self.weights),
            "recognised": self.recognised.to_json(),
            "unwanted_versions": list(self.unwanted_versions),
            "understood": self.understood,
            "explanation": self.explanation,
            **suggested,
        }
