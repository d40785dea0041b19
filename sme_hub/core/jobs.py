"""Background jobs on PostgreSQL (procrastinate); features register their tasks on `jobs`."""

import psycopg
from procrastinate import App, PsycopgConnector

from sme_hub.config import to_libpq_url

jobs = App(connector=PsycopgConnector(), import_paths=[])


def _connected(database_url: str) -> App:
    """The job app bound to a database (its tasks are the ones registered on `jobs`)."""
    return jobs.with_connector(PsycopgConnector(conninfo=to_libpq_url(database_url)))


async def ensure_job_schema(database_url: str) -> None:
    """Install procrastinate's tables once; they are its own, kept outside Alembic's models."""
    async with await psycopg.AsyncConnection.connect(to_libpq_url(database_url)) as conn:
        exists = await (
            await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        ).fetchone()
    if exists and exists[0]:
        return
    async with _connected(database_url).open_async() as app:
        await app.schema_manager.apply_schema_async()


async def run_worker(database_url: str) -> None:
    await ensure_job_schema(database_url)
    async with _connected(database_url).open_async() as app:
        await app.run_worker_async(install_signal_handlers=True)
