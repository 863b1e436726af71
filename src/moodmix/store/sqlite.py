"""``Storage`` in one SQLite file: the default L2, survives restarts, no server needed.

One table (``key`` primary key, ``value`` blob, ``expires_at`` real, indexed), WAL mode so
readers never wait for the writer, batched ``IN (...)`` reads and ``executemany`` writes in
one transaction each. Expired rows are never returned and are purged every
``purge_interval`` seconds on a write::

    storage = SQLiteStorage(Path.home() / ".cache" / "moodmix" / "cache.db")
    await storage.set_many({"k": Stored(b"v", expires_at=time.time() + 60)})
    await storage.get_many(["k"])        # also from a new instance after a restart
    await storage.close()

A locked, unreadable or unwritable file raises ``StorageUnavailable``; a failed write is
rolled back whole, so the file never holds half a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import aiosqlite

from moodmix.clock import Clock, wall
from moodmix.store.storage import StorageUnavailable, Stored

_CHUNK = 500
"""Ids per ``IN (...)``: well under SQLite's oldest host-parameter limit (999)."""

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries ("
    " key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL, expires_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS entries_expires_at ON entries (expires_at)",
)


class SQLiteStorage:
    """``Storage`` backed by a SQLite file at ``path`` (parent directories are created)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Clock = wall,
        purge_interval: float = 600.0,
        busy_timeout: float = 5.0,
    ) -> None:
        if not str(path):
            raise ValueError("path must name a file, got an empty path")
        if str(path) == ":memory:":
            raise ValueError("path must be a file path; use MemoryStorage for an in-memory store")
        if not purge_interval > 0:
            raise ValueError(f"purge_interval must be > 0 seconds, got {purge_interval!r}")
        if not busy_timeout >= 0:
            raise ValueError(f"busy_timeout must be >= 0 seconds, got {busy_timeout!r}")
        self.path = Path(path).expanduser()
        self._clock = clock
        self._purge_interval = purge_interval
        self._busy_timeout = busy_timeout
        self._next_purge = float("-inf")
        self._conn: aiosqlite.Connection | None = None
        self._open_lock = asyncio.Lock()
        self._write_lock = asyncio.Lock()

    async def get_many(self, keys: Iterable[str]) -> dict[str, Stored]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        conn = await self._connection()
        now = self._clock()
        found: dict[str, Stored] = {}
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                rows = await conn.execute_fetchall(
                    "SELECT key, value, expires_at FROM entries"
                    f" WHERE expires_at > ? AND key IN ({','.join('?' * len(chunk))})",
                    (now, *chunk),
                )
                for key, value, expires_at in rows:
                    found[key] = Stored(bytes(value), float(expires_at))
        except sqlite3.Error as exc:
            raise self._unavailable("read from", exc) from exc
        return found

    async def set_many(self, items: Mapping[str, Stored]) -> None:
        if not items:
            return
        rows = [(key, stored.value, stored.expires_at) for key, stored in items.items()]
        await self._write(
            "INSERT OR REPLACE INTO entries (key, value, expires_at) VALUES (?, ?, ?)", rows
        )

    async def delete_many(self, keys: Iterable[str]) -> None:
        wanted = list(dict.fromkeys(keys))
        if wanted:
            await self._write("DELETE FROM entries WHERE key = ?", [(key,) for key in wanted])

    async def clear(self, prefix: str | None = None) -> int:
        if prefix is None:
            return await self._write("DELETE FROM entries", None)
        return await self._write(
            "DELETE FROM entries WHERE substr(key, 1, ?) = ?", [(len(prefix), prefix)]
        )

    async def purge(self) -> int:
        """Delete every expired row now; return how many."""
        return await self._write("DELETE FROM entries WHERE expires_at <= ?", [(self._clock(),)])

    async def close(self) -> None:
        async with self._open_lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                await conn.close()

    async def _write(self, sql: str, rows: Sequence[tuple[object, ...]] | None) -> int:
        conn = await self._connection()
        async with self._write_lock:
            try:
                await conn.execute("BEGIN IMMEDIATE")
                if rows is None:
                    cursor = await conn.execute(sql)
                elif len(rows) == 1:
                    cursor = await conn.execute(sql, rows[0])
                else:
                    cursor = await conn.executemany(sql, rows)
                changed = max(cursor.rowcount, 0)
                now = self._clock()
                if now >= self._next_purge:
                    await conn.execute("DELETE FROM entries WHERE expires_at <= ?", (now,))
                    self._next_purge = now + self._purge_interval
                await conn.execute("COMMIT")
            except sqlite3.Error as exc:
                await self._rollback(conn)
                raise self._unavailable("write to", exc) from exc
            except BaseException:
                await self._rollback(conn)
                raise
        return changed

    async def _connection(self) -> aiosqlite.Connection:
        if self._conn is not None:
            return self._conn
        async with self._open_lock:
            if self._conn is None:
                self._conn = await self._open()
            return self._conn

    async def _open(self) -> aiosqlite.Connection:
        try:
            await asyncio.to_thread(self.path.parent.mkdir, parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unavailable("create the directory of", exc) from exc
        try:
            conn = await aiosqlite.connect(
                self.path, isolation_level=None, timeout=self._busy_timeout
            )
        except sqlite3.Error as exc:
            raise self._unavailable("open", exc) from exc
        try:
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                await conn.execute(statement)
        except sqlite3.Error as exc:
            await conn.close()
            raise self._unavailable("set up", exc) from exc
        return conn

    @staticmethod
    async def _rollback(conn: aiosqlite.Connection) -> None:
        with contextlib.suppress(sqlite3.Error):  # nothing begun, or already rolled back
            await conn.execute("ROLLBACK")

    def _unavailable(self, doing: str, exc: BaseException) -> StorageUnavailable:
        return StorageUnavailable(
            f"cannot {doing} the SQLite cache file {self.path}: {exc}. Another process may hold "
            "a lock on it, or the file or its directory is not writable; free it or choose "
            "another path.",
            backend="sqlite",
        )
