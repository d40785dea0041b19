"""Centre staff's list of clients (the entrepreneurs of their municipality), with its export."""

from litestar import get
from litestar.response import Template

from sme_hub.core.deps import Actor, DbSession, Page, Req
from sme_hub.core.exports import export_route
from sme_hub.core.pages import PagesController, render
from sme_hub.entrepreneurs import clients, schemas, service
from sme_hub.entrepreneurs.web import Filters, client_filters, clients_export, staff_only


class ClientPagesController(PagesController):
    dependencies = client_filters
    guards = staff_only
    path = "/centre/clients"

    @get("/")
    async def clients(
        self, request: Req, user: Actor, db_session: DbSession, page: Page, filters: Filters
    ) -> Template:
        items, total = await clients.list_clients(
            db_session, user, filters, limit=page.limit, offset=page.offset
        )
        return render(
            request,
            "entrepreneurs/clients.html",
            fragment="entrepreneurs/_clients_table.html",
            clients=items,
            total=total,
            filters=filters,
            limit=page.limit,
            offset=page.offset,
            green_levels=service.GREEN_LEVEL_LABELS,
            labels=schemas,
        )

    export = export_route(["/export.csv", "/export.xlsx"], clients_export)
