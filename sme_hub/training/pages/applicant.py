"""Training pages for an entrepreneur: the start page (profile and courses), enrolling in a
course, cancelling, the calendar file of a course and its certificate."""

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.outcome import respond
from sme_hub.core.pages import PagesController, confirmed, render
from sme_hub.core.roles import Role
from sme_hub.training import catalogue, views
from sme_hub.training.web import certificate_response

entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]


class TrainingApplicantPagesController(PagesController):
    @get("/me", guards=entrepreneur_only)
    async def dashboard(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        view = await views.dashboard_view(db_session, user)
        return render(request, "training/dashboard.html", **view)

    @post("/courses/{cohort_id:int}/enrol", guards=entrepreneur_only)
    async def enrol(
        self, request: Req, cohort_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        return respond(request, await views.enrol(db_session, user, cohort_id))

    @post("/me/enrolments/{enrolment_id:int}/cancel", guards=entrepreneur_only)
    async def cancel(
        self,
        request: Req,
        enrolment_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        result = await views.cancel(db_session, user, enrolment_id, confirmed=confirmed(data))
        return respond(request, result)

    @get("/me/enrolments/{enrolment_id:int}/calendar.ics", guards=entrepreneur_only)
    async def calendar(
        self, enrolment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[str]:
        return Response(
            await catalogue.calendar_for(db_session, user, enrolment_id),
            media_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="course.ics"'},
        )

    @get("/me/enrolments/{enrolment_id:int}/certificate.pdf", guards=[requires_login])
    async def certificate(
        self, request: Req, enrolment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        return await certificate_response(request, user, db_session, enrolment_id)
