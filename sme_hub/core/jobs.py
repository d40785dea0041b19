"""Background jobs on PostgreSQL (procrastinate); features register their tasks on `jobs`.

A job can be deferred inside the caller's SQLAlchemy transaction (`defer_in`): the job row is
written by procrastinate's own defer query on the session's connection, so it exists exactly
when the caller's change does, and the worker is woken (NOTIFY) when that transaction commits.
The worker itself talks to the database through psycopg, as procrastinate does.

A worker that dies mid-job (killed, its machine lost) leaves the job in 'doing'; every worker
sends heartbeats, and each one puts back in the queue the jobs of a worker whose heartbeat
stopped (`retry_stalled_jobs`), so the job runs again: tasks are written to be run twice
without doing their work twice (certificate codes are issued once, for example).
"""

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from procrastinate import App, PsycopgConnector
from procrastinate.tasks import Task
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings, to_libpq_url
from sme_hub.db import Database

# Modules whose tasks the worker must know (imported by it before it starts).
TASK_MODULES = [
    "sme_hub.core.mail",
    "sme_hub.accounts.links",
    "sme_hub.training.certificates",
    "sme_hub.grants.calls",
    "sme_hub.implementation.obligations",
]

log = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _bindable(value: Any) -> Any:
    """procrastinate's arguments as asyncpg takes them: JSON (task kwargs) as text."""
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, list):
        return [_bindable(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_bindable(item) for item in value)
    return value


class Connector(PsycopgConnector):
    """psycopg's pool for the worker; an SQLAlchemy session when given as the connection."""

    async def execute_query_all_async_with_connection(
        self, connection: Any, query: str, **arguments: Any
    ) -> list[dict[str, Any]]:
        if not isinstance(connection, AsyncSession):
            rows: list[dict[str, Any]] = await super().execute_query_all_async_with_connection(
                connection, query, **arguments
            )
            return rows
        # `%(name)s` → `(:name)`: the parentheses keep a following `::type` cast apart.
        statement = text(_PLACEHOLDER.sub(r"(:\1)", query))
        result = await connection.execute(
            statement, {key: _bindable(value) for key, value in arguments.items()}
        )
        return [dict(row._mapping) for row in result]


jobs = App(connector=Connector(), import_paths=TASK_MODULES)


async def defer_in(session: AsyncSession, task: Task[Any, Any, Any], **task_kwargs: Any) -> int:
    """Defer `task` in the session's transaction: no job unless the transaction commits."""
    job_id: int = await task.configure(connection=session).defer_async(**task_kwargs)
    return job_id


@contextmanager
def _connected(database_url: str) -> Iterator[App]:
    """`jobs` bound to a database for a while (its own pool; to open). The same app, not a
    copy: the periodic deferrer reaches the app through its tasks."""
    with jobs.replace_connector(Connector(conninfo=to_libpq_url(database_url))) as app:
        yield app


async def ensure_job_schema(database_url: str) -> None:
    """Install procrastinate's tables once; they are its own, kept outside Alembic's models."""
    async with await psycopg.AsyncConnection.connect(to_libpq_url(database_url)) as conn:
        exists = await (
            await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        ).fetchone()
    if exists and exists[0]:
        return
    with _connected(database_url) as app:
        async with app.open_async():
            await app.schema_manager.apply_schema_async()


def worker_resources(context: Any) -> tuple[Database, Settings]:
    """The database and settings `run_worker` hands to tasks (declared with pass_context)."""
    extra = context.additional_context
    return extra["db"], extra["settings"]


async def retry_stalled_jobs(app: App, stalled_seconds: float) -> list[int]:
    """Queue again the jobs in 'doing' whose worker sent no heartbeat for `stalled_seconds`
    (or is gone); the ids retried."""
    retried: list[int] = []
    stalled = await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds)
    for job in stalled:
        try:
            await app.job_manager.retry_job(job)
        except Exception:  # another worker retried it first: nothing left to do
            log.info("stalled job %s was already taken care of", job.id)
            continue
        assert job.id is not None
        retried.append(job.id)
    if retried:
        log.warning("retried %d job(s) of a worker that stopped: %s", len(retried), retried)
    return retried


async def _keep_retrying_stalled(app: App, stalled_seconds: float) -> None:
    while True:
        try:
            await retry_stalled_jobs(app, stalled_seconds)
        except Exception:  # a lost connection must not end the worker; try again later
            log.exception("could not look for stalled jobs")
        await asyncio.sleep(stalled_seconds / 3)


async def run_worker(settings: Settings, **options: Any) -> None:
    """Run the worker until stopped (`wait=False`: until no job is left, as tests do),
    retrying the jobs of dead workers meanwhile. Tasks reach the database through
    `worker_resources(context)`."""
    assert settings.database_url is not None
    await ensure_job_schema(settings.database_url)
    stalled_seconds = settings.job_stalled_seconds
    options = {
        "install_signal_handlers": True,
        # Three heartbeats per stall period: one late heartbeat does not make a job stalled.
        "update_heartbeat_interval": stalled_seconds / 3,
        "stalled_worker_timeout": stalled_seconds,
        **options,
    }
    db = Database.connect(settings, pool_size=2, max_overflow=2)
    try:
        with _connected(settings.database_url) as app:
            async with app.open_async():
                recovery = asyncio.create_task(_keep_retrying_stalled(app, stalled_seconds))
                try:
                    await app.run_worker_async(
                        **options, additional_context={"db": db, "settings": settings}
                    )
                finally:
                    recovery.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await recovery
    finally:
        await db.engine.dispose()
