"""``LanguageModel``: asks a model what a mood means, within a deadline, through moodmix's
resilience layers, and remembers the answer.

::

    model = LanguageModel.from_settings(settings, storage=gateway.storage)
    asked = await model.ask("songs that feel like a Wes Anderson film")
    asked.answer.features["valence"], asked.cached, asked.usage.total_tokens, asked.cost
    # or ModelError (ModelTimeout, ModelRateLimited, MalformedAnswer, ...): fall back

In order: the answer cache (``TieredCache`` kind ``llm_answer``, keyed by the normalised
prompt, the model and the prompt's version: a warm prompt costs no call), single-flight (the
same prompt asked at once is one call, its tokens counted for each reader), then the breaker
(an endpoint that keeps failing is left alone for a while), the limiter (``TokenBucket`` at
``llm_rate_per_min``; a 429's Retry-After pauses it) and retries with backoff for 429s, 5xx
and transport errors, all inside one deadline (``llm_deadline_s``): when the breaker or the
limiter would hold the call for more than half the time left (``WAIT_SHARE``), or a retry's
wait would end after the deadline, the call is not made or not retried and the caller falls
back at once. Nothing here retries a malformed
answer: at temperature 0 the second would be the first.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
import unicodedata
from dataclasses import dataclass
from typing import Final, Self

import httpx
import structlog

from moodmix.clock import Clock, monotonic, wall
from moodmix.closing import Closing
from moodmix.llm.answer import ModelAnswer, answer_schema, parse_answer
from moodmix.llm.client import ChatClient, Usage
from moodmix.llm.errors import (
    MalformedAnswer,
    ModelBusy,
    ModelError,
    ModelRateLimited,
    ModelRejected,
    ModelServerError,
    ModelTimeout,
    ModelUnreachable,
)
from moodmix.llm.metrics import ModelMetrics
from moodmix.llm.prompt import SYSTEM, mood_messages
from moodmix.resilience.breaker import CircuitBreaker, Trip
from moodmix.resilience.retry import RetryBudget, RetryPolicy, retry, retry_on
from moodmix.resilience.singleflight import SingleFlight
from moodmix.resilience.tokenbucket import TokenBucket
from moodmix.settings import Settings
from moodmix.store import CachePolicy, ModelCodec, Storage, TieredCache

log = structlog.get_logger("moodmix.llm")

KIND: Final = "llm_answer"
"""The cache kind holding answers."""
PROMPT_VERSION: Final = hashlib.sha256(SYSTEM.encode()).hexdigest()[:8]
"""Part of every cache key: a changed prompt is asked afresh."""

SAFETY_S: Final = 0.25
"""How long past the deadline the whole reading may run before it is cut off regardless (the
call's own timeout ends it at the deadline, and counts it against the breaker)."""
WAIT_SHARE: Final = 0.5
"""The most of the time left a call waits for its limiter: the rest is for the answer."""

_RETRYABLE = retry_on(ModelRateLimited, ModelServerError, ModelUnreachable)


@dataclass(frozen=True)
class Prices:
    """What a million tokens cost, for endpoints whose answers do not say (``usage.cost``)."""

    prompt_per_mtok: float = 0.0
    completion_per_mtok: float = 0.0

    def of(self, usage: Usage) -> float:
        if usage.cost is not None:
            return usage.cost
        return (
            usage.prompt_tokens * self.prompt_per_mtok
            + usage.completion_tokens * self.completion_per_mtok
        ) / 1_000_000


@dataclass(frozen=True)
class Asked:
    """A model's answer: from the cache (no tokens, no cost) or just now."""

    answer: ModelAnswer
    cached: bool
    usage: Usage
    cost: float
    elapsed: float
    """Seconds from asking to the answer."""


def normalised(text: str) -> str:
    """The prompt as the cache sees it: NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def cache_key(text: str, model: str) -> str:
    raw = f"{PROMPT_VERSION}\n{model}\n{normalised(text)}".encode()
    return hashlib.sha256(raw).hexdigest()


def reason_label(exc: ModelError) -> str:
    """A short, fixed label for a metric: what kind of failure ``exc`` is."""
    labels: tuple[tuple[type[ModelError], str], ...] = (
        (ModelTimeout, "timeout"),
        (ModelRateLimited, "rate_limited"),
        (ModelServerError, "server_error"),
        (ModelRejected, "rejected"),
        (ModelUnreachable, "unreachable"),
        (ModelBusy, "busy"),
        (MalformedAnswer, "malformed"),
    )
    return next((label for kind, label in labels if isinstance(exc, kind)), "error")


class LanguageModel(Closing):
    """One model behind one endpoint, with its own cache, limiter, breaker and retries."""

    def __init__(
        self,
        client: ChatClient,
        *,
        deadline: float,
        cache: TieredCache,
        limiter: TokenBucket,
        breaker: CircuitBreaker,
        policy: RetryPolicy,
        budget: RetryBudget | None = None,
        prices: Prices = Prices(),
        metrics: ModelMetrics | None = None,
        clock: Clock = monotonic,
    ) -> None:
        if not deadline > 0:
            raise ValueError(f"deadline must be a positive number of seconds, got {deadline!r}")
        self.client = client
        self.model = client.model
        self.deadline = deadline
        self.cache = cache
        self.limiter = limiter
        self.breaker = breaker
        self.policy = policy
        self.metrics = metrics or ModelMetrics()
        self._budget = budget
        self._prices = prices
        self._clock = clock
        self._flight: SingleFlight[str, tuple[ModelAnswer, Usage]] = SingleFlight()
        self._waiting = 0
        self.calls = 0
        """Requests sent to the endpoint so far (retries included)."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        storage: Storage | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = monotonic,
        wall_clock: Clock = wall,
    ) -> Self:
        """The model ``settings.llm_url`` serves; answers kept in ``storage`` too if given
        (the gateway's: SQLite or Redis), else in memory only."""
        if settings.llm_url is None:
            raise ValueError("no model configured: set MOODMIX_LLM_URL and MOODMIX_LLM_MODEL")
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        client = ChatClient(
            settings.llm_url,
            settings.llm_model,
            api_key=key,
            timeout=settings.llm_deadline_s + 1.0,
            max_tokens=settings.llm_max_tokens,
            transport=transport,
        )
        cache = TieredCache(
            settings.llm_cache_entries,
            storage,
            {KIND: CachePolicy(ttl=settings.llm_ttl_s)},
            clock=wall_clock,
            codecs={KIND: ModelCodec(ModelAnswer)},
            namespace="llm:",
        )
        return cls(
            client,
            deadline=settings.llm_deadline_s,
            cache=cache,
            limiter=TokenBucket(settings.llm_rate_per_min / 60, settings.llm_burst, clock=clock),
            breaker=CircuitBreaker(
                Trip(failure_ratio=0.5, min_calls=6, window=60.0, reset_timeout=10.0),
                is_failure=lambda exc: not isinstance(exc, MalformedAnswer | ModelRejected),
                clock=clock,
            ),
            policy=RetryPolicy(settings.llm_retry_attempts, 0.2, 2.0, rng=random.Random()),
            budget=RetryBudget(clock=clock),
            prices=Prices(
                settings.llm_price_prompt_per_mtok, settings.llm_price_completion_per_mtok
            ),
            clock=clock,
        )

    async def ask(self, text: str) -> Asked:
        """The model's answer for ``text``, cached or fresh; ``ModelError`` if none in time.

        A caller that joins a call already in flight for the same prompt shares its answer
        as a cached one: the tokens and cost are the first caller's.
        """
        started = time.perf_counter()
        key = cache_key(text, self.model)
        hit = await self.cache.get(KIND, key)
        if hit.hit and isinstance(hit.value, ModelAnswer):
            self.metrics.readings.labels(outcome="cached").inc()
            return Asked(hit.value, True, Usage(), 0.0, time.perf_counter() - started)
        joined = self._flight.in_flight(key)
        try:
            answer, usage = await self._flight.do(key, lambda: self._fresh(text, key))
        except ModelError as exc:
            self._failed(exc, time.perf_counter() - started)
            raise
        elapsed = time.perf_counter() - started
        if joined:
            self.metrics.readings.labels(outcome="cached").inc()
            return Asked(answer, True, Usage(), 0.0, elapsed)
        self.metrics.readings.labels(outcome="answered").inc()
        return Asked(answer, False, usage, self._prices.of(usage), elapsed)

    async def aclose(self) -> None:
        """Close the HTTP client (the cache's storage belongs to whoever gave it)."""
        await self._flight.aclose()
        await self.client.aclose()

    async def _fresh(self, text: str, key: str) -> tuple[ModelAnswer, Usage]:
        """One answer from the model, counted and cached (once, however many wait on it)."""
        started = time.perf_counter()
        answer, usage = await self._asked(text)
        self.metrics.seconds.observe(time.perf_counter() - started)
        self.metrics.tokens.labels(kind="prompt").inc(usage.prompt_tokens)
        self.metrics.tokens.labels(kind="completion").inc(usage.completion_tokens)
        self.metrics.cost.inc(self._prices.of(usage))
        await self.cache.put(KIND, key, answer)
        return answer, usage

    async def _asked(self, text: str) -> tuple[ModelAnswer, Usage]:
        deadline_at = self._clock() + self.deadline
        messages = mood_messages(text)
        try:  # a safety net: each wait and call below ends by ``deadline_at`` on its own
            async with asyncio.timeout(self.deadline + SAFETY_S):
                return await retry(
                    lambda: self._attempt(messages, deadline_at),
                    self.policy,
                    classify=_RETRYABLE,
                    budget=self._budget,
                    deadline=deadline_at,
                    clock=self._clock,
                )
        except TimeoutError:
            raise ModelTimeout(self.deadline) from None

    async def _attempt(
        self, messages: list[dict[str, str]], deadline_at: float
    ) -> tuple[ModelAnswer, Usage]:
        await self._admit(deadline_at)
        if not self.breaker.allow():
            raise ModelBusy("the model is being left alone for a while (its breaker is open)")
        self.calls += 1
        try:
            async with asyncio.timeout(max(0.0, deadline_at - self._clock())):
                completion = await self.client.complete(messages, answer_schema())
            answer = parse_answer(completion.content)
        except TimeoutError:
            self.metrics.requests.labels(status="0").inc()
            self.breaker.record_failure()
            raise ModelTimeout(self.deadline) from None
        except BaseException as exc:
            self._count(exc)
            self.breaker.record_error(exc)
            raise
        self.metrics.requests.labels(status="200").inc()
        self.breaker.record_success()
        return answer, completion.usage

    async def _admit(self, deadline_at: float) -> None:
        """Take a token from the limiter, or ``ModelBusy`` at once when the breaker is open or
        the wait (for the next token, and for the callers already waiting, at the limiter's
        rate) is more than ``WAIT_SHARE`` of the time left."""
        while True:
            wait = self.breaker.retry_after()
            if wait == 0.0:
                if self.limiter.try_acquire():
                    return
                wait = self.limiter.delay() + self._waiting / self.limiter.rate
            if wait > (deadline_at - self._clock()) * WAIT_SHARE:
                raise ModelBusy(
                    f"the model is being left alone for {wait:.1f} s more "
                    f"(its limiter or breaker), too long for the {self.deadline:g} s deadline"
                )
            self._waiting += 1
            try:
                await asyncio.sleep(max(self.limiter.delay(), self.breaker.retry_after(), 0.001))
            finally:
                self._waiting -= 1

    def _count(self, exc: BaseException) -> None:
        if isinstance(exc, ModelRateLimited):
            self.metrics.requests.labels(status="429").inc()
            if exc.retry_after > 0:
                self.limiter.pause_until(self._clock() + exc.retry_after)
        elif isinstance(exc, ModelServerError | ModelRejected):
            self.metrics.requests.labels(status=str(exc.status)).inc()
        elif isinstance(exc, ModelUnreachable):
            self.metrics.requests.labels(status="0").inc()
        elif isinstance(exc, MalformedAnswer):
            self.metrics.requests.labels(status="200").inc()

    def _failed(self, exc: ModelError, elapsed: float) -> None:
        label = reason_label(exc)
        self.metrics.readings.labels(outcome="fell_back").inc()
        self.metrics.fallbacks.labels(reason=label).inc()
        self.metrics.seconds.observe(elapsed)
        log.warning("llm_fell_back", reason=label, detail=exc.reason, elapsed=round(elapsed, 3))
