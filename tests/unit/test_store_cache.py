from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.clock import ManualClock
from moodmix.reccobeats.models import Track
from moodmix.store import (
    CachePolicy,
    MemoryStorage,
    ModelCodec,
    State,
    StorageUnavailable,
    Stored,
    TieredCache,
    tally_lookups,
)

POLICY = CachePolicy(ttl=10, stale_while_revalidate=5, stale_if_error=20)
TRACK = Track(
    id="6f0d4a3e-53a5-4a6b-8a93-2f0c6a1f7a9b",
    href="https://open.spotify.com/track/00aqkszH1FdUiJJWvX6iEl",
    track_title="Rainy Sunday",
)


class SpyStorage(MemoryStorage):
    """MemoryStorage that records batch reads and can be switched off."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock=clock)
        self.reads: list[list[str]] = []
        self.writes: list[list[str]] = []
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise StorageUnavailable("switched off for the test", backend="spy")

    async def get_many(self, keys: Iterable[str]) -> dict[str, Stored]:
        self._check()
        wanted = list(keys)
        self.reads.append(wanted)
        return await super().get_many(wanted)

    async def set_many(self, items: Mapping[str, Stored]) -> None:
        self._check()
        self.writes.append(list(items))
        await super().set_many(items)

    async def clear(self, prefix: str | None = None) -> int:
        self._check()
        return await super().clear(prefix)


def make(
    clock: ManualClock,
    l2: MemoryStorage | None = None,
    l1: int = 100,
    policy: CachePolicy = POLICY,
    **kwargs: Any,
) -> TieredCache:
    return TieredCache(l1, l2, {"track": policy, "artist": policy}, clock=clock, **kwargs)


async def test_windows_at_their_exact_boundaries_in_l1() -> None:
    clock = ManualClock(1_000.0)
    cache = make(clock)
    await cache.put("track", "t", {"v": 1})

    clock.advance(9.999)
    hit = await cache.get("track", "t")
    assert hit.state is State.FRESH
    assert hit.tier == "l1"
    assert hit.value == {"v": 1}
    assert hit.age == pytest.approx(9.999)
    assert hit.fresh_for == pytest.approx(0.001)

    clock.advance(0.001)  # exactly stored_at + ttl
    assert (await cache.get("track", "t")).state is State.STALE
    clock.advance(4.999)
    assert (await cache.get("track", "t")).state is State.STALE
    clock.advance(0.001)  # exactly ttl + swr: no longer served to normal lookups
    assert (await cache.get("track", "t")).state is State.MISS

    backup = await cache.get_stale_for_error("track", "t")
    assert backup.state is State.STALE
    assert backup.value == {"v": 1}
    clock.advance(19.999)
    assert (await cache.get_stale_for_error("track", "t")).state is State.STALE
    clock.advance(0.001)  # exactly ttl + swr + sie: gone for good
    assert (await cache.get_stale_for_error("track", "t")).state is State.MISS
    assert cache.stats().l1_entries == 0


async def test_windows_at_their_exact_boundaries_in_l2() -> None:
    clock = ManualClock(1_000.0)
    l2 = MemoryStorage(clock=clock)
    await make(clock, l2).put("track", "t", [1, 2])

    async def read(offset: float) -> tuple[State, State]:
        clock.now = 1_000.0 + offset
        normal = await make(clock, l2).get("track", "t")  # a new process: L1 is empty
        on_error = await make(clock, l2).get_stale_for_error("track", "t")
        assert normal.tier in (None, "l2")
        return normal.state, on_error.state

    assert await read(9.999) == (State.FRESH, State.FRESH)
    assert await read(10.0) == (State.STALE, State.STALE)
    assert await read(14.999) == (State.STALE, State.STALE)
    assert await read(15.0) == (State.MISS, State.STALE)
    assert await read(34.999) == (State.MISS, State.STALE)
    assert await read(35.0) == (State.MISS, State.MISS)


async def test_l2_hit_is_promoted_into_l1() -> None:
    clock = ManualClock()
    l2 = SpyStorage(clock)
    await make(clock, l2).put("track", "t", {"v": 1})
    reader = make(clock, l2)

    first = await reader.get("track", "t")
    second = await reader.get("track", "t")

    assert (first.tier, second.tier) == ("l2", "l1")
    assert first.value == second.value == {"v": 1}
    assert len(l2.reads) == 1  # the second lookup never reached L2
    kind = reader.stats().kinds["track"]
    assert (kind.l1.hits, kind.l1.misses, kind.l2.hits, kind.misses) == (1, 1, 1, 0)
    assert reader.stats().l1_entries == 1


async def test_get_many_reads_l2_once_for_the_l1_misses_only() -> None:
    clock = ManualClock()
    l2 = SpyStorage(clock)
    writer = make(clock, l2)
    await writer.put_many("track", {"a": 1, "b": 2, "c": 3})
    reader = make(clock, l2)
    await reader.put("track", "a", 10)
    l2.reads.clear()

    found = await reader.get_many("track", ["a", "b", "c", "d", "a"])

    assert list(found) == ["a", "b", "c", "d"]
    assert {k: (v.state, v.tier, v.value) for k, v in found.items()} == {
        "a": (State.FRESH, "l1", 10),
        "b": (State.FRESH, "l2", 2),
        "c": (State.FRESH, "l2", 3),
        "d": (State.MISS, None, None),
    }
    assert l2.reads == [["cache:track:b", "cache:track:c", "cache:track:d"]]
    again = await reader.get_many("track", ["b", "c"])
    assert {v.tier for v in again.values()} == {"l1"}
    assert len(l2.reads) == 1


async def test_stale_l1_entry_yields_to_a_fresher_l2_entry() -> None:
    clock = ManualClock()
    l2 = MemoryStorage(clock=clock)
    mine, other = make(clock, l2), make(clock, l2)
    await mine.put("track", "t", "old")
    clock.advance(11)  # stale in my L1
    await other.put("track", "t", "new")  # another process refreshed L2

    hit = await mine.get("track", "t")

    assert (hit.state, hit.value, hit.tier) == (State.FRESH, "new", "l2")
    assert (await mine.get("track", "t")).tier == "l1"


async def test_stale_l1_entry_is_served_when_l2_has_nothing_newer() -> None:
    clock = ManualClock()
    l2 = SpyStorage(clock)
    cache = make(clock, l2)
    await cache.put("track", "t", "v")
    clock.advance(12)
    hit = await cache.get("track", "t")
    assert (hit.state, hit.tier, hit.value, hit.fresh_for) == (State.STALE, "l1", "v", 0.0)
    kind = cache.stats().kinds["track"]
    assert (kind.l1.stale, kind.l2.misses, kind.misses) == (1, 1, 0)


async def test_model_codec_brings_models_back_from_l2_and_l1_returns_the_same_object() -> None:
    clock = ManualClock()
    l2 = MemoryStorage(clock=clock)
    codecs = {"track": ModelCodec(Track)}
    writer = make(clock, l2, codecs=codecs)
    await writer.put("track", TRACK.id, TRACK)
    assert (await writer.get("track", TRACK.id)).value is TRACK

    from_l2 = await make(clock, l2, codecs=codecs).get("track", TRACK.id)
    assert isinstance(from_l2.value, Track)
    assert from_l2.value == TRACK


async def test_default_codec_stores_models_in_wire_form() -> None:
    clock = ManualClock()
    l2 = MemoryStorage(clock=clock)
    await make(clock, l2).put("track", TRACK.id, TRACK)
    hit = await make(clock, l2).get("track", TRACK.id)
    assert hit.value == TRACK.to_wire()


async def test_unavailable_l2_degrades_to_l1_and_recovers_after_the_retry_delay() -> None:
    clock = ManualClock()
    l2 = SpyStorage(clock)
    cache = make(clock, l2, l2_retry_after=30)
    await cache.put("track", "before", 1)
    l2.down = True

    await cache.put("track", "during", 2)  # L1 only; the failure is counted, not raised
    assert (await cache.get("track", "during")).value == 2
    assert (await cache.get("track", "before")).value == 1
    miss = await cache.get("track", "never")
    assert miss.state is State.MISS
    stats = cache.stats()
    assert stats.l2_errors == 1  # later calls skip L2 until the retry delay passes
    assert stats.l2_available is False

    l2.down = False
    clock.advance(29)
    await cache.put("track", "still-skipped", 3)
    assert "cache:track:still-skipped" not in {k for w in l2.writes for k in w}
    clock.advance(1)
    await cache.put("track", "after", 4)
    assert l2.writes[-1] == ["cache:track:after"]
    assert cache.stats().l2_available is True


async def test_l1_is_bounded_whatever_the_number_of_puts() -> None:
    clock = ManualClock()
    cache = make(clock, l1=50)
    for i in range(5_000):
        await cache.put("track" if i % 2 else "artist", str(i), i)
    stats = cache.stats()
    assert stats.l1_entries == 50
    assert stats.l1_evictions == 4_950
    assert (await cache.get("track", "4999")).value == 4999
    assert (await cache.get("artist", "0")).state is State.MISS


@given(
    bound=st.integers(1, 20),
    puts=st.lists(st.tuples(st.sampled_from(["track", "artist"]), st.integers(0, 200))),
)
async def test_l1_entries_never_exceed_the_bound(bound: int, puts: list[tuple[str, int]]) -> None:
    cache = make(ManualClock(), l1=bound)
    for kind, key in puts:
        await cache.put(kind, str(key), key)
        await cache.get(kind, str(key + 1))
        assert cache.stats().l1_entries <= bound


def expected_states(stored_at: float, now: float, policy: CachePolicy) -> tuple[State, State]:
    """What ``get`` and ``get_stale_for_error`` must answer, by the windows' definition."""
    fresh_until = stored_at + policy.ttl
    revalidate_until = fresh_until + policy.stale_while_revalidate
    error_until = revalidate_until + policy.stale_if_error
    if now < fresh_until:
        return State.FRESH, State.FRESH
    if now < revalidate_until:
        return State.STALE, State.STALE
    return State.MISS, (State.STALE if now < error_until else State.MISS)


windows = st.integers(0, 8) | st.floats(0, 1e6, allow_nan=False)


@given(
    ttl=windows,
    swr=windows,
    sie=windows,
    start=st.floats(0, 2e9, allow_nan=False),
    probes=st.lists(
        st.tuples(
            st.sampled_from(["fresh_until", "revalidate_until", "error_until", "stored_at"]),
            st.sampled_from([-1.0, -1e-3, 0.0, 1e-3, 1.0]),
            st.booleans(),
        ),
        min_size=1,
        max_size=12,
    ),
)
async def test_windows_hold_at_and_around_every_boundary(
    ttl: float,
    swr: float,
    sie: float,
    start: float,
    probes: list[tuple[str, float, bool]],
) -> None:
    policy = CachePolicy(ttl, swr, sie)
    clock = ManualClock(start)
    l2 = MemoryStorage(clock=clock)
    cache = make(clock, l2, policy=policy)
    await cache.put("track", "k", "v")
    marks = {
        "stored_at": start,
        "fresh_until": start + ttl,
        "revalidate_until": start + ttl + swr,
        "error_until": start + ttl + swr + sie,
    }
    for mark, offset, restart in sorted(probes, key=lambda p: marks[p[0]] + p[1]):
        clock.now = max(clock.now, marks[mark] + offset)
        if restart:
            cache = make(clock, l2, policy=policy)  # only L2 survives
        normal = await cache.get("track", "k")
        on_error = await cache.get_stale_for_error("track", "k")
        assert (normal.state, on_error.state) == expected_states(start, clock.now, policy)
        assert normal.value == ("v" if normal.hit else None)
        assert on_error.value == ("v" if on_error.hit else None)


ops = st.lists(
    st.tuples(
        st.sampled_from(["put", "get", "get_many", "error", "restart"]),
        st.integers(0, 1),
        st.integers(0, 4) | st.floats(0, 40, allow_nan=False),
    ),
    max_size=40,
)


@given(ttl=st.integers(0, 6), swr=st.integers(0, 6), sie=st.integers(0, 6), operations=ops)
async def test_mixed_operations_never_return_anything_outside_its_window(
    ttl: int, swr: int, sie: int, operations: list[tuple[str, int, float]]
) -> None:
    clock = ManualClock(0.0)
    policy = CachePolicy(ttl, swr, sie)
    l2 = MemoryStorage(clock=clock)
    cache = make(clock, l2, l1=1, policy=policy)
    stored_at: dict[str, float] = {}
    value_of: dict[str, int] = {}

    def check(key: str, hit: Any, on_error: bool) -> None:
        if key not in stored_at:
            assert hit.state is State.MISS
            return
        expected = expected_states(stored_at[key], clock.now, policy)[on_error]
        assert hit.state is expected
        if hit.hit:
            assert hit.value == value_of[key]

    for step, (op, k, advance) in enumerate(operations):
        key = str(k)
        clock.advance(advance)
        if op == "put":
            await cache.put("track", key, step)
            stored_at[key], value_of[key] = clock.now, step
        elif op == "get":
            check(key, await cache.get("track", key), on_error=False)
        elif op == "get_many":
            for got_key, hit in (await cache.get_many("track", [key, str(1 - k)])).items():
                check(got_key, hit, on_error=False)
        elif op == "error":
            check(key, await cache.get_stale_for_error("track", key), on_error=True)
        else:
            cache = make(clock, l2, l1=1, policy=policy)  # a restart: only L2 survives


async def test_invalidate_one_kind_or_all_in_both_tiers() -> None:
    clock = ManualClock()
    l2 = MemoryStorage(clock=clock)
    await l2.set_many({"ids:s:someone": Stored(b"x", clock() + 100)})  # another user of L2
    cache = make(clock, l2)
    await cache.put_many("track", {"a": 1, "b": 2})
    await cache.put("artist", "x", 3)

    await cache.invalidate("track")
    assert (await cache.get("track", "a")).state is State.MISS
    assert (await make(clock, l2).get("track", "b")).state is State.MISS
    assert (await cache.get("artist", "x")).value == 3

    await cache.invalidate()
    assert (await make(clock, l2).get("artist", "x")).state is State.MISS
    assert cache.stats().l1_entries == 0
    assert await l2.get_many(["ids:s:someone"]) != {}  # outside the cache's namespace


async def test_invalidate_reports_an_unavailable_l2() -> None:
    clock = ManualClock()
    l2 = SpyStorage(clock)
    cache = make(clock, l2)
    await cache.put("track", "a", 1)
    l2.down = True
    with pytest.raises(StorageUnavailable):
        await cache.invalidate("track")
    assert cache.stats().l1_entries == 0


async def test_stats_count_per_kind_and_tier() -> None:
    clock = ManualClock()
    cache = make(clock, MemoryStorage(clock=clock))
    await cache.put("track", "a", 1)
    await cache.get("track", "a")  # l1 hit
    await cache.get("track", "zz")  # miss in both tiers
    clock.advance(11)
    await cache.get("track", "a")  # stale from l1
    await cache.get_stale_for_error("track", "a")
    stats = cache.stats()
    track, artist = stats.kinds["track"], stats.kinds["artist"]
    assert (track.l1.hits, track.l1.stale, track.l1.misses) == (1, 1, 2)
    assert (track.l2.hits, track.l2.stale, track.l2.misses) == (0, 0, 2)
    assert (track.misses, track.served_on_error, track.lookups) == (1, 1, 3)
    assert track.hit_rate == pytest.approx(1 / 3)
    assert artist.lookups == 0
    assert artist.hit_rate == 0.0
    assert stats.hit_rate == pytest.approx(1 / 3)


async def test_hot_keys_name_the_most_requested_keys() -> None:
    cache = make(ManualClock())
    for _ in range(3):
        await cache.get("track", "popular")
    await cache.get_many("artist", ["rare", "popular"])
    top = cache.hot_keys(3)
    assert top[0] == (("track", "popular"), 3)
    assert sorted(top[1:]) == [(("artist", "popular"), 1), (("artist", "rare"), 1)]
    assert cache.hot_keys(1) == [(("track", "popular"), 3)]


async def test_corrupt_l2_bytes_count_as_a_miss() -> None:
    clock = ManualClock()
    l2 = MemoryStorage(clock=clock)
    await l2.set_many(
        {
            "cache:track:short": Stored(b"abc", clock() + 100),
            "cache:track:junk": Stored(b"\x00" * 8 + b"{not json", clock() + 100),
        }
    )
    cache = make(clock, l2)
    found = await cache.get_many("track", ["short", "junk"])
    assert {v.state for v in found.values()} == {State.MISS}
    assert cache.stats().l2_decode_errors == 2


async def test_unencodable_value_raises_and_stores_nothing() -> None:
    clock = ManualClock()
    cache = make(clock, MemoryStorage(clock=clock))
    with pytest.raises(ValueError, match=r"\('track', 'bad'\) cannot be encoded"):
        await cache.put_many("track", {"ok": 1, "bad": object()})
    assert cache.stats().l1_entries == 0


async def test_zero_retention_keeps_nothing() -> None:
    clock = ManualClock()
    l2 = MemoryStorage(clock=clock)
    cache = TieredCache(10, l2, {"search": CachePolicy(ttl=0)}, clock=clock)
    await cache.put("search", "q", [1])
    assert (await cache.get("search", "q")).state is State.MISS
    assert len(l2) == 0


async def test_works_without_l2() -> None:
    clock = ManualClock()
    cache = make(clock, None)
    await cache.put("track", "a", 1)
    assert (await cache.get("track", "a")).value == 1
    assert (await cache.get("track", "b")).state is State.MISS
    assert cache.stats().l2_available is False
    await cache.invalidate()
    await cache.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ttl": -1}, "ttl must be a finite number of seconds >= 0"),
        ({"ttl": float("inf")}, "ttl must be a finite"),
        ({"ttl": 1, "stale_while_revalidate": -0.5}, "stale_while_revalidate must be"),
        ({"ttl": 1, "stale_if_error": float("nan")}, "stale_if_error must be"),
        ({"ttl": True}, "ttl must be"),
    ],
)
def test_policy_rejects_bad_windows(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CachePolicy(**kwargs)


def test_constructor_rejects_bad_arguments() -> None:
    clock = ManualClock()
    with pytest.raises(ValueError, match="policies must name at least one kind"):
        TieredCache(10, None, {}, clock=clock)
    with pytest.raises(ValueError, match="without ':'"):
        TieredCache(10, None, {"a:b": POLICY}, clock=clock)
    with pytest.raises(ValueError, match="must be a CachePolicy"):
        TieredCache(10, None, {"a": 5}, clock=clock)  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="codecs name kinds without a policy"):
        TieredCache(10, None, {"a": POLICY}, codecs={"b": ModelCodec(Track)}, clock=clock)
    with pytest.raises(ValueError, match="max_entries must be an integer >= 1"):
        TieredCache(0, None, {"a": POLICY}, clock=clock)


async def test_lookups_reject_unknown_kinds_and_bad_keys() -> None:
    cache = make(ManualClock())
    with pytest.raises(ValueError, match=r"kind 'album' has no cache policy; known kinds"):
        await cache.get("album", "x")
    with pytest.raises(ValueError, match="not one string"):
        await cache.get_many("track", "abc")
    with pytest.raises(ValueError, match="keys must be strings"):
        await cache.put_many("track", {1: "x"})  # type: ignore[dict-item]


async def test_expiring_names_hot_keys_near_the_end_of_their_freshness() -> None:
    clock = ManualClock(1_000.0)
    cache = TieredCache(
        100,
        None,
        {"track": CachePolicy(100.0, stale_while_revalidate=50.0)},
        clock=clock,
    )
    await cache.put("track", "a", {"v": 1})
    clock.advance(30)
    await cache.put("track", "b", {"v": 2})
    for _ in range(3):
        await cache.get("track", "a")
        await cache.get("track", "b")
    assert cache.expiring(10, 0.2) == []
    clock.advance(55)  # a: 85 s old (last fifth), b: 55 s old
    assert cache.expiring(10, 0.2) == [("track", "a")]
    clock.advance(40)  # a: 125 s old, stale but revalidatable; b: 95 s old, in its last fifth
    assert sorted(cache.expiring(10, 0.2)) == [("track", "a"), ("track", "b")]
    clock.advance(100)  # both past the revalidate window: nothing to refresh
    assert cache.expiring(10, 0.2) == []
    with pytest.raises(ValueError, match="margin"):
        cache.expiring(10, 1.5)


async def test_pull_newer_takes_what_another_cache_stored_in_the_shared_l2() -> None:
    clock = ManualClock(1_000.0)
    l2 = MemoryStorage(clock=clock)
    policies = {"track": CachePolicy(100.0)}
    mine, theirs = (TieredCache(100, l2, policies, clock=clock) for _ in range(2))
    await mine.put_many("track", {"a": {"v": 1}, "b": {"v": 1}})
    assert await mine.pull_newer("track", ["a", "b", "c"]) == set()  # L2 holds L1's own copy
    clock.advance(90)
    await theirs.put("track", "a", {"v": 2})
    assert await mine.pull_newer("track", ["a", "b", "c"]) == {"a"}
    clock.advance(20)  # b's first copy is stale now; a's newer one is not
    assert mine.holds_fresh("track", "a")
    assert not mine.holds_fresh("track", "b")
    assert (await mine.get("track", "a")).value == {"v": 2}


async def test_a_tally_counts_the_lookups_of_its_block_only() -> None:
    clock = ManualClock()
    cache = make(clock, MemoryStorage(clock=clock), codecs={"track": ModelCodec(Track)})
    await cache.put("track", TRACK.id, TRACK)
    await cache.get("track", "missing-before")  # outside any tally: counted by none
    with tally_lookups() as tally:
        await cache.get("track", TRACK.id)  # fresh in L1
        await cache.get_many("track", [TRACK.id, "nowhere"])  # one fresh, one miss
        with tally_lookups() as inner:
            await cache.get("track", "elsewhere")
    assert (tally.answered, tally.missed) == (2, 1)
    assert (inner.answered, inner.missed) == (0, 1)
    clock.advance(12)  # past fresh, within stale-while-revalidate: answered, stale
    with tally_lookups() as stale:
        assert (await cache.get("track", TRACK.id)).state is State.STALE
    assert (stale.answered, stale.missed) == (1, 0)
