"""Every error answer's shape, documented on every operation.

::

    ErrorOut(error="not_found", message="no playlist 'k3J9x' of yours")
    @router.get("/x", responses=ERROR_RESPONSES)   # the app adds it to every operation

``errors.error_response`` writes the answers; this is their shape for the OpenAPI document.
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field


class ErrorOut(BaseModel):
    """Every error answer: a code for programs, a message for people, and details by kind
    (``problems`` for validation, ``retry_after`` for 429 and 503, ``incident`` for 500)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "error": "upstream_rate_limited",
                    "message": "ReccoBeats asked us to slow down; try again in 30 s",
                    "retry_after": 30,
                }
            ]
        },
    )

    error: str = Field(description="what went wrong, for programs: not_found, quota_exceeded, ...")
    message: str = Field(description="what happened and what to do, for people")


ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    "default": {
        "model": ErrorOut,
        "description": "An error: 401/403 keys and admin token, 404 not found, 413 body too "
        "large, 422 invalid input (with `problems`), 429 over this client's share (with "
        "`Retry-After`), 503 upstream or store unavailable (with `Retry-After`), 500 a bug "
        "(with `incident`).",
    }
}
"""Documented on every operation: errors share one shape (``errors.error_response``)."""
