"""Calls and applications over the API (api.md): thin handlers over the grants services."""

from typing import Any

from litestar import Controller, Response, delete, get, patch, post, put
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody

from sme_hub.core.auth import current_user, requires_login, requires_role
from sme_hub.core.deps import Actor, Config, DbSession, Files, Page, Req, Upload
from sme_hub.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from sme_hub.core.exports import export_route
from sme_hub.core.public_cache import public_cache
from sme_hub.core.refusals import ERRORS
from sme_hub.core.roles import Role
from sme_hub.grants import (
    application_reads,
    applications,
    attachments,
    calls,
    screening,
    submission,
)
from sme_hub.grants.call_partners import set_call_partners
from sme_hub.grants.call_schemas import AmendmentRead, CallCreate, CallRead, CallUpdate
from sme_hub.grants.schemas import (
    ApplicationIn,
    ApplicationRead,
    AssistedDraft,
    AttachmentRead,
    EligibilityDecision,
    ScreeningPage,
)
from sme_hub.grants.web import (
    Filters,
    attachment_download,
    call_applications_export,
    copy_download,
    officer_only,
    screeners,
    screening_filters,
    staff_only,
)
from sme_hub.partners.schemas import CallPartnersIn

# Error answers each route documents in the OpenAPI schema (api.md's error shapes).
READ: list[type[HTTPException]] = [NotAuthorizedException, NotFound]
CHANGE: list[type[HTTPException]] = [*READ, Forbidden, Conflict, InvalidInput]


class CallCreateBody(CallCreate):
    municipality_id: int | None = None


class GrantsApiController(Controller):
    path = "/api/v1"
    tags = ["grants"]

    # --- calls ------------------------------------------------------------------------------

    @post("/calls", guards=officer_only, status_code=201, raises=CHANGE)
    async def create_call(
        self, data: JSONBody[CallCreateBody], user: Actor, db_session: DbSession
    ) -> CallRead:
        """A draft call of the officer's municipality; omitted settings take the defaults."""
        call = await calls.create_call(
            db_session,
            user,
            CallCreate(**data.model_dump(exclude={"municipality_id"})),
            data.municipality_id,
        )
        return calls.to_read(call)

    @get("/calls", middleware=[public_cache])
    async def list_calls(
        self,
        request: Req,
        db_session: DbSession,
        page: Page,
        status: FromQuery[str | None] = None,
        municipality_id: FromQuery[int | None] = None,
    ) -> OffsetPagination[CallRead]:
        """Calls, e.g. `?status=published` for those open now (public); officers also see
        their drafts."""
        rows, total = await calls.list_calls(
            db_session,
            current_user(request),
            status=status,
            municipality_id=municipality_id,
            limit=page.limit,
            offset=page.offset,
        )
        return OffsetPagination(
            items=[calls.to_read(c) for c in rows],
            limit=page.limit,
            offset=page.offset,
            total=total,
        )

    @get("/calls/{call_id:int}", raises=[NotFound])
    async def get_call(
        self, request: Req, call_id: FromPath[int], db_session: DbSession
    ) -> CallRead:
        return calls.to_read(await calls.get_call(db_session, current_user(request), call_id))

    @patch("/calls/{call_id:int}", guards=officer_only, raises=CHANGE)
    async def update_call(
        self, call_id: FromPath[int], data: JSONBody[CallUpdate], user: Actor, db_session: DbSession
    ) -> CallRead:
        """Edit a draft; on a published call, an amendment with `amendment_reason` (logged)."""
        return calls.to_read(await calls.update_call(db_session, user, call_id, data))

    @get("/calls/{call_id:int}/amendments", raises=[NotFound])
    async def call_amendments(
        self, request: Req, call_id: FromPath[int], db_session: DbSession
    ) -> list[AmendmentRead]:
        rows = await calls.amendments(db_session, current_user(request), call_id)
        return [AmendmentRead.model_validate(r) for r in rows]

    @post("/calls/{call_id:int}/{action:str}", guards=officer_only, status_code=200, raises=CHANGE)
    async def change_call_state(
        self, call_id: FromPath[int], action: FromPath[str], user: Actor, db_session: DbSession
    ) -> CallRead:
        """`publish` or `close`; 409 when the call's state does not allow it."""
        return calls.to_read(await calls.transition(db_session, user, call_id, action))

    # --- applications -----------------------------------------------------------------------

    @post(
        "/calls/{call_id:int}/applications", guards=[requires_login], status_code=201, raises=CHANGE
    )
    async def create_application(
        self,
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        data: JSONBody[AssistedDraft | None] = None,
    ) -> ApplicationRead:
        """A draft of the caller (an entrepreneur), or — for centre staff — of a client who
        consented (`entrepreneur_id`, `consent: true`; recorded)."""
        created = await applications.create_draft(db_session, user, call_id, data)
        return await application_reads.read(db_session, user, created)

    @get("/me/applications", guards=[requires_login], raises=READ)
    async def my_applications(self, user: Actor, db_session: DbSession) -> list[ApplicationRead]:
        rows = await application_reads.my_applications(db_session, user)
        return await application_reads.read_many(db_session, [a for a, _call in rows])

    @get("/applications/{application_id:int}", guards=[requires_login], raises=READ)
    async def get_application(
        self, application_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> ApplicationRead:
        """The applicant; staff of the call's municipality once submitted (with possible
        duplicates); an assigned evaluator after declaring no conflict (without who applied
        when the review is blind); others get 404."""
        return await screening.read_for(db_session, user, application_id)

    @patch("/applications/{application_id:int}", guards=[requires_login], raises=CHANGE)
    async def update_application(
        self,
        application_id: FromPath[int],
        data: JSONBody[ApplicationIn],
        user: Actor,
        db_session: DbSession,
    ) -> ApplicationRead:
        """Change a draft (only the fields sent); 409 once submitted."""
        updated = await applications.update_draft(db_session, user, application_id, data)
        return await application_reads.read(db_session, user, updated)

    @post(
        "/applications/{application_id:int}/attachments",
        guards=[requires_login],
        status_code=201,
        request_max_body_size=attachments.MAX_REQUEST_BYTES,
        raises=[*CHANGE, TooLarge, UnsupportedType],
    )
    async def add_attachment(
        self,
        application_id: FromPath[int],
        data: Upload,
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> AttachmentRead:
        """A PDF, JPEG or PNG (checked by content) up to 10 MB; 413 if larger, 415 for any
        other type, 409 past 10 files."""
        content = await data.read()
        created = await attachments.add(
            db_session, user, storage, application_id, data.filename or "file", content
        )
        return AttachmentRead.model_validate(created)

    @get(
        "/applications/{application_id:int}/attachments/{attachment_id:int}",
        guards=[requires_login],
        raises=READ,
    )
    async def get_attachment(
        self,
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        return await attachment_download(db_session, user, storage, application_id, attachment_id)

    @delete(
        "/applications/{application_id:int}/attachments/{attachment_id:int}",
        guards=[requires_login],
        status_code=204,
        raises=CHANGE,
    )
    async def remove_attachment(
        self,
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> None:
        await attachments.remove(db_session, user, storage, application_id, attachment_id)

    @post(
        "/applications/{application_id:int}/submit",
        guards=[requires_login],
        status_code=200,
        raises=CHANGE,
    )
    async def submit(
        self,
        application_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
        settings: Config,
    ) -> ApplicationRead:
        """Submit: 409 outside the call's dates; 422 listing every failed rule with its field."""
        submitted = await submission.submit(
            db_session, user, application_id, storage=storage, settings=settings
        )
        return await application_reads.read(db_session, user, submitted)

    @post(
        "/applications/{application_id:int}/withdraw",
        guards=[requires_login],
        status_code=200,
        raises=CHANGE,
    )
    async def withdraw(
        self, application_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> ApplicationRead:
        withdrawn = await applications.withdraw(db_session, user, application_id)
        return await application_reads.read(db_session, user, withdrawn)

    @get("/applications/{application_id:int}/pdf", guards=[requires_login], raises=CHANGE)
    async def application_pdf(
        self, application_id: FromPath[int], user: Actor, db_session: DbSession, storage: Files
    ) -> Response[bytes]:
        """The PDF copy made at submission (409 before)."""
        return await copy_download(db_session, user, storage, application_id)

    # --- screening --------------------------------------------------------------------------

    @get(
        "/calls/{call_id:int}/applications",
        guards=staff_only,
        dependencies=screening_filters,
        raises=[*READ, Forbidden, InvalidInput],
    )
    async def call_applications(
        self,
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        page: Page,
        filters: Filters,
    ) -> ScreeningPage:
        """Submitted applications of a call of the staff member's municipality, filtered
        (`q`, `status`, `women_led`, `green_level`, `category`, `duplicates`)."""
        items, total = await screening.list_applications(
            db_session, user, call_id, filters, limit=page.limit, offset=page.offset
        )
        return ScreeningPage(items=items, total=total, limit=page.limit, offset=page.offset)

    call_applications_export = export_route(
        [
            "/calls/{call_id:int}/applications/export.csv",
            "/calls/{call_id:int}/applications/export.xlsx",
        ],
        call_applications_export,
        guards=staff_only,
        dependencies=screening_filters,
        raises=[*READ, Forbidden, InvalidInput],
    )

    @post(
        "/applications/{application_id:int}/eligibility",
        guards=screeners,
        status_code=200,
        raises=CHANGE,
    )
    async def eligibility(
        self,
        application_id: FromPath[int],
        data: JSONBody[EligibilityDecision],
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> ApplicationRead:
        """Mark eligible or not, with a reason the applicant sees."""
        decided = await screening.decide_eligibility(
            db_session, user, application_id, data, settings=settings
        )
        return await application_reads.read(db_session, user, decided)


class CallPartnersApiController(Controller):
    """The partners a call names, under the partners' tag as before they moved here."""

    path = "/api/v1"
    tags = ["partners"]

    @put(
        "/calls/{call_id:int}/partners",
        guards=[requires_role(Role.MUNICIPAL_OFFICER, Role.ADMIN)],
        raises=ERRORS,
    )
    async def call_partners(
        self,
        call_id: FromPath[int],
        data: JSONBody[CallPartnersIn],
        user: Actor,
        db_session: DbSession,
    ) -> list[dict[str, Any]]:
        """The partners the call names (e.g. a co-financing bank); grantees are offered a
        referral to each after approval."""
        chosen = await set_call_partners(db_session, user, call_id, data)
        return [{"partner_id": c.partner_id, "service": c.service} for c in chosen]
