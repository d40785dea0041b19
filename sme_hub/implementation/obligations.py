"""Obligations of a grant: the officer marks them met; a daily job reminds grantees of those
coming due."""

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core import transitions
from sme_hub.core.errors import NotFound
from sme_hub.core.i18n import _
from sme_hub.core.jobs import jobs, worker_resources
from sme_hub.core.queries import ensure_belongs
from sme_hub.core.roles import CurrentUser
from sme_hub.core.tenancy import tenant_condition
from sme_hub.grants.models import Application
from sme_hub.implementation import rules
from sme_hub.implementation.grants import (
    OFFICER,
    REPORTABLE,
    managed_grant,
    tell_grantee,
    today_in_kyiv,
)
from sme_hub.implementation.models import Obligation


async def meet(
    session: AsyncSession, user: CurrentUser, obligation: Obligation, **options: Any
) -> None:
    """Mark the obligation met now, by `user` (`options` as for `transitions.transition`)."""
    await transitions.transition(
        session,
        rules.OBLIGATION,
        obligation,
        "obligation_met",
        user=user,
        values={"met_at": datetime.now(UTC), "met_by": user.id},
        **options,
    )


async def mark_met(session: AsyncSession, user: CurrentUser, obligation_id: int) -> Obligation:
    obligation = await session.scalar(
        select(Obligation).where(col(Obligation.id) == obligation_id).with_for_update()
    )
    if obligation is None:
        raise NotFound()
    await managed_grant(session, user, obligation.application_id)
    await meet(
        session,
        user,
        obligation,
        refused=_("This obligation is already met."),
        audit_as=("grant", obligation.application_id),
        before=None,
        after={"obligation_id": obligation_id, "kind": obligation.kind},
    )
    return obligation


async def mark_met_of(
    session: AsyncSession, user: CurrentUser, grant_id: int, obligation_id: int
) -> Obligation:
    """`mark_met` from a grant's page: another grant's obligation is not found (and not
    marked)."""
    await ensure_belongs(
        session, col(Obligation.application_id), col(Obligation.id) == obligation_id, grant_id
    )
    return await mark_met(session, user, obligation_id)


async def obligations(
    session: AsyncSession, user: CurrentUser, *, overdue_only: bool = False
) -> list[tuple[Obligation, Application]]:
    """The open obligations of the officer's grants by due date; only the overdue ones when
    asked (the officer's overdue list)."""
    statement = (
        select(Obligation, Application)
        .join(Application, col(Application.id) == col(Obligation.application_id))
        .where(
            col(Obligation.status) == "open",
            tenant_condition(user, col(Obligation.municipality_id), OFFICER),
        )
        .order_by(col(Obligation.due_on), col(Obligation.id))
    )
    if overdue_only:
        statement = statement.where(col(Obligation.due_on) < today_in_kyiv())
    return [(o, a) for o, a in (await session.execute(statement)).all()]


async def send_reminders(session: AsyncSession, settings: Settings, today: date) -> int:
    """Email the grantee of each open obligation whose reminder is due (a week before, and
    once overdue), and note the day so no reminder goes twice."""
    horizon = date.fromordinal(today.toordinal() + rules.REMIND_DAYS_BEFORE)
    rows = (
        await session.execute(
            select(Obligation, Application)
            .join(Application, col(Application.id) == col(Obligation.application_id))
            .where(
                col(Obligation.status) == "open",
                col(Obligation.due_on) <= horizon,
                col(Application.status).in_(REPORTABLE),
            )
            .with_for_update(of=Obligation, skip_locked=True)
        )
    ).all()
    sent = 0
    for obligation, grant in rows:
        kind = rules.reminder_due(obligation.due_on, obligation.reminded_on, today)
        if kind is None:
            continue
        await tell_grantee(
            session,
            settings,
            grant,
            "obligation_reminder",
            obligation=rules.OBLIGATION_TEXTS[obligation.kind],
            jobs=obligation.jobs,
            due_on=obligation.due_on,
            overdue=kind == "overdue",
        )
        obligation.reminded_on = today
        sent += 1
    await session.flush()
    return sent


# 07:00 UTC is 09:00 or 10:00 in Kyiv: reminders arrive in the working morning.
@jobs.periodic(cron="0 7 * * *")
@jobs.task(name="remind_obligations", pass_context=True)
async def remind_obligations_job(context: Any, timestamp: int) -> None:
    db, settings = worker_resources(context)
    async with db.sessionmaker() as session, session.begin():
        await send_reminders(session, settings, today_in_kyiv())
