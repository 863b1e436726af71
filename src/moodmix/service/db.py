"""The database behind the service: an async SQLAlchemy engine, sessions, and migrations.

SQLite (``sqlite+aiosqlite:///path``) by default, PostgreSQL (``postgresql+asyncpg://...``)
when the URL says so. ``open`` migrates the schema to the newest revision before use::

    db = await Database.open("sqlite+aiosqlite:////tmp/moodmix.db")
    async with db.session() as session:
        ...
    await db.ping()          # raises if the database cannot be reached
    await db.close()

Migrations live in ``moodmix/service/migrations`` (Alembic), so an installed package can
migrate without a checkout. On PostgreSQL they run under an advisory lock, so several
instances starting together migrate once.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    async_sessionmaker,
    create_async_engine,
)

_MIGRATION_LOCK: Final = 0x6D6F6F64  # "mood": the advisory lock id for migrations
SUPPORTED: Final = ("sqlite+aiosqlite", "postgresql+asyncpg")


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the packaged migrations, bound to ``connection`` if given."""
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("moodmix.service") / "migrations")
    )
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def check_url(url: str) -> str:
    """``url`` if it names a supported async driver; ``ValueError`` saying which are."""
    try:
        driver = make_url(url).drivername
    except Exception as exc:
        raise ValueError(f"MOODMIX_DATABASE_URL is not a database URL: {exc}") from None
    if driver not in SUPPORTED:
        raise ValueError(
            f"MOODMIX_DATABASE_URL uses {driver!r}; use one of {', '.join(SUPPORTED)} "
            "(e.g. sqlite+aiosqlite:////var/lib/moodmix/moodmix.db)"
        )
    return url


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.session = async_sessionmaker(engine, expire_on_commit=False)

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True) -> Database:
        """Connect to ``url`` (creating a SQLite file's folder) and migrate it to the newest
        schema unless ``migrate=False``."""
        parsed = make_url(check_url(url))
        kwargs: dict[str, Any] = {"pool_pre_ping": True}
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        engine = create_async_engine(url, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        db = cls(engine)
        if migrate:
            try:
                await db.migrate()
            except BaseException:
                await engine.dispose()
                raise
        return db

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    async def migrate(self) -> None:
        """Bring the schema to the newest revision."""
        async with self.engine.begin() as conn:
            if self.backend == "postgresql":
                await conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            await conn.run_sync(_upgrade)

    async def revision(self) -> str | None:
        """The schema revision the database is at (``None`` before the first migration)."""
        async with self.engine.connect() as conn:
            try:
                result = await conn.execute(text("SELECT version_num FROM alembic_version"))
            except Exception:
                return None
            return result.scalar_one_or_none()

    async def ping(self) -> None:
        """Raise if the database does not answer a trivial query."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers go on while a job writes; NORMAL sync is safe with WAL."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
