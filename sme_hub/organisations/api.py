"""Tenants over the JSON API: the admin's municipalities, centres and users, the public lists,
and a tenant's staff."""

from litestar import Controller, get, post
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody

from sme_hub.accounts import service as accounts
from sme_hub.accounts import user_admin
from sme_hub.accounts.schemas import AdminUserCreate, UserRead
from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, DbSession, Page
from sme_hub.core.paged import page_of
from sme_hub.core.roles import Role
from sme_hub.organisations import service
from sme_hub.organisations.schemas import (
    CentreCreate,
    CentreRead,
    MunicipalityCreate,
    MunicipalityRead,
    StaffMember,
)


class AdminApiController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]
    guards = [requires_role(Role.ADMIN)]

    @post("/municipalities", status_code=201)
    async def create_municipality(
        self, data: JSONBody[MunicipalityCreate], user: Actor, db_session: DbSession
    ) -> MunicipalityRead:
        municipality = await service.create_municipality(db_session, user, data)
        return MunicipalityRead.model_validate(municipality)

    @post("/centres", status_code=201)
    async def create_centre(
        self, data: JSONBody[CentreCreate], user: Actor, db_session: DbSession
    ) -> CentreRead:
        return CentreRead.model_validate(await service.create_centre(db_session, user, data))

    @post("/users", status_code=201)
    async def create_user(
        self, data: JSONBody[AdminUserCreate], user: Actor, db_session: DbSession
    ) -> UserRead:
        created = await user_admin.create_user(db_session, user, data)
        assert created.id is not None
        return await accounts.read_user(db_session, created.id)

    @get("/users")
    async def list_users(
        self, user: Actor, db_session: DbSession, page: Page, search: FromQuery[str | None] = None
    ) -> OffsetPagination[UserRead]:
        items, total = await user_admin.list_users(
            db_session, limit=page.limit, offset=page.offset, search=search, viewer=user
        )
        return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)


class OrganisationsApiController(Controller):
    path = "/api/v1"
    tags = ["organisations"]

    @get("/municipalities")
    async def list_municipalities(
        self, db_session: DbSession, page: Page
    ) -> OffsetPagination[MunicipalityRead]:
        """Every municipality on the installation (public)."""
        rows, total = await service.list_municipalities(
            db_session, limit=page.limit, offset=page.offset
        )
        return page_of(MunicipalityRead, rows, total, page)

    @get("/centres")
    async def list_centres(
        self, db_session: DbSession, page: Page, municipality_id: FromQuery[int | None] = None
    ) -> OffsetPagination[CentreRead]:
        """Business support centres, optionally of one municipality (public)."""
        rows, total = await service.list_centres(
            db_session, municipality_id=municipality_id, limit=page.limit, offset=page.offset
        )
        return page_of(CentreRead, rows, total, page)

    @get("/municipalities/{municipality_id:int}/staff", guards=[requires_login])
    async def staff(
        self, municipality_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> list[StaffMember]:
        """A municipality's staff: for its own staff and the admin; 404 for anyone else."""
        return await user_admin.staff_of_municipality(db_session, user, municipality_id)
