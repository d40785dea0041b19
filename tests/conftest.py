"""Shared fixtures: a fresh PostgreSQL database per test session, migrated by Alembic (so the
migrations are tested too); the tables emptied after every test; an app and HTTP clients."""

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.core import auth
from sme_hub.db import Database, scratch_database, start_embedded_postgres
from sme_hub.models import metadata
from sme_hub.reference.models import KatottgUnit, KvedClass
from tests.factories import IN_CI, TEST_SECRET_KEY

# pgserver logs its shutdown at exit, after pytest has closed the streams.
logging.getLogger("pgserver").setLevel(logging.WARNING)


def _server_url(tmp_root: Path) -> str:
    """The PostgreSQL server to test on: the one named by the environment, else embedded."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    if IN_CI:
        pytest.fail("CI=true needs TEST_DATABASE_URL: the suite must run on the CI database")
    return start_embedded_postgres(tmp_root)


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _server_url(tmp_path_factory.mktemp("embedded"))


@pytest.fixture(scope="session")
def database_url(server_url: str) -> Iterator[str]:
    try:
        with scratch_database(server_url, "sme_hub_test") as url:
            yield url
    except psycopg.OperationalError as exc:
        pytest.fail(f"cannot reach the test PostgreSQL at {server_url}: {exc}")


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(
        env="development",
        database_url=database_url,
        data_dir=tmp_path_factory.mktemp("data"),
        secret_key=TEST_SECRET_KEY,
    )


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database.connect(settings, pool_size=2)
    yield database
    await database.engine.dispose()


# Loaded by migrations and never changed by the app: kept between tests.
REFERENCE_TABLES = {KvedClass.__tablename__, KatottgUnit.__tablename__}


async def empty_all_tables(db: Database) -> None:
    """Truncation (not a rolled-back outer transaction) lets tests use several connections
    and real server processes."""
    tables = [f'"{t.name}"' for t in metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    # Jobs a test queued must not reach a worker that a later test starts.
    statement = text(
        f"TRUNCATE {', '.join([*tables, 'procrastinate_jobs'])} RESTART IDENTITY CASCADE"
    )
    for attempt in range(3):
        try:
            async with db.engine.begin() as conn:
                await conn.execute(statement)
            return
        except DBAPIError as exc:  # a server process of the test may still hold a lock
            if "deadlock" not in str(exc) or attempt == 2:
                raise
            await asyncio.sleep(0.5)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """A session for arranging data directly; committed when the test's block ends."""
    async with db.sessionmaker() as s:
        yield s
        await s.commit()


@pytest.fixture
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash test passwords with argon2's cheapest parameters: each user made and each login
    then costs milliseconds instead of a third of a second (verification reads the
    parameters from the hash). Files ask for it with
    `pytestmark = pytest.mark.usefixtures("fast_passwords")`."""
    monkeypatch.setattr(
        auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
