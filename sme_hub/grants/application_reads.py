"""Reading applications back as the API and pages show them: their files, their history
(timeline) from the audit log, the next step and, once decided, the explanation; the caller's
own applications."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select

from sme_hub.core.audit import AuditEntry
from sme_hub.core.i18n import N_, _, current_locale, format_datetime_kyiv, in_language
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import rules, submission_rules
from sme_hub.grants.models import Application, Attachment, GrantCall
from sme_hub.grants.schemas import (
    NEXT_STEP,
    ApplicationRead,
    AttachmentRead,
    DuplicateMatch,
    TimelineEntry,
)

TIMELINE_TEXT = {
    "created": N_("You started the application."),
    "assisted_draft": N_(
        "Your business support centre started a draft for you, with your consent."
    ),
    "assisted_edit": N_("Your business support centre edited the draft."),
    "submit": N_("Application submitted."),
    "withdraw": N_("Application withdrawn."),
    "mark_eligible": N_("The business support centre found the application eligible."),
    "mark_ineligible": N_("The business support centre found the application not eligible."),
}


async def _timelines(
    session: AsyncSession, application_ids: list[int]
) -> dict[int, list[TimelineEntry]]:
    """Each application's history from the audit log, for many applications in one query."""
    found: dict[int, list[TimelineEntry]] = {i: [] for i in application_ids}
    entries = await session.scalars(
        select(AuditEntry)
        .where(
            col(AuditEntry.object_type) == "application",
            col(AuditEntry.object_id).in_([str(i) for i in application_ids]),
        )
        .order_by(col(AuditEntry.id))
    )
    for entry in entries:
        if entry.action in TIMELINE_TEXT:
            found[int(entry.object_id)].append(
                TimelineEntry(at=entry.at, action=entry.action, text=_(TIMELINE_TEXT[entry.action]))
            )
    return found


async def attachments_of(session: AsyncSession, application_id: int) -> list[Attachment]:
    rows = await session.scalars(
        select(Attachment)
        .where(col(Attachment.application_id) == application_id)
        .order_by(col(Attachment.id))
    )
    return list(rows.all())


def content_of(application: Application) -> submission_rules.Content:
    return submission_rules.Content(
        project_title=application.project_title,
        summary=application.summary,
        description=application.description,
        requested_amount_kop=application.requested_amount_kop,
        own_contribution_kop=application.own_contribution_kop,
        budget_lines=tuple((line["item"], line["amount_kop"]) for line in application.budget_lines),
        jobs_total=application.jobs_total,
        jobs_women=application.jobs_women,
        environmental_effect=application.environmental_effect,
        screening=application.screening,
        mitigation=application.mitigation,
        answers=application.answers,
        iban=application.iban,
        contact_phone=application.contact_phone,
        business_address=application.business_address,
    )


async def read(
    session: AsyncSession,
    user: CurrentUser,
    application: Application,
    *,
    duplicates: list[DuplicateMatch] | None = None,
) -> ApplicationRead:
    (shown,) = await read_many(session, [application])
    shown.duplicate_matches = duplicates or []
    shown.duplicate_of = [match.application_id for match in shown.duplicate_matches]
    return shown


async def read_many(
    session: AsyncSession, applications: Sequence[Application]
) -> list[ApplicationRead]:
    """Applications as the API shows them, their files and histories read in two queries."""
    ids = [a.id or 0 for a in applications]
    files: dict[int, list[Attachment]] = {i: [] for i in ids}
    for attachment in await session.scalars(
        select(Attachment)
        .where(col(Attachment.application_id).in_(ids))
        .order_by(col(Attachment.id))
    ):
        files[attachment.application_id].append(attachment)
    timelines = await _timelines(session, ids)
    call_statuses = await _call_statuses(session, {a.call_id for a in applications})
    return [
        _shown(a, files[a.id or 0], timelines[a.id or 0], call_statuses[a.call_id])
        for a in applications
    ]


async def _call_statuses(session: AsyncSession, call_ids: set[int]) -> dict[int, str]:
    """Each call's status; calls this transaction has loaded already (an autosave has its
    draft's) are not asked for again."""
    statuses: dict[int, str] = {}
    for call_id in call_ids:
        loaded = session.identity_map.get(identity_key(GrantCall, call_id))
        if isinstance(loaded, GrantCall):
            statuses[call_id] = loaded.status
    if missing := call_ids - statuses.keys():
        rows = await session.execute(
            select(col(GrantCall.id), col(GrantCall.status)).where(col(GrantCall.id).in_(missing))
        )
        statuses.update((call_id or 0, status) for call_id, status in rows.all())
    return statuses


def _shown(
    application: Application,
    files: list[Attachment],
    timeline: list[TimelineEntry],
    call_status: str,
) -> ApplicationRead:
    assert application.id is not None
    next_step = NEXT_STEP.get(application.status)
    decided = rules.decision_shown(application.status, application.decided_at, call_status)
    # The columns as they are (budget lines and screening validated into their schemas), and
    # what is worked out for the reader.
    return ApplicationRead.model_validate(
        {
            **application.model_dump(),
            "project_cost_kop": submission_rules.project_cost(content_of(application)),
            "attachments": [AttachmentRead.model_validate(f) for f in files],
            "timeline": timeline,
            "next_step": _(next_step) if next_step else "",
            "explanation": explained(application.explanation) if decided else [],
        }
    )


def explained(lines: list[dict[str, Any]]) -> list[str]:
    """A stored explanation ([{message, params}]) in the reader's language."""
    locale = current_locale.get()
    texts = [(str(line.get("message", "")), line.get("params") or {}) for line in lines]
    return [_(message).format(**in_language(params, locale)) for message, params in texts]


async def my_applications(
    session: AsyncSession, user: CurrentUser
) -> list[tuple[Application, GrantCall]]:
    """The caller's applications with their calls, newest first."""
    rows = await session.execute(
        select(Application, GrantCall)
        .join(GrantCall, col(GrantCall.id) == col(Application.call_id))
        .where(col(Application.applicant_id) == user.id)
        .order_by(col(Application.id).desc())
    )
    return [(application, call) for application, call in rows.all()]


def closing_text(call: GrantCall) -> str:
    time = format_datetime_kyiv(call.closes_at, "d MMMM y, HH:mm")
    if rules.shown_call_status(call.status, call.closes_at, datetime.now(UTC)) == "published":
        return _("Closes {time} (Kyiv time)").format(time=time)
    return _("Closed on {time} (Kyiv time)").format(time=time)
