"""The dashboards of a municipality, a call and an oblast, for municipal officers, regional
observers and admins (the same counts as the API)."""

from collections.abc import Awaitable
from typing import Any

from litestar import get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.deps import Actor, DbSession, Req
from sme_hub.core.pages import PagesController, render
from sme_hub.reporting import dashboards, service
from sme_hub.reporting.web import READERS

DASHBOARD = "reporting/dashboard.html"


class ReportPagesController(PagesController):
    path = "/reports"
    guards = READERS

    async def _dashboard(
        self, request: Req, view: Awaitable[dict[str, Any]], template: str = DASHBOARD
    ) -> Template:
        """A dashboard page showing the `view` the reporting service makes."""
        return render(request, template, **await view)

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
        view = dashboards.municipality_view(db_session, user, municipality_id)
        return await self._dashboard(request, view)

    @get("/calls/{call_id:int}")
    async def call(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        return await self._dashboard(request, dashboards.call_view(db_session, user, call_id))

    @get("/oblasts/{oblast:str}")
    async def oblast(
        self, request: Req, oblast: FromPath[str], user: Actor, db_session: DbSession
    ) -> Template:
        view = dashboards.oblast_view(db_session, user, oblast)
        return await self._dashboard(request, view, "reporting/oblast.html")
