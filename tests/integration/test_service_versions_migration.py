"""Migration 0007 on SQLite and PostgreSQL: finished playlists made before it become version
1, and it goes back down cleanly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from moodmix.service.db import Database, alembic_config

pytest_plugins = ["test_service_harness"]


def _to(revision: str, down: bool = False) -> Callable[[Connection], None]:
    def run(connection: Connection) -> None:
        config = alembic_config(connection)
        (command.downgrade if down else command.upgrade)(config, revision)

    return run


async def test_finished_playlists_become_version_1(database_url: str) -> None:
    db = await Database.open(database_url, migrate=False)
    try:
        async with db.engine.begin() as conn:
            await conn.run_sync(_to("0006"))
            now = datetime.now(UTC)
            for id, status, result in [
                ("made", "done", '{"tracks": [{"id": "t1"}], "order": "arc"}'),
                ("going", "running", None),
            ]:
                await conn.execute(
                    text(
                        "INSERT INTO playlists (id, status, client, request, result, attempts, "
                        "created_at, updated_at, finished_at, account) VALUES (:id, :status, "
                        "'ip:1', '{\"prompt\": \"x\"}', :result, 1, :now, :now, :now, 'public')"
                    ),
                    {"id": id, "status": status, "result": result, "now": now},
                )
        async with db.engine.begin() as conn:
            await conn.run_sync(_to("0007"))
        async with db.engine.connect() as conn:
            rows = dict((await conn.execute(text("SELECT id, version FROM playlists"))).all())
            assert rows == {"made": 1, "going": 0}
            versions = (
                await conn.execute(
                    text("SELECT playlist_id, number, parent, change FROM playlist_versions")
                )
            ).all()
            assert [tuple(v) for v in versions] == [("made", 1, None, "made from the prompt")]
        async with db.engine.begin() as conn:
            await conn.run_sync(_to("0006", down=True))
        async with db.engine.connect() as conn:
            left = (await conn.execute(text("SELECT id FROM playlists ORDER BY id"))).all()
            assert [r[0] for r in left] == ["going", "made"]
    finally:
        await db.engine.dispose()
