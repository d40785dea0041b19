"""Tenants over the JSON API: the public lists and a tenant's staff (the admin's municipalities,
centres and users are in admin.api)."""

from litestar import Controller, get
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery

from sme_hub.core.auth import requires_login
from sme_hub.core.deps import Actor, DbSession, Page
from sme_hub.core.paged import listed
from sme_hub.organisations import service, staff
from sme_hub.organisations.schemas import (
    CentreRead,
    MunicipalityRead,
    StaffMember,
)


class OrganisationsApiController(Controller):
    path = "/api/v1"
    tags = ["organisations"]

    @get("/municipalities")
    async def list_municipalities(
        self, db_session: DbSession, page: Page
    ) -> OffsetPagination[MunicipalityRead]:
        """Every municipality on the installation (public)."""
        return await listed(MunicipalityRead, page, service.list_municipalities, db_session)

    @get("/centres")
    async def list_centres(
        self, db_session: DbSession, page: Page, municipality_id: FromQuery[int | None] = None
    ) -> OffsetPagination[CentreRead]:
        """Business support centres, optionally of one municipality (public)."""
        return await listed(
            CentreRead, page, service.list_centres, db_session, municipality_id=municipality_id
        )

    @get("/municipalities/{municipality_id:int}/staff", guards=[requires_login])
    async def staff(
        self, municipality_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> list[StaffMember]:
        """A municipality's staff: for its own staff and the admin; 404 for anyone else."""
        return await staff.staff_of_municipality(db_session, user, municipality_id)
