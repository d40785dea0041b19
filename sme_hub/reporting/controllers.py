"""Dashboards of a municipality, a call and an oblast: JSON under /api/v1/reports and pages
under /reports, both from the same counts."""

from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession
from sme_hub.core.errors import Forbidden, NotFound
from sme_hub.core.pages import render
from sme_hub.core.roles import Role
from sme_hub.organisations.models import Municipality
from sme_hub.reporting import charts, rules, service
from sme_hub.reporting.schemas import (
    CallRef,
    CallReport,
    Figures,
    MunicipalityRef,
    MunicipalityReport,
    OblastReport,
)

READERS = [requires_role(Role.MUNICIPAL_OFFICER, Role.REGIONAL_OBSERVER, Role.ADMIN)]
ERRORS = [NotAuthorizedException, Forbidden, NotFound]
PAGE_HELPERS: dict[str, Any] = {
    "percent_text": charts.percent_text,
    "gender_labels": charts.GENDER_LABELS,
}


def _ref(municipality: Municipality) -> MunicipalityRef:
    return MunicipalityRef.model_validate(municipality, from_attributes=True)


class ReportsApiController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]
    guards = READERS

    @get("/municipalities/{municipality_id:int}", raises=ERRORS)
    async def municipality(
        self, municipality_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> MunicipalityReport:
        """A municipality's figures (its officers, its oblast's observers, admins)."""
        municipality, counts = await service.municipality_counts(db_session, user, municipality_id)
        return MunicipalityReport(municipality=_ref(municipality), figures=Figures.of(counts))

    @get("/calls/{call_id:int}", raises=ERRORS)
    async def call(self, call_id: FromPath[int], user: Actor, db_session: DbSession) -> CallReport:
        """A call's figures (training is not counted: it belongs to no call)."""
        call, municipality, counts = await service.call_counts(db_session, user, call_id)
        return CallReport(
            call=CallRef.model_validate(call, from_attributes=True),
            municipality=_ref(municipality),
            figures=Figures.of(counts, training=False),
        )

    @get("/oblasts/{oblast:str}", raises=ERRORS)
    async def oblast(
        self, oblast: FromPath[str], user: Actor, db_session: DbSession
    ) -> OblastReport:
        """Every municipality of an oblast (its KATOTTG code) and their totals: for its
        regional observers and admins."""
        rows = await service.oblast_counts(db_session, user, oblast)
        return OblastReport(
            oblast=oblast,
            totals=Figures.of(rules.total(c for _m, c in rows)),
            municipalities=[
                MunicipalityReport(municipality=_ref(m), figures=Figures.of(c)) for m, c in rows
            ],
        )


class ReportPagesController(Controller):
    path = "/reports"
    include_in_schema = False
    guards = READERS

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        """Straight to the one dashboard a person has; a choice when there are several."""
        oblasts = sorted(service.observed_oblasts(user))
        municipalities = await service.visible_municipalities(db_session, user)
        if len(oblasts) == 1 and not user.is_admin:
            return Redirect(f"/reports/oblasts/{oblasts[0]}")
        if len(municipalities) == 1 and not oblasts:
            return Redirect(f"/reports/municipalities/{municipalities[0].id}")
        return render(
            request,
            "reporting/index.html",
            municipalities=municipalities,
            oblasts=oblasts,
            is_admin=user.is_admin,
        )

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
