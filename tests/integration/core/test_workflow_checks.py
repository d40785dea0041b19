"""The status CHECK constraints in PostgreSQL (after the migrations) accept exactly the states
of the workflow tables (core/workflow.py), and nothing else."""

import re

from sqlalchemy import text

from sme_hub.db import Database
from sme_hub.workflows import WORKFLOWS


async def test_each_status_check_lists_exactly_the_workflow_states(db: Database) -> None:
    async with db.engine.connect() as conn:
        rows = (
            await conn.execute(
                text(
                    "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE contype = 'c' AND conname = 'ck_' || conrelid::regclass::text"
                    " || '_status'"
                )
            )
        ).all()
        definitions: dict[str, str] = dict(rows)
        for workflow in WORKFLOWS:
            definition = definitions[workflow.table]
            assert re.findall(r"'([^']*)'", definition) == list(workflow.state_names), workflow.name
            # And PostgreSQL itself says so: each state passes the condition, a bogus one not.
            condition = definition.removeprefix("CHECK ")
            for value, expected in [(s, True) for s in workflow.state_names] + [("bogus", False)]:
                passes = await conn.scalar(
                    # The condition is PostgreSQL's own definition, not input.
                    text(f"SELECT {condition} FROM (SELECT CAST(:v AS varchar) AS status) AS x"),  # noqa: S608
                    {"v": value},
                )
                assert passes is expected, (workflow.name, value)
