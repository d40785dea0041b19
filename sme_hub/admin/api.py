"""The admin's API: municipalities, business support centres and accounts made by hand."""

from litestar import Controller, get, post
from litestar.pagination import OffsetPagination
from litestar.params import FromQuery, JSONBody

from sme_hub.accounts import service as accounts
from sme_hub.accounts import user_admin
from sme_hub.accounts.schemas import AdminUserCreate, UserRead
from sme_hub.admin import users
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, Page
from sme_hub.core.paged import listed
from sme_hub.core.roles import Role
from sme_hub.organisations import service
from sme_hub.organisations.schemas import (
    CentreCreate,
    CentreRead,
    MunicipalityCreate,
    MunicipalityRead,
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
        created = await users.create_user(db_session, user, data)
        assert created.id is not None
        return await accounts.read_user(db_session, created.id)

    @get("/users")
    async def list_users(
        self,
        user: Actor,
        db_session: DbSession,
        page: Page,
        search: FromQuery[str | None] = None,
    ) -> OffsetPagination[UserRead]:
        return await listed(
            UserRead, page, user_admin.list_users, db_session, search=search, viewer=user
        )
