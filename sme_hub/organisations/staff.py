"""Who works for a municipality: its officers, evaluators and centre staff."""

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.core.roles import CurrentUser
from sme_hub.core.tenancy import ensure_in_tenant
from sme_hub.organisations import service as organisations
from sme_hub.organisations.schemas import StaffMember


async def staff_of_municipality(
    session: AsyncSession, actor: CurrentUser, municipality_id: int
) -> list[StaffMember]:
    """Who works for a municipality (its officers, evaluators and centre staff)."""
    await organisations.get_municipality_in_tenant(session, actor, municipality_id)
    ensure_in_tenant(actor, municipality_id)
    rows = await session.execute(
        select(User, RoleAssignment)
        .join(RoleAssignment, col(RoleAssignment.user_id) == User.id)
        .where(col(RoleAssignment.municipality_id) == municipality_id)
        .order_by(col(User.full_name), col(RoleAssignment.role))
    )
    return [
        StaffMember(
            user_id=user.id,
            full_name=user.full_name,
            email=user.email,
            role=assignment.role,
            centre_id=assignment.centre_id,
        )
        for user, assignment in rows.all()
        if user.id is not None
    ]
