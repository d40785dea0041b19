"""Reference lists over the JSON API (public search of KVED classes and communities), and the
one router of this feature: the API and the picker fragments (pages/public.py)."""

from typing import Annotated, TypeAlias, TypeVar

from litestar import Controller, Router, get
from litestar.params import FromPath, FromQuery, QueryParameter

from sme_hub.core.deps import DbSession
from sme_hub.core.errors import NotFound
from sme_hub.core.i18n import _
from sme_hub.reference import service
from sme_hub.reference.pages.public import ReferencePagesController
from sme_hub.reference.schemas import CommunityList, CommunityRead, KvedList, KvedRead

Limit: TypeAlias = Annotated[int, QueryParameter(ge=1, le=100)]
T = TypeVar("T")


def _found(row: T | None, missing: str, code: str) -> T:
    """The row of `code`, or 404 saying `missing` (a text with `{code}`)."""
    if row is None:
        raise NotFound(missing.format(code=code))
    return row


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
        return service.kved_read(_found(kved, _("There is no KVED-2010 class {code}."), code))

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
        missing = _("There is no territorial community {code}.")
        return CommunityRead.model_validate(_found(community, missing, code))


# One entry for create_app: the API and the picker fragments.
reference_router = Router(
    path="/", route_handlers=[ReferenceApiController, ReferencePagesController]
)
