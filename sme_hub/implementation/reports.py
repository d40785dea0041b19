"""Progress reports: the grantee reports and attaches receipts; the officer reviews."""

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core import audit, transitions
from sme_hub.core.errors import Conflict, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.queries import ensure_belongs
from sme_hub.core.roles import CurrentUser
from sme_hub.core.storage import Storage, new_key
from sme_hub.grants import rules as grant_rules
from sme_hub.grants.attachments import checked_upload
from sme_hub.grants.models import Application
from sme_hub.implementation import obligations, rules
from sme_hub.implementation.grants import (
    REPORTABLE,
    Viewer,
    grant_for,
    managed_grant,
    own_grant,
    readable_grant,
    record_view,
    tell_grantee,
)
from sme_hub.implementation.models import Obligation, ProgressReport
from sme_hub.implementation.schemas import ReportIn, ReviewIn

MAX_RECEIPTS = 20


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
        user,
        "grant",
        grant,
        "report_submitted",
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
    resubmitted = rules.REPORT.step("report_resubmitted")
    if report.status not in resubmitted.sources:
        raise Conflict(_("An accepted report can no longer be changed."))
    # One UPDATE with the content, guarded by the unique final report (see _store_report).
    changes = {
        **_report_fields(data),
        "status": resubmitted.target,
        "submitted_at": datetime.now(UTC),
    }
    await _store_report(session, report, changes)
    await audit.record(
        session, user, "grant", grant, "report_resubmitted", after={"report_id": report_id}
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
    if report.status not in rules.REPORT.step("report_resubmitted").sources:
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
        user,
        "grant",
        grant,
        "receipt_added",
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
    action = f"report_{data.decision}"
    refused = _("Only a report awaiting review can be accepted or returned.")
    if rules.REPORT.next_state(report.status, action) is None:
        raise Conflict(refused)
    await transitions.transition(
        session,
        rules.REPORT,
        report,
        action,
        user=user,
        values={
            "review_note": data.note.strip(),
            "reviewed_by": user.id,
            "reviewed_at": datetime.now(UTC),
        },
        refused=refused,
        record=False,  # below, with what became of the grant
    )
    if data.decision == "accepted":
        obligation = await session.scalar(
            select(Obligation)
            .where(
                col(Obligation.application_id) == report.application_id,
                col(Obligation.kind) == rules.obligation_met_by_report(report.kind),
                col(Obligation.status).in_(rules.OBLIGATION.step("obligation_met").sources),
            )
            .order_by(col(Obligation.due_on))
            .limit(1)
            .with_for_update()
        )
        if obligation is not None:
            await obligations.meet(session, user, obligation, record=False)
        grant_action = rules.grant_action_after_report(report.kind)
        if grant_action:
            await transitions.transition(
                session,
                grant_rules.APPLICATION,
                grant,
                grant_action,
                user=user,
                system=True,
                record=False,
                when_allowed=True,
            )
    await session.flush()
    await audit.record(
        session,
        user,
        "grant",
        report.application_id,
        f"report_{data.decision}",
        municipality_id=grant.municipality_id,
        after={"report_id": report_id, "note": report.review_note, "grant_status": grant.status},
    )
    await tell_grantee(
        session,
        settings,
        grant,
        "report_reviewed",
        period=report.period,
        accepted=data.decision == "accepted",
        note=report.review_note,
        completed=grant.status == "completed",
    )
    return report


# --- from a grant's pages: the report must be the grant's of the address ---------------------


async def check_report_of(session: AsyncSession, grant_id: int, report_id: int) -> None:
    """404 unless the report belongs to the grant of the address. Only the column is read, so
    the service still locks and loads the report itself."""
    await ensure_belongs(
        session, col(ProgressReport.application_id), col(ProgressReport.id) == report_id, grant_id
    )


async def own_report(
    session: AsyncSession, user: CurrentUser, grant_id: int, report_id: int
) -> tuple[Application, ProgressReport]:
    """The grantee's grant and one of its reports."""
    grant = await own_grant(session, user, grant_id)
    await check_report_of(session, grant_id, report_id)
    report = await session.get(ProgressReport, report_id)
    assert report is not None
    return grant, report


async def correctable_report(
    session: AsyncSession, user: CurrentUser, grant_id: int, report_id: int
) -> tuple[Application, ProgressReport]:
    """`own_report`, refused once accepted: an accepted report is not corrected."""
    grant, report = await own_report(session, user, grant_id, report_id)
    if report.status == "accepted":
        raise Conflict(_("An accepted report can no longer be changed."))
    return grant, report


async def update_report_of(
    session: AsyncSession, user: CurrentUser, grant_id: int, report_id: int, data: ReportIn
) -> ProgressReport:
    await check_report_of(session, grant_id, report_id)
    return await update_report(session, user, report_id, data)


async def add_receipt_of(
    session: AsyncSession,
    user: CurrentUser,
    storage: Storage,
    grant_id: int,
    report_id: int,
    filename: str,
    content: bytes,
) -> ProgressReport:
    await check_report_of(session, grant_id, report_id)
    return await add_receipt(session, user, storage, report_id, filename, content)


async def review_report_of(
    session: AsyncSession,
    user: CurrentUser,
    grant_id: int,
    report_id: int,
    data: ReviewIn,
    *,
    settings: Settings,
) -> tuple[ProgressReport, str]:
    """`review_report`, with the grant's status after it. The grant is not loaded before the
    service locks it, so it decides on fresh data."""
    await check_report_of(session, grant_id, report_id)
    report = await review_report(session, user, report_id, data, settings=settings)
    grant = await session.get(Application, grant_id)  # the one the service just changed
    assert grant is not None
    return report, grant.status


async def receipt_file(
    session: AsyncSession,
    user: CurrentUser,
    storage: Storage,
    report_id: int,
    index: int,
    *,
    grant_id: int | None = None,
    viewer: Viewer = "reader",
) -> tuple[bytes, str, str]:
    """A receipt's content, type and name for its grantee or an officer; from a page
    (`grant_id` of its address, `viewer` of the page) another grant's report is not found."""
    if grant_id is not None:
        await grant_for(session, user, grant_id, viewer)
        await check_report_of(session, grant_id, report_id)
    found = await receipt(session, user, report_id, index)
    return await storage.get(found["key"]), found["content_type"], found["filename"]
