"""How cached values become bytes for L2 and back.

L1 keeps Python objects as they are; only L2 needs bytes. ``JsonCodec`` (orjson) suits
JSON-able values and writes pydantic models in their wire form; ``ModelCodec`` round-trips
a declared type (a model, a list of models, ...) so L2 hits come back as models::

    JsonCodec().decode(JsonCodec().encode({"id": "x"}))           # {'id': 'x'}
    tracks = ModelCodec(list[Track])
    tracks.decode(tracks.encode([track])) == [track]               # True
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

import orjson
from pydantic import BaseModel, TypeAdapter

T = TypeVar("T")


class Codec(Protocol):
    """Turns a value into bytes and back. Failures raise ``ValueError`` or ``TypeError``."""

    def encode(self, value: Any) -> bytes: ...

    def decode(self, data: bytes) -> Any: ...


def _wire(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


class JsonCodec:
    """orjson for JSON-able values; pydantic models are written in their camelCase wire form
    and read back as plain dicts."""

    def encode(self, value: Any) -> bytes:
        return orjson.dumps(value, default=_wire)

    def decode(self, data: bytes) -> Any:
        return orjson.loads(data)

    def __repr__(self) -> str:
        return "JsonCodec()"


class ModelCodec(Generic[T]):
    """Values of one type through pydantic's ``TypeAdapter``: JSON in the wire (alias)
    spelling, validated back into that type when read.

    The adapter's core serializer and validator are called directly: the same bytes and
    values as ``dump_json``/``validate_json``, without the argument checks those wrappers
    repeat for every value (a third of an encode, for a track)."""

    def __init__(self, type_: type[T]) -> None:
        self._type = type_
        self._adapter: TypeAdapter[T] = TypeAdapter(type_)
        self._to_json = self._adapter.serializer.to_json
        self._from_json = self._adapter.validator.validate_json

    def encode(self, value: Any) -> bytes:
        return self._to_json(value, by_alias=True)

    def decode(self, data: bytes) -> T:
        value: T = self._from_json(data)
        return value

    def __repr__(self) -> str:
        return f"ModelCodec({getattr(self._type, '__name__', self._type)!r})"
