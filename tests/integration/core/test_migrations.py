"""Models and migrations agree, and the migrations go up, down and up again."""

import asyncio
import importlib.util
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import to_libpq_url
from sme_hub.db import Database, downgrade, migrate, scratch_database
from sme_hub.models import metadata
from tests.factories import Client
from tests.grants_setup import TAX_IDS, applicant, draft, officer_and_call


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


def _migration(filename: str) -> ModuleType:
    path = Path(__file__).resolve().parents[3] / "migrations" / "versions" / filename
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(connection: Connection, step: Callable[[], None]) -> None:
    with Operations.context(MigrationContext.configure(connection)):
        step()


async def test_criteria_names_and_group_bonus_lines_are_backfilled(
    client: Client, session: AsyncSession, db: Database
) -> None:
    """A call stored with one criterion `name`, and an explanation naming a group by its code
    ("Bonus for a declared group (idp_owned)"), read as people's words after the migration
    and come back unchanged when it is undone."""
    setup = await officer_and_call(client, session)
    headers = await applicant(client, session, "migrated@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], headers)
    legacy_criteria = [{"key": "impact", "name": "Вплив", "weight": "2", "max_score": 10}]
    legacy_lines = [
        {
            "message": "Bonus for a declared group ({group}): +{points}.",
            "params": {"group": "idp_owned", "points": "5,00"},
        },
        {"message": "Final score: {final}.", "params": {"final": "70,00"}},
    ]
    migration = _migration("20261207_words_criterion_names.py")

    async def stored() -> tuple[Any, Any]:
        async with db.engine.connect() as conn:
            criteria = await conn.scalar(
                text("SELECT criteria FROM grant_call WHERE id = :id"), {"id": setup["call_id"]}
            )
            lines = await conn.scalar(
                text("SELECT explanation FROM application WHERE id = :id"), {"id": application_id}
            )
        return criteria, lines

    async with db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE grant_call SET criteria = CAST(:c AS jsonb) WHERE id = :id"),
            {"c": json.dumps(legacy_criteria), "id": setup["call_id"]},
        )
        await conn.execute(
            text("UPDATE application SET explanation = CAST(:e AS jsonb) WHERE id = :id"),
            {"e": json.dumps(legacy_lines), "id": application_id},
        )
        await conn.run_sync(_run, migration.upgrade)
    criteria, lines = await stored()
    assert criteria == [
        {"key": "impact", "name_uk": "Вплив", "name_en": "", "weight": "2", "max_score": 10}
    ]
    assert lines == [
        {
            "message": "Bonus for a business owned by an internally displaced person: +{points}.",
            "params": {"points": "5,00"},
        },
        legacy_lines[1],
    ]

    async with db.engine.begin() as conn:
        await conn.run_sync(_run, migration.downgrade)
    assert await stored() == (legacy_criteria, legacy_lines)
