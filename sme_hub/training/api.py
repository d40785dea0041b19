"""Training over the API: programmes, cohorts and sessions (centre staff), the cohort
workflow, enrolments (entrepreneurs), attendance, certificates."""

from litestar import Controller, Response, delete, get, post, put
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody

from sme_hub.core.auth import requires_login
from sme_hub.core.deps import Actor, DbSession, Page, Req
from sme_hub.core.paged import listed
from sme_hub.core.public_cache import public_cache
from sme_hub.training import enrolment, service
from sme_hub.training.schemas import (
    AttendanceRead,
    AttendanceUpdate,
    CohortCreate,
    CohortRead,
    EnrolmentRead,
    ProgrammeCreate,
    ProgrammeRead,
    SessionCreate,
    SessionRead,
)
from sme_hub.training.web import certificate_response, staff_only


class TrainingApiController(Controller):
    path = "/api/v1"
    tags = ["training"]

    @get("/programmes")
    async def programmes(
        self, db_session: DbSession, page: Page
    ) -> OffsetPagination[ProgrammeRead]:
        """The catalogue of programmes (public)."""
        return await listed(ProgrammeRead, page, service.list_programmes, db_session)

    @post("/programmes", guards=staff_only, status_code=201)
    async def create_programme(
        self, data: JSONBody[ProgrammeCreate], user: Actor, db_session: DbSession
    ) -> ProgrammeRead:
        programme = await service.create_programme(db_session, user, data)
        return ProgrammeRead.model_validate(programme)

    @get("/cohorts", middleware=[public_cache])
    async def cohorts(
        self, db_session: DbSession, page: Page, status: FromQuery[str | None] = None
    ) -> OffsetPagination[CohortRead]:
        """Cohorts, e.g. `?status=open` for those taking enrolments (public)."""
        return await listed(CohortRead, page, service.list_cohorts, db_session, status=status)

    @post("/programmes/{programme_id:int}/cohorts", guards=staff_only, status_code=201)
    async def create_cohort(
        self,
        programme_id: FromPath[int],
        data: JSONBody[CohortCreate],
        user: Actor,
        db_session: DbSession,
    ) -> CohortRead:
        cohort = await service.create_cohort(db_session, user, programme_id, data)
        return CohortRead.model_validate(cohort)

    @post("/cohorts/{cohort_id:int}/sessions", guards=staff_only, status_code=201)
    async def add_session(
        self,
        cohort_id: FromPath[int],
        data: JSONBody[SessionCreate],
        user: Actor,
        db_session: DbSession,
    ) -> SessionRead:
        created = await service.add_session(db_session, user, cohort_id, data)
        return SessionRead.model_validate(created)

    @post("/cohorts/{cohort_id:int}/{action:str}", guards=staff_only, status_code=200)
    async def change_state(
        self, cohort_id: FromPath[int], action: FromPath[str], user: Actor, db_session: DbSession
    ) -> CohortRead:
        """`open`, `start`, `finish` (decides completions) or `cancel`; 409 when the cohort's
        state does not allow it."""
        cohort = await service.transition(db_session, user, cohort_id, action)
        return CohortRead.model_validate(cohort)

    @post("/cohorts/{cohort_id:int}/enrolments", guards=[requires_login], status_code=201)
    async def enrol(
        self, cohort_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> EnrolmentRead:
        """Enrol the caller: `enrolled` while seats remain, else `waitlisted` with a position;
        409 if already enrolled or enrolment is closed."""
        created = await enrolment.enrol(db_session, user, cohort_id)
        return EnrolmentRead.model_validate(created)

    @delete("/enrolments/{enrolment_id:int}", guards=[requires_login], status_code=200)
    async def cancel(
        self, enrolment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> EnrolmentRead:
        """Cancel (the owner or the centre's staff); the first waitlisted person moves up."""
        cancelled = await enrolment.cancel(db_session, user, enrolment_id)
        return EnrolmentRead.model_validate(cancelled)

    @get("/me/enrolments", guards=[requires_login])
    async def my_enrolments(self, user: Actor, db_session: DbSession) -> list[EnrolmentRead]:
        rows = await enrolment.my_enrolments(db_session, user)
        return [EnrolmentRead.model_validate(r) for r in rows]

    @put("/sessions/{session_id:int}/attendance", guards=staff_only)
    async def attendance(
        self,
        session_id: FromPath[int],
        data: JSONBody[AttendanceUpdate],
        user: Actor,
        db_session: DbSession,
    ) -> AttendanceRead:
        present = await service.set_attendance(db_session, user, session_id, data)
        return AttendanceRead(session_id=session_id, present=present)


class CertificateApiController(Controller):
    path = "/api/v1"
    tags = ["training"]

    @get(
        "/enrolments/{enrolment_id:int}/certificate.pdf",
        guards=[requires_login],
        media_type="application/pdf",
    )
    async def certificate(
        self, request: Req, enrolment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        """The certificate of a completed enrolment as a PDF (`?lang=en` for English): for
        its owner, staff of the cohort's centre and admins. 409 until completed."""
        return await certificate_response(request, user, db_session, enrolment_id)
