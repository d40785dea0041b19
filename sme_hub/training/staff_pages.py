"""Training pages for centre staff: their programmes and cohorts, a cohort's roster and
workflow buttons, and the attendance screen of a session (htmx, bulk)."""

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, FormData
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.exports import Export, export_route
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import KYIV, N_, _
from sme_hub.core.pages import confirmation, confirmed, redirect_with_message, render
from sme_hub.core.roles import Role
from sme_hub.partners import directory as partner_directory
from sme_hub.training import catalogue, exports, rules, schemas, service
from sme_hub.training.schemas import AttendanceUpdate, CohortCreate, ProgrammeCreate, SessionCreate

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


def _checked(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


async def cohort_export(cohort_id: FromPath[int], user: Actor, db_session: DbSession) -> Export:
    """The cohort's participants as a spreadsheet (CSV or XLSX, by the path), streamed."""
    return await exports.enrolments_export(db_session, user, cohort_id)


class TrainingStaffPagesController(Controller):
    path = "/centre/training"
    guards = [requires_role(Role.CENTRE_STAFF)]
    include_in_schema = False

    async def _index(
        self,
        request: Request[Any, Any, Any],
        user: Actor,
        db_session: DbSession,
        *,
        errors: dict[str, str] | None = None,
        form: str = "",
        status_code: int = 200,
    ) -> Template:
        programmes = await service.centre_programmes(db_session, user)
        active = [p for p in await partner_directory.list_partners(db_session) if p.is_active]
        return render(
            request,
            "training/staff_index.html",
            status_code=status_code,
            programmes=programmes,
            hosts=await catalogue.host_names(db_session, (p for p, _c in programmes)),
            host_options=[("", _("None"))] + [(str(p.id), p.name) for p in active],
            labels=schemas,
            errors=errors or {},
            form=form,
        )

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        return await self._index(request, user, db_session)

    @post("/programmes")
    async def create_programme(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        fields = {k: data.get(k, "") for k in ("title", "description", "target_group", "format")}
        fields["topics"] = [t.strip() for t in str(data.get("topics", "")).split(",") if t.strip()]
        fields["host_partner_id"] = data.get("host_partner_id") or None
        try:
            await service.create_programme(db_session, user, parse_form(ProgrammeCreate, fields))
        except InvalidInput as exc:
            return await self._index(
                request, user, db_session, errors=exc.errors, form="programme", status_code=422
            )
        return redirect_with_message(request, "/centre/training", _("Programme created."))

    @post("/programmes/{programme_id:int}/cohorts")
    async def create_cohort(
        self,
        request: Request[Any, Any, Any],
        programme_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        keys = (
            "starts_on",
            "ends_on",
            "enrolment_deadline",
            "capacity",
            "reserved_women_seats",
            "place",
        )
        fields: dict[str, Any] = {k: data.get(k) or None for k in keys}
        fields["reserved_women_seats"] = fields["reserved_women_seats"] or 0
        fields["place"] = fields["place"] or ""
        fields["open"] = data.get("open") == "true"
        # Another centre's programme is not found, whatever the form says (not a 422 that
        # would tell that it exists).
        await service.staff_programme(db_session, user, programme_id)
        try:
            cohort = await service.create_cohort(
                db_session, user, programme_id, parse_form(CohortCreate, fields)
            )
        except InvalidInput as exc:
            return await self._index(
                request,
                user,
                db_session,
                errors=exc.errors,
                form=f"cohort-{programme_id}",
                status_code=422,
            )
        return redirect_with_message(
            request, f"/centre/training/cohorts/{cohort.id}", _("Cohort created.")
        )

    @get("/cohorts/{cohort_id:int}")
    async def cohort(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        cohort, programme, sessions, people = await service.cohort_roster(
            db_session, user, cohort_id
        )
        return render(
            request,
            "training/staff_cohort.html",
            cohort=cohort,
            programme=programme,
            sessions=sessions,
            waiting=service.waiting_actions(cohort, sessions),
            people=people,
            hosts=await catalogue.host_names(db_session, [programme]),
            labels=schemas,
        )

    export = export_route(
        ["/cohorts/{cohort_id:int}/export.csv", "/cohorts/{cohort_id:int}/export.xlsx"],
        cohort_export,
    )

    @post("/cohorts/{cohort_id:int}/sessions")
    async def add_session(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        # Another centre's cohort is not found, whatever the form says (not a redirect that
        # would tell that it exists); add_session finds the cohort loaded already.
        await service.staff_cohort(db_session, user, cohort_id)
        page = f"/centre/training/cohorts/{cohort_id}"
        starts = f"{data.get('date', '')}T{data.get('time', '')}:00"
        try:
            form = SessionCreate(
                starts_at=datetime.fromisoformat(starts).replace(tzinfo=KYIV),
                topic=str(data.get("topic", "")),
                duration_minutes=int(data.get("duration_minutes") or 120),
            )
        except ValueError:  # only the form's: Litestar's NotFoundException is a ValueError too
            message = _("Give the date, the time and the topic of the session.")
            return redirect_with_message(request, page, message, "error")
        try:
            await service.add_session(db_session, user, cohort_id, form)
        except Conflict as exc:
            return redirect_with_message(request, page, exc.detail, "error")
        return redirect_with_message(request, page, _("Session added."))

    @post("/cohorts/{cohort_id:int}/{action:str}")
    async def change_state(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        action: FromPath[str],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        page = f"/centre/training/cohorts/{cohort_id}"
        if action in COHORT_CONFIRMATIONS and not confirmed(data):
            cohort = await service.staff_cohort(db_session, user, cohort_id)
            if rules.COHORT.next_state(cohort.status, action):
                question, consequences, button = COHORT_CONFIRMATIONS[action]
                dates = f"{cohort.starts_on:%d.%m.%Y} – {cohort.ends_on:%d.%m.%Y}"
                return confirmation(
                    request,
                    title=_(question).format(dates=dates),
                    consequences=[_(line) for line in consequences],
                    button=_(button),
                    cancel=page,
                )
        try:
            cohort = await service.transition(db_session, user, cohort_id, action)
        except Conflict as exc:
            return redirect_with_message(
                request, f"/centre/training/cohorts/{cohort_id}", exc.detail, "error"
            )
        return redirect_with_message(
            request,
            f"/centre/training/cohorts/{cohort_id}",
            _("The cohort is now {status}.").format(
                status=_(schemas.COHORT_STATUS_LABELS[cohort.status])
            ),
        )

    @get("/sessions/{session_id:int}/attendance")
    async def attendance_page(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        return await _attendance_sheet(request, user, db_session, session_id, saved=False)

    @post("/sessions/{session_id:int}/attendance")
    async def save_attendance(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        present = [int(v) for v in _checked(data, "present") if v.isdigit()]
        try:
            await service.set_attendance(
                db_session, user, session_id, AttendanceUpdate(present=present)
            )
        except (InvalidInput, Conflict) as exc:
            return redirect_with_message(
                request, f"/centre/training/sessions/{session_id}/attendance", exc.detail, "error"
            )
        return await _attendance_sheet(request, user, db_session, session_id, saved=True)


async def _attendance_sheet(
    request: Request[Any, Any, Any],
    user: Actor,
    db_session: DbSession,
    session_id: int,
    *,
    saved: bool,
) -> Template:
    """The attendance screen of a session (the whole page, or its form for htmx)."""
    training_session, cohort, present = await service.session_attendance(
        db_session, user, session_id
    )
    _c, programme, _s, people = await service.cohort_roster(db_session, user, cohort.id or 0)
    return render(
        request,
        "training/attendance.html",
        fragment="training/_attendance_form.html",
        training_session=training_session,
        cohort=cohort,
        programme=programme,
        present=present,
        saved=saved,
        people=[(e, n) for e, n in people if e.status == "enrolled"],
    )
