"""The implementation forms: typed hryvnias into kopiykas, each problem keyed by the input
that shows it — a spending row by its place in the form, empty rows left out."""

from collections.abc import Iterator

import pytest

from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import current_locale
from sme_hub.implementation import forms


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


def report(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "interim",
        "period": "Q1 2027",
        "jobs_created": "2",
        "women_employed": "1",
        "line_item": ["Dryer", "", "Installation"],
        "line_amount": ["60 000", "", "1 500,50"],
        "_csrf_token": "x",
    }
    data.update(overrides)
    return data


def test_a_report_skips_empty_rows_and_counts_kopiykas() -> None:
    read = forms.read_report(report())
    assert [(line.item, line.amount_kop) for line in read.spending] == [
        ("Dryer", 6_000_000),
        ("Installation", 150_050),
    ]


def test_report_problems_name_the_form_row_and_the_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        forms.read_report(
            report(line_item=["", "Dryer", "", "X"], line_amount=["", "a lot", "", "100"])
        )
    errors = raised.value.errors
    assert "hryvnias" in errors["spending.1"]
    assert errors["spending.3"] == "This field is too short."  # its place, not its index
    with pytest.raises(InvalidInput) as raised:
        forms.read_report(report(women_employed="3"))
    assert "Women employed" in raised.value.errors["women_employed"]  # the rule across fields


def test_typed_values_keep_the_rows_and_add_one_when_asked() -> None:
    values = forms.typed_report_values(report(), add_line=True)
    assert [row["item"] for row in values["rows"]] == ["Dryer", "", "Installation", ""]
    assert values["period"] == "Q1 2027"


def test_a_payment_checks_the_iban_and_an_empty_one_is_the_grantees() -> None:
    with pytest.raises(InvalidInput) as raised:
        forms.read_payment({"paid_on": "2027-01-10", "iban": "UA00 1234"})
    assert set(raised.value.errors) == {"iban"}
    assert forms.read_payment({"paid_on": "2027-01-10", "iban": " "}).iban is None


def test_a_tranche_amount_is_typed_in_hryvnias() -> None:
    read = forms.read_tranche({"amount": "10 000,50", "planned_on": "2027-02-01"})
    assert (read.amount_kop, read.paid_on) == (1_000_050, None)
    with pytest.raises(InvalidInput) as raised:
        forms.read_tranche({"amount": "", "planned_on": ""})
    assert set(raised.value.errors) == {"amount_kop", "planned_on"}


def test_returning_a_report_without_a_note_is_a_note_error() -> None:
    with pytest.raises(InvalidInput) as raised:
        forms.read_review({"decision": "returned", "note": " "})
    assert set(raised.value.errors) == {"note"}
    assert forms.read_review({"decision": "accepted"}).note == ""
