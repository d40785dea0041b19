"""The guards of the entrepreneurs' API and pages, and the search over clients (a dependency
of the API, the page and the CSV/XLSX export)."""

from typing import TypeAlias

from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor
from sme_hub.core.errors import InvalidInput
from sme_hub.core.exports import Export
from sme_hub.core.i18n import _
from sme_hub.core.roles import Role
from sme_hub.entrepreneurs import clients
from sme_hub.entrepreneurs.clients import ClientFilters

entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]
staff_only = [requires_role(Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER, Role.ADMIN)]


def provide_client_filters(
    q: FromQuery[str | None] = None,
    kved: FromQuery[str | None] = None,
    women_led: FromQuery[str | None] = None,
    green_level: FromQuery[str | None] = None,
) -> ClientFilters:
    """The search over clients, the same for the API, the page and the CSV export.
    An empty value (the form's "All") means no filter."""
    if (women_led or "") not in ("", "true", "false"):
        raise InvalidInput({"women_led": _("Choose yes or no.")})
    return ClientFilters(
        q=q or None,
        kved=kved or None,
        women_led={"true": True, "false": False}.get(women_led or ""),
        green_level=green_level or None,
    )


Filters: TypeAlias = NamedDependency[ClientFilters]
client_filters = {"filters": Provide(provide_client_filters, sync_to_thread=False)}


async def clients_export(user: Actor, filters: Filters) -> Export:
    """All the clients the filters find, as CSV or XLSX (by the path), streamed."""
    return clients.clients_export(user, filters)
