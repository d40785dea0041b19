"""Small query shapes services share."""

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import SQLModel, func, select

from sme_hub.core.errors import Conflict, NotFound


async def ensure_belongs(
    session: AsyncSession, parent: Mapped[int], where: ColumnElement[bool], parent_id: int
) -> None:
    """404 unless the row `where` finds has `parent` == `parent_id`: an address naming a row
    under another's (a report under a grant) must name its own. Only the column is read, so
    the caller still locks and loads the row itself."""
    if await session.scalar(select(parent).where(where)) != parent_id:
        raise NotFound()


_Row = TypeVar("_Row", bound=SQLModel)


async def one_where(
    session: AsyncSession, model: type[_Row], *where: Any, lock: bool = False
) -> _Row | None:
    """The row of `model` that `where` finds, under its row lock with `lock`; None if none."""
    statement = select(model).where(*where)
    return await session.scalar(statement.with_for_update() if lock else statement)


async def page(
    session: AsyncSession,
    model: type[_Row],
    *where: Any,
    order_by: Sequence[Any],
    limit: int,
    offset: int,
) -> tuple[Sequence[_Row], int]:
    """One page of `model`'s rows matching `where`, in `order_by`, and how many match in all."""
    total = await session.scalar(select(func.count()).select_from(model).where(*where))
    rows = await session.scalars(
        select(model).where(*where).order_by(*order_by).limit(limit).offset(offset)
    )
    return rows.all(), total or 0


async def add_unique(session: AsyncSession, row: _Row, conflict: Conflict) -> _Row:
    """Insert `row` in a savepoint: if it breaks a unique rule, only this insert rolls back
    and `conflict` (409) says why."""
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise conflict from exc
    return row
