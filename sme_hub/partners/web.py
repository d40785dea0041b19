"""The partners feature's dependency providers: the directory's filters from the query, for
the API (checked) and the directory page (as typed)."""

from typing import TypeAlias

from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from sme_hub.core.errors import InvalidInput
from sme_hub.partners import forms
from sme_hub.partners.schemas import DirectoryFilters


def provide_directory_query(
    kind: FromQuery[str | None] = None,
    sector: FromQuery[str | None] = None,
    municipality: FromQuery[str | None] = None,
    service: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
) -> dict[str, str | None]:
    """The directory's filters as the query gives them."""
    return dict(zip(forms.DIRECTORY_FIELDS, (kind, sector, municipality, service, q), strict=True))


def provide_directory_filters(
    kind: FromQuery[str | None] = None,
    sector: FromQuery[str | None] = None,
    municipality: FromQuery[str | None] = None,
    service: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
) -> DirectoryFilters:
    """The directory's filters for the API; empty means "any", unreadable ones are 422."""
    given = provide_directory_query(kind, sector, municipality, service, q)
    checked, errors = forms.parse_directory_filters(given)
    if checked is None:
        raise InvalidInput(errors)
    return checked


Filters: TypeAlias = NamedDependency[DirectoryFilters]
DirectoryQuery: TypeAlias = NamedDependency[dict[str, str | None]]
directory_filters = {"filters": Provide(provide_directory_filters, sync_to_thread=False)}
directory_query = {"given": Provide(provide_directory_query, sync_to_thread=False)}
