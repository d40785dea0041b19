"""The public home page and the favicon."""

from litestar import get
from litestar.datastructures import CacheControlHeader
from litestar.response import File, Template

from sme_hub.config import PACKAGE_DIR
from sme_hub.core.deps import DbSession, Req
from sme_hub.core.pages import PagesController, render
from sme_hub.core.public_cache import public_cache
from sme_hub.organisations import service as organisations


class HomeController(PagesController):
    @get("/", middleware=[public_cache])
    async def home(self, request: Req, db_session: DbSession) -> Template:
        municipalities, total = await organisations.list_municipalities(db_session, limit=12)
        return render(
            request, "home/index.html", municipalities=municipalities, municipality_count=total
        )

    # Browsers ask for /favicon.ico whatever the page links to; scripts/build_favicon.py
    # draws it with the SVG that base.html links.
    @get(
        "/favicon.ico",
        cache_control=CacheControlHeader(public=True, max_age=7 * 24 * 3600),
    )
    async def favicon(self) -> File:
        return File(
            path=PACKAGE_DIR / "static" / "img" / "favicon.ico",
            media_type="image/x-icon",
            content_disposition_type="inline",
        )
