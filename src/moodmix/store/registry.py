"""The id registry: which ReccoBeats id a Spotify id maps to, and which ids ReccoBeats lacks.

Learned from responses (every item's ``href`` carries its Spotify id), so a later request
for the same Spotify id needs no lookup upstream, and an id the upstream did not return is
answered "not found" at once for a while instead of being asked again::

    registry = IdRegistry(SQLiteStorage(path))
    await registry.learn_many({"00aqkszH1FdUiJJWvX6iEl": "2d5b5a55-..."})
    await registry.mark_missing(["7ouMYWpwJ422jRcDASZB7P"])
    found = await registry.resolve_many(ids)   # .known, .missing, .unknown (ask upstream)
    registry.stats().efficiency                # lookups answered without a request

Validated mappings live ``valid_ttl`` seconds, missing marks ``missing_ttl``. One Spotify id
maps to at most one ReccoBeats id: the latest answer (a new mapping, or "missing")
replaces the old. Entries persist through the ``Storage`` given (SQLite by default, Redis
when shared); if it fails, the registry keeps working from memory and counts the failure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import structlog

from moodmix.clock import Clock, wall
from moodmix.store.lru import LRU
from moodmix.store.storage import Storage, StorageUnavailable, Stored

log = structlog.get_logger(__name__)

DAY = 86_400.0

_SPOTIFY_ID = re.compile(r"[0-9A-Za-z]{22}")
_RECCOBEATS_ID = re.compile(r"\S{1,64}")
"""Checked here rather than imported from ``moodmix.reccobeats`` so the store depends on
nothing above it (the gateway imports the store)."""


@dataclass(frozen=True, slots=True)
class Resolution:
    """Spotify ids split by what the registry knows, each in the order asked."""

    known: dict[str, str]
    """Spotify id -> ReccoBeats id."""
    missing: list[str]
    """Ids the upstream recently did not know: answer "not found" without asking."""
    unknown: list[str]
    """Ids only the upstream can answer."""


@dataclass(frozen=True, slots=True)
class RegistryStats:
    """``validated``/``missing``: live entries held in memory. ``answered``/``requested``:
    ids resolved without a request / ids that needed one, since start."""

    validated: int
    missing: int
    answered: int
    requested: int
    storage_errors: int

    @property
    def efficiency(self) -> float:
        """Share of id lookups answered without a request (0.0 before the first)."""
        total = self.answered + self.requested
        return self.answered / total if total else 0.0


class _Link:
    __slots__ = ("expires_at", "target")

    def __init__(self, target: str | None, expires_at: float) -> None:
        self.target = target  # None: known to be missing upstream
        self.expires_at = expires_at


class IdRegistry:
    """Spotify id <-> ReccoBeats id, with known-missing ids, in memory over a ``Storage``."""

    def __init__(
        self,
        storage: Storage | None,
        *,
        clock: Clock = wall,
        valid_ttl: float = 60 * DAY,
        missing_ttl: float = 14 * DAY,
        memory_max: int = 50_000,
        namespace: str = "ids:",
        storage_retry_after: float = 5.0,
    ) -> None:
        for name, value in (("valid_ttl", valid_ttl), ("missing_ttl", missing_ttl)):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{name} must be a number of seconds > 0, got {value!r}")
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
        if not storage_retry_after >= 0:
            raise ValueError(
                f"storage_retry_after must be >= 0 seconds, got {storage_retry_after!r}"
            )
        self._storage = storage
        self._clock = clock
        self._valid_ttl = float(valid_ttl)
        self._missing_ttl = float(missing_ttl)
        self._forward_mem: LRU[str, _Link] = LRU(memory_max)
        self._reverse_mem: LRU[str, _Link] = LRU(memory_max)
        self._forward_ns = namespace + "s:"
        self._reverse_ns = namespace + "r:"
        self._retry_after = storage_retry_after
        self._down_until = float("-inf")
        self._answered = 0
        self._requested = 0
        self._storage_errors = 0

    async def resolve_many(self, spotify_ids: Iterable[str]) -> Resolution:
        """Split ``spotify_ids`` (duplicates dropped) into known, known-missing and unknown."""
        ids = _spotify_ids(spotify_ids, "spotify_ids")
        links = await self._lookup(ids, self._forward_mem, self._forward_ns)
        known: dict[str, str] = {}
        missing: list[str] = []
        unknown: list[str] = []
        for sid in ids:
            link = links.get(sid)
            if link is None:
                unknown.append(sid)
            elif link.target is None:
                missing.append(sid)
            else:
                known[sid] = link.target
        self._answered += len(known) + len(missing)
        self._requested += len(unknown)
        return Resolution(known, missing, unknown)

    async def spotify_ids_for(self, reccobeats_ids: Iterable[str]) -> dict[str, str]:
        """ReccoBeats id -> Spotify id for the ids whose current mapping is known."""
        if isinstance(reccobeats_ids, str):
            raise ValueError("reccobeats_ids must be a list of ReccoBeats ids, not one string")
        rids = list(dict.fromkeys(_reccobeats_id(r, "reccobeats_ids") for r in reccobeats_ids))
        back = await self._lookup(rids, self._reverse_mem, self._reverse_ns)
        candidates = {rid: link.target for rid, link in back.items() if link.target is not None}
        forward = await self._lookup(
            list(dict.fromkeys(candidates.values())), self._forward_mem, self._forward_ns
        )
        return {
            rid: sid
            for rid, sid in candidates.items()
            if (link := forward.get(sid)) is not None and link.target == rid
        }

    async def learn(self, spotify_id: str, reccobeats_id: str) -> None:
        """Record that ``spotify_id`` is ``reccobeats_id`` upstream."""
        await self.learn_many({spotify_id: reccobeats_id})

    async def learn_many(self, pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        """Record Spotify id -> ReccoBeats id pairs; for a repeated Spotify id the last wins."""
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        checked: dict[str, str] = {}
        for sid, rid in items:
            checked[_spotify_id(sid, "spotify_id")] = _reccobeats_id(rid, "reccobeats_id")
        if not checked:
            return
        now = self._clock()
        expires_at = now + self._valid_ttl
        payload: dict[str, Stored] = {}
        for sid, rid in checked.items():
            self._forward_mem.set(sid, _Link(rid, expires_at))
            self._reverse_mem.set(rid, _Link(sid, expires_at))
            payload[self._forward_ns + sid] = Stored(rid.encode(), expires_at)
            payload[self._reverse_ns + rid] = Stored(sid.encode(), expires_at)
        await self._store(payload, now)

    async def mark_missing(self, spotify_ids: Iterable[str]) -> None:
        """Record that the upstream does not know these Spotify ids (replacing any mapping)."""
        ids = _spotify_ids(spotify_ids, "spotify_ids")
        if not ids:
            return
        now = self._clock()
        expires_at = now + self._missing_ttl
        payload: dict[str, Stored] = {}
        for sid in ids:
            self._forward_mem.set(sid, _Link(None, expires_at))
            payload[self._forward_ns + sid] = Stored(b"", expires_at)
        await self._store(payload, now)

    def stats(self) -> RegistryStats:
        """Counts of live entries in memory and of lookups with and without a request."""
        now = self._clock()
        validated = missing = 0
        for _, link in self._forward_mem.items():
            if link.expires_at > now:
                if link.target is None:
                    missing += 1
                else:
                    validated += 1
        return RegistryStats(
            validated, missing, self._answered, self._requested, self._storage_errors
        )

    async def close(self) -> None:
        """Close the storage."""
        if self._storage is not None:
            await self._storage.close()

    async def _lookup(self, keys: list[str], memory: LRU[str, _Link], ns: str) -> dict[str, _Link]:
        now = self._clock()
        found: dict[str, _Link] = {}
        pending: list[str] = []
        for key in keys:
            link = memory.get(key)
            if link is not None and now < link.expires_at:
                found[key] = link
            else:
                if link is not None:
                    memory.pop(key)
                pending.append(key)
        if not pending or self._storage is None or now < self._down_until:
            return found
        try:
            stored = await self._storage.get_many([ns + key for key in pending])
        except StorageUnavailable as exc:
            self._failed(exc, now)
            return found
        cut = len(ns)
        for skey, item in stored.items():
            if now >= item.expires_at:
                continue
            try:
                target = item.value.decode() or None
            except UnicodeDecodeError:
                continue
            link = _Link(target, item.expires_at)
            memory.set(skey[cut:], link)
            found[skey[cut:]] = link
        return found

    async def _store(self, payload: dict[str, Stored], now: float) -> None:
        if self._storage is None or now < self._down_until:
            return
        try:
            await self._storage.set_many(payload)
        except StorageUnavailable as exc:
            self._failed(exc, now)

    def _failed(self, exc: StorageUnavailable, now: float) -> None:
        self._storage_errors += 1
        self._down_until = now + self._retry_after
        log.warning("id_registry_storage_unavailable", backend=exc.backend, error=str(exc))


def _spotify_id(value: object, name: str) -> str:
    if not isinstance(value, str) or _SPOTIFY_ID.fullmatch(value) is None:
        raise ValueError(f"{name} must be a Spotify id (22 letters and digits), got {value!r}")
    return value


def _spotify_ids(values: Iterable[str], name: str) -> list[str]:
    if isinstance(values, str):
        raise ValueError(f"{name} must be a list of Spotify ids, not one string")
    return list(dict.fromkeys(_spotify_id(value, name) for value in values))


def _reccobeats_id(value: object, name: str) -> str:
    if not isinstance(value, str) or _RECCOBEATS_ID.fullmatch(value) is None:
        raise ValueError(
            f"{name} must be a ReccoBeats id (1-64 characters, no spaces), got {value!r}"
        )
    return value
