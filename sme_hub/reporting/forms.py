"""Parsing the public register's filters (query string of `/grants` and `/api/v1/awards`)."""

from sme_hub.core import filters
from sme_hub.core.i18n import N_
from sme_hub.reporting.awards_schemas import AwardFilters
from sme_hub.reporting.rules import KATOTTG_PATTERN

FILTERS = ("q", "municipality", "women_led", "green_level", "year")
GREEN_LABELS = {
    "none": N_("not green"),
    "basic": N_("green (basic)"),
    "advanced": N_("green (advanced)"),
}
FILTER_FIELDS = {
    "q": filters.text(),
    "municipality": filters.matching(KATOTTG_PATTERN, N_("Choose a municipality from the list.")),
    "women_led": filters.yes_no(N_("Choose yes or no.")),
    "green_level": filters.choice(GREEN_LABELS, N_("Choose a green level from the list.")),
    "year": filters.number(N_("Enter a year, e.g. 2027."), low=2000, high=2100, strip=True),
}


def given_filters(*values: str | None) -> dict[str, str | None]:
    """The query's values (in the order of FILTERS) by name."""
    return dict(zip(FILTERS, values, strict=True))


def parse_award_filters(given: dict[str, str | None]) -> tuple[AwardFilters | None, dict[str, str]]:
    """The register's filters; empty means "any"; None and the errors when any is wrong."""
    values, errors = filters.parse_public_filters(given, FILTER_FIELDS)
    if errors:
        return None, errors
    return AwardFilters.model_validate(values), {}
