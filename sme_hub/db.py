"""Engine, one session and one transaction per request, and the embedded PostgreSQL."""

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litestar.types import Message, Scope
from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from sme_hub.config import Settings

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

log = logging.getLogger(__name__)

SESSION_SCOPE_KEY = "_sme_hub_db_session"


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or join) the embedded PostgreSQL under the data folder; return its URL.

    pgserver stops the server when the last process using it exits.
    """
    import pgserver  # imported here: only installations without DATABASE_URL need it

    pg_dir = data_dir / "postgres"
    pg_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pg_dir, cleanup_mode="stop")  # type: ignore[attr-defined]
    url: str = server.get_uri()
    log.info("embedded PostgreSQL running in %s", pg_dir)
    return url


def resolve_database(settings: Settings) -> Settings:
    """Settings with a database URL, starting the embedded server when none is configured."""
    if settings.database_url:
        return settings
    return settings.with_database_url(start_embedded_postgres(settings.data_dir))


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, settings: Settings, **engine_options: Any) -> "Database":
        engine = create_async_engine(
            settings.async_database_url,
            pool_size=engine_options.pop("pool_size", 10),
            max_overflow=engine_options.pop("max_overflow", 10),
            pool_pre_ping=True,
            **engine_options,
        )
        return cls(engine, async_sessionmaker(engine, expire_on_commit=False))

    async def ping(self) -> bool:
        try:
            async with self.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "not healthy"; the log says which
            log.exception("database ping failed")
            return False
        return True


def request_session(scope: Scope) -> AsyncSession:
    """The request's one session, made on first use (by the auth middleware when the request
    carries credentials, else by the handler); `finish_request_transaction` ends it."""
    session: AsyncSession | None = scope.get(SESSION_SCOPE_KEY)  # type: ignore[assignment]
    if session is None:
        db: Database = scope["litestar_app"].state.db
        session = db.sessionmaker()
        scope[SESSION_SCOPE_KEY] = session  # type: ignore[literal-required]
    return session


async def provide_db_session(scope: Scope) -> AsyncIterator[AsyncSession]:
    """The request's session; `finish_request_transaction` commits or rolls it back."""
    yield request_session(scope)


async def finish_request_transaction(message: Message, scope: Scope) -> None:
    """Commit on 2xx/3xx (forms answer POST with a redirect), roll back otherwise."""
    if message["type"] not in ("http.response.start", "http.disconnect"):
        return
    session: AsyncSession | None = scope.pop(SESSION_SCOPE_KEY, None)  # type: ignore[misc]
    if session is None:
        return
    try:
        if message["type"] == "http.response.start" and 200 <= message["status"] < 400:
            await session.commit()
        else:
            await session.rollback()
    finally:
        await session.close()


def alembic_config(database_url: str) -> "AlembicConfig":
    from alembic.config import Config as AlembicConfig

    from sme_hub.config import ALEMBIC_INI

    config = AlembicConfig(str(ALEMBIC_INI))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Upgrade the schema (blocking: call it from a thread inside an event loop)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(database_url), revision)


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name` (keeps a `?host=` socket query)."""
    from sme_hub.config import to_libpq_url

    head, _sep, query = to_libpq_url(url).partition("?")
    scheme, _slashes, rest = head.partition("://")
    server = rest.split("/", 1)[0]
    return f"{scheme}://{server}/{name}" + (f"?{query}" if query else "")


@contextmanager
def scratch_database(server_url: str, prefix: str, *, migrated: bool = True) -> Iterator[str]:
    """A new database on the server of `server_url`, for a test run or a benchmark, migrated
    (with the job tables) unless asked otherwise; dropped afterwards."""
    import psycopg

    from sme_hub.config import to_libpq_url
    from sme_hub.core.jobs import ensure_job_schema

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = to_libpq_url(server_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    try:
        if migrated:
            migrate(url)
            asyncio.run(ensure_job_schema(url))
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
