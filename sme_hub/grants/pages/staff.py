"""Grant pages of centre staff: the calls of their municipality, the screening list of a
call (filters, exports), one application with its files and business snapshot, the
eligibility decision, and assisted filing for a consenting client."""

from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page, Req
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.exports import export_route
from sme_hub.core.i18n import _
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.grants import applications, display, forms, screening, views
from sme_hub.grants.pages.files import ApplicationFilesController
from sme_hub.grants.web import (
    Filters,
    call_applications_export,
    screeners,
    screening_filters,
    staff_application_url,
    staff_only,
)


class GrantStaffPagesController(ApplicationFilesController):
    path = "/centre/grants"
    guards = staff_only
    dependencies = screening_filters

    @get("/")
    async def calls(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        shown = await views.staff_calls(db_session, user)
        return render(request, "grants/staff/calls.html", **shown)

    @get("/calls/{call_id:int}")
    async def call_applications(
        self,
        request: Req,
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        page: Page,
        filters: Filters,
    ) -> Template:
        shown = await views.screening_list(
            db_session, user, call_id, filters, limit=page.limit, offset=page.offset
        )
        return render(
            request,
            "grants/staff/call.html",
            fragment="grants/staff/_applications_table.html",
            **shown,
        )

    export = export_route(
        ["/calls/{call_id:int}/export.csv", "/calls/{call_id:int}/export.xlsx"],
        call_applications_export,
    )

    @get("/applications/{application_id:int}")
    async def application(
        self, request: Req, application_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        shown = await views.staff_application(db_session, user, application_id)
        return await _page(request, "application.html", shown)

    @post("/applications/{application_id:int}/eligibility", guards=screeners)
    async def decide(
        self,
        request: Req,
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        decision, errors = forms.parse_eligibility(data)
        try:
            if decision is None:
                raise InvalidInput(errors)
            await screening.decide_eligibility(
                db_session, user, application_id, decision, settings=settings
            )
        except InvalidInput as exc:
            errors, values = display.eligibility_errors(exc.errors), forms.eligibility_values(data)
            shown = await views.staff_application(db_session, user, application_id)
            return await _page(request, "application.html", shown, errors, values, status_code=422)
        except Conflict as exc:
            return redirect_with_message(
                request, staff_application_url(application_id), exc.detail, "error"
            )
        message = (
            _("The application is marked eligible; the applicant has been told.")
            if decision.eligible
            else _("The application is marked not eligible; the applicant sees your reason.")
        )
        return redirect_with_message(request, staff_application_url(application_id), message)

    # --- assisted filing --------------------------------------------------------------------

    @get("/assist", guards=screeners)
    async def assist_page(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        return await _page(request, "assist.html", await views.assist_choices(db_session, user))

    @post("/assist", guards=screeners)
    async def assist(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        """A draft for a consenting client; a refusal shows the form again as typed."""
        parsed, errors = forms.parse_assisted_draft(data)
        status_code = 422
        if parsed is not None:
            try:
                created = await applications.create_draft(db_session, user, *parsed)
            except (Conflict, NotFound) as exc:
                errors, status_code = {"entrepreneur_id": exc.detail}, exc.status_code
            else:
                message = _(
                    "The draft is ready. Fill it in with your client; only the client can "
                    "submit it."
                )
                return redirect_with_message(request, f"/me/applications/{created.id}", message)
        shown = await views.assist_choices(db_session, user)
        values = forms.assist_values(data)
        return await _page(request, "assist.html", shown, errors, values, status_code=status_code)


async def _page(
    request: Req,
    template: str,
    shown: dict[str, Any],
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Template:
    """A page of `shown` (a view of views.py) with the form's problems and typed values."""
    return render(
        request,
        f"grants/staff/{template}",
        status_code=status_code,
        errors=errors or {},
        values=values or {},
        **shown,
    )
