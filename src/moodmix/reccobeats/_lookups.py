"""What the gateway's public methods call: one kind's chain, entered from the top.

``ItemLookup`` parses the ids as asked (any form) and answers by them; ``RequestLookup``
asks one whole request under its normalised key (seeds sorted, parameters canonical), so
equal questions share one cache entry and one fetch however they were spelled. Both can
refresh keys for warming, entering the chain below the cache::

    tracks = ItemLookup("track", "track", chain, fresh, metrics)        # built in ``_builder``
    found = await tracks.get_many(["00aqkszH1FdUiJJWvX6iEl"])          # {asked id: Track}
    recs = await recommendations.get(request_key(seeds=ids, size=20),
                                     lambda client: client.get_recommendations(ids, size=20))
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Generic, TypeVar

import orjson
import structlog

from moodmix.reccobeats._calls import Recipe, RequestCall
from moodmix.reccobeats._chain import Fetcher
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats.client import ReccoBeatsClient
from moodmix.reccobeats.errors import NotFound, ReccoBeatsError
from moodmix.reccobeats.ids import Kind, parse_id
from moodmix.reccobeats.models import ApiModel, Track
from moodmix.resilience.scheduler import Priority

M = TypeVar("M", bound=ApiModel)
T = TypeVar("T")
V = TypeVar("V")

log = structlog.get_logger("moodmix.gateway")


def recommendation(
    seeds: list[str],
    size: int,
    negative: list[str] | None,
    weight: float | None,
    targets: Mapping[str, float],
) -> Recipe[list[Track]]:
    """How to ask for recommendations (seeds already parsed, targets already checked)."""

    async def ask(client: ReccoBeatsClient) -> list[Track]:
        t = targets
        return await client.get_recommendations(
            seeds,
            size=size,
            negative_seeds=negative,
            feature_weight=weight,
            acousticness=t.get("acousticness"),
            danceability=t.get("danceability"),
            energy=t.get("energy"),
            instrumentalness=t.get("instrumentalness"),
            liveness=t.get("liveness"),
            loudness=t.get("loudness"),
            speechiness=t.get("speechiness"),
            tempo=t.get("tempo"),
            valence=t.get("valence"),
            popularity=t.get("popularity"),
            key=None if "key" not in t else round(t["key"]),
            mode=None if "mode" not in t else round(t["mode"]),
        )

    return ask


def request_key(**parts: Any) -> str:
    """A short, stable key for a request's normalised parameters (``None`` values dropped)."""
    canonical = orjson.dumps(
        {k: v for k, v in parts.items() if v is not None}, option=orjson.OPT_SORT_KEYS
    )
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


class ItemLookup(Generic[M]):
    """Answers ``{asked id: item}`` for one kind of item; unknown ids are left out."""

    def __init__(
        self,
        kind: str,
        id_kind: Kind,
        chain: Fetcher[M],
        fresh: Fetcher[M],
        metrics: GatewayMetrics,
    ) -> None:
        self.kind = kind
        self._id_kind = id_kind
        self._chain = chain
        self._fresh = fresh
        self._lookups = metrics.lookups.labels(kind=kind)

    async def get_many(
        self, ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> dict[str, M]:
        """The items for ``ids`` (any id form), keyed by the id as asked."""
        asked = {text: parse_id(text, expect=self._id_kind).value for text in ids}
        self._lookups.inc(len(asked))
        found = await self._chain.fetch_many(list(dict.fromkeys(asked.values())), priority)
        return {text: found[raw] for text, raw in asked.items() if raw in found}

    async def refresh(self, keys: Sequence[str]) -> int:
        """Fetch ``keys`` again at background priority; returns how many came back."""
        return len(await self._fresh.fetch_many(list(keys), Priority.BACKGROUND))

    async def aclose(self) -> None:
        """Cancel fetches still in flight (their callers get ``CancelledError``)."""
        await self._chain.aclose()


class RequestLookup(Generic[V]):
    """Cached, de-duplicated answers to one kind of whole request."""

    def __init__(
        self,
        kind: str,
        chain: Fetcher[V],
        fresh: Fetcher[V],
        calls: RequestCall[V],
        metrics: GatewayMetrics,
    ) -> None:
        self.kind = kind
        self._chain = chain
        self._fresh = fresh
        self._calls = calls
        self._metrics = metrics

    async def get(
        self, key: str, recipe: Recipe[V], *, priority: Priority = Priority.INTERACTIVE
    ) -> V:
        """The cached answer for ``key``, or ``recipe(client)`` through the chain."""
        with self._calls.asking(key, recipe):
            self._metrics.lookups.labels(kind=self.kind).inc()
            return (await self._chain.fetch_many([key], priority))[key]

    async def refresh(self, key: str) -> int:
        """Ask ``key`` again at background priority if its request is remembered: 1 if so."""
        if not self._calls.knows(key):
            return 0
        try:
            await self._fresh.fetch_many([key], Priority.BACKGROUND)
        except ReccoBeatsError as exc:
            log.info("warming_failed", kind=self.kind, error=str(exc))
            return 0
        self._metrics.prefetches.labels(reason="refresh").inc()
        return 1

    async def aclose(self) -> None:
        """Cancel fetches still in flight (their callers get ``CancelledError``)."""
        await self._chain.aclose()


def id_list(ids: Sequence[str], name: str) -> Sequence[str]:
    """``ids`` if it is a non-empty list of ids (not one string)."""
    if isinstance(ids, str):
        raise ValueError(f"{name} must be a list of ids, not one string")
    if not ids:
        raise ValueError(f"{name} must not be empty")
    return ids


def normalised(text: str) -> str:
    """Search text as a key: whitespace collapsed, case folded."""
    return " ".join(text.split()).casefold()


def ordered(ids: Sequence[str], found: dict[str, T]) -> list[T]:
    """The items found for ``ids``, in the order asked, each once."""
    seen: set[int] = set()
    out: list[T] = []
    for text in ids:
        item = found.get(text)
        if item is not None and id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def one(items: list[T], id: str, what: str) -> T:
    """The one item asked for, or ``NotFound``."""
    if not items:
        raise NotFound(f"ReccoBeats does not know the {what} {id!r}")
    return items[0]
