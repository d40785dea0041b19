"""What the grant pages show: for the officer, beside each grant who the grantee is and how
many of its reports wait for review (a whole list in one statement), the grant's page and
the list with the overdue obligations; for the grantee, their grant's page."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core.i18n import pick
from sme_hub.core.roles import CurrentUser
from sme_hub.grants.models import Application
from sme_hub.implementation import obligations as grant_obligations
from sme_hub.implementation import partner_offers as call_partner_offers
from sme_hub.implementation.grants import (
    REPORTABLE,
    call_of,
    grant_read,
    grants_of_municipalities,
    managed_grant,
    obligation_read,
    own_grant,
    record_view,
    today_in_kyiv,
)
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


async def grantee_page(session: AsyncSession, user: CurrentUser, grant_id: int) -> dict[str, Any]:
    """The grantee's own grant (another's is not found) with its call, whether a report may
    be sent, and the partners' offers to it."""
    grant = await own_grant(session, user, grant_id)
    call = await call_of(session, grant)
    return {
        "grant": await grant_read(session, grant),
        "call_title": pick(call, "title"),
        "can_report": grant.status in REPORTABLE,
        "offers": await call_partner_offers.grant_offers(session, user, grant_id),
    }


async def office_page(
    session: AsyncSession, user: CurrentUser, grant_id: int, *, opened: bool = False
) -> dict[str, Any]:
    """A grant of the officer's municipality (another's is not found) as its page shows it;
    `opened`: the officer opens the page, which is logged."""
    grant = await managed_grant(session, user, grant_id)
    if opened:
        await record_view(session, user, grant)
    call = await call_of(session, grant)
    return {
        "grant": await grant_read(session, grant),
        "row": (await rows_of(session, [grant]))[0],
        "call_title": pick(call, "title"),
        "grantee_iban": grant.iban,
        "today": today_in_kyiv().isoformat(),
        "can_add": grant.status != "completed",
    }


async def office_list(
    session: AsyncSession, user: CurrentUser, *, limit: int, offset: int
) -> dict[str, Any]:
    """The grants of the officer's municipalities, a page at a time, and every overdue
    obligation with its grant."""
    grants, total = await grants_of_municipalities(session, user, limit=limit, offset=offset)
    today = today_in_kyiv()
    overdue = await grant_obligations.obligations(session, user, overdue_only=True)
    return {
        "rows": await rows_of(session, grants),
        "total": total,
        "limit": limit,
        "offset": offset,
        "overdue": [(obligation_read(o, today), g) for o, g in overdue],
    }
