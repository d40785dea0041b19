"""The dashboards of a municipality, a call and an oblast, for municipal officers, regional
observers and admins (the same counts as the API)."""

from litestar import get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.deps import Actor, DbSession, Req
from sme_hub.core.pages import PagesController, render
from sme_hub.reporting import dashboards, service
from sme_hub.reporting.web import READERS


class ReportPagesController(PagesController):
    path = "/reports"
    guards = READERS

    @get("/")
    async def index(self, request: Req, user: Actor, db_session: DbSession) -> Template | Redirect:
        """Straight to the one dashboard a person has; a choice when there are several."""
        target, context = await service.reports_index(db_session, user)
        if target is not None:
            return Redirect(target)
        return render(request, "reporting/index.html", **context)

    @get("/municipalities/{municipality_id:int}")
    async def municipality(
        self, request: Req, municipality_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        view = await dashboards.municipality_view(db_session, user, municipality_id)
        return render(request, "reporting/dashboard.html", **view)

    @get("/calls/{call_id:int}")
    async def call(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        view = await dashboards.call_view(db_session, user, call_id)
        return render(request, "reporting/dashboard.html", **view)

    @get("/oblasts/{oblast:str}")
    async def oblast(
        self, request: Req, oblast: FromPath[str], user: Actor, db_session: DbSession
    ) -> Template:
        view = await dashboards.oblast_view(db_session, user, oblast)
        return render(request, "reporting/oblast.html", **view)
