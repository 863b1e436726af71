"""The service's OpenAPI document: optional parameters are absent or a value, never null."""

from __future__ import annotations

from typing import Any

from moodmix.service.app import create_app
from moodmix.service.openapi import without_null
from moodmix.settings import Settings


def _parameters(document: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {
        (method, path, parameter["name"]): parameter["schema"]
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
    }


def test_no_parameter_schema_allows_null() -> None:
    document = create_app(Settings()).openapi()
    parameters = _parameters(document)
    key = parameters[("post", "/v1/playlists", "Idempotency-Key")]
    assert key["type"] == "string"
    assert (key["minLength"], key["maxLength"]) == (1, 255)
    assert parameters[("get", "/v1/playlists", "cursor")]["type"] == "string"
    assert parameters[("get", "/v1/playlists", "status")]["enum"] == [
        "queued",
        "running",
        "done",
        "failed",
    ]
    for name, schema in parameters.items():
        assert "null" not in repr(schema.get("anyOf", "")), name
        assert schema.get("type") != "null", name


def test_bodies_keep_their_nulls() -> None:
    document = create_app(Settings()).openapi()
    schemas = repr(document["components"]["schemas"])
    assert "'type': 'null'" in schemas


def test_without_null_keeps_other_unions() -> None:
    union = {"anyOf": [{"type": "string"}, {"type": "integer"}]}
    assert without_null(union) == union
    assert without_null({"anyOf": [{"type": "integer"}, {"type": "null"}], "title": "N"}) == {
        "type": "integer",
        "title": "N",
    }
    assert without_null({"type": "string"}) == {"type": "string"}
