"""The public lists' query filters, read one way (sme_hub/core/filters.py)."""

from sme_hub.core.filters import Field, choice, matching, number, parse_public_filters, text, yes_no
from sme_hub.core.i18n import _

FIELDS = {
    "q": text(limit=5),
    "kind": choice({"bank", "fund"}, "Choose a kind from the list.", strip=False),
    "municipality": matching(r"UA\d{3}", "Choose a municipality from the list."),
    "women_led": yes_no("Choose yes or no."),
    "year": number("Enter a year, e.g. 2027.", low=2000, high=2100, strip=True),
    "id": number(),
    "topic": Field(strip=False),
}


def test_missing_and_empty_mean_any() -> None:
    values, errors = parse_public_filters({"q": "", "kind": None, "year": "  "}, FIELDS)
    assert values == dict.fromkeys(FIELDS)
    assert errors == {}


def test_good_values_are_read() -> None:
    query = {
        "q": "  Kyiv region  ",
        "kind": "bank",
        "municipality": " UA123 ",
        "women_led": "TRUE",
        "year": " 2027 ",
        "id": "42",
        "topic": " marketing ",
    }
    values, errors = parse_public_filters(query, FIELDS)
    assert errors == {}
    assert values == {
        "q": "Kyiv ",  # stripped, then cut to the limit
        "kind": "bank",
        "municipality": "UA123",
        "women_led": True,
        "year": 2027,
        "id": 42,
        "topic": " marketing ",  # a field that keeps its spaces
    }


def test_bad_values_are_errors_under_their_names_and_none() -> None:
    query = {
        "kind": " bank",  # compared as given
        "municipality": "UA12",
        "women_led": "maybe",
        "year": "1999",
        "id": "-1",
    }
    values, errors = parse_public_filters(query, FIELDS)
    assert {name: values[name] for name in query} == dict.fromkeys(query)
    assert errors == {
        "kind": _("Choose a kind from the list."),
        "municipality": _("Choose a municipality from the list."),
        "women_led": _("Choose yes or no."),
        "year": _("Enter a year, e.g. 2027."),
        "id": "",  # a lenient field without a message: never the catalog's header
    }


def test_digits_other_than_ascii_are_not_a_number() -> None:
    # "²".isdigit() is true but int("²") raises: such a value is an error, not a crash.
    values, errors = parse_public_filters({"year": "²⁰²⁷", "id": "٤٢"}, FIELDS)
    assert values["year"] is None and values["id"] is None
    assert set(errors) == {"year", "id"}
