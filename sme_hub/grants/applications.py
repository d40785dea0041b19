"""Use cases of applications before they are judged: drafts (the applicant's own, or centre
staff's for a consenting client), saving as the applicant types, withdrawal, reading back
with a timeline."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.config import Settings
from sme_hub.core import audit, mail
from sme_hub.core.audit import AuditEntry
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sme_hub.core.i18n import N_, _, current_locale, format_datetime_kyiv, in_language
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import can_see_municipality
from sme_hub.core.transitions import transition
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.grants import calls, eligibility, rules, submission_rules
from sme_hub.grants.models import Application, Attachment, GrantCall
from sme_hub.grants.schemas import (
    NEXT_STEP,
    ApplicationIn,
    ApplicationRead,
    AssistedDraft,
    AttachmentRead,
    DuplicateMatch,
    TimelineEntry,
)

STAFF_ROLES = (Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER)

ReaderRule = Callable[[AsyncSession, CurrentUser, int], Awaitable[bool]]
# Who else reads an application, beside `can_read`'s people, is for the features above grants
# to add (evaluation: an evaluator assigned to it, evaluation/readers.py): grants, which they
# build on, imports none of them.
OTHER_READERS: list[ReaderRule] = []


def add_reader(rule: ReaderRule) -> None:
    """Lets `rule` (session, user, application id) admit more readers to `get_application`."""
    if rule not in OTHER_READERS:
        OTHER_READERS.append(rule)


def is_staff_of(user: CurrentUser, municipality_id: int) -> bool:
    return can_see_municipality(user, municipality_id, *STAFF_ROLES)


def can_read(user: CurrentUser, application: Application) -> bool:
    """The applicant; the staff member drafting it for them; staff of the call's
    municipality once it is submitted. (Evaluators: when assigned, in the next stage.)"""
    if application.applicant_id == user.id:
        return True
    if application.status == "draft":
        return application.assisted_by == user.id and is_staff_of(user, application.municipality_id)
    return is_staff_of(user, application.municipality_id)


def can_edit(user: CurrentUser, application: Application) -> bool:
    return application.status == "draft" and (
        application.applicant_id == user.id
        or (application.assisted_by == user.id and is_staff_of(user, application.municipality_id))
    )


async def get_application(
    session: AsyncSession, user: CurrentUser, application_id: int, *, lock: bool = False
) -> Application:
    statement = select(Application).where(col(Application.id) == application_id)
    application = await session.scalar(statement.with_for_update() if lock else statement)
    if application is None:
        raise NotFound()
    if not can_read(user, application) and not await read_by_others(session, user, application_id):
        raise NotFound()
    return application


async def read_by_others(session: AsyncSession, user: CurrentUser, application_id: int) -> bool:
    """Whether a rule of a feature above grants lets the user read the application."""
    for rule in OTHER_READERS:
        if await rule(session, user, application_id):
            return True
    return False


def sees_applicant(call: GrantCall | None) -> bool:
    """The rule of blind review, for every page, API answer and file: an evaluator sees who
    applied (name, business and tax number, contacts, IBAN, the application's history, its
    PDF copy) only when the call's review is not blind. The applicant, and staff who may
    read the application, see it all; that is not an evaluator's view."""
    return call is not None and not call.blind_review


def as_evaluator_sees(call: GrantCall | None, shown: ApplicationRead) -> ApplicationRead:
    """The application as the API shows it to its evaluator: under blind review, nothing
    that names the applicant."""
    if sees_applicant(call):
        return shown
    return shown.model_copy(
        update={
            "applicant_id": 0,
            "snapshot": None,
            "iban": "",
            "contact_phone": "",
            "business_address": "",
            "assisted_by": None,
            "timeline": [],
        }
    )


async def editable_application(
    session: AsyncSession, user: CurrentUser, application_id: int
) -> Application:
    """The draft under its row lock (saves, uploads and submit queue up on it)."""
    application = await get_application(session, user, application_id, lock=True)
    if not can_edit(user, application):
        if application.status != "draft":
            raise Conflict(_("A submitted application can no longer be changed."))
        raise Forbidden(_("Only the applicant can change this application."))
    return application


# --- drafts ---------------------------------------------------------------------------------


async def create_draft(
    session: AsyncSession,
    user: CurrentUser,
    call_id: int,
    assisted: AssistedDraft | None = None,
) -> Application:
    """A new draft in an open call: the caller's own, or (assisted filing) a client's; 422
    with what stops the applicant from applying at all (eligibility_rules.blockers), before
    they write."""
    call = await calls.get_call(session, user, call_id)
    window = rules.call_window(call.status, call.opens_at, call.closes_at, calls.now())
    if window == "closed" or call.status != "published":
        raise Conflict(_("This call does not accept applications."))
    applicant_id, consent = user.id, None
    if assisted is not None:
        applicant_id, consent = await _assisted_client(session, user, call, assisted)
    elif not user.has_role(Role.ENTREPRENEUR):
        raise Forbidden(_("Only entrepreneurs apply for grants."))
    if problems := await eligibility.blockers(session, applicant_id, call):
        raise InvalidInput(
            eligibility.as_errors(problems),
            detail=_(
                "An application to this call cannot be started yet: see what stands in the way."
            ),
        )
    applicant = await session.get(User, applicant_id)
    assert applicant is not None
    application = Application(
        call_id=call_id,
        municipality_id=call.municipality_id,
        applicant_id=applicant_id,
        contact_phone=applicant.phone or "",
        phone_key=rules.phone_key(applicant.phone or ""),
        assisted_by=user.id if assisted else None,
        assistance_consent=consent,
    )
    try:
        async with session.begin_nested():
            session.add(application)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            _("There is already an application of this business in this call."),
        ) from exc
    await audit.record(
        session,
        user,
        "application",
        application,
        "assisted_draft" if assisted else "created",
        municipality_id=call.municipality_id,
        after={"call_id": call_id, "status": "draft", "consent": consent},
    )
    return application


async def _assisted_client(
    session: AsyncSession, user: CurrentUser, call: GrantCall, assisted: AssistedDraft
) -> tuple[int, dict[str, Any]]:
    """The client whose application centre staff draft: an entrepreneur whose business is in
    the staff member's (and the call's) municipality; others are not found."""
    if not (user.is_admin or call.municipality_id in user.municipality_ids(Role.CENTRE_STAFF)):
        raise NotFound()
    profile = await entrepreneurs.get_profile(session, assisted.entrepreneur_id)
    if profile is None or profile.municipality_id != call.municipality_id:
        raise NotFound(_("This entrepreneur is not a client of your municipality."))
    consent = {
        "method": assisted.consent_method,
        "note": assisted.consent_note,
        "recorded_by": user.id,
        "recorded_at": calls.now().isoformat(),
    }
    return assisted.entrepreneur_id, consent


async def update_draft(
    session: AsyncSession, user: CurrentUser, application_id: int, data: ApplicationIn
) -> Application:
    """Apply a partial change to a draft. Invalid input changes nothing (422)."""
    application = await editable_application(session, user, application_id)
    call = await session.get(GrantCall, application.call_id)
    assert call is not None
    changes = data.model_dump(exclude_unset=True)
    known = {question["key"] for question in call.questions}
    errors = {
        f"answers.{key}": _("This call has no such question.")
        for key in (changes.get("answers") or {})
        if key not in known
    }
    jobs_total = changes.get("jobs_total", application.jobs_total)
    jobs_women = changes.get("jobs_women", application.jobs_women)
    if jobs_total is not None and jobs_women is not None and jobs_women > jobs_total:
        errors["jobs_women"] = _(submission_rules.MSG_JOBS_WOMEN_TOO_MANY)
    if errors:
        raise InvalidInput(errors)
    apply_changes(application, changes)
    application.updated_at = calls.now()
    await session.flush()
    if user.id != application.applicant_id:
        await audit.record(
            session,
            user,
            "application",
            application,
            "assisted_edit",
            after={"fields": sorted(changes)},
        )
    return application


def apply_changes(application: Application, changes: Mapping[str, Any]) -> None:
    """Write validated changes; screening answers and question answers merge into what is
    there (an empty answer clears it)."""
    for key, value in changes.items():
        if key == "screening" and value is None:  # null clears the whole part
            application.screening = {}
        elif key == "screening":
            merged = {**application.screening, **{k: v for k, v in value.items() if v is not None}}
            for k, v in value.items():
                if v is None:
                    merged.pop(k, None)
            application.screening = merged
        elif key == "answers":
            answers = {**application.answers, **(value or {})} if value is not None else {}
            application.answers = {k: v for k, v in answers.items() if v.strip()}
        elif key == "budget_lines":
            application.budget_lines = list(value or [])
        elif key in ("requested_amount_kop", "own_contribution_kop", "jobs_total", "jobs_women"):
            setattr(application, key, value)
        else:
            setattr(application, key, value if value is not None else "")
    application.environmental_category = rules.environmental_category(application.screening)
    application.phone_key = rules.phone_key(application.contact_phone)
    application.address_key = rules.address_key(application.business_address)


async def tell_applicant(
    session: AsyncSession,
    settings: Settings,
    application: Application,
    call: GrantCall,
    template: str,
    **details: Any,
) -> None:
    """Email the applicant about their application: `template` with the project, the call,
    the link to the application and `details`."""
    await mail.notify(
        session,
        application.applicant_id,
        template,
        project=application.project_title,
        call=call,
        **details,
        link=f"{settings.base_url}/me/applications/{application.id}",
    )


async def withdraw(session: AsyncSession, user: CurrentUser, application_id: int) -> Application:
    application = await get_application(session, user, application_id, lock=True)
    if application.applicant_id != user.id:
        raise Forbidden(_("Only the applicant can withdraw an application."))
    await transition(
        session,
        rules.APPLICATION,
        application,
        "withdraw",
        user=user,
        owner_id=application.applicant_id,
        values={"updated_at": calls.now()},
    )
    return application


# --- reading back ---------------------------------------------------------------------------

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
