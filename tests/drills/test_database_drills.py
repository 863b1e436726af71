"""Database drills: PostgreSQL stopped and started again under the running service; the SQLite
cache file locked by another process or full.

PostgreSQL runs as a throwaway cluster made for the test (``initdb`` + ``pg_ctl`` from
``/usr/lib/postgresql/*/bin``, as the ``postgres`` user when the tests run as root) on a free
port in a temporary folder, so stopping it disturbs nobody.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from drillkit import DrillService, Figures, Tally, free_port, set_faults

from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog
from moodmix.store import SQLiteStorage


class Cluster:
    """A PostgreSQL cluster of our own: ``start()``, ``stop()`` (immediate, as a crash)."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            pytest.skip("PostgreSQL server binaries are not installed (Debian's postgresql)")
        self.bin = Path(bins[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="moodmix-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.user: list[str] = []
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: initdb refuses root")
            shutil.chown(self.root, "postgres", "postgres")
            self.user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.user, str(self.bin / tool), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.root / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        subprocess.run(
            [*self.user, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    made = Cluster()
    try:
        made.start()
        yield made
    finally:
        made.remove()


async def test_postgresql_down_and_back(
    drill_service: DrillService,
    simulator: SimulatorServer,
    cluster: Cluster,
    figures: Figures,
) -> None:
    running = await drill_service(database_url=cluster.url, job_lease_s=2)
    await set_faults(simulator, latency_ms=300, latency_p99_ms=600)
    r = await running.http.post("/v1/playlists", json={"prompt": "rainy sunday acoustic"})
    assert r.status_code == 202, r.text
    id = r.json()["id"]
    await running.until(id, lambda p: p["status"] == "running")

    cluster.stop()
    tally = Tally()
    tally.add(await running.http.get(f"/v1/playlists/{id}"))
    tally.add(await running.http.post("/v1/playlists", json={"prompt": "late night jazz"}))
    tally.add(await running.http.get("/v1/playlists"))
    health = await running.http.get("/readyz")
    await asyncio.sleep(1.0)
    await set_faults(simulator, latency_ms=0, latency_p99_ms=0)
    assert all(status in (200, 202, 503) for status in tally.statuses), tally
    assert set(tally.codes) <= {"database_unavailable"}, tally.codes

    cluster.start()
    done = await running.until(id, lambda p: p["status"] in ("done", "failed"), limit_s=90)
    assert done["status"] == "done", done
    after = await running.http.post("/v1/playlists", json={"prompt": "late night jazz"})
    assert after.status_code in (200, 202), after.text
    figures.record(
        "PostgreSQL stopped (immediate) with a job running, then started",
        failed=tally.failed,
        could_fail=tally.total,
        outcome=f"during the outage every store request was a 503 database_unavailable with "
        f"Retry-After (readiness answered {health.status_code}); the running job finished "
        f"once the database was back (attempt {done['attempts']}); new playlists accepted",
    )


def lock_exclusively(path: Path) -> sqlite3.Connection:
    """Another program holding the cache file with an exclusive lock."""
    other = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False)
    other.execute("PRAGMA journal_mode=DELETE")
    other.execute("BEGIN EXCLUSIVE")
    return other


async def test_a_locked_sqlite_cache_degrades_to_memory(
    simulator: SimulatorServer, catalog: Catalog, tmp_path: Path, figures: Figures
) -> None:
    path = tmp_path / "cache.sqlite3"
    settings = Settings(reccobeats_url=simulator.url, rate_per_min=60_000, burst=50, prefetch=False)
    storage = SQLiteStorage(path, busy_timeout=0.1)
    ids = list(catalog.track_spotify_ids()[:20])
    async with ReccoBeats.from_settings(settings, storage=storage) as rb:
        assert len(await rb.get_tracks(ids[:10])) == 10
    other = await asyncio.to_thread(lock_exclusively, path)
    try:
        storage = SQLiteStorage(path, busy_timeout=0.1)
        async with ReccoBeats.from_settings(settings, storage=storage) as rb:
            found = await rb.get_tracks(ids)
            again = await rb.get_tracks(ids)
            stats = rb._cache.stats()
    finally:
        other.close()
    assert [t.spotify_id for t in found] == ids
    assert [t.id for t in again] == [t.id for t in found]
    assert stats.l2_errors > 0
    figures.record(
        "SQLite cache file locked exclusively by another process",
        failed=0,
        could_fail=2 * len(ids),
        outcome=f"L2 errors counted ({stats.l2_errors}); answered from the upstream and L1 "
        "memory; nothing refused",
    )


async def test_a_full_sqlite_cache_degrades_to_memory(
    simulator: SimulatorServer, catalog: Catalog, tmp_path: Path, figures: Figures
) -> None:
    path = tmp_path / "cache.sqlite3"
    settings = Settings(reccobeats_url=simulator.url, rate_per_min=60_000, burst=50, prefetch=False)
    storage = SQLiteStorage(path)
    ids = list(catalog.track_spotify_ids()[:200])
    async with ReccoBeats.from_settings(settings, storage=storage) as rb:
        await rb.get_tracks(ids[:1])
    # A full disk, as SQLite sees it: the file may not grow past its current pages.
    pages = sqlite3.connect(path).execute("PRAGMA page_count").fetchone()[0]
    storage = SQLiteStorage(path)
    conn = await storage._connection()
    await conn.execute(f"PRAGMA max_page_count={pages}")
    async with ReccoBeats.from_settings(settings, storage=storage) as rb:
        found = await rb.get_tracks(ids)
        again = await rb.get_tracks(ids)
        stats = rb._cache.stats()
        upstream = simulator.counters.count("/v1/track")
    assert [t.spotify_id for t in found] == ids
    assert [t.id for t in again] == [t.id for t in found]
    assert stats.l2_errors > 0
    figures.record(
        "SQLite cache file full (max_page_count reached)",
        failed=0,
        could_fail=2 * len(ids),
        outcome=f"writes fail and are counted ({stats.l2_errors} L2 errors); every track "
        f"served, the second time from L1 memory ({upstream} upstream batch calls in all)",
    )
