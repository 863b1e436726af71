"""How cached values become bytes for L2 and back.

L1 keeps Python objects as they are; only L2 needs bytes. ``JsonCodec`` (orjson) suits
JSON-able values and writes pydantic models in their wire form; ``ModelCodec`` round-trips
a declared type (a model, a list of models, ...) so L2 hits come back as models::

    JsonCodec().decode(JsonCodec().encode({"id": "x"}))           # {'id': 'x'}
    tracks = ModelCodec(list[Track])
    tracks.decode(tracks.encode([track])) == [track]               # True

    track = ModelCodec(Track, remember=4096)   # the same object again: the same bytes, kept
    ListCodec(track).encode([t1, t2])          # ModelCodec(list[Track])'s bytes, made by ``track``

A value is often written again as the very object written before: the gateway caches a
recommendation's tracks one by one each time it answers it (the same objects when the answer
came from L1), right after it wrote the whole list. ``remember`` keeps the bytes of that many
recent values by identity, holding the value itself so its identity cannot be reused; it
assumes values are not mutated once cached, as L1 already does (it hands the same object to
every caller). A ``ListCodec`` writes a list through its item codec, so the items it wrote
are remembered for the writes of each item that follow.
"""

from __future__ import annotations

import threading
from typing import Any, Generic, Protocol, TypeVar

import orjson
from pydantic import BaseModel, TypeAdapter

from moodmix.store.lru import LRU

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
    spelling, validated back into that type when read. With ``remember`` > 0 the bytes of
    that many recently encoded values are kept by identity (see the module docstring).

    The adapter's core serializer and validator are called directly: the same bytes and
    values as ``dump_json``/``validate_json``, without the argument checks those wrappers
    repeat for every value (a third of an encode, for a track)."""

    def __init__(self, type_: type[T], *, remember: int = 0) -> None:
        if isinstance(remember, bool) or not isinstance(remember, int) or remember < 0:
            raise ValueError(f"remember must be an integer >= 0, got {remember!r}")
        self._type = type_
        self._adapter: TypeAdapter[T] = TypeAdapter(type_)
        self._to_json = self._adapter.serializer.to_json
        self._from_json = self._adapter.validator.validate_json
        self._recent: LRU[int, tuple[Any, bytes]] | None = LRU(remember) if remember else None
        self._lock = threading.Lock()
        """A codec is shared by every gateway of the process (``reccobeats._kinds``), which
        may run on loops of their own, in threads."""

    @property
    def type(self) -> type[T]:
        return self._type

    def encode(self, value: Any) -> bytes:
        recent = self._recent
        if recent is None:
            return self._to_json(value, by_alias=True)
        with self._lock:
            known = recent.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        data: bytes = self._to_json(value, by_alias=True)
        with self._lock:
            recent.set(id(value), (value, data))
        return data

    def decode(self, data: bytes) -> T:
        value: T = self._from_json(data)
        return value

    def __repr__(self) -> str:
        return f"ModelCodec({getattr(self._type, '__name__', self._type)!r})"


class ListCodec(Generic[T]):
    """Lists of one type, each item encoded by ``items``: the bytes ``ModelCodec(list[T])``
    writes (pydantic's JSON has no whitespace: ``[`` items joined by ``,`` ``]``), read back
    the same way, with the items remembered by ``items`` when it remembers."""

    def __init__(self, items: ModelCodec[T]) -> None:
        self._items = items
        self._list: ModelCodec[list[T]] = ModelCodec(list[items.type])  # type: ignore[name-defined]

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, list):
            return self._list.encode(value)  # what is not a list fails as ModelCodec fails
        encode = self._items.encode
        return b"[" + b",".join([encode(item) for item in value]) + b"]"

    def decode(self, data: bytes) -> list[T]:
        return self._list.decode(data)

    def __repr__(self) -> str:
        return f"ListCodec({self._items!r})"
