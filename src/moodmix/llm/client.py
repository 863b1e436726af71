"""A typed client for an OpenAI-compatible Chat Completions endpoint: one call, no policy.

::

    async with ChatClient("http://localhost:11434/v1", "llama3.2", api_key=None) as client:
        completion = await client.complete(mood_messages("rainy Sunday"), answer_schema())
        completion.content      # the JSON text the model wrote
        completion.usage        # Usage(prompt_tokens=412, completion_tokens=96, ...)

It posts to ``<url>/chat/completions`` with ``response_format`` of type ``json_schema`` (OpenAI
structured outputs; Ollama, vLLM, llama.cpp's server and OpenRouter accept it too) and
``temperature`` 0. Answers become ``Completion`` or one of ``moodmix.llm.errors``: a 429 is
``ModelRateLimited`` with its Retry-After, a 5xx ``ModelServerError``, another refusal
``ModelRejected``, a transport failure ``ModelUnreachable``, a body that is not a chat
completion ``MalformedAnswer``. Limits, retries, the deadline and the cache are the caller's
(``LanguageModel``). Redirects are not followed.
"""

from __future__ import annotations

import email.utils
import math
import time
from dataclasses import dataclass
from typing import Any

import httpx

from moodmix.closing import Closing
from moodmix.llm.errors import (
    MalformedAnswer,
    ModelRateLimited,
    ModelRejected,
    ModelServerError,
    ModelUnreachable,
)

SCHEMA_NAME = "mood_reading"


@dataclass(frozen=True)
class Usage:
    """Tokens an answer cost, and its price when the server says (OpenRouter's ``cost``)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float | None = None

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @classmethod
    def of(cls, data: Any) -> Usage:
        """The usage in a completion's ``usage`` object; zeros for what is missing or odd."""
        if not isinstance(data, dict):
            return cls()
        cost = data.get("cost")
        return cls(
            prompt_tokens=_count(data.get("prompt_tokens")),
            completion_tokens=_count(data.get("completion_tokens")),
            cost=float(cost)
            if isinstance(cost, int | float) and not isinstance(cost, bool) and cost >= 0
            else None,
        )


@dataclass(frozen=True)
class Completion:
    """The model's message text and what it cost."""

    content: str
    usage: Usage


class ChatClient(Closing):
    """Posts chat completions for ``model`` to ``base_url``; see the module docstring."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        max_tokens: int = 800,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self.model = model
        self._url = base_url.rstrip("/") + "/chat/completions"
        self._max_tokens = max_tokens
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
            follow_redirects=False,
        )

    async def complete(self, messages: list[dict[str, str]], schema: dict[str, Any]) -> Completion:
        """The model's answer to ``messages``, asked to follow ``schema``."""
        body = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": self._max_tokens,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": SCHEMA_NAME, "strict": True, "schema": schema},
            },
        }
        try:
            response = await self._http.post(self._url, json=body)
        except httpx.TransportError as exc:
            raise ModelUnreachable(
                f"the model's server did not answer ({type(exc).__name__})"
            ) from None
        return _completion(response)

    async def aclose(self) -> None:
        await self._http.aclose()


def _completion(response: httpx.Response) -> Completion:
    status = response.status_code
    if status == 429:
        raise ModelRateLimited(retry_after(response.headers.get("retry-after")))
    if status >= 500:
        raise ModelServerError(status)
    if status != 200:
        raise ModelRejected(status, f": {response.reason_phrase}" if response.reason_phrase else "")
    try:
        data = response.json()
        message = data["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise MalformedAnswer("the answer is not a chat completion") from None
    content = message.get("content") if isinstance(message, dict) else None
    if not isinstance(content, str) or not content.strip():
        refused = isinstance(message, dict) and message.get("refusal")
        raise MalformedAnswer("the model refused" if refused else "the answer has no content")
    return Completion(content, Usage.of(data.get("usage")))


def retry_after(value: str | None, now: float | None = None) -> float:
    """A Retry-After header in seconds: delta-seconds or an HTTP date; 0.0 if absent or odd."""
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError):
            return 0.0
        seconds = when - (time.time() if now is None else now)
    return seconds if math.isfinite(seconds) and seconds > 0 else 0.0


def _count(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return 0
