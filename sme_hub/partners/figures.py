"""Referral figures for the reports."""

from datetime import date

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.errors import NotFound
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import ensure_in_tenant, tenant_condition
from sme_hub.organisations.models import Municipality
from sme_hub.partners import rules
from sme_hub.partners.models import Partner, Referral
from sme_hub.partners.schemas import ReferralCounts, ReferralFigures


async def figure_rows(
    session: AsyncSession,
    user: CurrentUser,
    *,
    municipality_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[rules.FigureRow]:
    """Referrals of the user's municipalities (an admin: all, or one) counted per month of
    creation, partner and status."""
    month = func.date_trunc("month", col(Referral.created_at))
    conditions = [
        tenant_condition(
            user, col(Referral.municipality_id), Role.MUNICIPAL_OFFICER, Role.CENTRE_STAFF
        )
    ]
    if municipality_id is not None:
        # As in every report: a municipality the caller may not see (or none) is not found,
        # rather than a 200 of zeros.
        ensure_in_tenant(user, municipality_id, Role.MUNICIPAL_OFFICER, Role.CENTRE_STAFF)
        if await session.get(Municipality, municipality_id) is None:
            raise NotFound()
        conditions.append(col(Referral.municipality_id) == municipality_id)
    if since is not None:
        conditions.append(col(Referral.created_at) >= since)
    if until is not None:
        conditions.append(func.date(col(Referral.created_at)) <= until)
    rows = await session.execute(
        sa_select(
            month,
            col(Partner.id),
            col(Partner.name),
            col(Partner.kind),
            col(Partner.sector),
            col(Referral.status),
            func.count(),
        )
        .join(Partner, col(Partner.id) == col(Referral.partner_id))
        .where(*conditions)
        .group_by(month, col(Partner.id), col(Referral.status))
        .order_by(month, col(Partner.name))
    )
    return [
        rules.FigureRow(at.date(), pid, name, kind, sector, status, count)
        for at, pid, name, kind, sector, status, count in rows.all()
    ]


async def referral_figures(
    session: AsyncSession,
    user: CurrentUser,
    *,
    municipality_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> ReferralFigures:
    """The figures of `figure_rows` counted by partner, kind, sector, status and month."""
    rows = await figure_rows(
        session, user, municipality_id=municipality_id, since=since, until=until
    )
    found = rules.figures(rows)
    names = {r.partner_id: r.partner for r in rows}
    return ReferralFigures(
        since=since,
        until=until,
        total=ReferralCounts(**found.total),
        by_partner=[
            {"partner_id": pid, "partner": names[pid], **counts}
            for pid, counts in found.by_partner.items()
        ],
        by_kind={k: ReferralCounts(**v) for k, v in found.by_kind.items()},
        by_sector={k: ReferralCounts(**v) for k, v in found.by_sector.items()},
        by_month={m.isoformat(): ReferralCounts(**v) for m, v in found.by_month.items()},
    )
