"""The administrator's side of accounts: the list of accounts (making one, with roles bound to
organisations, is admin.users'; a municipality's staff, organisations.staff)."""

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.accounts.schemas import UserRead
from sme_hub.accounts.service import user_read
from sme_hub.core import audit
from sme_hub.core.queries import page
from sme_hub.core.roles import CurrentUser


async def list_users(
    session: AsyncSession,
    *,
    limit: int = 100,
    offset: int = 0,
    search: str | None = None,
    viewer: CurrentUser | None = None,
) -> tuple[list[UserRead], int]:
    """Accounts, newest first; an admin's reading (`viewer`) is logged (personal data)."""
    condition = (
        or_(col(User.email).ilike(f"%{search}%"), col(User.full_name).ilike(f"%{search}%"))
        if search
        else True
    )
    newest = col(User.id).desc()
    users, total = await page(
        session, User, condition, order_by=[newest], limit=limit, offset=offset
    )
    ids = [u.id for u in users]
    assignments = (
        await session.scalars(select(RoleAssignment).where(col(RoleAssignment.user_id).in_(ids)))
    ).all()
    by_user: dict[int, list[RoleAssignment]] = {}
    for a in assignments:
        by_user.setdefault(a.user_id, []).append(a)
    if viewer is not None:
        await audit.record_access(
            session, viewer, "user_list", "search", details={"search": search, "user_ids": ids}
        )
    return [user_read(u, by_user.get(u.id or 0, [])) for u in users], total
