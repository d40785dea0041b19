"""The partners feature's web helpers: the directory's filters from the query, for the API
(checked) and the directory page (as typed); the partner form's pages, which the admin's and
centre staff's controllers share."""

from collections.abc import Awaitable, Callable
from typing import TypeAlias

from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from sme_hub.core.deps import Actor
from sme_hub.core.errors import InvalidInput
from sme_hub.core.exports import Export
from sme_hub.partners import exports, forms
from sme_hub.partners.schemas import DirectoryFilters

FORM = "partners/form.html"


def provide_directory_query(
    kind: FromQuery[str | None] = None,
    sector: FromQuery[str | None] = None,
    municipality: FromQuery[str | None] = None,
    service: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
) -> dict[str, str | None]:
    """The directory's filters as the query gives them."""
    return dict(zip(forms.DIRECTORY_FIELDS, (kind, sector, municipality, service, q), strict=True))


DirectoryQuery: TypeAlias = NamedDependency[dict[str, str | None]]


def provide_directory_filters(given: DirectoryQuery) -> DirectoryFilters:
    """The directory's filters for the API; empty means "any", unreadable ones are 422."""
    checked, errors = forms.parse_directory_filters(given)
    if checked is None:
        raise InvalidInput(errors)
    return checked


Filters: TypeAlias = NamedDependency[DirectoryFilters]
directory_query = {"given": Provide(provide_directory_query, sync_to_thread=False)}
directory_filters = {
    **directory_query,
    "filters": Provide(provide_directory_filters, sync_to_thread=False),
}


def referrals_export(side: str, name: str) -> Callable[..., Awaitable[Export]]:
    """The export of one side's referrals page (`partner`, `centre`) with its `?status=`
    filter, as CSV or XLSX by the path, streamed (the `source` of an export_route)."""

    async def source(user: Actor, status: FromQuery[str | None] = None) -> Export:
        known = forms.known_status(status) or None
        return exports.referrals_export(user, status=known, side=side)

    source.__name__ = source.__qualname__ = name
    return source
