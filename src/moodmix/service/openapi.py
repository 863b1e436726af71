"""The app's OpenAPI document, with optional parameters described as what they can carry.

FastAPI describes an optional header or query parameter (``str | None = None``) as
``anyOf: [string, null]``. A header or query string cannot carry a JSON ``null``: the
parameter is either absent or a string. Clients generated from the document, and fuzzers
such as schemathesis, would otherwise send the text ``null`` as a valid value. ``install``
drops the ``null`` branch from every parameter's schema; request and response bodies, where
``null`` is real, are left alone::

    install(app)
    without_null({"anyOf": [{"type": "string", "maxLength": 200}, {"type": "null"}]})
    # {"type": "string", "maxLength": 200}: the cursor is absent or a string, never null
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` describe optional parameters without a ``null`` branch."""

    build = app.openapi

    def openapi() -> dict[str, Any]:
        fresh = app.openapi_schema is None
        schema = build()
        if fresh:
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    for parameter in operation.get("parameters", []):
                        parameter["schema"] = without_null(parameter["schema"])
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` without its ``{"type": "null"}`` branch; the other branch's keys win."""
    branches = [b for b in schema.get("anyOf", ()) if b.get("type") != "null"]
    if "anyOf" not in schema or len(branches) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    return {**rest, **branches[0]}
