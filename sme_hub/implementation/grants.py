"""A grant is its approved application (the same id): who may see and act on it, and reading it
with its tranches, reports and obligations."""

import dataclasses
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core import audit, mail
from sme_hub.core.errors import NotFound
from sme_hub.core.i18n import KYIV, _
from sme_hub.core.queries import one_where
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import can_see_municipality, tenant_condition
from sme_hub.grants.models import Application, GrantCall
from sme_hub.implementation import rules
from sme_hub.implementation.models import Obligation, ProgressReport, Tranche
from sme_hub.implementation.schemas import (
    GrantRead,
    ObligationRead,
    ReportRead,
    TrancheRead,
)

GRANT_STATUSES = rules.GRANT_STATUSES
REPORTABLE = rules.REPORTABLE
Viewer = Literal["reader", "grantee", "officer"]


OFFICER = Role.MUNICIPAL_OFFICER


def today_in_kyiv() -> date:
    return datetime.now(UTC).astimezone(KYIV).date()


# --- at approval ----------------------------------------------------------------------------


async def start(session: AsyncSession, application: Application, decided_on: date) -> None:
    """Plan the tranches and the obligations of a just approved application."""
    assert application.id is not None and application.awarded_kop
    plan = rules.tranche_plan(application.awarded_kop, decided_on)
    obligations = rules.obligation_plan(decided_on, application.jobs_total or 0)
    grant: dict[str, Any] = {
        "application_id": application.id,
        "municipality_id": application.municipality_id,
    }
    session.add_all(Tranche(**grant, **dataclasses.asdict(t)) for t in plan)
    session.add_all(Obligation(**grant, **dataclasses.asdict(o)) for o in obligations)
    application.scheduled_kop = sum(t.amount_kop for t in plan)
    await session.flush()


# --- who may see and act ---------------------------------------------------------------------


def is_officer_of(user: CurrentUser, grant: Application) -> bool:
    return can_see_municipality(user, grant.municipality_id, OFFICER)


async def readable_grant(
    session: AsyncSession,
    user: CurrentUser,
    grant_id: int,
    *,
    lock: bool = False,
    managed: bool = False,
) -> Application:
    """The grant for an officer of its municipality, and (unless `managed`) its grantee; for
    anyone else, and for an application that is not a grant, 404."""
    grant = await one_where(
        session,
        Application,
        col(Application.id) == grant_id,
        col(Application.status).in_(GRANT_STATUSES),
        lock=lock,
    )
    grantee = grant is not None and grant.applicant_id == user.id and not managed
    if grant is None or not (grantee or is_officer_of(user, grant)):
        raise NotFound()
    return grant


async def managed_grant(
    session: AsyncSession, user: CurrentUser, grant_id: int, *, lock: bool = False
) -> Application:
    return await readable_grant(session, user, grant_id, lock=lock, managed=True)


async def record_view(
    session: AsyncSession, user: CurrentUser, grant: Application, action: str = "viewed"
) -> None:
    """An officer read the grant (its grantee's name, IBAN, reports): logged."""
    await audit.record_access(session, user, "grant", grant, action, owner_id=grant.applicant_id)


async def own_grant(
    session: AsyncSession, user: CurrentUser, grant_id: int, *, lock: bool = False
) -> Application:
    grant = await readable_grant(session, user, grant_id, lock=lock)
    if grant.applicant_id != user.id:
        raise NotFound()
    return grant


async def grant_for(
    session: AsyncSession, user: CurrentUser, grant_id: int, viewer: Viewer
) -> Application:
    """The grant as `viewer`: its grantee or an officer (`reader`, the API), only its
    grantee (`grantee`, their pages) or only an officer (`officer`, the office pages)."""
    finder = {"reader": readable_grant, "grantee": own_grant, "officer": managed_grant}[viewer]
    return await finder(session, user, grant_id)


# --- reading ---------------------------------------------------------------------------------


def tranche_read(tranche: Tranche) -> TrancheRead:
    assert tranche.id is not None
    return TrancheRead.model_validate(tranche, from_attributes=True)


def report_read(report: ProgressReport) -> ReportRead:
    assert report.id is not None
    # The columns as they are (the spending lines and receipts validated into their schemas,
    # a receipt's other keys left out).
    return ReportRead.model_validate({**report.model_dump(), "grant_id": report.application_id})


def obligation_text(obligation: Obligation) -> str:
    return _(rules.OBLIGATION_TEXTS[obligation.kind]).format(jobs=obligation.jobs)


def obligation_read(obligation: Obligation, today: date) -> ObligationRead:
    assert obligation.id is not None
    return ObligationRead(
        id=obligation.id,
        grant_id=obligation.application_id,
        kind=obligation.kind,
        text=obligation_text(obligation),
        due_on=obligation.due_on,
        status=obligation.status,
        overdue=rules.is_overdue(obligation.status, obligation.due_on, today),
    )


async def parts_of(
    session: AsyncSession, grant_id: int
) -> tuple[list[Tranche], list[ProgressReport], list[Obligation]]:
    return (await parts_of_many(session, [grant_id]))[grant_id]


async def parts_of_many(
    session: AsyncSession, grant_ids: list[int]
) -> dict[int, tuple[list[Tranche], list[ProgressReport], list[Obligation]]]:
    """The tranches, reports and obligations of several grants: three queries, whatever
    their number."""
    tranches = await _of_grants(session, Tranche, grant_ids, col(Tranche.number))
    reports = await _of_grants(
        session,
        ProgressReport,
        grant_ids,
        col(ProgressReport.submitted_at),
        col(ProgressReport.id),
    )
    obligations = await _of_grants(
        session, Obligation, grant_ids, col(Obligation.due_on), col(Obligation.id)
    )
    return {
        grant_id: (tranches[grant_id], reports[grant_id], obligations[grant_id])
        for grant_id in grant_ids
    }


_Part = TypeVar("_Part", Tranche, ProgressReport, Obligation)


async def _of_grants(
    session: AsyncSession, model: type[_Part], grant_ids: list[int], *order: Any
) -> defaultdict[int, list[_Part]]:
    """The rows of `model` that belong to the grants, in `order`, by grant."""
    found: defaultdict[int, list[_Part]] = defaultdict(list)
    rows = await session.scalars(
        select(model).where(col(model.application_id).in_(grant_ids)).order_by(*order)
    )
    for row in rows:
        found[row.application_id].append(row)
    return found


async def grant_read(session: AsyncSession, grant: Application) -> GrantRead:
    return (await grants_read(session, [grant]))[0]


async def grants_read(session: AsyncSession, grants: list[Application]) -> list[GrantRead]:
    """Grants with their tranches, reports and obligations, in their order."""
    parts = await parts_of_many(session, [g.id for g in grants if g.id is not None])
    today = today_in_kyiv()
    found = []
    for grant in grants:
        assert grant.id is not None
        tranches, reports, obligations = parts[grant.id]
        found.append(
            GrantRead(
                id=grant.id,
                call_id=grant.call_id,
                status=grant.status,
                project_title=grant.project_title,
                awarded_kop=grant.awarded_kop or 0,
                scheduled_kop=grant.scheduled_kop,
                paid_kop=grant.paid_kop,
                decision_reference=grant.decision_reference,
                tranches=[tranche_read(t) for t in tranches],
                reports=[report_read(r) for r in reports],
                obligations=[obligation_read(o, today) for o in obligations],
            )
        )
    return found


GRANT_LIST_FIELDS = (
    "id",
    "call_id",
    "municipality_id",
    "applicant_id",
    "status",
    "project_title",
    "awarded_kop",
    "scheduled_kop",
    "paid_kop",
    "decision_reference",
    "decided_at",
    "snapshot",  # the business's name
)


def grants_statement(user: CurrentUser) -> Select[Application]:
    """The officer's grants, newest decision first (the list, its API and its export)."""
    return (
        select(Application)
        .where(
            col(Application.status).in_(GRANT_STATUSES),
            tenant_condition(user, col(Application.municipality_id), OFFICER),
        )
        .order_by(col(Application.decided_at).desc(), col(Application.id).desc())
    )


async def grants_of_municipalities(
    session: AsyncSession, user: CurrentUser, *, limit: int = 50, offset: int = 0
) -> tuple[list[Application], int]:
    """A page of the officer's grants, newest decision first, and how many there are."""
    statement = grants_statement(user)
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    # A list shows a grant's money and title: the application's texts, budget and answers
    # (most of its bytes) stay in the database.
    listed = load_only(*(getattr(Application, name) for name in GRANT_LIST_FIELDS), raiseload=True)
    rows = await session.scalars(statement.options(listed).limit(limit).offset(offset))
    return list(rows), total or 0


async def my_grants(session: AsyncSession, user: CurrentUser) -> list[Application]:
    rows = await session.scalars(
        select(Application)
        .where(
            col(Application.applicant_id) == user.id, col(Application.status).in_(GRANT_STATUSES)
        )
        .order_by(col(Application.decided_at).desc())
    )
    return list(rows)


async def call_of(session: AsyncSession, grant: Application) -> GrantCall:
    call = await session.get(GrantCall, grant.call_id)
    assert call is not None
    return call


async def tell_grantee(
    session: AsyncSession, settings: Settings, grant: Application, template: str, **details: Any
) -> None:
    """Email the grantee about their grant: `template` with the project, `details` and the
    link to the grant."""
    await mail.notify(
        session,
        grant.applicant_id,
        template,
        project=grant.project_title,
        **details,
        link=f"{settings.base_url}/me/grants/{grant.id}",
    )
