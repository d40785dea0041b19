"""What the training pages of centre staff show and do: their programmes and cohorts, a
cohort's roster with its workflow buttons, sessions, and the attendance of a session."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.i18n import N_, _
from sme_hub.core.outcome import PageResult
from sme_hub.core.roles import CurrentUser
from sme_hub.partners import directory as partner_directory
from sme_hub.training import catalogue, forms, roster, rules, schemas, service

HOME = "/centre/training"
# The cohort actions that cannot be undone: the question, what happens, the button.
COHORT_CONFIRMATIONS = {
    "finish": (
        N_("Finish the cohort of {dates}?"),
        (
            N_("Who completed the programme is decided by attendance, and they get certificates."),
            N_("Attendance can no longer be changed."),
        ),
        N_("Yes, finish the cohort"),
    ),
    "cancel": (
        N_("Cancel the cohort of {dates}?"),
        (
            N_("The cohort will not take place; nobody can enrol in it any more."),
            N_("Everyone enrolled loses their seat."),
        ),
        N_("Yes, cancel the cohort"),
    ),
}


def cohort_page(cohort_id: int) -> str:
    return f"{HOME}/cohorts/{cohort_id}"


def attendance_page(session_id: int) -> str:
    return f"{HOME}/sessions/{session_id}/attendance"


async def index_view(
    session: AsyncSession,
    user: CurrentUser,
    *,
    errors: dict[str, str] | None = None,
    form: str = "",
) -> dict[str, Any]:
    """The centre's programmes with their cohorts, and the forms adding them (`form`: the
    one refused, shown open with its `errors`)."""
    programmes = await roster.centre_programmes(session, user)
    active = [p for p in await partner_directory.list_partners(session) if p.is_active]
    return {
        "programmes": programmes,
        "hosts": await catalogue.host_names(session, (p for p, _c in programmes)),
        "host_options": [("", _("None"))] + [(str(p.id), p.name) for p in active],
        "labels": schemas,
        "errors": errors or {},
        "form": form,
    }


async def create_programme(
    session: AsyncSession, user: CurrentUser, data: Mapping[str, Any]
) -> PageResult:
    checked, errors = forms.parse_programme(data)
    try:
        if checked is None:
            raise InvalidInput(errors)
        await service.create_programme(session, user, checked)
    except InvalidInput as exc:
        view = await index_view(session, user, errors=exc.errors, form="programme")
        return PageResult(view=view, status_code=422)
    return PageResult(url=HOME, message=_("Programme created."))


async def create_cohort(
    session: AsyncSession, user: CurrentUser, programme_id: int, data: Mapping[str, Any]
) -> PageResult:
    # Another centre's programme is not found, whatever the form says (not a 422 that would
    # tell that it exists).
    await service.staff_programme(session, user, programme_id)
    checked, errors = forms.parse_cohort(data)
    try:
        if checked is None:
            raise InvalidInput(errors)
        cohort = await service.create_cohort(session, user, programme_id, checked)
    except InvalidInput as exc:
        view = await index_view(session, user, errors=exc.errors, form=f"cohort-{programme_id}")
        return PageResult(view=view, status_code=422)
    return PageResult(url=cohort_page(cohort.id or 0), message=_("Cohort created."))


async def cohort_view(session: AsyncSession, user: CurrentUser, cohort_id: int) -> dict[str, Any]:
    """A cohort of the centre: its sessions, its roster, the workflow buttons (with those
    that must wait for a later day)."""
    cohort, programme, sessions, people = await roster.cohort_roster(session, user, cohort_id)
    return {
        "cohort": cohort,
        "programme": programme,
        "sessions": sessions,
        "waiting": service.waiting_actions(cohort, sessions),
        "people": people,
        "hosts": await catalogue.host_names(session, [programme]),
        "labels": schemas,
    }


async def add_session(
    session: AsyncSession, user: CurrentUser, cohort_id: int, data: Mapping[str, Any]
) -> PageResult:
    # Another centre's cohort is not found, whatever the form says (not a redirect that
    # would tell that it exists); add_session finds the cohort loaded already.
    await service.staff_cohort(session, user, cohort_id)
    page = cohort_page(cohort_id)
    form, errors = forms.parse_session(data)
    if form is None:
        return PageResult(url=page, message=errors["__all__"], category="error")
    try:
        await service.add_session(session, user, cohort_id, form)
    except Conflict as exc:
        return PageResult(url=page, message=exc.detail, category="error")
    return PageResult(url=page, message=_("Session added."))


async def _confirmation(
    session: AsyncSession, user: CurrentUser, cohort_id: int, action: str
) -> dict[str, Any] | None:
    """The question before an irreversible action the cohort's state allows, or None."""
    if action not in COHORT_CONFIRMATIONS:
        return None
    cohort = await service.staff_cohort(session, user, cohort_id)
    if not rules.COHORT.next_state(cohort.status, action):
        return None
    question, consequences, button = COHORT_CONFIRMATIONS[action]
    dates = f"{cohort.starts_on:%d.%m.%Y} – {cohort.ends_on:%d.%m.%Y}"
    return {
        "title": _(question).format(dates=dates),
        "consequences": [_(line) for line in consequences],
        "button": _(button),
        "cancel": cohort_page(cohort_id),
    }


async def change_state(
    session: AsyncSession, user: CurrentUser, cohort_id: int, action: str, *, confirmed: bool
) -> PageResult:
    """A workflow button of the cohort; finishing and cancelling are confirmed first."""
    if not confirmed and (question := await _confirmation(session, user, cohort_id, action)):
        return PageResult(confirm=question)
    page = cohort_page(cohort_id)
    try:
        cohort = await service.transition(session, user, cohort_id, action)
    except Conflict as exc:
        return PageResult(url=page, message=exc.detail, category="error")
    message = _("The cohort is now {status}.").format(
        status=_(schemas.COHORT_STATUS_LABELS[cohort.status])
    )
    return PageResult(url=page, message=message)


async def attendance_view(
    session: AsyncSession, user: CurrentUser, session_id: int, *, saved: bool = False
) -> dict[str, Any]:
    """The attendance screen of a session: who is enrolled, who was there."""
    training_session, cohort, present = await roster.session_attendance(session, user, session_id)
    _c, programme, _s, people = await roster.cohort_roster(session, user, cohort.id or 0)
    return {
        "training_session": training_session,
        "cohort": cohort,
        "programme": programme,
        "present": present,
        "saved": saved,
        "people": [(e, n) for e, n in people if e.status == "enrolled"],
    }


async def save_attendance(
    session: AsyncSession, user: CurrentUser, session_id: int, data: Mapping[str, Any]
) -> PageResult:
    """Saves who was there; the screen again, saved (a refusal goes back to it)."""
    present = schemas.AttendanceUpdate(present=forms.present_ids(data))
    try:
        await service.set_attendance(session, user, session_id, present)
    except (InvalidInput, Conflict) as exc:
        return PageResult(url=attendance_page(session_id), message=exc.detail, category="error")
    return PageResult(view=await attendance_view(session, user, session_id, saved=True))
