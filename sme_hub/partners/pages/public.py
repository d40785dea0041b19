"""Partner pages for anyone: the directory with its map, and one partner's page."""

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from sme_hub.core.auth import current_user
from sme_hub.core.deps import DbSession, Page, Req
from sme_hub.core.pages import PagesController, render
from sme_hub.core.public_cache import public_cache
from sme_hub.partners import views
from sme_hub.partners.web import DirectoryQuery, directory_query


class PartnerPagesController(PagesController):
    @get("/partners", dependencies=directory_query, middleware=[public_cache])
    async def directory_page(
        self, request: Req, db_session: DbSession, page: Page, given: DirectoryQuery
    ) -> Template:
        view = await views.directory_view(db_session, given, limit=page.limit, offset=page.offset)
        errors = view["errors"]
        return render(
            request,
            "partners/directory.html",
            fragment=None if errors else "partners/_results.html",
            status_code=422 if errors else 200,
            user=current_user(request),
            **view,
        )

    @get("/partners/{partner_id:int}")
    async def partner_page(
        self, request: Req, partner_id: FromPath[int], db_session: DbSession
    ) -> Template:
        view = await views.partner_view(db_session, current_user(request), partner_id)
        return render(request, "partners/partner.html", **view)
