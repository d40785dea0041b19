"""What the officer's grant pages show beside a grant: who the grantee is and how many of
its reports wait for review, for a whole list in one statement."""

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.grants.models import Application
from sme_hub.implementation.models import ProgressReport


@dataclass(frozen=True)
class GrantRow:
    grant: Application
    business_name: str
    grantee_name: str
    waiting_reports: int


async def rows_of(session: AsyncSession, grants: list[Application]) -> list[GrantRow]:
    """`grants` (already checked by the service) with their grantee and waiting reports."""
    ids = [g.id for g in grants if g.id is not None]
    if not ids:
        return []
    waiting = (
        select(
            col(ProgressReport.application_id).label("grant_id"),
            func.count().label("n"),
        )
        .where(
            col(ProgressReport.application_id).in_(ids),
            col(ProgressReport.status) == "submitted",
        )
        .group_by(col(ProgressReport.application_id))
        .subquery()
    )
    found = await session.execute(
        select(col(Application.id), col(User.full_name), func.coalesce(waiting.c.n, 0))
        .join(User, col(User.id) == col(Application.applicant_id))
        .outerjoin(waiting, waiting.c.grant_id == col(Application.id))
        .where(col(Application.id).in_(ids))
    )
    extra = {grant_id: (name, int(n)) for grant_id, name, n in found.all()}
    return [
        GrantRow(g, str((g.snapshot or {}).get("name") or ""), *extra[g.id or 0]) for g in grants
    ]
