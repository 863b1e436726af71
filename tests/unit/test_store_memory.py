from __future__ import annotations

from moodmix.clock import ManualClock
from moodmix.store import MemoryStorage, Storage, Stored


def test_memory_storage_is_a_storage() -> None:
    assert isinstance(MemoryStorage(), Storage)


async def test_entry_is_returned_until_the_exact_expiry_and_never_after() -> None:
    clock = ManualClock(1_000.0)
    storage = MemoryStorage(clock=clock)
    await storage.set_many({"k": Stored(b"v", expires_at=1_010.0)})
    clock.advance(9.999)
    assert await storage.get_many(["k"]) == {"k": Stored(b"v", 1_010.0)}
    clock.advance(0.001)  # now == expires_at
    assert await storage.get_many(["k"]) == {}
    assert len(storage) == 0  # dropped on read


async def test_get_many_returns_only_present_keys() -> None:
    storage = MemoryStorage(clock=ManualClock())
    await storage.set_many({"a": Stored(b"1", 2_000.0), "b": Stored(b"2", 2_000.0)})
    assert set(await storage.get_many(["a", "b", "c"])) == {"a", "b"}


async def test_delete_and_prefix_clear() -> None:
    storage = MemoryStorage(clock=ManualClock())
    items = {f"{p}:{i}": Stored(b"x", 5_000.0) for p in ("track", "artist") for i in range(3)}
    await storage.set_many(items)
    await storage.delete_many(["track:0", "nope"])
    assert await storage.clear("track:") == 2
    assert sorted(await storage.get_many(items)) == ["artist:0", "artist:1", "artist:2"]
    assert await storage.clear() == 3
    assert await storage.get_many(items) == {}


async def test_bounded_by_entry_count() -> None:
    storage = MemoryStorage(max_entries=3, clock=ManualClock())
    await storage.set_many({str(i): Stored(b"x", 5_000.0) for i in range(10)})
    assert len(storage) == 3
    assert sorted(await storage.get_many(str(i) for i in range(10))) == ["7", "8", "9"]
