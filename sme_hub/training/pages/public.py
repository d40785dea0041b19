"""Training pages for anyone: the course catalogue, and checking a certificate by its code."""

from litestar import get
from litestar.params import FromPath
from litestar.response import Template

from sme_hub.core.auth import current_user
from sme_hub.core.deps import DbSession, Page, Req
from sme_hub.core.pages import PagesController, render
from sme_hub.core.public_cache import public_cache
from sme_hub.training import certificates, views
from sme_hub.training.web import CatalogueQuery, app_settings, catalogue_query


class TrainingPagesController(PagesController):
    @get("/courses", dependencies=catalogue_query, middleware=[public_cache])
    async def courses(
        self, request: Req, db_session: DbSession, page: Page, given: CatalogueQuery
    ) -> Template:
        view = await views.catalogue_view(
            db_session, current_user(request), given, limit=page.limit, offset=page.offset
        )
        return render(
            request, "training/catalogue.html", fragment="training/_course_list.html", **view
        )

    @get("/certificates/{code:str}")
    async def verify(self, request: Req, code: FromPath[str], db_session: DbSession) -> Template:
        """Anyone holding a certificate's code can check what it states."""
        details = await certificates.verify(
            db_session, code, base_url=app_settings(request).base_url
        )
        return render(
            request,
            "training/certificate_verify.html",
            status_code=200 if details else 404,
            certificate=details,
            code=code[:40],
        )
