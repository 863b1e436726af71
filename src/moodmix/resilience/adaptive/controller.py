"""An adaptive rate: finds an upstream's unpublished rate limit from its answers, fast, and
holds just under it.

The AWS SDKs' adaptive mode (CUBIC over a token bucket) and Google SRE's client-side
throttling spend a steady trickle of rejections to track a limit; ours must keep 429s under
1% of requests and sit within a few percent of the limit, so the controller is written here::

    control = AdaptiveRate(80 / 60, tuning=Tuning(hidden_burst=10))   # requests per second
    control.on_success(now, saturated=True)             # the rate held callers back
    control.on_throttled(now, retry_after=2.0)          # a 429 (pausing is the caller's job)
    bucket.set_rate(control.rate)                       # apply what was learnt
    saved = control.learned()                           # keep it; later: resume(saved, age_s)

The limit lies between a *floor* (a rate shown to fit) and a *ceiling* (the lowest rate that
drew a 429 since the limit last moved). The method is TCP's: a slow start while no ceiling is
known, then a search that narrows the gap, then a steady state that checks now and then
whether the limit went up. What it takes from each answer:

* **Saturated successes** (the rate, not the callers, held requests back) at a *probe* rate
  ``p`` prove a floor as they come: ``n`` of them took ``n / p`` seconds, in which at most
  the upstream's burst came from its bucket, so its limit is at least ``p * (1 - burst / n)``
  (``n`` bounded by the probe's time plus a burst). The next probe starts once the floor has
  closed half the gap to the probe (and ``confirm_after`` successes came). The burst is
  estimated (below), not assumed.
* **Each 429** drains the upstream's bucket, so two 429s bracket a stretch over which
  everything accepted was the limit's own refill: ``(accepted - 2) / seconds`` since the
  previous 429 is a lower bound on the limit that needs no knowledge of the burst, and a tight
  one when the client sent at about the limit (BBR's delivery-rate sample, taken between
  drains). It raises the floor at every 429. A probe's 429 makes the probe rate the ceiling.
* **How long a failed probe lasted** tells the burst: it ran ``t`` seconds at ``p`` over a
  floor ``f`` before the bucket ran dry, so the bucket held at most ``(p - f) * t``. The
  estimate is the largest of the last four such readings (``hidden_burst`` before any), so
  confirmations are as short as the upstream allows, and grow again if a burst hid an excess.
* **A 429 at or below the floor** means the floor was wrong or the limit fell. The burst
  readings are forgotten and the floor becomes what was measured since the previous 429;
  when that stretch is too short to measure (under 2 s or 6 answers: the limit fell far),
  the rate halves (at the cold start, before anything was measured, ``Retry-After`` says
  how far and gives a ceiling: ``firstcut``). The checks' back-off starts over.
* **A 429 on a request that left in the client's own burst** (``paced=False``) says the
  upstream's burst is smaller than the client's, not that the rate is too high: it moves
  nothing.

Probes are bold far from any ceiling and gentle near one: with no ceiling the step starts at
50% and doubles (to 100%) with each confirmation; below a ceiling a probe goes to the
geometric middle of floor and ceiling. Once the gap is within ``precision`` the rate holds at
the floor, and after ``hold`` saturated successes (at least 15 s of them, doubling after each
failed check, to sixteen times) it checks for a higher limit, alternately ``check_step``
(25%: a limit that jumped, shown sooner) and a small step (``2 * precision``: one that crept
up). A probe whose floor passes the ceiling drops it: the limit went up, so the slow start
begins again from the probe at once, without waiting for the probe's own confirmation. Each
failed check costs about one 429, so the back-off keeps them under 1% of requests while the
limit stays put; the price is that a raised limit is found only at the next check.

A limit seen to move is likely to move again. After a *cut* (a 429 at the floor too soon
after a previous 429 to measure: the limit fell far), for 20 minutes or until a raise is
found, a check ``check_step`` over the ceiling goes out whenever a minute passes without a
429 or a check, whatever the search is doing (``watch``; shared with the state): one 429 a
minute while the limit stays cut, a raise found within about 90 s; then the back-off goes on.

Unlike CUBIC and AIMD it cuts only on a 429 at a rate shown to fit (docs/ARCHITECTURE.md, "The
adaptive rate"). Outcomes of requests sent before the rate last changed do not move it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Mapping

from moodmix.clock import Clock, monotonic
from moodmix.resilience.adaptive.firstcut import first_cut
from moodmix.resilience.adaptive.learned import Learned, SharedState, StateValue, positive
from moodmix.resilience.adaptive.tuning import Tuning
from moodmix.resilience.adaptive.watch import Watch

_MAX_STEP = 1.0
_FIRST_STEP = 0.5
_MAX_BACKOFF = 4
_BURST_READINGS = 4
_MIN_MEASURE_S = 2.0
_MIN_MEASURE_ACCEPTED = 6
_HOLD_S = 15.0


class AdaptiveRate:
    """A small state machine from request outcomes to the rate (per second) to allow."""

    def __init__(
        self, initial_rate: float, *, tuning: Tuning | None = None, clock: Clock = monotonic
    ) -> None:
        tuning = tuning or Tuning()
        initial = positive("initial_rate", initial_rate)
        self._min, self._max = tuning.bounds(initial)
        self._confirm, self._hold_base = tuning.confirm_after, tuning.hold
        self._precision, self._check_step = float(tuning.precision), float(tuning.check_step)
        self._clock = clock
        self._rate = initial
        self._floor = self._start_floor = 0.0
        self._ceiling = math.inf
        self._step = _FIRST_STEP
        self._evidence, self._needed = 0, tuning.confirm_after
        self._failures = self._checks = 0
        self._hidden = float(max(tuning.hidden_burst, 1))
        self._bursts: deque[float] = deque(maxlen=_BURST_READINGS)
        self._changed_at = self._since = -math.inf
        self._watch = Watch()
        self._drained_at, self._accepted, self._proven = math.inf, 0, 0.0
        self.probes = 0
        """Probes started: rates tried above the floor."""
        self.throttles = 0
        """429s reported, including those that did not move the controller."""

    @property
    def rate(self) -> float:
        """The rate to allow now, in requests per second."""
        return self._rate

    @property
    def clean_rate(self) -> float | None:
        """The best rate shown to fit (the floor), if any."""
        return self._floor or None

    @property
    def throttled_rate(self) -> float | None:
        """The lowest rate that drew a 429 since the limit last moved (the ceiling), if any."""
        return None if math.isinf(self._ceiling) else self._ceiling

    @property
    def proven_rate(self) -> float | None:
        """What the upstream accepted between its last two 429s, per second, if measured."""
        return self._proven or None

    @property
    def burst(self) -> float:
        """The burst the upstream is thought to let through above its limit: the largest
        of the last few failed probes' readings, ``hidden_burst`` before there are any."""
        return max(self._bursts) if self._bursts else self._hidden

    @property
    def probing(self) -> bool:
        """Whether the current rate is above the floor and not yet confirmed."""
        return self._rate > self._floor

    @property
    def settled(self) -> bool:
        """Whether floor and ceiling are within ``precision`` of each other."""
        return self._floor > 0 and self._ceiling <= self._floor * (1 + self._precision)

    def on_success(
        self,
        now: float | None = None,
        *,
        saturated: bool,
        sent_at: float | None = None,
        weight: int = 1,
    ) -> float:
        """Record an answered request; ``saturated`` says the rate held callers back.

        ``weight`` is how many of the upstream's answers this one stands for (several
        processes drawing from one budget each see only some of them): it counts that many
        times as evidence and towards the measured rate. Returns the rate to allow from now on.
        """
        if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
            raise ValueError(f"weight must be a whole number >= 0, got {weight!r}")
        now = self._clock() if now is None else now
        sent = sent_at if sent_at is not None else now
        if sent >= self._drained_at:
            self._accepted += weight
        if sent < self._changed_at:
            return self._rate
        if not saturated:
            self._evidence, self._since = 0, now
            if self.probing and self._floor > 0:
                self._hold(now, self._confirm)
            return self._rate
        if math.isinf(self._since):  # the first evidence at the start rate: its tokens' time
            self._since = sent - weight / self._rate
        self._evidence += weight
        if self.probing and self._prove(now):
            self._next(now)  # the limit went up: climb from here at once
        elif self._watch.due(now) and self._rate < self._above() * (1 + self._check_step):
            self._check(now, self._check_step, self._above())  # watching after a cut
        elif self._evidence >= self._needed and self._proven_enough():
            self._next(now)
        return self._rate

    def _prove(self, now: float) -> bool:
        """Raise the floor to what sending at the probe rate without a 429 shows: ``n``
        successes at ``p`` took ``n / p`` seconds, in which at most ``burst`` tokens could
        have come from the upstream's bucket, so its limit is at least ``p * (1 - burst / n)``.
        ``n`` is never more than the probe's time allowed, plus a burst (``weight`` may count
        tokens another process drew before the probe began). True when the floor passed
        the ceiling: the limit went up."""
        sent = min(self._evidence, self._rate * (now - self._since) + self.burst)
        if sent > self.burst:
            self._floor = max(self._floor, self._rate * (1 - self.burst / sent))
        if self._floor < self._ceiling:
            return False
        self._ceiling = math.inf  # search afresh
        self._failures = self._checks = 0
        self._watch.stop()
        self._step = _FIRST_STEP
        return True

    def _proven_enough(self) -> bool:
        """Whether the probe showed enough: the floor closed half its first gap to it."""
        if not self.probing:
            return True
        return self._floor >= (self._start_floor + self._rate) / 2

    def on_throttled(
        self,
        now: float | None = None,
        retry_after: float = 0.0,
        *,
        sent_at: float | None = None,
        paced: bool = True,
    ) -> float:
        """Record a 429 (``retry_after`` seconds, paused by the caller); returns the rate.

        ``paced=False`` says the request left in a burst of the client's own, not at its
        rate: the upstream's burst is smaller than the client's, which says nothing of the
        rate, so the 429 is counted (and its bucket known empty) but moves nothing.
        """
        if not (isinstance(retry_after, int | float) and retry_after >= 0):
            raise ValueError(f"retry_after must be a number of seconds >= 0, got {retry_after!r}")
        now = self._clock() if now is None else now
        self.throttles += 1
        measured = self._measured(now)
        soon = not measured and math.isfinite(self._drained_at)  # too soon after the last 429
        self._drained_at, self._accepted = now, 0
        self._watch.heard(now)
        if not paced or (sent_at if sent_at is not None else now) < self._changed_at:
            return self._rate
        failed = self._rate
        if measured:
            self._proven = measured
        if failed > self._floor:
            self._probe_failed(now, failed, measured)
        else:
            self._floor_failed(now, failed, measured, cut=soon)
        self._after_429(now, failed, retry_after)
        return self._rate

    def _probe_failed(self, now: float, failed: float, measured: float) -> None:
        """A probe above the floor drew a 429: it is the ceiling, and the floor takes what
        was measured since the previous 429."""
        if self.settled or self._checks:
            self._failures += 1
        lasted = now - self._changed_at
        if self._floor > 0 and math.isfinite(lasted):
            excess = failed - max(self._floor, measured)
            self._bursts.append(max(1.0, excess * lasted + 1))
        self._ceiling, self._step = min(self._ceiling, failed), _FIRST_STEP
        self._floor = max(self._floor, min(measured, failed / (1 + self._precision / 2)))

    def _floor_failed(self, now: float, failed: float, measured: float, *, cut: bool) -> None:
        """A 429 at the floor: a burst had hidden an excess, or the limit fell (a *cut*: too
        soon after the previous 429 to measure), which starts a watch for a raise."""
        if cut:
            self._watch.start(now)
        self._failures = self._checks = 0
        self._bursts.clear()  # a burst larger than thought may have hidden the excess
        self._ceiling, self._step = failed, _FIRST_STEP
        self._floor = min(measured, failed / (1 + self._precision / 2))

    def _after_429(self, now: float, failed: float, retry_after: float) -> None:
        if self._floor >= self._min:
            self._rate, self._changed_at, self._evidence, self._since = self._floor, now, 0, now
            self._next(now)  # a hold or check counts successes from here on
            return
        self._floor = self._start_floor = 0.0  # a cut; cold, Retry-After tells how far
        cut = first_cut(failed, 0.0 if self._proven else retry_after)
        self._ceiling = min(self._ceiling, cut.ceiling)
        self._set(now, max(cut.rate, self._min), self._confirm)

    def drained(self, at: float, accepted: int) -> None:
        """The upstream was empty at ``at``, ``accepted`` since (a shared budget's count)."""
        self._drained_at, self._accepted = at, accepted

    def _measured(self, now: float) -> float:
        """What the upstream accepted since its bucket was last seen empty: a lower bound on
        its limit, or 0.0 when the stretch is too short to say."""
        window = now - self._drained_at
        if window < _MIN_MEASURE_S or self._accepted < _MIN_MEASURE_ACCEPTED:
            return 0.0
        return (self._accepted - 2) / window

    def _next(self, now: float) -> None:
        """After a probe that showed enough, a 429, or a hold at the floor: what to send at."""
        floor = self._floor
        if floor <= 0:
            self._set(now, self._rate, self._confirm)
            return
        if math.isinf(self._ceiling):
            target = max(floor, self._rate) * (1 + self._step)
            self._step = min(self._step * 2, _MAX_STEP)
        elif not self.settled:
            base = max(floor, min(self._rate, self._ceiling))
            target = max(math.sqrt(base * self._ceiling), floor * (1 + self._precision / 2))
        elif self._rate > floor or self._evidence < self._holding():
            self._hold(now, self._holding())
            return
        else:  # a check, alternately small and ``check_step``
            self._check(now, self._check_step if self._checks % 2 else 2 * self._precision, floor)
            return
        self._probe(now, target)

    def _above(self) -> float:
        """What a watch's check goes above: the ceiling (the floor when there is none)."""
        return self._floor if math.isinf(self._ceiling) else max(self._floor, self._ceiling)

    def _check(self, now: float, step: float, base: float) -> None:
        """A probe ``step`` over ``base`` (a settled floor; the ceiling, watching after a cut)."""
        self._checks += 1
        self._watch.heard(now)
        self._probe(now, base * (1 + step))

    def _probe(self, now: float, target: float) -> None:
        target = min(target, self._max)
        if target <= self._floor:
            self._hold(now, self._holding())
            return
        self.probes += 1
        self._start_floor = self._floor
        self._set(now, target, self._confirm)

    def _holding(self) -> int:
        """Saturated successes to hold at a settled floor before the next check: ``hold``
        (and at least 15 s of them), doubling with each failed check."""
        base = max(self._hold_base, math.ceil(self._floor * _HOLD_S))
        return base << min(self._failures, _MAX_BACKOFF)

    def _hold(self, now: float, needed: int) -> None:
        self._set(now, self._floor, needed)

    def _set(self, now: float, rate: float, needed: int) -> None:
        if rate != self._rate:
            self._changed_at = now
        self._rate, self._needed = rate, needed
        self._evidence, self._since = 0, now

    def learned(self) -> Learned:
        """The rate, floor and ceiling, to keep (with the time) for a later ``resume``."""
        ceiling = None if math.isinf(self._ceiling) else self._ceiling
        return Learned(rate=self._rate, floor=self._floor, ceiling=ceiling)

    def resume(self, learned: Learned, age_s: float, now: float | None = None) -> None:
        """Start from what an earlier controller learnt ``age_s`` seconds ago: the floor (or,
        with none, the rate) counts for less as it ages (``Learned.aged``)."""
        now = self._clock() if now is None else now
        aged = learned.aged(age_s)
        rate = min(max(aged.floor or aged.rate, self._min), self._max)
        self._floor = rate if aged.floor else 0.0
        self._ceiling = c if (c := aged.ceiling) is not None and c > rate else math.inf
        self._proven, self._failures, self._checks, self._step = 0.0, 0, 0, _FIRST_STEP
        self._drained_at, self._accepted = math.inf, 0
        self._changed_at = now
        needed = self._confirm if self._floor else max(self._confirm, round(self.burst))
        self._rate, self._needed, self._evidence, self._since = rate, needed, 0, now

    def state(self) -> dict[str, StateValue]:
        """What the controller has learnt, as a small dict of plain (JSON-able) values."""
        watch, quiet = self._watch.share(self._clock())
        return {
            "rate": self._rate,
            "floor": self._floor,
            "ceiling": None if math.isinf(self._ceiling) else self._ceiling,
            "step": self._step,
            "evidence": self._evidence,
            "needed": self._needed,
            "failures": self._failures,
            "checks": self._checks,
            "burst": self.burst,
            "probes": self.probes,
            "throttles": self.throttles,
            "watch": watch,
            "quiet": quiet,
        }

    def load_state(self, state: Mapping[str, StateValue], now: float | None = None) -> None:
        """Take over a dict from ``state()``; outcomes of requests sent before ``now`` will be
        counted but not move the controller."""
        shared = SharedState.parse(state)
        self._rate = min(max(shared.rate, self._min), self._max)
        self._floor, self._ceiling = min(shared.floor, self._rate), shared.ceiling
        self._step, self._start_floor = min(shared.step, _MAX_STEP), self._floor  # its probe's
        self._evidence, self._needed = shared.evidence, shared.needed
        self._failures, self._checks = shared.failures, shared.checks
        self._bursts = deque(shared.readings(self._hidden), maxlen=_BURST_READINGS)
        self.probes, self.throttles = shared.probes, shared.throttles
        self._changed_at = self._since = now = self._clock() if now is None else now
        self._drained_at, self._accepted = math.inf, 0
        self._watch.take(shared.watch, shared.quiet, now)

    def __repr__(self) -> str:
        return (
            f"AdaptiveRate(rate={self._rate * 60:.1f}/min, floor={self._floor * 60:.1f}/min, "
            f"ceiling={self._ceiling * 60:.1f}/min, burst={self.burst:.1f}, probes={self.probes})"
        )
