"""Use cases of a grant after approval. The officer of the call's municipality pays tranches
and reviews reports; the grantee reports and attaches receipts; a daily job reminds grantees
of obligations coming due. A grant is its approved application (the same id)."""

import hashlib
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, func, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core import audit, mail
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import KYIV, _, format_money
from sme_hub.core.jobs import jobs, worker_resources
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.storage import Storage, new_key
from sme_hub.core.tenancy import can_see_municipality, tenant_condition
from sme_hub.grants.attachments import checked_upload
from sme_hub.grants.models import AWARDED_STATUSES, Application, GrantCall
from sme_hub.implementation import rules
from sme_hub.implementation.models import Obligation, ProgressReport, Tranche
from sme_hub.implementation.schemas import (
    GrantRead,
    ObligationRead,
    PaymentIn,
    ReceiptRead,
    ReportIn,
    ReportRead,
    ReviewIn,
    SpendingLine,
    TrancheIn,
    TrancheRead,
)
from sme_hub.reference.identifiers import normalise_iban

GRANT_STATUSES = AWARDED_STATUSES
REPORTABLE = ("approved", "in_implementation")
MAX_RECEIPTS = 20
OFFICER = Role.MUNICIPAL_OFFICER


def today_in_kyiv() -> date:
    return datetime.now(UTC).astimezone(KYIV).date()


# --- at approval ----------------------------------------------------------------------------


async def start(session: AsyncSession, application: Application, decided_on: date) -> None:
    """Plan the tranches and the obligations of a just approved application."""
    assert application.id is not None and application.awarded_kop
    plan = rules.tranche_plan(application.awarded_kop, decided_on)
    session.add_all(
        Tranche(
            application_id=application.id,
            municipality_id=application.municipality_id,
            number=t.number,
            amount_kop=t.amount_kop,
            planned_on=t.planned_on,
        )
        for t in plan
    )
    session.add_all(
        Obligation(
            application_id=application.id,
            municipality_id=application.municipality_id,
            kind=o.kind,
            jobs=o.jobs,
            due_on=o.due_on,
        )
        for o in rules.obligation_plan(decided_on, application.jobs_total or 0)
    )
    application.scheduled_kop = sum(t.amount_kop for t in plan)
    await session.flush()


# --- who may see and act ---------------------------------------------------------------------


def is_officer_of(user: CurrentUser, grant: Application) -> bool:
    return can_see_municipality(user, grant.municipality_id, OFFICER)


async def readable_grant(
    session: AsyncSession, user: CurrentUser, grant_id: int, *, lock: bool = False
) -> Application:
    """The grant for its grantee or an officer of its municipality; for anyone else, and
    for an application that is not a grant, 404."""
    statement = select(Application).where(
        col(Application.id) == grant_id, col(Application.status).in_(GRANT_STATUSES)
    )
    grant = await session.scalar(statement.with_for_update() if lock else statement)
    if grant is None or not (grant.applicant_id == user.id or is_officer_of(user, grant)):
        raise NotFound()
    return grant


async def managed_grant(
    session: AsyncSession, user: CurrentUser, grant_id: int, *, lock: bool = False
) -> Application:
    grant = await readable_grant(session, user, grant_id, lock=lock)
    if not is_officer_of(user, grant):
        raise NotFound()
    return grant


async def record_view(
    session: AsyncSession, user: CurrentUser, grant: Application, action: str = "viewed"
) -> None:
    """An officer read the grant (its grantee's name, IBAN, reports): logged."""
    await audit.record_access(
        session,
        user,
        object_type="grant",
        object_id=grant.id or 0,
        action=action,
        municipality_id=grant.municipality_id,
        owner_id=grant.applicant_id,
    )


async def own_grant(
    session: AsyncSession, user: CurrentUser, grant_id: int, *, lock: bool = False
) -> Application:
    grant = await readable_grant(session, user, grant_id, lock=lock)
    if grant.applicant_id != user.id:
        raise NotFound()
    return grant


# --- reading ---------------------------------------------------------------------------------


def tranche_read(tranche: Tranche) -> TrancheRead:
    assert tranche.id is not None
    return TrancheRead.model_validate(tranche, from_attributes=True)


def report_read(report: ProgressReport) -> ReportRead:
    assert report.id is not None
    return ReportRead(
        id=report.id,
        grant_id=report.application_id,
        kind=report.kind,
        period=report.period,
        jobs_created=report.jobs_created,
        women_employed=report.women_employed,
        spending=[SpendingLine(**line) for line in report.spending],
        spent_kop=report.spent_kop,
        environmental_results=report.environmental_results,
        narrative=report.narrative,
        receipts=[
            ReceiptRead(**{k: r[k] for k in ReceiptRead.model_fields}) for r in report.receipts
        ],
        status=report.status,
        review_note=report.review_note,
        submitted_at=report.submitted_at,
        reviewed_at=report.reviewed_at,
    )


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
    parts: dict[int, tuple[list[Tranche], list[ProgressReport], list[Obligation]]] = {
        grant_id: ([], [], []) for grant_id in grant_ids
    }
    tranches = await session.scalars(
        select(Tranche)
        .where(col(Tranche.application_id).in_(grant_ids))
        .order_by(col(Tranche.number))
    )
    for tranche in tranches:
        parts[tranche.application_id][0].append(tranche)
    reports = await session.scalars(
        select(ProgressReport)
        .where(col(ProgressReport.application_id).in_(grant_ids))
        .order_by(col(ProgressReport.submitted_at), col(ProgressReport.id))
    )
    for report in reports:
        parts[report.application_id][1].append(report)
    obligations = await session.scalars(
        select(Obligation)
        .where(col(Obligation.application_id).in_(grant_ids))
        .order_by(col(Obligation.due_on), col(Obligation.id))
    )
    for obligation in obligations:
        parts[obligation.application_id][2].append(obligation)
    return parts


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


# --- disbursements ---------------------------------------------------------------------------


async def add_tranche(
    session: AsyncSession, user: CurrentUser, grant_id: int, data: TrancheIn
) -> Tranche:
    """A tranche beyond the planned ones, within what is left of the award (409 with the
    unscheduled amount otherwise); paid at once when `paid_on` is given."""
    grant = await managed_grant(session, user, grant_id, lock=True)
    if grant.status == "completed":
        raise Conflict(_("This grant is completed: no more tranches."))
    scheduled = await session.scalar(
        update(Application)
        .where(
            col(Application.id) == grant_id,
            col(Application.scheduled_kop) + data.amount_kop <= col(Application.awarded_kop),
        )
        .values(scheduled_kop=col(Application.scheduled_kop) + data.amount_kop)
        .returning(col(Application.scheduled_kop))
    )
    if scheduled is None:
        remaining = (grant.awarded_kop or 0) - grant.scheduled_kop
        raise Conflict(
            _("The tranches would exceed the grant: {remaining} is not yet scheduled.").format(
                remaining=format_money(remaining)
            ),
            extra={"remaining_kop": remaining},
        )
    number = 1 + max(
        (t.number for t in (await parts_of(session, grant_id))[0]),
        default=0,
    )
    tranche = Tranche(
        application_id=grant_id,
        municipality_id=grant.municipality_id,
        number=number,
        amount_kop=data.amount_kop,
        planned_on=data.planned_on,
    )
    session.add(tranche)
    await session.flush()
    await session.refresh(grant)
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant",
        object_id=grant_id,
        action="tranche_added",
        municipality_id=grant.municipality_id,
        after={"tranche": number, "amount_kop": data.amount_kop},
    )
    if data.paid_on is not None:
        assert tranche.id is not None
        return await pay(
            session, user, grant_id, tranche.id, PaymentIn(paid_on=data.paid_on, iban=data.iban)
        )
    return tranche


async def pay(
    session: AsyncSession, user: CurrentUser, grant_id: int, tranche_id: int, data: PaymentIn
) -> Tranche:
    """Record a planned tranche as paid, to a checked Ukrainian IBAN (the grantee's unless
    another is given). The first payment starts the implementation."""
    grant = await managed_grant(session, user, grant_id, lock=True)
    tranche = await session.scalar(
        select(Tranche)
        .where(col(Tranche.id) == tranche_id, col(Tranche.application_id) == grant_id)
        .with_for_update()
    )
    if tranche is None:
        raise NotFound()
    if tranche.status == "paid":
        raise Conflict(_("This tranche is already paid."))
    try:
        iban = data.iban or normalise_iban(grant.iban)
    except ValueError as error:
        raise InvalidInput({"iban": _(str(error))}) from None
    if data.paid_on > today_in_kyiv():
        raise InvalidInput({"paid_on": _("A payment date cannot be in the future.")})
    await session.execute(
        update(Application)
        .where(col(Application.id) == grant_id)
        .values(paid_kop=col(Application.paid_kop) + tranche.amount_kop)
    )
    tranche.status, tranche.paid_on, tranche.paid_iban, tranche.paid_by = (
        "paid",
        data.paid_on,
        iban,
        user.id,
    )
    grant.status = rules.status_after_payment(grant.status)
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant",
        object_id=grant_id,
        action="tranche_paid",
        municipality_id=grant.municipality_id,
        after={"tranche": tranche.number, "amount_kop": tranche.amount_kop, "iban": iban},
    )
    return tranche


# --- progress reports ------------------------------------------------------------------------


def _report_fields(data: ReportIn) -> dict[str, Any]:
    return {
        "kind": data.kind,
        "period": data.period.strip(),
        "jobs_created": data.jobs_created,
        "women_employed": data.women_employed,
        "spending": [line.model_dump() for line in data.spending],
        "spent_kop": sum(line.amount_kop for line in data.spending),
        "environmental_results": data.environmental_results.strip(),
        "narrative": data.narrative.strip(),
    }


async def submit_report(
    session: AsyncSession, user: CurrentUser, grant_id: int, data: ReportIn
) -> ProgressReport:
    """The grantee's report, waiting for the officer. One final report at a time."""
    grant = await own_grant(session, user, grant_id, lock=True)
    if grant.status not in REPORTABLE:
        raise Conflict(_("This grant is completed: no more reports."))
    report = ProgressReport(
        application_id=grant_id,
        municipality_id=grant.municipality_id,
        submitted_by=user.id,
        **_report_fields(data),
    )
    await _store_report(session, report)
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant",
        object_id=grant_id,
        action="report_submitted",
        municipality_id=grant.municipality_id,
        after={"report_id": report.id, "kind": data.kind, "period": report.period},
    )
    return report


async def _store_report(
    session: AsyncSession, report: ProgressReport, changes: dict[str, Any] | None = None
) -> None:
    """Store a new report, or `changes` to one, inside a savepoint: the database allows one
    final report that is not returned per grant, whatever runs at once, and a refused one
    rolls back only itself."""
    try:
        async with session.begin_nested():
            session.add(report)
            for name, value in (changes or {}).items():
                setattr(report, name, value)
            await session.flush()
    except IntegrityError:
        raise Conflict(_("A final report is already waiting for review or accepted.")) from None


async def _report(
    session: AsyncSession, user: CurrentUser, report_id: int, *, officer: bool
) -> tuple[ProgressReport, Application]:
    report = await session.scalar(
        select(ProgressReport).where(col(ProgressReport.id) == report_id).with_for_update()
    )
    if report is None:
        raise NotFound()
    finder = managed_grant if officer else own_grant
    grant = await finder(session, user, report.application_id, lock=True)
    return report, grant


async def update_report(
    session: AsyncSession, user: CurrentUser, report_id: int, data: ReportIn
) -> ProgressReport:
    """A returned report corrected and sent again (or a waiting one corrected)."""
    report, grant = await _report(session, user, report_id, officer=False)
    if report.status == "accepted":
        raise Conflict(_("An accepted report can no longer be changed."))
    changes = {**_report_fields(data), "status": "submitted", "submitted_at": datetime.now(UTC)}
    await _store_report(session, report, changes)
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant",
        object_id=grant.id or 0,
        action="report_resubmitted",
        municipality_id=grant.municipality_id,
        after={"report_id": report_id},
    )
    return report


async def add_receipt(
    session: AsyncSession,
    user: CurrentUser,
    storage: Storage,
    report_id: int,
    filename: str,
    data: bytes,
) -> ProgressReport:
    """A receipt (PDF, JPEG or PNG, checked like every upload) for a report not yet accepted."""
    report, grant = await _report(session, user, report_id, officer=False)
    if report.status == "accepted":
        raise Conflict(_("An accepted report can no longer be changed."))
    content_type, clean_name = checked_upload(filename, data)
    if len(report.receipts) >= MAX_RECEIPTS:
        raise Conflict(_("A report may have at most 20 receipts."))
    key = new_key(f"reports/{report_id}", "." + clean_name.rsplit(".", 1)[-1])
    receipt = {
        "key": key,
        "filename": clean_name,
        "content_type": content_type,
        "size_bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    report.receipts = [*report.receipts, receipt]
    await session.flush()
    await storage.put(key, data)
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant",
        object_id=grant.id or 0,
        action="receipt_added",
        municipality_id=grant.municipality_id,
        after={"report_id": report_id, "filename": clean_name},
    )
    return report


async def receipt(
    session: AsyncSession, user: CurrentUser, report_id: int, index: int
) -> dict[str, Any]:
    """A receipt's record for its grantee or an officer of the municipality."""
    report = await session.get(ProgressReport, report_id)
    if report is None:
        raise NotFound()
    grant = await readable_grant(session, user, report.application_id)
    if not 0 <= index < len(report.receipts):
        raise NotFound()
    await record_view(session, user, grant, "receipt_downloaded")
    return report.receipts[index]


async def review_report(
    session: AsyncSession, user: CurrentUser, report_id: int, data: ReviewIn, *, settings: Settings
) -> ProgressReport:
    """Accept a waiting report (it meets its obligation; the final one completes the grant)
    or return it with what to change. The grantee is emailed either way."""
    report, grant = await _report(session, user, report_id, officer=True)
    if report.status != "submitted":
        raise Conflict(_("Only a report awaiting review can be accepted or returned."))
    report.status, report.review_note = data.decision, data.note.strip()
    report.reviewed_by, report.reviewed_at = user.id, datetime.now(UTC)
    if data.decision == "accepted":
        obligation = await session.scalar(
            select(Obligation)
            .where(
                col(Obligation.application_id) == report.application_id,
                col(Obligation.kind) == rules.obligation_met_by_report(report.kind),
                col(Obligation.status) == "open",
            )
            .order_by(col(Obligation.due_on))
            .limit(1)
            .with_for_update()
        )
        if obligation is not None:
            obligation.status, obligation.met_at, obligation.met_by = (
                "met",
                datetime.now(UTC),
                user.id,
            )
        grant.status = rules.status_after_report(grant.status, report.kind)
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant",
        object_id=report.application_id,
        action=f"report_{data.decision}",
        municipality_id=grant.municipality_id,
        after={"report_id": report_id, "note": report.review_note, "grant_status": grant.status},
    )
    await mail.notify(
        session,
        grant.applicant_id,
        "report_reviewed",
        project=grant.project_title,
        period=report.period,
        accepted=data.decision == "accepted",
        note=report.review_note,
        completed=grant.status == "completed",
        link=f"{settings.base_url}/me/grants/{grant.id}",
    )
    return report


# --- obligations -----------------------------------------------------------------------------


async def mark_met(session: AsyncSession, user: CurrentUser, obligation_id: int) -> Obligation:
    obligation = await session.scalar(
        select(Obligation).where(col(Obligation.id) == obligation_id).with_for_update()
    )
    if obligation is None:
        raise NotFound()
    grant = await managed_grant(session, user, obligation.application_id)
    if obligation.status == "met":
        raise Conflict(_("This obligation is already met."))
    obligation.status, obligation.met_at, obligation.met_by = "met", datetime.now(UTC), user.id
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="grant",
        object_id=obligation.application_id,
        action="obligation_met",
        municipality_id=grant.municipality_id,
        after={"obligation_id": obligation_id, "kind": obligation.kind},
    )
    return obligation


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
        await mail.notify(
            session,
            grant.applicant_id,
            "obligation_reminder",
            project=grant.project_title,
            obligation=rules.OBLIGATION_TEXTS[obligation.kind],
            jobs=obligation.jobs,
            due_on=obligation.due_on,
            overdue=kind == "overdue",
            link=f"{settings.base_url}/me/grants/{grant.id}",
        )
        obligation.reminded_on = today
        sent += 1
    await session.flush()
    return sent


async def call_of(session: AsyncSession, grant: Application) -> GrantCall:
    call = await session.get(GrantCall, grant.call_id)
    assert call is not None
    return call


# 07:00 UTC is 09:00 or 10:00 in Kyiv: reminders arrive in the working morning.
@jobs.periodic(cron="0 7 * * *")
@jobs.task(name="remind_obligations", pass_context=True)
async def remind_obligations_job(context: Any, timestamp: int) -> None:
    db, settings = worker_resources(context)
    async with db.sessionmaker() as session, session.begin():
        await send_reminders(session, settings, today_in_kyiv())
