"""Training pages for centre staff: their programmes and cohorts, a cohort's roster and
workflow buttons, the attendance screen of a session (htmx, bulk), and the progress of a
cohort's certificate batch (an htmx fragment that polls itself)."""

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.exports import Export, export_route
from sme_hub.core.outcome import respond
from sme_hub.core.pages import PagesController, confirmed, render
from sme_hub.core.roles import Role
from sme_hub.training import certificates, exports, staff_views
from sme_hub.training.web import staff_only

INDEX = "training/staff_index.html"
ATTENDANCE = "training/attendance.html"
ATTENDANCE_FORM = "training/_attendance_form.html"


async def cohort_export(cohort_id: FromPath[int], user: Actor, db_session: DbSession) -> Export:
    """The cohort's participants as a spreadsheet (CSV or XLSX, by the path), streamed."""
    return await exports.enrolments_export(db_session, user, cohort_id)


class TrainingStaffPagesController(PagesController):
    path = "/centre/training"
    guards = [requires_role(Role.CENTRE_STAFF)]

    @get("/")
    async def index(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        return render(request, INDEX, **await staff_views.index_view(db_session, user))

    @post("/programmes")
    async def create_programme(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        result = await staff_views.create_programme(db_session, user, data)
        return respond(request, result, INDEX)

    @post("/programmes/{programme_id:int}/cohorts")
    async def create_cohort(
        self,
        request: Req,
        programme_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        result = await staff_views.create_cohort(db_session, user, programme_id, data)
        return respond(request, result, INDEX)

    @get("/cohorts/{cohort_id:int}")
    async def cohort(
        self, request: Req, cohort_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        view = await staff_views.cohort_view(db_session, user, cohort_id)
        return render(request, "training/staff_cohort.html", **view)

    export = export_route(
        ["/cohorts/{cohort_id:int}/export.csv", "/cohorts/{cohort_id:int}/export.xlsx"],
        cohort_export,
    )

    @post("/cohorts/{cohort_id:int}/sessions")
    async def add_session(
        self,
        request: Req,
        cohort_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        return respond(request, await staff_views.add_session(db_session, user, cohort_id, data))

    @post("/cohorts/{cohort_id:int}/{action:str}")
    async def change_state(
        self,
        request: Req,
        cohort_id: FromPath[int],
        action: FromPath[str],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        result = await staff_views.change_state(
            db_session, user, cohort_id, action, confirmed=confirmed(data)
        )
        return respond(request, result)

    @get("/sessions/{session_id:int}/attendance")
    async def attendance_page(
        self, request: Req, session_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        view = await staff_views.attendance_view(db_session, user, session_id)
        return render(request, ATTENDANCE, fragment=ATTENDANCE_FORM, **view)

    @post("/sessions/{session_id:int}/attendance")
    async def save_attendance(
        self,
        request: Req,
        session_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        result = await staff_views.save_attendance(db_session, user, session_id, data)
        return respond(request, result, ATTENDANCE, fragment=ATTENDANCE_FORM)


class CertificateStaffPagesController(PagesController):
    @get("/centre/cohorts/{cohort_id:int}/certificates/progress", guards=staff_only)
    async def progress(
        self, request: Req, cohort_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        """How far the cohort's certificate batch has come; polls itself while it runs."""
        batch = await certificates.batch_progress(db_session, user, cohort_id)
        return Template(
            template_name="training/_certificate_progress.html",
            context={"batch": batch, "cohort_id": cohort_id},
        )
