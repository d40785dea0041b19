"""Models and migrations agree, and the migrations go up, down and up again."""

import asyncio
from collections.abc import Iterator

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from sme_hub.config import to_libpq_url
from sme_hub.db import Database, downgrade, migrate, scratch_database
from sme_hub.models import metadata


async def test_autogenerate_finds_no_difference(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    not (type_ == "table" and reflected and compare_to is None)
                ),
            },
        )
        return list(compare_metadata(context, metadata))

    async with db.engine.connect() as conn:
        assert await conn.run_sync(diff) == []


@pytest.fixture
def empty_database(server_url: str) -> Iterator[str]:
    with scratch_database(server_url, "sme_hub_migrations", migrated=False) as url:
        yield url


def _tables(url: str) -> set[str]:
    with psycopg.connect(to_libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {row[0] for row in rows} - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(empty_database: str) -> None:
    # Alembic's async env runs its own event loop, so it runs in a thread here.
    await asyncio.to_thread(migrate, empty_database)
    assert _tables(empty_database) == {t.name for t in metadata.sorted_tables}
    await asyncio.to_thread(downgrade, empty_database, "base")
    assert _tables(empty_database) == set()
    await asyncio.to_thread(migrate, empty_database)
    assert _tables(empty_database) == {t.name for t in metadata.sorted_tables}


async def test_audit_trigger_survives_the_round_trip(db: Database) -> None:
    async with db.engine.connect() as conn:
        triggers = (
            await conn.execute(
                text("SELECT tgname FROM pg_trigger WHERE tgname = 'audit_entry_append_only'")
            )
        ).all()
    assert len(triggers) == 1
