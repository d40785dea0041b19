"""Reporting over the JSON API: the dashboards' figures of a municipality, a call and an oblast
(`/api/v1/reports`), and the public register of awarded grants (`/api/v1/awards`)."""

from litestar import Controller, get
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import NotAuthorizedException
from litestar.pagination import OffsetPagination
from litestar.params import FromPath

from sme_hub.core.deps import Actor, Config, DbSession, Page
from sme_hub.core.errors import Forbidden, InvalidInput, NotFound
from sme_hub.core.paged import listed
from sme_hub.core.public_cache import public_cache
from sme_hub.organisations.models import Municipality
from sme_hub.reporting import awards as awards_service
from sme_hub.reporting import rules, service
from sme_hub.reporting.awards_schemas import AwardRead
from sme_hub.reporting.schemas import (
    CallRef,
    CallReport,
    Figures,
    MunicipalityRef,
    MunicipalityReport,
    OblastReport,
)
from sme_hub.reporting.web import READERS, AwardQuery, award_query

ERRORS = [NotAuthorizedException, Forbidden, NotFound]
CACHE = CacheControlHeader(public=True, max_age=300)


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


class AwardsApiController(Controller):
    dependencies = award_query
    path = "/api/v1"
    tags = ["awards"]

    @get("/awards", cache_control=CACHE, raises=[InvalidInput], middleware=[public_cache])
    async def awards(
        self, db_session: DbSession, page: Page, settings: Config, given: AwardQuery
    ) -> OffsetPagination[AwardRead]:
        """Awarded grants of every municipality (public), newest first:
        `?q=&municipality=<KATOTTG>&women_led=true|false&green_level=&year=`."""
        filters = awards_service.checked_filters(given)
        return await listed(
            AwardRead, page, awards_service.awards, db_session, filters, prefix=settings.prefix_360
        )

    @get("/awards/{award_id:int}", cache_control=CACHE, raises=[NotFound])
    async def award(
        self, award_id: FromPath[int], db_session: DbSession, settings: Config
    ) -> AwardRead:
        """One awarded grant (public); any other application is 404."""
        return await awards_service.award(db_session, award_id, prefix=settings.prefix_360)
