"""Per-item lookups (tracks, audio features, artists, albums): gateway layers 1 to 4.

A batch of ids is answered item by item: the id registry turns Spotify ids into ReccoBeats
ids (and answers known-missing ones at once), the tiered cache answers what it holds,
single-flight joins items already being fetched (in shared mode, by any process), and the
late batcher packs the remaining misses, from this caller and any other, into upstream batch
calls of at most 40 ids whose ids are chosen when the call's token is granted, so a batch
waiting for quota keeps filling. In shared mode a call also fills its spare room with ids
other processes queued (``Handover``), and waits for its own that another process carried::

    tracks = ItemLookup("track", fetch=lambda c, ids: c.get_tracks(ids), ...)
    found = await tracks.get_many(["00aqkszH1FdUiJJWvX6iEl", "8212bab8-…"])  # {asked id: Track}

Each layer is optional (the profiles switch them), and removing one removes its code path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

import structlog

from moodmix.reccobeats._background import BackgroundTasks
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats._upstream import Upstream
from moodmix.reccobeats.client import ReccoBeatsClient
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.reccobeats.ids import MAX_BATCH_IDS, Kind, is_spotify_id, parse_id
from moodmix.reccobeats.models import ApiModel
from moodmix.resilience.handover import Handover, Trade
from moodmix.resilience.latebatch import LateBatcher, Take
from moodmix.resilience.scheduler import Priority, Ticket, Unsent
from moodmix.resilience.sharedflight import SharedFlight
from moodmix.resilience.singleflight import SingleFlight
from moodmix.resilience.together import together
from moodmix.store.cache import State, TieredCache
from moodmix.store.registry import IdRegistry

M = TypeVar("M", bound=ApiModel)

BatchFetch = Callable[[ReccoBeatsClient, list[str]], Awaitable[Sequence[M]]]

log = structlog.get_logger("moodmix.gateway")


class ItemLookup(Generic[M]):
    """Answers ``{asked id: item}`` for one kind of item; unknown ids are left out."""

    def __init__(
        self,
        kind: str,
        *,
        id_kind: Kind,
        fetch: BatchFetch[M],
        upstream: Upstream,
        cache: TieredCache,
        registry: IdRegistry | None,
        metrics: GatewayMetrics,
        background: BackgroundTasks,
        batch_size: int = MAX_BATCH_IDS,
        batch_concurrency: int = 4,
        dedup: bool = True,
        coalesce: bool = True,
        coalesce_window: float = 0.005,
        stale_if_error: bool = True,
        shared: SharedFlight[M] | None = None,
        handover: Handover[M] | None = None,
    ) -> None:
        if handover is not None and shared is None:
            raise ValueError("a handover needs the shared flight whose locks it hands over")
        self.kind = kind
        self._shared = shared
        self._handover = handover
        self._id_kind = id_kind
        self._fetch = fetch
        self._upstream = upstream
        self._cache = cache
        self._registry = registry
        self._metrics = metrics
        self._batch_size = min(batch_size, MAX_BATCH_IDS)
        self._batch_slots = asyncio.Semaphore(batch_concurrency)
        self._flight: SingleFlight[str, M] | None = SingleFlight() if dedup else None
        self._batcher: LateBatcher[str, M] | None = (
            LateBatcher(
                self._send_coalesced,
                max_batch=self._batch_size,
                max_senders=batch_concurrency,
                window=coalesce_window,
            )
            if coalesce
            else None
        )
        self._background_batcher: LateBatcher[str, M] | None = (
            LateBatcher(
                self._send_background, max_batch=self._batch_size, max_senders=batch_concurrency
            )
            if coalesce
            else None
        )
        self._background_senders: set[Ticket] = set()
        self._stale_if_error = stale_if_error
        # Label lookups cost more than the increments on an L1 hit: bind them once.
        self._counted_lookups = metrics.lookups.labels(kind=kind)
        self._registry_answered = metrics.registry_lookups.labels(answered="yes")
        self._registry_asked = metrics.registry_lookups.labels(answered="no")
        self._cache_counts = {
            (tier, state.value): metrics.cache.labels(kind=kind, tier=tier, result=state.value)
            for tier in ("l1", "l2")
            for state in State
        }
        self._background = background
        self._tickets: dict[str, Ticket] = {}
        """Keys being fetched in the background, with the ticket that can promote them."""

    async def get_many(
        self, ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> dict[str, M]:
        """The items for ``ids`` (any id form), keyed by the id as asked."""
        asked = {text: parse_id(text, expect=self._id_kind).value for text in ids}
        self._counted_lookups.inc(len(asked))
        # Ordered, not sets: the batches (and so the run) must not depend on string hashing.
        keys = await self._resolve(list(dict.fromkeys(asked.values())))
        cached = [key for key in dict.fromkeys(keys.values()) if key]
        found: dict[str, M] = {}
        misses: list[str] = []
        for key, lookup in (await self._cache.get_many(self.kind, cached)).items():
            self._cache_counts[lookup.tier or "l2", lookup.state.value].inc()
            if not lookup.hit:
                misses.append(key)
                continue
            found[key] = lookup.value
            if lookup.state is State.STALE:
                self._refresh_later([key])
        log.debug("cache_lookup", kind=self.kind, hits=len(found), misses=len(misses))
        # Spotify ids the registry cannot place yet are asked for as they are.
        misses += [raw for raw, key in keys.items() if key is None]
        if misses:
            found.update(await self._fetch_misses(misses, priority))
        answer: dict[str, M] = {}
        for text, raw in asked.items():
            item = found.get(keys[raw] or raw)
            if item is not None:
                answer[text] = item
        return answer

    async def _resolve(self, wanted: Sequence[str]) -> dict[str, str | None]:
        """Each wanted id -> the cache key (ReccoBeats id), ``None`` to ask upstream, or "" if
        the registry knows the upstream does not have it."""
        keys: dict[str, str | None] = {raw: raw for raw in wanted if not is_spotify_id(raw)}
        spotify = [raw for raw in wanted if is_spotify_id(raw)]
        if not spotify:
            return keys
        if self._registry is None:
            keys.update(dict.fromkeys(spotify))
            return keys
        resolution = await self._registry.resolve_many(spotify)
        self._registry_answered.inc(len(resolution.known) + len(resolution.missing))
        self._registry_asked.inc(len(resolution.unknown))
        keys.update(resolution.known)
        keys.update(dict.fromkeys(resolution.missing, ""))
        keys.update(dict.fromkeys(resolution.unknown))
        return keys

    async def _fetch_misses(self, keys: list[str], priority: Priority) -> dict[str, M]:
        if priority is Priority.INTERACTIVE:
            self._promote_background(keys)
        try:
            if self._flight is not None:
                joined = sum(self._flight.in_flight(k) for k in keys)
                if joined:
                    self._metrics.dedup_joins.labels(kind=self.kind).inc(joined)
                    log.debug("dedup_join", kind=self.kind, items=joined)
                return await self._flight.do_many(keys, lambda ks: self._fetch_across(ks, priority))
            return await self._fetch_keys(keys, priority)
        except ReccoBeatsError:
            if not self._stale_if_error:
                raise
            rescued = await self._stale_for_error(keys)
            if rescued is None:
                raise
            return rescued

    def _promote_background(self, keys: list[str]) -> None:
        """An interactive caller about to wait on background work: serve that as interactive."""
        if self._tickets:
            for key in keys:
                if (ticket := self._tickets.get(key)) is not None:
                    ticket.promote()
        batcher = self._background_batcher
        if batcher is not None and self._background_senders and any(map(batcher.holds, keys)):
            # Queued keys leave with the waiting senders, first in first out: promote them all.
            for ticket in self._background_senders:
                ticket.promote()

    async def _fetch_across(self, keys: list[str], priority: Priority) -> dict[str, M]:
        """In shared mode, keys another process is fetching are waited for, not fetched."""
        if self._shared is None:
            return await self._fetch_keys(keys, priority)
        return await self._shared.do_many(
            keys,
            lambda ks: self._fetch_keys(ks, priority),
            self._peek,
        )

    async def _fetch_keys(self, keys: list[str], priority: Priority) -> dict[str, M]:
        batcher = self._batcher if priority is Priority.INTERACTIVE else self._background_batcher
        if batcher is None:
            return await self._chunks(keys, priority)
        if self._handover is not None:
            await self._handover.offer(keys)
        return await batcher.get_many(keys)

    async def _chunks(self, keys: list[str], priority: Priority) -> dict[str, M]:
        chunks = [keys[i : i + self._batch_size] for i in range(0, len(keys), self._batch_size)]
        results = await together(self._fetch_chunk(c, priority) for c in chunks)
        return {k: v for part in results for k, v in part.items()}

    async def _send_coalesced(self, take: Take[str]) -> dict[str, M]:
        """An interactive batch: its ids are taken from the queue when its token is granted."""
        return await self._send_batch(take, Priority.INTERACTIVE)

    async def _send_background(self, take: Take[str]) -> dict[str, M]:
        """A background batch: fills while it waits for spare quota; promotable."""
        ticket = Ticket(Priority.BACKGROUND)
        self._background_senders.add(ticket)
        try:
            return await self._send_batch(take, Priority.BACKGROUND, ticket)
        finally:
            self._background_senders.discard(ticket)

    async def _send_batch(
        self, take: Take[str], priority: Priority, ticket: Ticket | None = None
    ) -> dict[str, M]:
        """One batch call whose ids are chosen when its token comes: taken from the queue
        and, with a handover, traded with other processes'; with none to ask, the token
        goes back."""
        keys: list[str] = []
        trade: Trade | None = None

        async def call(client: ReccoBeatsClient) -> Sequence[M]:
            nonlocal trade
            if trade is None:
                trade = await self._trade(take())
            keys[:] = trade.send
            if not keys:
                raise Unsent
            return await self._fetch(client, keys)

        try:
            items: Sequence[M] = await self._upstream.call(call, priority=priority, ticket=ticket)
        except Unsent:
            items = []
        except BaseException:
            if trade is not None and self._handover is not None:
                await self._handover.settle(trade, None)
            raise
        found = await self._absorb(keys, items)
        if trade is None or self._handover is None or self._shared is None:
            return found
        await self._handover.settle(trade, found)
        if trade.lost:
            found.update(await self._shared.wait(trade.lost, self._fetch_now, self._peek))
        return found

    async def _trade(self, keys: list[str]) -> Trade:
        if self._handover is None:
            return Trade(keys)
        return await self._handover.trade(keys, room=self._batch_size)

    async def _fetch_now(self, keys: list[str]) -> dict[str, M]:
        """Interactive batch calls of ``keys`` outside the queue (a handover that fell through)."""
        return await self._chunks(keys, Priority.INTERACTIVE)

    async def _peek(self, refs: list[str]) -> dict[str, M]:
        return await self._cache.peek_many(self.kind, refs)

    async def _fetch_chunk(self, keys: list[str], priority: Priority) -> dict[str, M]:
        """One upstream batch call of ``keys``.

        Interactive batches take one of the kind's batch slots; background ones do not, so
        a background batch waiting for spare quota never holds a slot an interactive one needs.
        """
        if priority is Priority.INTERACTIVE:
            async with self._batch_slots:
                items = await self._upstream.call(lambda c: self._fetch(c, keys))
        else:
            ticket = Ticket(priority)
            self._tickets.update(dict.fromkeys(keys, ticket))
            try:
                items = await self._upstream.call(
                    lambda c: self._fetch(c, keys), priority=priority, ticket=ticket
                )
            finally:
                for key in keys:
                    if self._tickets.get(key) is ticket:
                        del self._tickets[key]
        return await self._absorb(keys, items)

    async def _absorb(self, keys: list[str], items: Sequence[M]) -> dict[str, M]:
        """Learn ids from a batch answer and cache every item in it; ``{asked key: item}``."""
        if not keys:
            return {}
        self._metrics.batch_size.labels(kind=self.kind).observe(len(keys))
        if len(keys) > 1:
            self._metrics.coalesced.labels(kind=self.kind).inc(len(keys))
        by_id: dict[str, M] = {}
        learned: dict[str, str] = {}
        for item in items:
            rid = getattr(item, "id", None)
            if not isinstance(rid, str):
                continue
            by_id[rid] = item
            sid = getattr(item, "spotify_id", None)
            if isinstance(sid, str):
                learned[sid] = rid
        await self._cache.put_many(self.kind, by_id)
        by_key = by_id | {sid: by_id[rid] for sid, rid in learned.items()}
        if self._registry is not None:
            if learned:
                await self._registry.learn_many(learned)
            absent = [k for k in keys if is_spotify_id(k) and k not in by_key]
            if absent:
                await self._registry.mark_missing(absent)
        return {k: by_key[k] for k in keys if k in by_key}

    async def aclose(self) -> None:
        """Cancel fetches still in flight (their callers get ``CancelledError``)."""
        for batcher in (self._batcher, self._background_batcher):
            if batcher is not None:
                await batcher.aclose()
        if self._flight is not None:
            await self._flight.aclose()

    async def _stale_for_error(self, keys: list[str]) -> dict[str, M] | None:
        rescued: dict[str, M] = {}
        for key in keys:
            lookup = await self._cache.get_stale_for_error(self.kind, key)
            if not lookup.hit:
                return None
            rescued[key] = lookup.value
        log.warning("served_stale_on_error", kind=self.kind, items=len(rescued))
        return rescued

    def _refresh_later(self, keys: list[str]) -> None:
        """Stale-while-revalidate: serve the stale item now, fetch a fresh one in the background."""
        if self._flight is not None and all(self._flight.in_flight(k) for k in keys):
            return

        async def refresh() -> None:
            try:
                await self._fetch_misses(keys, Priority.BACKGROUND)
                self._metrics.prefetches.labels(reason="revalidate").inc(len(keys))
            except ReccoBeatsError as exc:
                log.info("revalidate_failed", kind=self.kind, error=str(exc))

        self._background.spawn(refresh(), name=f"revalidate-{self.kind}")

    async def refresh(self, keys: Sequence[str]) -> int:
        """Fetch ``keys`` again at background priority; returns how many came back."""
        return len(await self._fetch_misses(list(keys), Priority.BACKGROUND))
