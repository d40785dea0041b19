"""Alembic environment (async): the URL comes from the caller or from sme_hub's settings."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from sme_hub.config import load_settings, to_asyncpg_url
from sme_hub.models import metadata

config = context.config


def include_object(obj: object, name: str | None, type_: str, reflected: bool,
                   compare_to: object) -> bool:
    # Tables we do not model (procrastinate's job queue) are not ours to drop.
    return not (type_ == "table" and reflected and compare_to is None)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        compare_type=True,
        compare_server_default=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    url = config.attributes.get("database_url") or load_settings().database_url
    if not url:
        raise RuntimeError("no database: run through `sme-hub migrate`, which resolves one")
    engine = create_async_engine(to_asyncpg_url(url))
    async with engine.connect() as connection:
        await connection.run_sync(_configure)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(run_async_migrations())
