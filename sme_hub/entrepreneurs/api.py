"""Entrepreneurs over the JSON API: the caller's business profile and data rights, and centre
staff's clients (with their CSV/XLSX export)."""

from typing import Any

from litestar import Controller, get, post, put
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict

from sme_hub.core.client_address import client_address
from sme_hub.core.deps import Actor, Db, DbSession, Page, Req
from sme_hub.core.exports import export_route
from sme_hub.entrepreneurs import clients, rights, service
from sme_hub.entrepreneurs.schemas import BusinessProfileIn, BusinessProfileRead, ClientRead
from sme_hub.entrepreneurs.web import (
    Filters,
    client_filters,
    clients_export,
    entrepreneur_only,
    staff_only,
)


class PasswordConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str


class ClientPage(BaseModel):
    items: list[ClientRead]
    total: int
    limit: int
    offset: int


class EntrepreneurApiController(Controller):
    dependencies = client_filters
    path = "/api/v1"
    tags = ["entrepreneurs"]

    @get("/me/business", guards=entrepreneur_only)
    async def get_business(self, user: Actor, db_session: DbSession) -> BusinessProfileRead:
        """The caller's business profile with its women-led and green assessment."""
        return service.to_read(await service.my_profile(db_session, user))

    @put("/me/business", guards=entrepreneur_only)
    async def put_business(
        self, data: JSONBody[BusinessProfileIn], user: Actor, db_session: DbSession
    ) -> BusinessProfileRead:
        """Create or replace the whole profile; each save is a new version."""
        return service.to_read(await service.save_profile(db_session, user, data))

    @get("/me/data", guards=entrepreneur_only)
    async def my_data(self, user: Actor, db_session: DbSession) -> dict[str, Any]:
        """Everything SME Hub keeps about the caller."""
        return await rights.export_my_data(db_session, user)

    @post("/me/delete", guards=entrepreneur_only, status_code=200)
    async def delete_me(
        self,
        request: Req,
        data: JSONBody[PasswordConfirmation],
        user: Actor,
        db_session: DbSession,
        db: Db,
    ) -> dict[str, str]:
        """Anonymise the caller's account (the password confirms it; 429 after repeated wrong
        passwords, counted with the failed logins)."""
        await rights.delete_my_account(db_session, db, user, data.password, client_address(request))
        return {"status": "deleted"}

    @get("/centre/clients", guards=staff_only)
    async def clients(
        self, user: Actor, db_session: DbSession, page: Page, filters: Filters
    ) -> ClientPage:
        """Entrepreneurs of the staff member's municipality (RNOKPP masked)."""
        items, total = await clients.list_clients(
            db_session, user, filters, limit=page.limit, offset=page.offset
        )
        return ClientPage(items=items, total=total, limit=page.limit, offset=page.offset)

    clients_export = export_route(
        ["/centre/clients/export.csv", "/centre/clients/export.xlsx"],
        clients_export,
        guards=staff_only,
    )
