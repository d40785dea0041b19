"""Small query shapes services share."""

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped
from sqlmodel import select

from sme_hub.core.errors import NotFound


async def ensure_belongs(
    session: AsyncSession, parent: Mapped[int], where: ColumnElement[bool], parent_id: int
) -> None:
    """404 unless the row `where` finds has `parent` == `parent_id`: an address naming a row
    under another's (a report under a grant) must name its own. Only the column is read, so
    the caller still locks and loads the row itself."""
    if await session.scalar(select(parent).where(where)) != parent_id:
        raise NotFound()
