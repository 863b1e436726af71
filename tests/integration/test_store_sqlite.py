from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from moodmix.clock import ManualClock
from moodmix.reccobeats.models import Track
from moodmix.store import (
    CachePolicy,
    IdRegistry,
    ModelCodec,
    SQLiteStorage,
    State,
    Storage,
    StorageUnavailable,
    Stored,
    TieredCache,
)

TRACK = Track(
    id="6f0d4a3e-53a5-4a6b-8a93-2f0c6a1f7a9b",
    href="https://open.spotify.com/track/00aqkszH1FdUiJJWvX6iEl",
    track_title="Rainy Sunday",
)
SPOTIFY_ID = "00aqkszH1FdUiJJWvX6iEl"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(1_700_000_000.0)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "dirs" / "cache.db"


@pytest.fixture
async def storage(path: Path, clock: ManualClock) -> AsyncIterator[SQLiteStorage]:
    store = SQLiteStorage(path, clock=clock)
    yield store
    await store.close()


def rows(path: Path) -> list[tuple[str, bytes, float]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT key, value, expires_at FROM entries ORDER BY key"))


async def test_round_trip_creates_the_file_in_wal_mode(
    storage: SQLiteStorage, path: Path, clock: ManualClock
) -> None:
    assert isinstance(storage, Storage)
    await storage.set_many({"a": Stored(b"\x00bytes\xff", clock() + 60), "b": Stored(b"", 1e12)})
    assert await storage.get_many(["a", "b", "c"]) == {
        "a": Stored(b"\x00bytes\xff", clock() + 60),
        "b": Stored(b"", 1e12),
    }
    assert [key for key, *_ in rows(path)] == ["a", "b"]  # in the file at the given path
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(entries)")}
    assert "entries_expires_at" in indexes


async def test_a_new_instance_on_the_same_file_sees_old_entries(
    path: Path, clock: ManualClock
) -> None:
    first = SQLiteStorage(path, clock=clock)
    await first.set_many({"k": Stored(b"v", clock() + 3600)})
    await first.close()

    second = SQLiteStorage(path, clock=clock)
    try:
        assert await second.get_many(["k"]) == {"k": Stored(b"v", clock() + 3600)}
    finally:
        await second.close()


async def test_expired_rows_are_never_returned_and_are_purged(
    storage: SQLiteStorage, path: Path, clock: ManualClock
) -> None:
    await storage.set_many({"old": Stored(b"1", clock() + 10), "new": Stored(b"2", clock() + 100)})
    clock.advance(10)  # exactly the expiry of "old"
    assert set(await storage.get_many(["old", "new"])) == {"new"}
    assert [key for key, *_ in rows(path)] == ["new", "old"]  # still on disk until a purge
    assert await storage.purge() == 1
    assert [key for key, *_ in rows(path)] == ["new"]


async def test_writes_purge_expired_rows_periodically(path: Path, clock: ManualClock) -> None:
    storage = SQLiteStorage(path, clock=clock, purge_interval=60)
    try:
        await storage.set_many({"short": Stored(b"x", clock() + 1)})  # first write purges
        clock.advance(30)
        await storage.set_many({"other": Stored(b"y", clock() + 1000)})  # too soon to purge
        assert "short" in [key for key, *_ in rows(path)]
        clock.advance(30)
        await storage.set_many({"third": Stored(b"z", clock() + 1000)})  # interval passed
        assert [key for key, *_ in rows(path)] == ["other", "third"]
    finally:
        await storage.close()


async def test_batches_larger_than_one_statement_are_chunked(
    storage: SQLiteStorage, clock: ManualClock
) -> None:
    items = {f"track:{i:05d}": Stored(str(i).encode(), clock() + 60) for i in range(2_345)}
    await storage.set_many(items)
    found = await storage.get_many([*items, "track:absent"])
    assert found == items
    await storage.delete_many(list(items)[:1_200])
    assert len(await storage.get_many(items)) == 1_145


async def test_prefix_clear_removes_only_that_prefix(
    storage: SQLiteStorage, clock: ManualClock
) -> None:
    await storage.set_many(
        {
            key: Stored(b"x", clock() + 60)
            for key in ["cache:track:1", "cache:track:2", "cache:trackx:1", "ids:s:1", "c%_:1"]
        }
    )
    assert await storage.clear("cache:track:") == 2
    assert await storage.clear("c%_") == 1  # LIKE wildcards are plain characters here
    assert sorted(await storage.get_many(["cache:trackx:1", "ids:s:1"])) == [
        "cache:trackx:1",
        "ids:s:1",
    ]
    assert await storage.clear() == 2


@pytest.fixture
def locked(path: Path) -> Iterator[sqlite3.Connection]:
    """The file, in WAL mode with one entry, held under an exclusive lock by another
    connection."""
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB, expires_at REAL)")
    conn.execute("INSERT INTO entries VALUES ('kept', x'01', 1e12)")
    conn.execute("BEGIN EXCLUSIVE")
    conn.execute("INSERT INTO entries VALUES ('uncommitted', x'02', 1e12)")
    try:
        yield conn
    finally:
        conn.close()


async def test_a_locked_file_raises_storage_unavailable_and_keeps_its_data(
    locked: sqlite3.Connection, path: Path, clock: ManualClock
) -> None:
    storage = SQLiteStorage(path, clock=clock, busy_timeout=0)
    try:
        with pytest.raises(StorageUnavailable, match="locked") as info:
            await storage.set_many({"new": Stored(b"x", clock() + 60)})
        assert info.value.backend == "sqlite"
        assert str(path) in str(info.value)
        with pytest.raises(StorageUnavailable):
            await storage.clear()

        locked.execute("ROLLBACK")
        assert await storage.get_many(["kept", "uncommitted", "new"]) == {
            "kept": Stored(b"\x01", 1e12)
        }
        await storage.set_many({"new": Stored(b"x", clock() + 60)})  # works once released
        assert set(await storage.get_many(["kept", "new"])) == {"kept", "new"}
    finally:
        await storage.close()


async def test_a_locked_file_in_rollback_journal_mode_cannot_even_be_opened(
    path: Path, clock: ManualClock
) -> None:
    path.parent.mkdir(parents=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("BEGIN EXCLUSIVE")
    storage = SQLiteStorage(path, clock=clock, busy_timeout=0)
    try:
        with pytest.raises(StorageUnavailable, match="locked"):
            await storage.get_many(["k"])
    finally:
        conn.close()
        await storage.close()


async def test_an_unwritable_location_raises_storage_unavailable(
    tmp_path: Path, clock: ManualClock
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    storage = SQLiteStorage(blocker / "cache.db", clock=clock)
    with pytest.raises(StorageUnavailable, match="cannot create the directory"):
        await storage.set_many({"k": Stored(b"v", clock() + 60)})
    directory = tmp_path / "a-dir"
    directory.mkdir()
    with pytest.raises(StorageUnavailable, match="cannot open"):
        await SQLiteStorage(directory, clock=clock).get_many(["k"])


async def test_a_file_that_is_not_a_database_raises_storage_unavailable(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "cache.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageUnavailable):
        await SQLiteStorage(path, clock=clock).get_many(["k"])
    assert path.read_bytes() == b"this is not a database" * 100


def test_bad_arguments_are_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="path must be a file path"):
        SQLiteStorage(":memory:")
    with pytest.raises(ValueError, match="purge_interval must be > 0"):
        SQLiteStorage(tmp_path / "x.db", purge_interval=0)
    with pytest.raises(ValueError, match="busy_timeout must be >= 0"):
        SQLiteStorage(tmp_path / "x.db", busy_timeout=-1)


async def test_tiered_cache_and_registry_share_one_file_across_a_restart(
    path: Path, clock: ManualClock
) -> None:
    policies = {"track": CachePolicy(ttl=7200, stale_if_error=86_400)}
    codecs = {"track": ModelCodec(Track)}
    storage = SQLiteStorage(path, clock=clock)
    cache = TieredCache(10, storage, policies, clock=clock, codecs=codecs)
    registry = IdRegistry(storage, clock=clock)
    await cache.put("track", TRACK.id, TRACK)
    await registry.learn(SPOTIFY_ID, TRACK.id)
    await cache.close()

    storage = SQLiteStorage(path, clock=clock)
    cache = TieredCache(10, storage, policies, clock=clock, codecs=codecs)
    registry = IdRegistry(storage, clock=clock)
    try:
        resolved = await registry.resolve_many([SPOTIFY_ID])
        assert resolved.known == {SPOTIFY_ID: TRACK.id}
        hit = await cache.get("track", resolved.known[SPOTIFY_ID])
        assert (hit.state, hit.tier, hit.value) == (State.FRESH, "l2", TRACK)
        await cache.invalidate()
        assert (await registry.resolve_many([SPOTIFY_ID])).known  # registry rows untouched
    finally:
        await cache.close()
