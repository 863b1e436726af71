"""Why a model gave no usable answer, one type per way it can fail.

::

    try:
        asked = await model.ask("rainy Sunday")
    except ModelError as exc:
        exc.reason          # 'rate limited (Retry-After 30 s)', 'no answer within 4 s', ...

Every error says in ``reason`` what happened, in a few words fit for an explanation shown to
a listener; none carries the API key or the model's raw answer.
"""

from __future__ import annotations


class ModelError(Exception):
    """The model gave no usable answer; ``reason`` says why, briefly."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelRateLimited(ModelError):
    """The model answered 429; ``retry_after`` is its Retry-After in seconds (0 if unsaid)."""

    def __init__(self, retry_after: float) -> None:
        said = f" (Retry-After {retry_after:g} s)" if retry_after > 0 else ""
        super().__init__(f"rate limited by the model{said}")
        self.retry_after = retry_after


class ModelServerError(ModelError):
    """The model's server answered 5xx."""

    def __init__(self, status: int) -> None:
        super().__init__(f"the model's server answered {status}")
        self.status = status


class ModelRejected(ModelError):
    """The model's server refused the request (4xx other than 429: wrong key, unknown model)."""

    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(f"the model's server refused the request ({status}{detail})")
        self.status = status


class ModelUnreachable(ModelError):
    """No answer at all: connection refused, reset or timed out at the transport."""


class ModelTimeout(ModelError):
    """No answer within the deadline."""

    def __init__(self, deadline: float) -> None:
        super().__init__(f"no answer within {deadline:g} s")
        self.deadline = deadline


class ModelBusy(ModelError):
    """Not asked: its limiter or breaker would hold the call past the deadline."""


class MalformedAnswer(ModelError, ValueError):
    """The answer is not JSON, or not the JSON asked for; the reason says how."""
