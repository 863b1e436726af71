"""``--mood-reader llm``: what reading prompts with a language model adds to a playlist.

The playlists workload runs as usual, each gateway with a ``ModelMoodReader`` on the
language-model stand-in (``moodmix.simulator.llm``, in a thread of this process: its answers wait
``llm_latency_ms``, and a share ``llm_fault_share`` get a fault) wrapped in a ``TimedReader``::

    async with ReaderStandIn(latency_ms=300, fault_share=0.05, seed=0) as stand_in:
        reader = stand_in.reader(gateway)
        await make_playlist(gateway, request, reader=reader)
        reader.figures().as_json()   # added_ms p50/p95, fell_back_share, warm_model_calls

Added latency is the reader's time over the built-in reader's for the same prompt, for every
reading (fallbacks and cache hits included); the model calls are counted at the stand-in.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any, Self

from rich.table import Table

from moodmix.bench.results import Latency, percentiles
from moodmix.engine.model_reader import ModelMoodReader
from moodmix.engine.mood import analyse
from moodmix.engine.readers import Reading
from moodmix.llm import LanguageModel, normalised
from moodmix.reccobeats import ReccoBeats
from moodmix.simulator.llm import LlmConfig, LlmServer, llm_in_thread


@dataclass(frozen=True)
class ReaderFigures:
    """What the model reader added over one phase."""

    readings: int
    added_ms: Latency
    """Every reading: its time minus the built-in reader's for the same prompt."""
    fell_back_share: float
    fell_back: dict[str, int]
    """Fallbacks by reason (timeout, rate_limited, busy, ...)."""
    cached_share: float
    model_calls: int
    """Requests sent to the model (retries included)."""
    warm_model_calls: int
    """Readings of a prompt answered before they began that were not served from the cache:
    0 when warm prompts cost no model call."""
    tokens: int
    cost: float

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TimedReader:
    """A reader that times each reading against the built-in reader's."""

    inner: ModelMoodReader
    added_ms: list[float] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)
    warm_calls: int = 0
    fell_back: Counter[str] = field(default_factory=Counter)
    cached: int = 0
    tokens: int = 0
    cost: float = 0.0

    async def read(self, text: str) -> Reading:
        started = time.perf_counter()
        analyse(text)
        built_in = time.perf_counter() - started
        key = normalised(text)
        warm = key in self.answered
        started = time.perf_counter()
        reading = await self.inner.read(text)
        self.added_ms.append(max(0.0, time.perf_counter() - started - built_in) * 1_000)
        report = reading.report
        if warm and not report.cached:
            self.warm_calls += 1
        elif not report.fell_back:
            self.answered.add(key)
        if report.fell_back:
            self.fell_back[report.reason or "error"] += 1
        self.cached += report.cached
        self.tokens += report.prompt_tokens + report.completion_tokens
        self.cost += report.cost
        return reading

    def figures(self) -> ReaderFigures:
        n = len(self.added_ms)
        return ReaderFigures(
            readings=n,
            added_ms=percentiles(self.added_ms),
            fell_back_share=sum(self.fell_back.values()) / n if n else 0.0,
            fell_back=dict(self.fell_back),
            cached_share=self.cached / n if n else 0.0,
            model_calls=self.inner.model.calls,
            warm_model_calls=self.warm_calls,
            tokens=self.tokens,
            cost=round(self.cost, 9),
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


class ReaderStandIn:
    """The language-model stand-in for one bench run, on a loopback port, on its own event
    loop in a thread (so the engine's work does not delay its answers)."""

    def __init__(
        self, *, latency_ms: float, fault_share: float, seed: int, time_scale: float = 1.0
    ) -> None:
        self._time_scale = time_scale
        self._config = LlmConfig(
            latency_ms=latency_ms, fault_share=fault_share, seed=seed, retry_after_s=2.0
        )
        self._stack = contextlib.ExitStack()
        self._server: LlmServer | None = None

    async def __aenter__(self) -> Self:
        self._server = self._stack.enter_context(llm_in_thread(self._config))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()
        self._server = None

    @property
    def server(self) -> LlmServer:
        if self._server is None:
            raise RuntimeError("the stand-in has not been started")
        return self._server

    def requests(self) -> int:
        return self.server.state.requests

    def reader(self, gateway: ReccoBeats) -> TimedReader:
        """A timed model reader for ``gateway``, asking the stand-in (answers kept in the
        gateway's storage, so each phase's fresh cache starts the model's cold too); the
        model's rate runs ``time_scale`` times faster, like the upstream's."""
        rate = min(100_000.0, gateway.settings.llm_rate_per_min * self._time_scale)
        settings = gateway.settings.model_copy(
            update={
                "llm_url": f"{self.server.url}/v1",
                "llm_model": "standin",
                "llm_rate_per_min": rate,
            }
        )
        model = LanguageModel.from_settings(settings, storage=gateway.storage)
        return TimedReader(ModelMoodReader(model, gateway))


def reader_table(rows: list[tuple[str, str, ReaderFigures]]) -> Table:
    """A row per profile and phase: added latency, fallbacks, cache hits and model calls."""
    table = Table(title="mood reader: llm (stand-in) over the built-in reader")
    for name in (
        "profile",
        "phase",
        "readings",
        "added p50 ms",
        "added p95 ms",
        "fell back",
        "why",
        "cached",
        "model calls",
        "warm calls",
        "tokens",
    ):
        table.add_column(name, justify="left" if name in ("profile", "phase") else "right")
    for profile, phase, f in rows:
        table.add_row(
            profile,
            phase,
            f"{f.readings:,}",
            f"{f.added_ms.p50:,.1f}",
            f"{f.added_ms.p95:,.1f}",
            f"{f.fell_back_share:.1%}",
            ", ".join(f"{why} {n}" for why, n in sorted(f.fell_back.items())) or "-",
            f"{f.cached_share:.1%}",
            f"{f.model_calls:,}",
            f"{f.warm_model_calls:,}",
            f"{f.tokens:,}",
        )
    return table
