"""The officer's evaluation forms read as the services want them: the what-if settings,
checked field by field, and a decision with its amount in hryvnias."""

from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from sme_hub.core.i18n import current_locale
from sme_hub.evaluation.forms import (
    MAX_BUDGET_KOP,
    WHAT_IF_FIELDS,
    committee_from_form,
    decision_from_form,
    read_what_if,
)
from sme_hub.evaluation.results_report import bonuses, number
from sme_hub.evaluation.schemas import RankingItem
from sme_hub.evaluation.service import WhatIf, what_if_values


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages compared in English, whatever the translations say."""
    token = current_locale.set("en")
    yield
    current_locale.reset(token)


FORM = {
    "budget": "800 000,50",
    "women_led_share_pct": "12,5",
    "threshold": "55",
    "women_led_bonus": "7.5",
    "green_bonus": "0",
    "bonus_veteran_owned": "5",
    "bonus_idp_owned": "",
    "bonus_youth_owned": "100",
}


def test_what_if_values_are_read_into_the_calls_shape() -> None:
    what_if, errors = read_what_if(FORM)
    assert errors == {}
    assert what_if == WhatIf(
        budget_kop=80_000_050,
        women_led_budget_share=Decimal("0.125"),
        threshold=Decimal(55),
        women_led_bonus=Decimal("7.5"),
        green_bonus=Decimal(0),
        group_bonuses={
            "veteran_owned": Decimal(5),
            "idp_owned": Decimal(0),  # an empty box: no bonus
            "youth_owned": Decimal(100),
        },
    )


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("budget", "", "Enter the budget."),
        ("budget", "0", "The budget must be more than zero."),
        ("budget", "-5", "Enter an amount in hryvnias, e.g. 80 000 or 80 000,50."),
        ("budget", "1e6", "Enter an amount in hryvnias, e.g. 80 000 or 80 000,50."),
        ("budget", "9" * 40, "The budget is too large."),
        (
            "women_led_share_pct",
            "100,01",
            "Enter a number from 0 to 100, with at most two decimals.",
        ),
        ("women_led_share_pct", "-1", "Enter a number from 0 to 100, with at most two decimals."),
        ("threshold", "NaN", "Enter a number from 0 to 100, with at most two decimals."),
        ("threshold", "60.125", "Enter a number from 0 to 100, with at most two decimals."),
        ("threshold", "", "This field is required."),
        ("women_led_bonus", "ten", "Enter a number from 0 to 100, with at most two decimals."),
        ("green_bonus", "Infinity", "Enter a number from 0 to 100, with at most two decimals."),
        ("bonus_idp_owned", "101", "Enter a number from 0 to 100, with at most two decimals."),
    ],
)
def test_unusable_what_if_values_get_a_message_by_their_field(
    field: str, typed: str, message: str
) -> None:
    _what_if, errors = read_what_if({**FORM, field: typed})
    assert errors == {field: message}


def test_the_bounds_are_allowed() -> None:
    edges = {**FORM, "budget": "0,01", "women_led_share_pct": "100", "threshold": "0"}
    what_if, errors = read_what_if(edges)
    assert errors == {} and what_if.budget_kop == 1
    assert what_if.women_led_budget_share == 1 and what_if.threshold == 0
    _w, errors = read_what_if({**FORM, "budget": str(MAX_BUDGET_KOP // 100)})
    assert errors == {}


def test_the_form_starts_from_the_calls_own_settings() -> None:
    call: Any = SimpleNamespace(
        budget_kop=100_000_000,
        min_grant_kop=1,
        max_grant_kop=2,
        own_contribution_pct=Decimal(0),
        threshold=Decimal("62.50"),
        evaluators_per_application=2,
        opens_at=None,
        closes_at=None,
        blind_review=False,
        criteria=[],
        questions=[],
        eligibility={},
        priorities={"women_led_budget_share": "0.3", "group_bonuses": {"idp_owned": 5}},
        **dict.fromkeys(("title_uk", "title_en", "description_uk", "description_en"), ""),
    )
    values = what_if_values(call)
    assert set(values) == set(WHAT_IF_FIELDS)
    assert values["budget"] == "1000000" and values["threshold"] == "62,5"
    assert values["women_led_share_pct"] == "30" and values["bonus_idp_owned"] == "5"
    what_if, errors = read_what_if(values)
    assert errors == {}
    assert what_if.women_led_budget_share == Decimal("0.3") and what_if.budget_kop == 100_000_000


def test_a_decision_from_the_form() -> None:
    fields, errors = decision_from_form(
        {"decision": "approved", "amount": "150 000", "reference": "№ 1", "note": ""}
    )
    assert errors == {} and fields["amount_kop"] == 15_000_000
    empty, errors = decision_from_form({"decision": "approved", "amount": "", "reference": "№ 1"})
    assert errors == {} and empty["amount_kop"] is None  # the request is approved
    _f, errors = decision_from_form({"decision": "approved", "amount": "багато"})
    assert set(errors) == {"amount_kop"}
    rejected, errors = decision_from_form({"decision": "rejected", "amount": "багато"})
    assert errors == {} and "amount_kop" not in rejected  # a rejection has no amount


def test_committee_ids_from_the_form() -> None:
    assert committee_from_form({"evaluator_ids": ["3", "7", "x", "-1"]}) == [3, 7]
    assert committee_from_form({"evaluator_ids": "5"}) == [5]
    assert committee_from_form({}) == []


def test_points_and_bonuses_as_shown() -> None:
    assert number(Decimal("93.33")) == "93,33" and number(None) == "—"
    item = RankingItem(
        application_id=1,
        rank=1,
        base=Decimal("70.00"),
        bonus_women=Decimal("10.00"),
        bonus_green=Decimal("5.00"),
        bonus_other={"veteran_owned": Decimal("3.00")},
        final=Decimal("88.00"),
        fundable=True,
        divergent=False,
        outcome="recommended",
        explanation=[],
    )
    assert bonuses(item) == "women-led +10,00; green +5,00; owned by a veteran +3,00"
    assert (
        bonuses(
            item.model_copy(
                update={"bonus_women": Decimal(0), "bonus_green": Decimal(0), "bonus_other": {}}
            )
        )
        == "—"
    )
