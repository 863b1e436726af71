from __future__ import annotations

import string
from collections.abc import Iterable, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.clock import ManualClock
from moodmix.store import IdRegistry, MemoryStorage, StorageUnavailable, Stored

DAY = 86_400.0
A, B, C, D = (f"{c}" * 22 for c in "ABCD")
R1 = "6f0d4a3e-53a5-4a6b-8a93-2f0c6a1f7a91"
R2 = "6f0d4a3e-53a5-4a6b-8a93-2f0c6a1f7a92"


class DownStorage(MemoryStorage):
    async def get_many(self, keys: Iterable[str]) -> dict[str, Stored]:
        raise StorageUnavailable("down for the test", backend="down")

    async def set_many(self, items: Mapping[str, Stored]) -> None:
        raise StorageUnavailable("down for the test", backend="down")


def make(
    clock: ManualClock, storage: MemoryStorage | None = None, memory_max: int = 50_000
) -> IdRegistry:
    return IdRegistry(
        storage, clock=clock, valid_ttl=60 * DAY, missing_ttl=14 * DAY, memory_max=memory_max
    )


async def test_resolve_splits_known_missing_and_unknown_in_order() -> None:
    registry = make(ManualClock())
    await registry.learn_many({A: R1, C: R2})
    await registry.mark_missing([B])

    found = await registry.resolve_many([D, C, B, A, C])

    assert found.known == {C: R2, A: R1}
    assert list(found.known) == [C, A]
    assert found.missing == [B]
    assert found.unknown == [D]


async def test_mappings_and_missing_marks_expire_at_their_own_ttl() -> None:
    clock = ManualClock(0.0)
    registry = make(clock)
    await registry.learn(A, R1)
    await registry.mark_missing([B])

    clock.now = 14 * DAY - 0.001
    found = await registry.resolve_many([A, B])
    assert (found.known, found.missing) == ({A: R1}, [B])
    clock.now = 14 * DAY
    found = await registry.resolve_many([A, B])
    assert (found.known, found.unknown) == ({A: R1}, [B])
    clock.now = 60 * DAY - 0.001
    assert (await registry.resolve_many([A])).known == {A: R1}
    clock.now = 60 * DAY
    assert (await registry.resolve_many([A])).unknown == [A]


async def test_stats_count_entries_and_lookups() -> None:
    clock = ManualClock(0.0)
    registry = make(clock)
    assert registry.stats().efficiency == 0.0
    await registry.learn_many([(A, R1), (C, R2)])
    await registry.mark_missing([B])
    await registry.resolve_many([A, B, C, D])  # 3 answered, 1 needs a request

    stats = registry.stats()
    assert (stats.validated, stats.missing) == (2, 1)
    assert (stats.answered, stats.requested) == (3, 1)
    assert stats.efficiency == pytest.approx(0.75)

    clock.now = 14 * DAY  # the missing mark has expired
    assert (registry.stats().validated, registry.stats().missing) == (2, 0)


async def test_latest_answer_replaces_the_old_one() -> None:
    registry = make(ManualClock())
    await registry.learn(A, R1)
    await registry.learn(A, R2)
    assert (await registry.resolve_many([A])).known == {A: R2}
    await registry.mark_missing([A])
    assert (await registry.resolve_many([A])).missing == [A]
    await registry.learn(A, R1)
    assert (await registry.resolve_many([A])).known == {A: R1}


async def test_reverse_lookup_follows_the_current_mapping_only() -> None:
    registry = make(ManualClock())
    await registry.learn(A, R1)
    assert await registry.spotify_ids_for([R1, R2]) == {R1: A}
    await registry.learn(A, R2)  # R1 no longer belongs to A
    assert await registry.spotify_ids_for([R1, R2]) == {R2: A}
    await registry.mark_missing([A])
    assert await registry.spotify_ids_for([R1, R2]) == {}


async def test_entries_persist_through_the_storage() -> None:
    clock = ManualClock(0.0)
    storage = MemoryStorage(clock=clock)
    first = make(clock, storage)
    await first.learn(A, R1)
    await first.mark_missing([B])

    second = make(clock, storage)  # a restart: empty memory, same storage
    found = await second.resolve_many([A, B, C])
    assert (found.known, found.missing, found.unknown) == ({A: R1}, [B], [C])
    assert await second.spotify_ids_for([R1]) == {R1: A}

    clock.now = 14 * DAY
    assert (await make(clock, storage).resolve_many([B])).unknown == [B]


async def test_memory_is_bounded_and_storage_answers_the_rest() -> None:
    clock = ManualClock(0.0)
    storage = MemoryStorage(clock=clock)
    registry = make(clock, storage, memory_max=2)
    await registry.learn_many({A: R1, B: R2, C: R1})
    assert registry.stats().validated == 2
    assert (await registry.resolve_many([A])).known == {A: R1}  # from storage


async def test_storage_failure_keeps_the_registry_working_from_memory() -> None:
    clock = ManualClock(0.0)
    registry = make(clock, DownStorage(clock=clock))
    await registry.learn(A, R1)
    found = await registry.resolve_many([A, B])
    assert (found.known, found.unknown) == ({A: R1}, [B])
    assert registry.stats().storage_errors == 1  # later calls wait out the retry delay
    clock.advance(5)
    await registry.resolve_many([B])
    assert registry.stats().storage_errors == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: r.resolve_many(["nope"]), "spotify_ids must be a Spotify id"),
        (lambda r: r.resolve_many(A), "not one string"),
        (lambda r: r.learn("x", R1), "spotify_id must be a Spotify id"),
        (lambda r: r.learn(A, ""), "reccobeats_id must be a ReccoBeats id"),
        (lambda r: r.learn(A, "has space"), "reccobeats_id must be a ReccoBeats id"),
        (lambda r: r.mark_missing([A, "short"]), "spotify_ids must be a Spotify id"),
        (lambda r: r.spotify_ids_for(R1), "not one string"),
    ],
)
async def test_bad_ids_are_rejected_by_name(call: object, message: str) -> None:
    registry = make(ManualClock())
    with pytest.raises(ValueError, match=message):
        await call(registry)  # type: ignore[operator]


def test_constructor_rejects_bad_ttls() -> None:
    with pytest.raises(ValueError, match="valid_ttl must be a finite number of seconds > 0"):
        IdRegistry(None, valid_ttl=0)
    with pytest.raises(ValueError, match="missing_ttl must be"):
        IdRegistry(None, missing_ttl=float("inf"))
    with pytest.raises(ValueError, match="max_entries must be an integer >= 1"):
        IdRegistry(None, memory_max=0)


spotify_ids = st.text(string.ascii_letters + string.digits, min_size=22, max_size=22)
reccobeats_ids = st.sampled_from([R1, R2, "r-3", "r-4"])
events = st.lists(
    st.tuples(st.sampled_from(["learn", "missing", "restart"]), spotify_ids, reccobeats_ids),
    max_size=30,
)


@given(events=events, memory_max=st.integers(1, 5))
async def test_one_spotify_id_never_maps_to_two_ids(
    events: list[tuple[str, str, str]], memory_max: int
) -> None:
    clock = ManualClock(0.0)
    storage = MemoryStorage(clock=clock)
    registry = make(clock, storage, memory_max=memory_max)
    expected: dict[str, str | None] = {}
    for op, sid, rid in events:
        clock.advance(1)
        if op == "learn":
            await registry.learn(sid, rid)
            expected[sid] = rid
        elif op == "missing":
            await registry.mark_missing([sid])
            expected[sid] = None
        else:
            registry = make(clock, storage, memory_max=memory_max)
    found = await registry.resolve_many(list(expected))
    assert not found.unknown
    assert set(found.known) | set(found.missing) == set(expected)
    assert not set(found.known) & set(found.missing)
    for sid, maybe_rid in expected.items():
        assert found.known.get(sid) == maybe_rid
    reverse = await registry.spotify_ids_for({rid for rid in expected.values() if rid})
    for rid, back in reverse.items():
        assert expected[back] == rid
