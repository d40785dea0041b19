"""The dashboards of a municipality, a call and an oblast, for municipal officers, regional
observers and admins (the same counts as the API)."""

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.deps import Actor, DbSession
from sme_hub.core.pages import render
from sme_hub.reporting import charts, rules, service
from sme_hub.reporting.schemas import Figures
from sme_hub.reporting.web import READERS

PAGE_HELPERS: dict[str, Any] = {
    "percent_text": charts.percent_text,
    "gender_labels": charts.GENDER_LABELS,
}


class ReportPagesController(Controller):
    path = "/reports"
    include_in_schema = False
    guards = READERS

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        """Straight to the one dashboard a person has; a choice when there are several."""
        target, context = await service.reports_index(db_session, user)
        if target is not None:
            return Redirect(target)
        return render(request, "reporting/index.html", **context)

    @get("/municipalities/{municipality_id:int}")
    async def municipality(
        self,
        request: Request[Any, Any, Any],
        municipality_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        municipality, counts = await service.municipality_counts(db_session, user, municipality_id)
        return render(
            request,
            "reporting/dashboard.html",
            municipality=municipality,
            call=None,
            calls=await service.calls_of(db_session, municipality_id),
            d=charts.dashboard(Figures.of(counts)),
            **PAGE_HELPERS,
        )

    @get("/calls/{call_id:int}")
    async def call(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        call, municipality, counts = await service.call_counts(db_session, user, call_id)
        return render(
            request,
            "reporting/dashboard.html",
            municipality=municipality,
            call=call,
            calls=[],
            d=charts.dashboard(Figures.of(counts, training=False)),
            **PAGE_HELPERS,
        )

    @get("/oblasts/{oblast:str}")
    async def oblast(
        self,
        request: Request[Any, Any, Any],
        oblast: FromPath[str],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        rows = await service.oblast_counts(db_session, user, oblast)
        totals = Figures.of(rules.total(c for _m, c in rows))
        return render(
            request,
            "reporting/oblast.html",
            oblast=oblast,
            oblast_name=await service.oblast_name(db_session, oblast),
            d=charts.dashboard(totals),
            rows=[(m, Figures.of(c)) for m, c in rows],
            **PAGE_HELPERS,
        )
