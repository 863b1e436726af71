"""A candidate track with its audio features, and the same candidate once scored for a mood.

::

    candidate = Candidate(track, features, origin="recommended")
    item = Scored.of(candidate, profile)
    item.fit.score, item.values["energy"], item.artist_keys, item.duration_ms
"""

from __future__ import annotations

from dataclasses import dataclass, field

from moodmix.engine.folding import fold
from moodmix.engine.profile import MoodProfile
from moodmix.engine.scoring import Fit, Scorer, feature_values
from moodmix.reccobeats.models import AudioFeatures, Track

DEFAULT_DURATION_MS = 210_000
"""What a track without a known length is assumed to last when filling to a duration."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A track that may go into the playlist, with its audio features and where it came from.

    ``origin`` is ``"recommended"`` or ``"artist"`` (a seed artist's own track).
    """

    track: Track
    features: AudioFeatures
    origin: str = "recommended"


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate with its feature values and its fit to the profile."""

    candidate: Candidate
    values: dict[str, float]
    fit: Fit
    artist_keys: tuple[str, ...] = field(default=())

    @property
    def artist_names(self) -> tuple[str, ...]:
        """Its artists' names, as the upstream spells them."""
        return tuple(a.name for a in self.track.artists)

    @classmethod
    def of(cls, candidate: Candidate, profile: MoodProfile | Scorer) -> Scored:
        """Score ``candidate`` for a profile (pass a ``Scorer`` when scoring many)."""
        scorer = profile if isinstance(profile, Scorer) else Scorer(profile)
        values = feature_values(candidate.features)
        keys = tuple(dict.fromkeys(artist_key(a.id, a.name) for a in candidate.track.artists))
        return cls(candidate, values, scorer(values), keys)

    @property
    def track(self) -> Track:
        return self.candidate.track

    @property
    def key(self) -> int | None:
        """Pitch class 0-11, or ``None`` when unknown."""
        key = self.candidate.features.key
        return key if key is not None and 0 <= key <= 11 else None

    @property
    def duration_ms(self) -> int:
        return self.track.duration_ms or DEFAULT_DURATION_MS


def artist_key(artist_id: str | None, name: str) -> str:
    """How an artist is told apart: its id when it has one, else its folded name."""
    return artist_id or f"name:{fold(name)}"
