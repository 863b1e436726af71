"""The language-model stand-in's aiohttp application: ``POST /v1/chat/completions`` answered
from the table, faults on request, and ``/_admin`` to look inside or change the fault.

::

    state = StandInState(LlmConfig(fault="none"))
    app = build_app(state)                     # run with aiohttp's AppRunner

A fault applies to one request when its mood text carries a marker, ``[fault:NAME]``; else
to a share ``fault_share`` of requests, drawn from ``MIXED_FAULTS`` by a seeded RNG; else to
every request when ``LlmConfig.fault`` (``--fault``, ``PATCH /_admin/config``) names it.
Every answer waits ``latency_ms`` first (a real model takes its time):

=============  ===============================================================================
``malformed``  200 whose message content is truncated JSON
``invented``   the table's answer, naming artists and a track no catalog holds
``hostile``    markup, links and instructions in the names and text
``429``        429 with ``Retry-After: retry_after_s``
``slow``       the answer after ``slow_s`` seconds
``500``        500 with an OpenAI-shaped error
=============  ===============================================================================

``GET /_admin/stats`` counts requests (by fault) and keeps the last few request bodies.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter, deque
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal, get_args

import orjson
from aiohttp import web

from moodmix.reccobeats.models import FEATURE_NAMES
from moodmix.simulator.llm.table import HOSTILE, INVENTED, answer_for

Fault = Literal["none", "malformed", "invented", "hostile", "429", "slow", "500"]
FAULTS: Final[tuple[str, ...]] = get_args(Fault)
MIXED_FAULTS: Final = ("malformed", "429", "slow", "500")
"""The faults ``fault_share`` draws from."""
ANSWERED_FEATURES: Final = (*FEATURE_NAMES, "mode")
"""The features every answer names (null where the table says nothing)."""
_MARKER: Final = re.compile(r"\[fault:([a-z0-9]+)\]")
KEPT_BODIES: Final = 20
PRICE_PER_MTOK: Final = 0.5
"""The price the stand-in reports in ``usage.cost`` per million tokens (as OpenRouter does)."""


@dataclass(frozen=True)
class LlmConfig:
    """How the stand-in answers (see the module docstring for the faults)."""

    fault: Fault = "none"
    fault_share: float = 0.0
    seed: int = 0
    latency_ms: float = 0.0
    slow_s: float = 10.0
    retry_after_s: float = 30.0
    api_key: str | None = None
    """When set, requests must carry ``Authorization: Bearer <api_key>`` (else 401)."""

    def __post_init__(self) -> None:
        if self.fault not in FAULTS:
            raise ValueError(f"fault must be one of {', '.join(FAULTS)}; got {self.fault!r}")
        if not 0.0 <= self.fault_share <= 1.0:
            raise ValueError(f"fault_share must be 0..1, got {self.fault_share!r}")
        if not 0 <= self.latency_ms <= 60_000:
            raise ValueError(f"latency_ms must be 0..60000, got {self.latency_ms!r}")
        if not 0 <= self.slow_s <= 600:
            raise ValueError(f"slow_s must be 0..600 seconds, got {self.slow_s!r}")
        if not 0 <= self.retry_after_s <= 86_400:
            raise ValueError(f"retry_after_s must be 0..86400 seconds, got {self.retry_after_s!r}")


@dataclass
class StandInState:
    """The configuration and what was asked."""

    config: LlmConfig = field(default_factory=LlmConfig)
    requests: int = 0
    by_fault: Counter[str] = field(default_factory=Counter)
    bodies: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=KEPT_BODIES))
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        self.rng.seed(self.config.seed)

    def fault_for(self, text: str) -> str:
        """The fault this request gets (see the module docstring)."""
        marker = _MARKER.search(text)
        if marker and marker.group(1) in FAULTS:
            return marker.group(1)
        if self.config.fault_share > 0 and self.rng.random() < self.config.fault_share:
            return self.rng.choice(MIXED_FAULTS)
        return self.config.fault


STATE: Final = web.AppKey("state", StandInState)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": status}}
    return web.json_response(body, status=status, headers=headers)


def mood_text(body: dict[str, Any]) -> str:
    """The mood text of a request: the user message's ``mood_text`` (or the message itself)."""
    messages = body.get("messages")
    users: list[str] = [
        m["content"]
        for m in messages or []
        if isinstance(m, dict) and m.get("role") == "user" and isinstance(m.get("content"), str)
    ]
    if not users:
        return ""
    try:
        data = orjson.loads(users[-1])
    except orjson.JSONDecodeError:
        return str(users[-1])
    text = data.get("mood_text") if isinstance(data, dict) else None
    return text if isinstance(text, str) else str(users[-1])


async def _completions(request: web.Request) -> web.Response:
    state = request.app[STATE]
    config = state.config
    if config.api_key is not None and request.headers.get("Authorization") != (
        f"Bearer {config.api_key}"
    ):
        return _error(401, "Incorrect API key provided.")
    try:
        body = await request.json(loads=orjson.loads)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "the body is not JSON")
    if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
        return _error(400, "messages: a list of messages is required")
    if not isinstance(body.get("model"), str) or not body["model"]:
        return _error(400, "model: a model name is required")
    text = mood_text(body)
    fault = state.fault_for(text)
    state.requests += 1
    state.by_fault[fault] += 1
    state.bodies.append(body)
    if config.latency_ms > 0:
        await asyncio.sleep(config.latency_ms / 1000)
    if fault == "429":
        headers = {"Retry-After": f"{config.retry_after_s:g}"}
        return _error(429, "Rate limit reached for requests", headers)
    if fault == "500":
        return _error(500, "The server had an error while processing your request.")
    if fault == "slow":
        await asyncio.sleep(config.slow_s)
    answer = answer_for(text)
    if fault == "invented":
        answer |= INVENTED
    elif fault == "hostile":
        answer |= HOSTILE
    features = answer["features"]
    answer["features"] = {name: features.get(name) for name in ANSWERED_FEATURES}
    content = orjson.dumps(answer).decode()
    if fault == "malformed":
        content = content[: len(content) // 2]
    prompt_chars = sum(
        len(str(m.get("content", ""))) for m in body["messages"] if isinstance(m, dict)
    )
    prompt_tokens, completion_tokens = max(1, prompt_chars // 4), max(1, len(content) // 4)
    return web.json_response(
        {
            "id": f"chatcmpl-standin-{state.requests}",
            "object": "chat.completion",
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "cost": round((prompt_tokens + completion_tokens) * PRICE_PER_MTOK / 1e6, 9),
            },
        }
    )


async def _stats(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return web.json_response(
        {
            "requests": state.requests,
            "by_fault": dict(state.by_fault),
            "config": {
                "fault": state.config.fault,
                "fault_share": state.config.fault_share,
                "latency_ms": state.config.latency_ms,
                "slow_s": state.config.slow_s,
                "retry_after_s": state.config.retry_after_s,
            },
        }
    )


async def _config(request: web.Request) -> web.Response:
    state = request.app[STATE]
    try:
        body = await request.json(loads=orjson.loads)
        known = {"fault", "fault_share", "latency_ms", "slow_s", "retry_after_s"}
        if not isinstance(body, dict) or set(body) - known:
            raise ValueError(f"give any of {', '.join(sorted(known))}")
        state.config = replace(state.config, **body)
    except (ValueError, TypeError) as exc:
        return _error(400, str(exc))
    return await _stats(request)


def build_app(state: StandInState) -> web.Application:
    app = web.Application(client_max_size=256 * 1024)
    app[STATE] = state
    app.router.add_post("/v1/chat/completions", _completions)
    app.router.add_get("/_admin/stats", _stats)
    app.router.add_patch("/_admin/config", _config)
    return app
