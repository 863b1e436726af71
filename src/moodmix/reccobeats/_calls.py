"""The bottom of the chain: one upstream call, through ``Upstream`` (scheduler slot,
breaker, retry) to the client.

``ItemCall`` asks for a batch of ids (in the slot the batcher held for it, if it did) and
answers every item under its ReccoBeats id and under the Spotify id it carries.
``RequestCall`` asks a whole request the way its caller said (``asking``), and answers it
under the request's key::

    tracks = ItemCall(upstream, lambda client, ids: client.get_tracks(ids), "track", metrics)
    found = await tracks.send(Batch(["8212bab8-…"], Priority.INTERACTIVE))

    recs = RequestCall(upstream)
    with recs.asking(key, lambda client: client.get_recommendations(seeds, size=20)):
        found = await recs.fetch_many([key], Priority.INTERACTIVE)    # {key: [Track, …]}

The recent recipes are kept (bounded) so warming can ask again; one a caller waits on is
kept until it has its answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from typing import Generic, TypeVar

from moodmix.reccobeats._chain import Batch
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats._upstream import Held, Upstream
from moodmix.reccobeats.client import ReccoBeatsClient
from moodmix.reccobeats.models import ApiModel
from moodmix.resilience.scheduler import Priority, Ticket

M = TypeVar("M", bound=ApiModel)
V = TypeVar("V")

BatchFetch = Callable[[ReccoBeatsClient, list[str]], Awaitable[Sequence[M]]]
Recipe = Callable[[ReccoBeatsClient], Awaitable[V]]

_RECIPES = 512
"""How many recent requests warming can repeat (the hot ones are among them)."""


class ItemCall(Generic[M]):
    """A ``Sender``: one batch call of ``fetch(client, ids)``."""

    def __init__(
        self, upstream: Upstream, fetch: BatchFetch[M], kind: str, metrics: GatewayMetrics
    ) -> None:
        self._upstream = upstream
        self._fetch = fetch
        self._sizes = metrics.batch_size.labels(kind=kind)
        self._coalesced = metrics.coalesced.labels(kind=kind)

    def hold(self, priority: Priority, ticket: Ticket | None) -> AbstractAsyncContextManager[Held]:
        return self._upstream.hold(priority, ticket)

    async def send(self, batch: Batch) -> dict[str, M]:
        sent = batch.keys

        async def call(client: ReccoBeatsClient) -> Sequence[M]:
            return await self._fetch(client, sent)

        items = await self._upstream.call(
            call, priority=batch.priority, ticket=batch.ticket, held=batch.held
        )
        self._sizes.observe(len(sent))
        if len(sent) > 1:
            self._coalesced.inc(len(sent))
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
        return by_id | {sid: by_id[rid] for sid, rid in learned.items()}


class RequestCall(Generic[V]):
    """A ``Fetcher``: each key's request asked the way it was last ``remember``-ed."""

    def __init__(self, upstream: Upstream) -> None:
        self._upstream = upstream
        self._recipes: OrderedDict[str, Recipe[V]] = OrderedDict()
        self._waited: dict[str, list[Recipe[V]]] = {}

    @contextmanager
    def asking(self, key: str, recipe: Recipe[V]) -> Iterator[None]:
        """Ask ``key`` by ``recipe`` while the block runs; remember it for warming after."""
        self._recipes[key] = recipe
        self._recipes.move_to_end(key)
        if len(self._recipes) > _RECIPES:
            self._recipes.popitem(last=False)
        waited = self._waited.setdefault(key, [])
        waited.append(recipe)
        try:
            yield
        finally:
            waited.remove(recipe)
            if not waited:
                del self._waited[key]

    def knows(self, key: str) -> bool:
        return key in self._recipes

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, V]:
        found: dict[str, V] = {}
        for key in keys:
            waited = self._waited.get(key)
            recipe = waited[-1] if waited else self._recipes[key]
            found[key] = await self._upstream.call(recipe, priority=priority)
        return found

    def promote(self, keys: list[str]) -> None:
        """Whole requests wait at the priority they were asked with."""

    async def aclose(self) -> None:
        """Nothing of its own runs: its calls belong to their callers."""
