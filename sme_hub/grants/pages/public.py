"""Grant pages for everyone: the open calls, one call's rules in plain words, and the
"Apply" button that starts an entrepreneur's draft."""

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from sme_hub.core import filters
from sme_hub.core.auth import current_user
from sme_hub.core.deps import Actor, DbSession, Page, Req
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput
from sme_hub.core.i18n import _
from sme_hub.core.pages import PagesController, redirect_with_message, render
from sme_hub.core.public_cache import public_cache
from sme_hub.grants import applications, views
from sme_hub.grants.web import entrepreneur_only

CALL_FIELDS = {
    "municipality_id": filters.number(),
    "status": filters.choice(views.STATUS_FILTERS, strip=False),
}


class PublicCallPagesController(PagesController):
    @get("/calls", middleware=[public_cache])
    async def calls_page(
        self,
        request: Req,
        db_session: DbSession,
        page: Page,
        municipality_id: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
    ) -> Template:
        # Lenient: a filter that cannot be read is no filter (the errors are not shown).
        given = {"municipality_id": municipality_id, "status": status}
        values, _errors = filters.parse_public_filters(given, CALL_FIELDS)
        shown = await views.call_list(
            db_session, current_user(request), values, limit=page.limit, offset=page.offset
        )
        chosen = {"municipality_id": values["municipality_id"], "status": status or ""}
        return render(
            request, "grants/calls.html", fragment="grants/_call_list.html", filters=chosen, **shown
        )

    @get("/calls/{call_id:int}")
    async def call_page(
        self, request: Req, call_id: FromPath[int], db_session: DbSession
    ) -> Template:
        shown = await views.call_page(db_session, current_user(request), call_id)
        return render(request, "grants/call.html", **shown)

    @post("/calls/{call_id:int}/apply", guards=entrepreneur_only)
    async def apply(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Redirect:
        try:
            created = await applications.create_draft(db_session, user, call_id)
        except (Conflict, Forbidden, InvalidInput) as exc:  # the call's page says what blocks
            return redirect_with_message(request, f"/calls/{call_id}", exc.detail, "error")
        message = _("Your draft is ready: it is saved as you type.")
        return redirect_with_message(request, f"/me/applications/{created.id}", message)
