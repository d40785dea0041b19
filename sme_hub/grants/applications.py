"""Use cases of applications before they are judged: who reads and edits one, drafts (the
applicant's own, or centre staff's for a consenting client), saving as the applicant types,
withdrawal. Reading them back with a timeline: grants/application_reads.py."""

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.accounts.models import User
from sme_hub.config import Settings
from sme_hub.core import audit, mail
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.queries import add_unique, one_where
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import can_see_municipality
from sme_hub.core.transitions import transition
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.grants import calls, eligibility, rules, submission_rules
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.schemas import (
    ApplicationIn,
    ApplicationRead,
    AssistedDraft,
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
    application = await one_where(
        session, Application, col(Application.id) == application_id, lock=lock
    )
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
    await add_unique(
        session,
        application,
        Conflict(_("There is already an application of this business in this call.")),
    )
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
