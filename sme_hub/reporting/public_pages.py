"""The public register of awarded grants (`/grants`, `/api/v1/awards`) and their open data in
the 360Giving format (`/open-data`, per municipality as JSON and CSV): no login needed."""

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings
from sme_hub.core import filters
from sme_hub.core.deps import Config, DbSession, Page
from sme_hub.core.errors import InvalidInput, NotFound
from sme_hub.core.exports import table_csv
from sme_hub.core.i18n import N_, pick
from sme_hub.core.pages import render
from sme_hub.core.public_cache import public_cache
from sme_hub.reporting import awards as service
from sme_hub.reporting import open_data
from sme_hub.reporting.awards_schemas import AwardFilters, AwardRead

FILTERS = ("q", "municipality", "women_led", "green_level", "year")
GREEN_LABELS = {
    "none": N_("not green"),
    "basic": N_("green (basic)"),
    "advanced": N_("green (advanced)"),
}
CACHE = CacheControlHeader(public=True, max_age=300)
CACHE_HEADERS = {"Cache-Control": CACHE.to_header()}
# Exact decimals as JSON numbers (80000.50), never floats, never strings.
_encoder = msgspec.json.Encoder(decimal_format="number")


FILTER_FIELDS = {
    "q": filters.text(),
    "municipality": filters.matching(
        service.KATOTTG_PATTERN, N_("Choose a municipality from the list.")
    ),
    "women_led": filters.yes_no(N_("Choose yes or no.")),
    "green_level": filters.choice(GREEN_LABELS, N_("Choose a green level from the list.")),
    "year": filters.number(N_("Enter a year, e.g. 2027."), low=2000, high=2100, strip=True),
}


def parse_filters(
    q: str | None = None,
    municipality: str | None = None,
    women_led: str | None = None,
    green_level: str | None = None,
    year: str | None = None,
) -> AwardFilters:
    """The register's filters from the query string; empty means "any"; 422 otherwise."""
    given = dict(zip(FILTERS, (q, municipality, women_led, green_level, year), strict=True))
    values, errors = filters.parse_public_filters(given, FILTER_FIELDS)
    if errors:
        raise InvalidInput(errors)
    return AwardFilters.model_validate(values)


class AwardsApiController(Controller):
    path = "/api/v1"
    tags = ["awards"]

    @get("/awards", cache_control=CACHE, raises=[InvalidInput], middleware=[public_cache])
    async def awards(
        self,
        db_session: DbSession,
        page: Page,
        settings: Config,
        q: FromQuery[str | None] = None,
        municipality: FromQuery[str | None] = None,
        women_led: FromQuery[str | None] = None,
        green_level: FromQuery[str | None] = None,
        year: FromQuery[str | None] = None,
    ) -> OffsetPagination[AwardRead]:
        """Awarded grants of every municipality (public), newest first:
        `?q=&municipality=<KATOTTG>&women_led=true|false&green_level=&year=`."""
        filters = parse_filters(q, municipality, women_led, green_level, year)
        items, total = await service.awards(
            db_session, filters, prefix=settings.prefix_360, limit=page.limit, offset=page.offset
        )
        return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)

    @get("/awards/{award_id:int}", cache_control=CACHE, raises=[NotFound])
    async def award(
        self, award_id: FromPath[int], db_session: DbSession, settings: Config
    ) -> AwardRead:
        """One awarded grant (public); any other application is 404."""
        return await service.award(db_session, award_id, prefix=settings.prefix_360)


class AwardPagesController(Controller):
    include_in_schema = False

    @get("/grants", middleware=[public_cache])
    async def register(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        page: Page,
        settings: Config,
        q: FromQuery[str | None] = None,
        municipality: FromQuery[str | None] = None,
        women_led: FromQuery[str | None] = None,
        green_level: FromQuery[str | None] = None,
        year: FromQuery[str | None] = None,
    ) -> Template:
        given = (q, municipality, women_led, green_level, year)
        raw = {key: (value or "").strip() for key, value in zip(FILTERS, given, strict=True)}
        items: list[AwardRead] = []
        total, errors = 0, {}
        try:
            filters = parse_filters(*given)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            items, total = await service.awards(
                db_session,
                filters,
                prefix=settings.prefix_360,
                limit=page.limit,
                offset=page.offset,
            )
        options = await service.municipality_options(db_session)
        return render(
            request,
            "reporting/awards/register.html",
            fragment=None if errors else "reporting/awards/_results.html",
            status_code=422 if errors else 200,
            awards=items,
            total=total,
            limit=page.limit,
            offset=page.offset,
            query=urlencode({k: v for k, v in raw.items() if v} | {"limit": page.limit}),
            values=raw,
            errors=errors,
            municipalities=[
                (code, pick({"name_uk": uk, "name_en": en}, "name")) for code, uk, en in options
            ],
            green_labels=GREEN_LABELS,
        )

    @get("/open-data")
    async def open_data_page(
        self, request: Request[Any, Any, Any], db_session: DbSession, settings: Config
    ) -> Template:
        files = await service.open_data_files(db_session)
        return render(
            request,
            "reporting/awards/open_data.html",
            files=files,
            prefix=settings.prefix_360,
            license=open_data.LICENSE,
            version=open_data.VERSION,
        )

    @get(
        "/open-data/{katottg:str}/grants.json",
        raises=[NotFound],
        opt={"exclude_from_csrf": True},
        media_type="application/json",
    )
    async def grants_json(
        self, katottg: FromPath[str], db_session: DbSession, settings: Config
    ) -> Response[bytes]:
        body = _encoder.encode(await self._package(db_session, settings, katottg))
        return Response(body, media_type="application/json", headers=CACHE_HEADERS)

    @get("/open-data/{katottg:str}/grants.csv", raises=[NotFound], opt={"exclude_from_csrf": True})
    async def grants_csv(
        self, katottg: FromPath[str], db_session: DbSession, settings: Config
    ) -> Response[bytes]:
        package = await self._package(db_session, settings, katottg)
        body = table_csv(open_data.CSV_HEADER, open_data.csv_rows(package["grants"]))
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                **CACHE_HEADERS,
                "Content-Disposition": f'inline; filename="{katottg}-grants.csv"',
            },
        )

    async def _package(
        self, db_session: AsyncSession, settings: Settings, katottg: str
    ) -> dict[str, Any]:
        municipality = await service.municipality_by_code(db_session, katottg)
        found, _total = await service.awards(
            db_session, AwardFilters(municipality=katottg), prefix=settings.prefix_360
        )
        return open_data.package(
            found,
            prefix=settings.prefix_360,
            base_url=settings.base_url,
            katottg=municipality.katottg,
            publisher=municipality.name_uk,
        )
