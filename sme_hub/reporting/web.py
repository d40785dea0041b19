"""Who may read the dashboards (the guard of the reports' API and pages), and the query of the
public register of awards (a dependency of its API and its page)."""

from typing import TypeAlias

from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from sme_hub.core.auth import requires_role
from sme_hub.core.roles import Role
from sme_hub.reporting.forms import given_filters

READERS = [requires_role(Role.MUNICIPAL_OFFICER, Role.REGIONAL_OBSERVER, Role.ADMIN)]


def provide_award_query(
    q: FromQuery[str | None] = None,
    municipality: FromQuery[str | None] = None,
    women_led: FromQuery[str | None] = None,
    green_level: FromQuery[str | None] = None,
    year: FromQuery[str | None] = None,
) -> dict[str, str | None]:
    """The register's filters as given (parsed by forms.parse_award_filters)."""
    return given_filters(q, municipality, women_led, green_level, year)


AwardQuery: TypeAlias = NamedDependency[dict[str, str | None]]
award_query = {"given": Provide(provide_award_query, sync_to_thread=False)}
