"""The public register of awarded grants (`/grants`) and their open data in the 360Giving
format (`/open-data`, per municipality as JSON and CSV): no login needed."""

import msgspec
from litestar import Response, get
from litestar.datastructures import CacheControlHeader
from litestar.params import FromPath
from litestar.response import Template

from sme_hub.core.deps import Config, DbSession, Page, Req
from sme_hub.core.errors import NotFound
from sme_hub.core.exports import table_csv
from sme_hub.core.pages import PagesController, render
from sme_hub.core.public_cache import public_cache
from sme_hub.reporting import awards as service
from sme_hub.reporting import open_data
from sme_hub.reporting.forms import GREEN_LABELS
from sme_hub.reporting.web import AwardQuery, award_query

CACHE_HEADERS = {"Cache-Control": CacheControlHeader(public=True, max_age=300).to_header()}
# Exact decimals as JSON numbers (80000.50), never floats, never strings.
_encoder = msgspec.json.Encoder(decimal_format="number")


class AwardPagesController(PagesController):
    dependencies = award_query

    @get("/grants", middleware=[public_cache])
    async def register(
        self, request: Req, db_session: DbSession, page: Page, settings: Config, given: AwardQuery
    ) -> Template:
        view = await service.register_view(
            db_session,
            given,
            prefix=settings.prefix_360,
            limit=page.limit,
            offset=page.offset,
        )
        return render(request, "reporting/awards/register.html", green_labels=GREEN_LABELS, **view)

    @get("/open-data")
    async def open_data_page(
        self, request: Req, db_session: DbSession, settings: Config
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
        package = await service.open_data_package(
            db_session, katottg, prefix=settings.prefix_360, base_url=settings.base_url
        )
        return Response(
            _encoder.encode(package), media_type="application/json", headers=CACHE_HEADERS
        )

    @get("/open-data/{katottg:str}/grants.csv", raises=[NotFound], opt={"exclude_from_csrf": True})
    async def grants_csv(
        self, katottg: FromPath[str], db_session: DbSession, settings: Config
    ) -> Response[bytes]:
        package = await service.open_data_package(
            db_session, katottg, prefix=settings.prefix_360, base_url=settings.base_url
        )
        body = table_csv(open_data.CSV_HEADER, open_data.csv_rows(package["grants"]))
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={
                **CACHE_HEADERS,
                "Content-Disposition": f'inline; filename="{katottg}-grants.csv"',
            },
        )
