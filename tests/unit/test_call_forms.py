"""The officer's call form read into the API's shape, and a call shown back in it."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from sme_hub.core.i18n import current_locale
from sme_hub.grants.call_schemas import CallCreate
from sme_hub.grants.call_views import describe_changes
from sme_hub.grants.display import call_values as form_values
from sme_hub.grants.display import typed_values
from sme_hub.grants.forms import call_from_form, keep_unchanged_times
from sme_hub.grants.models import GrantCall

FORM = {
    "title_uk": " Мікрогранти ",
    "budget": "1 000 000",
    "min_grant": "20 000",
    "max_grant": "100 000,50",
    "own_contribution_pct": "12,5",
    "opens_at": "2026-12-01T09:00",
    "closes_at": "2027-01-15T18:00",
    "threshold": "60",
    "evaluators_per_application": "3",
    "criterion_key": ["impact", "", ""],
    "criterion_name_uk": ["Вплив", "Бюджет", ""],
    "criterion_name_en": ["Impact", "", ""],
    "criterion_description": ["", "", ""],
    "criterion_weight": ["2", "1,5", ""],
    "criterion_max": ["10", "5", ""],
    "women_led_share_pct": "25",
    "bonus_idp_owned": "3",
    "bonus_youth_owned": "0",
    "in_municipality": "on",
    "legal_forms": ["fop", "llc"],
    "excluded_kved": "05; 19, 47.11",
    "question_key": ["", ""],
    "question_label_uk": ["Хто клієнти?", ""],
    "question_label_en": ["", ""],
    "question_required": ["0"],
}


def test_a_full_form_becomes_a_valid_call() -> None:
    fields, errors = call_from_form(FORM)
    assert errors == {}
    call = CallCreate.model_validate(fields)
    assert (call.budget_kop, call.min_grant_kop, call.max_grant_kop) == (
        100_000_000,
        2_000_000,
        10_000_050,
    )
    assert call.own_contribution_pct == Decimal("12.5")
    assert call.opens_at == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)  # 09:00 in Kyiv, winter
    assert [c.key for c in call.criteria] == ["impact", "c1"]  # the empty row is ignored
    assert call.criteria[1].weight == Decimal("1.5")
    # Named in both languages; an empty English name is allowed (pages fall back to Ukrainian).
    assert [(c.name_uk, c.name_en) for c in call.criteria] == [("Вплив", "Impact"), ("Бюджет", "")]
    assert call.priorities.women_led_budget_share == Decimal("0.25")
    assert call.priorities.group_bonuses == {"idp_owned": Decimal(3)}  # 0 is "no bonus"
    assert call.priorities.women_led_bonus == Decimal(10)  # left empty: the default
    assert call.eligibility.in_municipality and not call.eligibility.one_active_grant
    assert call.eligibility.excluded_kved == ["05", "19", "47.11"]
    assert [(q.key, q.required) for q in call.questions] == [("q1", True)]


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("budget", "багато", "budget_kop"),
        ("opens_at", "завтра", "opens_at"),
        ("threshold", "шістдесят", "threshold"),
        ("women_led_share_pct", "x", "priorities.women_led_budget_share"),
    ],
)
def test_unreadable_values_are_reported_by_field(field: str, value: str, key: str) -> None:
    _fields, errors = call_from_form({**FORM, field: value})
    assert key in errors


def test_a_call_is_shown_back_as_typed() -> None:
    fields, _errors = call_from_form(FORM)
    checked = CallCreate.model_validate(fields)
    call = GrantCall(
        municipality_id=1,
        **{
            **checked.model_dump(),
            **checked.model_dump(
                mode="json", include={"criteria", "priorities", "eligibility", "questions"}
            ),
        },
    )
    values = form_values(call)
    assert values["budget"] == "1000000"
    assert values["max_grant"] == "100000,50"
    assert values["own_contribution_pct"] == "12,5"
    assert values["opens_at"] == "2026-12-01T09:00"
    assert values["women_led_share_pct"] == "25"
    assert values["bonus_idp_owned"] == "3" and values["bonus_youth_owned"] == ""
    assert values["excluded_kved"] == "05, 19, 47.11"
    posted = {k: v for k, v in values.items() if v is not False}  # unticked boxes are not sent
    again, errors = call_from_form(
        {
            **posted,
            "criterion_key": [c["key"] for c in values["criteria"]],
            "criterion_name_uk": [c["name_uk"] for c in values["criteria"]],
            "criterion_name_en": [c["name_en"] for c in values["criteria"]],
            "criterion_description": [c["description"] for c in values["criteria"]],
            "criterion_weight": [c["weight"] for c in values["criteria"]],
            "criterion_max": [c["max_score"] for c in values["criteria"]],
            "in_municipality": "on",
        }
    )
    assert errors == {}
    assert CallCreate.model_validate({**again, "questions": fields["questions"]}) == checked


def test_defaults_of_a_new_call() -> None:
    values = form_values(None)
    assert values["in_municipality"] is True
    assert (values["women_led_bonus"], values["green_bonus"]) == ("10", "10")
    assert values["evaluators_per_application"] == "2"


def test_typed_values_keep_rows_and_switches() -> None:
    values = typed_values({**FORM, "blind_review": "on"})
    assert values["blind_review"] is True and values["one_active_grant"] is False
    assert [c["name_uk"] for c in values["criteria"]] == ["Вплив", "Бюджет"]


def test_times_left_as_shown_keep_their_seconds() -> None:
    """A datetime-local field shows minutes; leaving it alone must not change the call."""
    call = GrantCall(
        municipality_id=1,
        opens_at=datetime(2026, 12, 1, 7, 0, 42, 123, tzinfo=UTC),  # 09:00:42 in Kyiv
        closes_at=datetime(2027, 1, 15, 16, 0, tzinfo=UTC),
    )
    shown = form_values(call)
    fields, errors = call_from_form({**FORM, "opens_at": shown["opens_at"]})
    assert errors == {}
    kept = keep_unchanged_times(fields, {**FORM, "opens_at": shown["opens_at"]}, call)
    assert "opens_at" not in kept and "closes_at" not in kept
    moved = keep_unchanged_times(fields, {**FORM, "closes_at": "2027-01-16T18:00"}, call)
    assert "closes_at" in moved and "opens_at" not in moved


def test_an_amendment_reads_as_people_write() -> None:
    token = current_locale.set("en")
    try:
        changes = describe_changes(
            {
                "budget_kop": {"before": 100_000_000, "after": 120_000_000},
                "closes_at": {
                    "before": "2027-01-15T16:00:00+00:00",
                    "after": "2027-01-16T16:00:00+00:00",
                },
                "blind_review": {"before": False, "after": True},
                "criteria": {
                    "before": [{"name": "Impact", "weight": "2", "max_score": 10}],
                    "after": [
                        {"name_uk": "Вплив", "name_en": "Impact", "weight": "3", "max_score": 10}
                    ],
                },
                "unknown": {"before": None, "after": "x"},
            }
        )
    finally:
        current_locale.reset(token)
    shown = [(c.label, c.before, c.after) for c in changes]
    assert shown[0][0] == "Budget"
    assert (shown[0][1], shown[0][2]) == (
        "1,000,000.00\u00a0UAH",
        "1,200,000.00\u00a0UAH",
    )
    assert shown[1] == ("Closes", "15 January 2027, 18:00", "16 January 2027, 18:00")
    assert shown[2] == ("Blind review", "no", "yes")
    assert shown[3] == ("Criteria", "Impact (×2, ≤ 10)", "Impact (×3, ≤ 10)")
    assert shown[4] == ("unknown", "—", "x")
