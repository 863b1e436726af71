"""How an adaptive rate searches: its bounds, how much evidence confirms a probe, when it
settles and how it checks for a higher limit.

    AdaptiveRate(80 / 60, tuning=Tuning(hidden_burst=4, precision=0.02))
    Tuning(hold=0)        # ValueError: hold must be a whole number >= 1, got 0
"""

from __future__ import annotations

from dataclasses import dataclass

from moodmix.resilience.adaptive.learned import positive


@dataclass(frozen=True)
class Tuning:
    """How the controller searches: ``min_rate``/``max_rate`` bound it (default: the initial
    rate / 32 and x 32); ``confirm_after`` successes at least confirm a probe; it settles when
    the gap is within ``precision``; ``hidden_burst`` is the upstream's burst assumed until
    measured; a check after ``hold`` saturated successes goes ``check_step`` above the floor.
    """

    min_rate: float | None = None
    max_rate: float | None = None
    confirm_after: int = 20
    precision: float = 0.02
    hidden_burst: int = 10
    check_step: float = 0.25
    hold: int = 60

    def __post_init__(self) -> None:
        for name, count in (("confirm_after", self.confirm_after), ("hold", self.hold)):
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValueError(f"{name} must be a whole number >= 1, got {count!r}")
        for name, share in (("precision", self.precision), ("check_step", self.check_step)):
            if not (isinstance(share, int | float) and 0.0 < share < 1.0):
                raise ValueError(f"{name} must be between 0 and 1 (a fraction), got {share!r}")
        burst = self.hidden_burst
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 0:
            raise ValueError(f"hidden_burst must be a whole number >= 0, got {burst!r}")

    def bounds(self, initial: float) -> tuple[float, float]:
        """(lowest, highest) rate for a controller starting at ``initial``."""
        low = positive("min_rate", self.min_rate) if self.min_rate is not None else initial / 32
        high = positive("max_rate", self.max_rate) if self.max_rate is not None else initial * 32
        if not low <= initial <= high:
            raise ValueError(
                f"initial_rate must lie within [min_rate, max_rate] = [{low!r}, {high!r}], "
                f"got {initial!r}"
            )
        return low, high
