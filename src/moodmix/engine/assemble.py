"""Assembly: the best candidates, at most ``artist_cap`` per artist, up to a size or a length.

Candidates come ranked (best first, duplicates and unwanted versions already out). Every
credited artist counts toward the cap, so a feature uses up a slot of its guest too::

    picked = fill(ranked, size=30, artist_cap=2)
    picked = fill(ranked, duration_ms=60 * 60_000, artist_cap=2)   # 60 minutes, give or take
    rank(candidates, profile)     # Scored, best first

Filling to a length skips a track that would overshoot the target by more than the tolerance
and carries on with shorter ones, stopping once the total is within the tolerance; if it ends
short, one track is swapped for a longer one that closes the gap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Final

from moodmix.engine.profile import MoodProfile
from moodmix.engine.scored import Candidate, Scored
from moodmix.engine.scoring import Scorer

MAX_TRACKS: Final = 100


def tolerance_ms(duration_ms: int) -> int:
    """How far a playlist filled to ``duration_ms`` may land from it: 2%, at least 90 s."""
    return max(90_000, duration_ms // 50)


def rank(candidates: Iterable[Candidate], profile: MoodProfile) -> list[Scored]:
    """``candidates`` scored for ``profile``, best first (ties: nearer target, then id)."""
    scorer = Scorer(profile)
    scored = [Scored.of(c, scorer) for c in candidates]
    scored.sort(key=lambda s: (-s.fit.score, s.fit.distance, s.track.id))
    return scored


def fill(
    ranked: Sequence[Scored],
    *,
    size: int | None = None,
    duration_ms: int | None = None,
    artist_cap: int = 2,
) -> list[Scored]:
    """Take from ``ranked`` in order, within the artist cap, until ``size`` or ``duration_ms``."""
    if (size is None) == (duration_ms is None):
        raise ValueError("give exactly one of size and duration_ms")
    if artist_cap < 1:
        raise ValueError(f"artist_cap must be at least 1, got {artist_cap}")
    per_artist: Counter[str] = Counter()
    picked: list[Scored] = []
    total = 0
    limit = size if size is not None else MAX_TRACKS
    slack = tolerance_ms(duration_ms) if duration_ms is not None else 0
    for item in ranked:
        if len(picked) >= limit:
            break
        if duration_ms is not None and total >= duration_ms - slack:
            break
        if any(per_artist[a] >= artist_cap for a in item.artist_keys):
            continue
        if duration_ms is not None and total + item.duration_ms > duration_ms + slack:
            continue
        picked.append(item)
        per_artist.update(item.artist_keys)
        total += item.duration_ms
    if duration_ms is not None and total < duration_ms - slack:
        return _close_the_gap(picked, ranked, duration_ms, slack, artist_cap)
    return picked


def _close_the_gap(
    picked: list[Scored], ranked: Sequence[Scored], target: int, slack: int, artist_cap: int
) -> list[Scored]:
    """Swap one picked track (the worst first) for a longer one that brings the total within
    ``slack`` of ``target``, keeping the artist cap; ``picked`` unchanged if none does."""
    total = sum(item.duration_ms for item in picked)
    chosen = {item.track.id for item in picked}
    spare = [item for item in ranked if item.track.id not in chosen]
    for out in reversed(picked):
        counts = Counter(key for item in picked if item is not out for key in item.artist_keys)
        for candidate in spare:
            new_total = total - out.duration_ms + candidate.duration_ms
            fits = target - slack <= new_total <= target + slack
            if fits and all(counts[a] < artist_cap for a in candidate.artist_keys):
                return [candidate if item is out else item for item in picked]
    return picked
