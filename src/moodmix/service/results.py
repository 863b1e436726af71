"""Finished playlists answered again: an identical request gets the playlist already made.

The engine is deterministic, so a request identical to one that finished while its
recommendations are still fresh (``MOODMIX_TTL_RECOMMENDATIONS_S``) would make the same
playlist again; instead it is answered with the stored one, under the same id::

    results = ResultCache(repo, ttl_s=900, entries=1024)
    key = request_key(body.engine_fields(), profile="adaptive")
    found = await results.lookup(key)
    if isinstance(found, Finished):
        return found.body             # the resource as JSON bytes, serialised once
    if isinstance(found, Unfinished):
        ...                           # the same request is being made: follow that job
    results.remember(key, final_row)  # when a job of ours finishes

Identical means the same account (whose playlist it is), the same prompt (whitespace
collapsed; case is kept, the mood reads it), the same seeds in the same order (links and
URIs reduced to ids), size (unless a duration is given), duration, order and profile. The
key is a column of the playlists table, so a lookup is a dict hit on this instance or one
indexed query, and instances sharing a database share results. Hand-written rather than a
caching library: the entries must expire with the playlist's own finish time, and misses go
to the store, not to a loader.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson

from moodmix.reccobeats.ids import parse_id
from moodmix.service.models import DONE, PUBLIC, PlaylistRow, utcnow
from moodmix.service.repository import PlaylistRepository
from moodmix.service.resources import playlist_json

Json = dict[str, Any]

KEY_VERSION = 1
"""Part of every key: bump it when the engine's answer for the same request changes."""


def request_key(request: Json, *, profile: str, account: str = PUBLIC) -> str:
    """The key of a stored request (the engine's field names) under ``profile``, for
    ``account``: one account is never answered with another's playlist."""
    seeds = []
    for seed in request.get("seeds") or ():
        try:
            seeds.append(parse_id(seed, expect="track").value)
        except ValueError:
            seeds.append(str(seed))
    duration = request.get("duration_s")
    canonical = {
        "v": KEY_VERSION,
        "profile": profile,
        "account": account,
        "prompt": " ".join(str(request.get("prompt", "")).split()),
        "seeds": seeds,
        "size": None if duration is not None else request.get("size") or 30,
        "duration_s": None if duration is None else float(duration),
        "order": request.get("order") or "arc",
    }
    for name in ("exclude_artists", "exclude_tracks"):  # only when set: older keys stay
        if request.get(name):
            canonical[name] = sorted(str(v).strip().casefold() for v in request[name])
    for name in ("explicit", "max_track_s", "years"):
        if name in request:
            canonical[name] = request[name]
    digest = hashlib.blake2b(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS), digest_size=20)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Finished:
    """A finished playlist for the request: its id and its resource, serialised."""

    id: str
    body: bytes
    expires_at: float
    """On the cache's clock (monotonic seconds)."""


@dataclass(frozen=True, slots=True)
class Unfinished:
    """The same request is queued or running (here or on another instance): its id."""

    id: str


class ResultCache:
    """Finished playlists by request key: memory first (LRU of ``entries``), then the store."""

    def __init__(
        self,
        repo: PlaylistRepository,
        *,
        ttl_s: float,
        entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._repo = repo
        self.ttl_s = ttl_s
        self._entries = entries
        self._clock = clock
        self._memory: OrderedDict[str, Finished] = OrderedDict()
        self.hits = 0
        self.joins = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.ttl_s > 0 and self._entries > 0

    async def lookup(self, key: str) -> Finished | Unfinished | None:
        """The fresh finished playlist for ``key``, the job making it, or ``None``."""
        if not self.enabled:
            return None
        found = self._memory.get(key)
        if found is not None:
            if found.expires_at > self._clock():
                self._memory.move_to_end(key)
                self.hits += 1
                return found
            del self._memory[key]
        row = await self._repo.latest_for_key(key, finished_after=utcnow() - self._ttl())
        if row is None:
            self.misses += 1
            return None
        if row.status == DONE:
            self.hits += 1
            return self.remember(key, row)
        self.joins += 1
        return Unfinished(row.id)

    def remember(self, key: str, row: PlaylistRow) -> Finished:
        """Keep ``row`` (done) as the answer for ``key`` until its freshness ends."""
        finished = row.finished_at or utcnow()
        left = (finished + self._ttl() - utcnow()).total_seconds()
        entry = Finished(row.id, orjson.dumps(playlist_json(row)), self._clock() + left)
        if self.enabled and left > 0:
            self._memory[key] = entry
            self._memory.move_to_end(key)
            while len(self._memory) > self._entries:
                self._memory.popitem(last=False)
        return entry

    def forget(self, id: str) -> None:
        """Stop answering with playlist ``id`` (deleted) from this instance's memory."""
        for key in [k for k, entry in self._memory.items() if entry.id == id]:
            del self._memory[key]

    def stats(self) -> dict[str, int | float]:
        """Entries in memory, and lookups answered (hits), joined to a job, or missed."""
        return {
            "entries": len(self._memory),
            "hits": self.hits,
            "joins": self.joins,
            "misses": self.misses,
            "ttl_s": self.ttl_s,
        }

    def _ttl(self) -> timedelta:
        return timedelta(seconds=self.ttl_s)
