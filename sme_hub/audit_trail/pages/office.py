"""The audit page `/audit`, for admins and municipal officers (their own municipalities only)."""

from litestar import get
from litestar.response import Template

from sme_hub.audit_trail import service
from sme_hub.audit_trail.forms import parse_trail_form
from sme_hub.audit_trail.web import readers
from sme_hub.core.deps import Actor, DbSession, Page, Req
from sme_hub.core.pages import PagesController, render


class AuditPagesController(PagesController):
    guards = readers

    @get("/audit")
    async def page(self, request: Req, user: Actor, db_session: DbSession, page: Page) -> Template:
        """Pick an object (`type` and `id`, or `object=type:id`) and filters; without one
        the form alone."""
        values = parse_trail_form(request.query_params)
        status_code, context = await service.trail_page(
            db_session, user, values, limit=page.limit, offset=page.offset
        )
        return render(request, "audit_trail/audit.html", status_code=status_code, **context)
