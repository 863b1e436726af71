"""Layer 1, the id registry: Spotify ids become ReccoBeats ids before the cache is asked.

Items are cached under their ReccoBeats id. A Spotify id the registry has seen is asked for
by the ReccoBeats id it maps to, one it knows ReccoBeats lacks is answered "not found" at
once, and one it cannot place goes down the chain as it is (the upstream accepts both)::

    tracks = Resolve(Cached(...), registry, metrics)
    found = await tracks.fetch_many(["00aqkszH1FdUiJJWvX6iEl"], Priority.INTERACTIVE)
    # {"00aqkszH1FdUiJJWvX6iEl": Track(id="8212bab8-…")}

The registry learns from what the upstream answers in ``_stored``, where each answer is
stored before anyone waiting for it hears of it.
"""

from __future__ import annotations

from typing import TypeVar

from moodmix.reccobeats._chain import Fetcher, Layer
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats.ids import is_spotify_id
from moodmix.resilience.scheduler import Priority
from moodmix.store.registry import IdRegistry

V = TypeVar("V")


class Resolve(Layer[V]):
    """Asks the next layer by ReccoBeats id wherever the registry knows one."""

    def __init__(self, next: Fetcher[V], registry: IdRegistry, metrics: GatewayMetrics) -> None:
        super().__init__(next)
        self._registry = registry
        self._answered = metrics.registry_lookups.labels(answered="yes")
        self._asked = metrics.registry_lookups.labels(answered="no")

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        resolved = await self._resolve(keys)
        # Ordered, not sets: the batches (and so the run) must not depend on string hashing.
        wanted = [key for key in dict.fromkeys(resolved.values()) if key]
        wanted += [raw for raw, key in resolved.items() if key is None]
        found = await self._next.fetch_many(wanted, priority)
        answer: dict[str, V] = {}
        for raw, key in resolved.items():
            item = found.get(key or raw)
            if item is not None:
                answer[raw] = item
        return answer

    async def _resolve(self, wanted: list[str]) -> dict[str, str | None]:
        """Each wanted id -> the ReccoBeats id, ``None`` to ask upstream, or "" if the
        registry knows the upstream does not have it."""
        keys: dict[str, str | None] = {raw: raw for raw in wanted if not is_spotify_id(raw)}
        spotify = [raw for raw in wanted if is_spotify_id(raw)]
        if not spotify:
            return keys
        resolution = await self._registry.resolve_many(spotify)
        self._answered.inc(len(resolution.known) + len(resolution.missing))
        self._asked.inc(len(resolution.unknown))
        keys.update(resolution.known)
        keys.update(dict.fromkeys(resolution.missing, ""))
        keys.update(dict.fromkeys(resolution.unknown))
        return keys
