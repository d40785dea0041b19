"""Reference lists over HTTP: the public search API, and the options of the htmx pickers."""

from typing import Annotated, Any, TypeAlias

from litestar import Controller, Request, Router, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from sme_hub.core.deps import DbSession
from sme_hub.core.errors import NotFound
from sme_hub.core.i18n import _, pick
from sme_hub.core.pages import render
from sme_hub.reference import service
from sme_hub.reference.schemas import CommunityList, CommunityRead, KvedList, KvedRead

Limit: TypeAlias = Annotated[int, QueryParameter(ge=1, le=100)]
OPTIONS_LIMIT = 15  # what a picker shows; typing more narrows the list


class ReferenceApiController(Controller):
    path = "/api/v1/reference"
    tags = ["reference"]

    @get("/kved")
    async def search_kved(
        self, db_session: DbSession, q: FromQuery[str] = "", limit: Limit = 20
    ) -> KvedList:
        """KVED-2010 classes by code prefix ("62", "62.0") or by words of the title in the
        request's language (public)."""
        rows, total = await service.search_kved(db_session, q, limit)
        return KvedList(items=[service.kved_read(row) for row in rows], total=total)

    @get("/kved/{code:str}")
    async def get_kved(self, code: FromPath[str], db_session: DbSession) -> KvedRead:
        """One KVED-2010 class by its code ("62.01")."""
        kved = await service.get_kved(db_session, code)
        if kved is None:
            raise NotFound(_("There is no KVED-2010 class {code}.").format(code=code))
        return service.kved_read(kved)

    @get("/communities")
    async def search_communities(
        self, db_session: DbSession, q: FromQuery[str] = "", limit: Limit = 20
    ) -> CommunityList:
        """Territorial communities and special-status cities by name or KATOTTG code (public)."""
        rows, total = await service.search_communities(db_session, q, limit)
        return CommunityList(items=[CommunityRead.model_validate(r) for r in rows], total=total)

    @get("/communities/{code:str}")
    async def get_community(self, code: FromPath[str], db_session: DbSession) -> CommunityRead:
        """One territorial community or special-status city by its KATOTTG code."""
        community = await service.get_community(db_session, code)
        if community is None:
            raise NotFound(_("There is no territorial community {code}.").format(code=code))
        return CommunityRead.model_validate(community)


class ReferencePagesController(Controller):
    """Fragments for reference/_picker.html: the options matching what was typed."""

    path = "/reference"
    include_in_schema = False

    @get("/kved/options")
    async def kved_options(
        self, request: Request[Any, Any, Any], db_session: DbSession, q: FromQuery[str] = ""
    ) -> Template:
        rows, total = (
            await service.search_kved(db_session, q, OPTIONS_LIMIT) if q.strip() else ([], 0)
        )
        items = [{"code": r.code, "title": pick(r, "title"), "detail": ""} for r in rows]
        return render(request, "reference/_options.html", items=items, total=total, q=q)

    @get("/communities/options")
    async def community_options(
        self, request: Request[Any, Any, Any], db_session: DbSession, q: FromQuery[str] = ""
    ) -> Template:
        rows, total = (
            await service.search_communities(db_session, q, OPTIONS_LIMIT) if q.strip() else ([], 0)
        )
        items = [
            {"code": r.code, "title": service.place_name(r), "detail": service.community_detail(r)}
            for r in rows
        ]
        return render(request, "reference/_options.html", items=items, total=total, q=q)


# One entry for create_app: the API and the picker fragments.
reference_router = Router(
    path="/", route_handlers=[ReferenceApiController, ReferencePagesController]
)
