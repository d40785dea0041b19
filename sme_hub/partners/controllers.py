"""Partners over HTTP, so far the admin's registration of a partner organisation."""

from litestar import Controller, post
from litestar.params import JSONBody

from sme_hub.core.auth import Role, requires_role
from sme_hub.core.deps import Actor, DbSession
from sme_hub.partners import service
from sme_hub.partners.schemas import PartnerCreate, PartnerRead


class PartnerAdminApiController(Controller):
    path = "/api/v1/admin/partners"
    tags = ["admin"]
    guards = [requires_role(Role.ADMIN)]

    @post("/", status_code=201)
    async def create_partner(
        self, data: JSONBody[PartnerCreate], user: Actor, db_session: DbSession
    ) -> PartnerRead:
        return await service.create_partner(db_session, user, data)
