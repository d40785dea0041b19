"""Pure rules of grant calls and applications (sme_hub/grants/rules.py): the two workflows,
the call's window, the environmental category, duplicate keys, and every submission check."""

import dataclasses
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_hub.core.i18n import current_locale
from sme_hub.core.workflow import OWNER
from sme_hub.grants import application_reads, explain, rules, submission_rules
from sme_hub.grants.eligibility_rules import (
    Applicant,
    Eligibility,
    business_age_months,
    eligibility_problems,
    submission_problems,
)
from sme_hub.grants.models import APPLICATION_STATUSES, CALL_STATUSES, GrantCall
from sme_hub.grants.rules import (
    APPLICATION,
    CALL,
    SCREENING_QUESTIONS,
    address_key,
    call_window,
    environmental_category,
    phone_key,
    shown_call_status,
)
from sme_hub.grants.submission_rules import (
    CallLimits,
    Content,
    Question,
    content_problems,
    minimum_contribution,
)

TODAY = date(2026, 11, 25)
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
OPENS = NOW - timedelta(days=1)
CLOSES = NOW + timedelta(days=30)
NO_SCREENING = dict.fromkeys(SCREENING_QUESTIONS, False)

LIMITS = CallLimits(
    min_grant_kop=1_000_000,
    max_grant_kop=20_000_000,
    own_contribution_pct=Decimal(20),
    questions=(Question("market", True), Question("extra", False)),
)
COMPLETE = Content(
    project_title="Сонячна сушарка",
    summary="Сушимо фрукти.",
    description="Купуємо сушарку.",
    requested_amount_kop=8_000_000,
    own_contribution_kop=2_000_000,
    budget_lines=(("Сушарка", 6_000_000), ("Панелі", 4_000_000)),
    jobs_total=2,
    jobs_women=1,
    environmental_effect="Менше відходів.",
    screening=NO_SCREENING,
    answers={"market": "Кав'ярні"},
    iban="UA213223130000026007233566001",
    contact_phone="+380 67 123 45 67",
    business_address="Львів, вул. Городоцька, 10",
)
ALL_RULES = Eligibility(
    in_municipality=True,
    legal_forms=("llc", "fop"),
    min_business_age_months=12,
    max_business_age_months=120,
    excluded_kved=("B", "19", "47.1"),
    required_programme_id=7,
    max_employees=50,
    one_active_grant=True,
)
GOOD_APPLICANT = Applicant(
    email_confirmed=True,
    has_profile=True,
    in_municipality=True,
    municipality_name="Львівська громада",
    legal_form="llc",
    registered_on=date(2020, 3, 15),
    kved="62.01",
    employees_total=10,
    completed_programme=True,
    programme_title="Основи бізнесу",
    has_active_grant=False,
)


def fields(problems: list[submission_rules.Problem]) -> list[str]:
    return [p.field for p in problems]


# --- workflows ------------------------------------------------------------------------------


next_call_state = CALL.next_state
next_application_state = APPLICATION.next_state


@given(
    st.sampled_from((*CALL_STATUSES, "nonsense")),
    st.sampled_from([a.name for a in CALL.actions] + ["x"]),
)
def test_call_action_leads_to_its_target_only_from_its_sources(status: str, action: str) -> None:
    found = CALL.action(action)
    if found is None:
        assert next_call_state(status, action) is None
        return
    assert next_call_state(status, action) == (found.target if status in found.sources else None)


@given(
    st.sampled_from((*APPLICATION_STATUSES, "nonsense")),
    st.sampled_from([a.name for a in APPLICATION.actions] + ["x"]),
)
def test_application_action_leads_to_its_target_only_from_its_sources(
    status: str, action: str
) -> None:
    found = APPLICATION.action(action)
    if found is None:
        assert next_application_state(status, action) is None
        return
    assert next_application_state(status, action) == (
        found.target if status in found.sources else None
    )


def test_workflow_tables_use_only_known_states() -> None:
    for workflow, states in ((CALL, CALL_STATUSES), (APPLICATION, APPLICATION_STATUSES)):
        for action in workflow.actions:
            assert set(action.sources) <= set(states) and action.target in states
            assert action.roles


def test_workflow_matches_the_product() -> None:
    assert next_call_state("draft", "publish") == "published"
    assert next_call_state("published", "close") == "closed"
    assert next_call_state("closed", "publish") is None
    assert next_call_state("draft", "close") is None
    assert next_application_state("draft", "submit") == "submitted"
    assert next_application_state("submitted", "submit") is None
    # Withdrawn from draft or submitted by the applicant, never later.
    assert {s for s in APPLICATION_STATUSES if next_application_state(s, "withdraw")} == {
        "draft",
        "submitted",
    }
    assert APPLICATION.step("withdraw").roles == {OWNER}
    assert next_application_state("draft", "mark_eligible") is None
    assert next_application_state("withdrawn", "mark_ineligible") is None
    assert next_application_state("submitted", "mark_ineligible") == "ineligible"
    # All 13 statuses of the database are in the table.
    assert len(APPLICATION.state_names) == 13


# --- the call's window ----------------------------------------------------------------------


def test_call_window() -> None:
    assert call_window("published", OPENS, CLOSES, NOW) == "open"
    assert call_window("published", OPENS, CLOSES, OPENS) == "open"
    assert call_window("published", OPENS, CLOSES, OPENS - timedelta(seconds=1)) == "not_open"
    assert call_window("published", OPENS, CLOSES, CLOSES) == "closed"
    assert call_window("published", OPENS, CLOSES, CLOSES - timedelta(microseconds=1)) == "open"
    assert call_window("draft", OPENS, CLOSES, NOW) == "not_open"
    for status in ("closed", "in_evaluation", "decided"):
        assert call_window(status, OPENS, CLOSES, NOW) == "closed"


@given(st.sampled_from(CALL_STATUSES), st.integers(-(10**6), 10**6))
def test_shown_status_is_closed_from_the_closing_time(status: str, seconds: int) -> None:
    at = CLOSES + timedelta(seconds=seconds)
    shown = shown_call_status(status, CLOSES, at)
    if status == "published":
        assert shown == ("closed" if seconds >= 0 else "published")
    else:
        assert shown == status
    # Never "open" in the window while the shown status says otherwise.
    if call_window(status, OPENS, CLOSES, at) == "open":
        assert shown == "published"


# --- environmental screening ----------------------------------------------------------------

answer = st.one_of(st.none(), st.booleans())
screenings = st.fixed_dictionaries(dict.fromkeys(SCREENING_QUESTIONS, answer))


@given(screenings)
def test_category_a_whenever_protected_area_or_hazardous_waste(answers: dict[str, Any]) -> None:
    category = environmental_category(answers)
    if answers["protected_area"] or answers["hazardous_waste"]:
        assert category == "A"
    else:
        assert category != "A"


@given(screenings)
def test_category_b_and_c(answers: dict[str, Any]) -> None:
    category = environmental_category(answers)
    if answers["protected_area"] or answers["hazardous_waste"]:
        return
    if any(v is None for v in answers.values()):
        assert category is None
    elif any(answers.values()):
        assert category == "B"
    else:
        assert category == "C"


def test_category_examples() -> None:
    assert environmental_category({}) is None
    assert environmental_category({"protected_area": True}) == "A"
    assert environmental_category({**NO_SCREENING, "noise_or_traffic": True}) == "B"
    assert environmental_category(NO_SCREENING) == "C"


# --- duplicate keys -------------------------------------------------------------------------


def test_phone_key_ignores_format_and_country_code() -> None:
    same = ["+380 67 123 45 67", "067-123-45-67", "(067) 123 4567", "380671234567"]
    assert {phone_key(p) for p in same} == {"671234567"}
    assert phone_key("+380 67 123 45 68") != phone_key("+380 67 123 45 67")
    assert phone_key("") == ""


@given(st.text(alphabet="0123456789", min_size=9, max_size=12), st.sampled_from(["", "+", "0"]))
def test_phone_key_is_stable_under_punctuation(digits: str, prefix: str) -> None:
    spaced = " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    assert phone_key(prefix + spaced) == phone_key(digits.replace(" ", "")) or prefix == "0"
    assert phone_key("-".join(digits)) == phone_key(digits)


def test_address_key_ignores_case_punctuation_and_spaces() -> None:
    assert address_key("Львів, вул. Городоцька, 10") == address_key("львів  вул городоцька 10")
    assert address_key("ЛЬВІВ; ВУЛ. ГОРОДОЦЬКА 10.") == address_key("Львів, вул. Городоцька, 10")
    assert address_key("Львів, вул. Городоцька, 11") != address_key("Львів, вул. Городоцька, 10")


@given(st.text(max_size=60))
def test_address_key_is_idempotent(text: str) -> None:
    assert address_key(address_key(text)) == address_key(text)
    assert address_key(text.upper()) == address_key(text.lower()) or not text.isascii()


# --- amounts ---------------------------------------------------------------------------------

percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(st.integers(0, 10**13), percent)
def test_minimum_contribution_is_the_least_whole_kopiyka_meeting_the_pct(
    cost: int, pct: Decimal
) -> None:
    needed = minimum_contribution(cost, pct)
    assert needed * 100 >= cost * pct  # never below the percentage
    assert needed == 0 or (needed - 1) * 100 < cost * pct  # and minimal
    assert 0 <= needed <= cost


def test_minimum_contribution_rounds_up() -> None:
    assert minimum_contribution(10_000_000, Decimal(20)) == 2_000_000
    assert minimum_contribution(101, Decimal(10)) == 11
    assert minimum_contribution(3, Decimal("33.33")) == 1


@given(st.dates(date(1990, 1, 1), date(2040, 1, 1)), st.dates(date(1990, 1, 1), date(2040, 1, 1)))
def test_business_age_is_monotone_in_today(registered_on: date, today: date) -> None:
    age = business_age_months(registered_on, today)
    assert business_age_months(registered_on, today + timedelta(days=1)) >= age
    assert business_age_months(registered_on, today + timedelta(days=31)) >= age + (
        1 if today >= registered_on else 0
    )


@given(st.dates(date(1990, 1, 1), date(2040, 1, 1)))
def test_business_age_is_zero_on_registration_and_then_counts_whole_months(day: date) -> None:
    assert business_age_months(day, day) == 0
    assert business_age_months(day, day + timedelta(days=27)) == 0
    later = day + timedelta(days=370)
    assert business_age_months(day, later) == 12


def test_business_age_examples() -> None:
    assert business_age_months(date(2020, 3, 15), date(2021, 3, 14)) == 11
    assert business_age_months(date(2020, 3, 15), date(2021, 3, 15)) == 12
    assert business_age_months(date(2024, 1, 31), date(2024, 2, 29)) == 0
    assert business_age_months(date(2024, 1, 31), date(2024, 3, 1)) == 1


# --- what a submission must pass -------------------------------------------------------------


def test_a_complete_valid_application_has_no_problems() -> None:
    assert submission_problems(COMPLETE, LIMITS, ALL_RULES, GOOD_APPLICANT, TODAY) == []
    assert submission_problems(COMPLETE, LIMITS, Eligibility(), GOOD_APPLICANT, TODAY) == []


def test_an_empty_draft_fails_every_content_rule_at_once() -> None:
    found = set(fields(content_problems(Content(), LIMITS)))
    assert found == {
        "project_title",
        "summary",
        "description",
        "environmental_effect",
        "iban",
        "contact_phone",
        "business_address",
        "requested_amount_kop",
        "own_contribution_kop",
        "budget_lines",
        "jobs_total",
        "jobs_women",
        *(f"screening.{key}" for key in SCREENING_QUESTIONS),
        "answers.market",
    }


CONTENT_DEFECTS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "no title": ({"project_title": "  "}, ["project_title"]),
    "no summary": ({"summary": ""}, ["summary"]),
    "no description": ({"description": ""}, ["description"]),
    "no effect": ({"environmental_effect": ""}, ["environmental_effect"]),
    "no iban": ({"iban": ""}, ["iban"]),
    "no phone": ({"contact_phone": ""}, ["contact_phone"]),
    "no address": ({"business_address": ""}, ["business_address"]),
    "no request": ({"requested_amount_kop": None}, ["requested_amount_kop"]),
    "below min": (
        {
            "requested_amount_kop": 999_999,
            "own_contribution_kop": 250_000,
            "budget_lines": (("a", 1_249_999),),
        },
        ["requested_amount_kop"],
    ),
    "above max": (
        {
            "requested_amount_kop": 20_000_001,
            "own_contribution_kop": 6_000_000,
            "budget_lines": (("a", 26_000_001),),
        },
        ["requested_amount_kop"],
    ),
    "no own": ({"own_contribution_kop": None}, ["own_contribution_kop"]),
    "own too low": (
        {"own_contribution_kop": 1_999_999, "budget_lines": (("a", 9_999_999),)},
        ["own_contribution_kop"],
    ),
    "no budget": ({"budget_lines": ()}, ["budget_lines"]),
    "budget sum": ({"budget_lines": (("a", 9_999_999),)}, ["budget_lines"]),
    "no jobs": ({"jobs_total": None, "jobs_women": None}, ["jobs_total", "jobs_women"]),
    "no jobs women": ({"jobs_women": None}, ["jobs_women"]),
    "women too many": ({"jobs_women": 3}, ["jobs_women"]),
    "unanswered": (
        {"screening": {**NO_SCREENING, "noise_or_traffic": None}},
        ["screening.noise_or_traffic"],
    ),
    "category A": ({"screening": {**NO_SCREENING, "protected_area": True}}, ["screening"]),
    "hazardous": ({"screening": {**NO_SCREENING, "hazardous_waste": True}}, ["screening"]),
    "category B no mitigation": (
        {"screening": {**NO_SCREENING, "new_construction": True}},
        ["mitigation"],
    ),
    "required answer": ({"answers": {"extra": "так"}}, ["answers.market"]),
    "blank answer": ({"answers": {"market": "   "}}, ["answers.market"]),
}


@pytest.mark.parametrize("name", CONTENT_DEFECTS)
def test_each_single_content_defect_names_exactly_its_field(name: str) -> None:
    change, expected = CONTENT_DEFECTS[name]
    content = dataclasses.replace(COMPLETE, **change)
    problems = submission_problems(content, LIMITS, ALL_RULES, GOOD_APPLICANT, TODAY)
    assert fields(problems) == expected
    assert all(p.message for p in problems)


def test_category_b_with_mitigation_passes() -> None:
    content = dataclasses.replace(
        COMPLETE,
        screening={**NO_SCREENING, "new_construction": True},
        mitigation="Будуємо поза сезоном гніздування.",
    )
    assert content_problems(content, LIMITS) == []


def test_optional_question_and_zero_contribution_are_fine() -> None:
    limits = dataclasses.replace(LIMITS, own_contribution_pct=Decimal(0))
    content = dataclasses.replace(
        COMPLETE, own_contribution_kop=0, budget_lines=(("Сушарка", 8_000_000),)
    )
    assert content_problems(content, limits) == []


def test_amount_messages_carry_the_limits() -> None:
    content = dataclasses.replace(COMPLETE, own_contribution_kop=1_000_000)
    (problem, _sum) = content_problems(content, LIMITS)
    assert problem.field == "own_contribution_kop"
    assert problem.params["pct"] == "20"
    assert problem.params["needed"] == "18\u00a0000,00\u00a0грн"


@given(
    st.integers(1_000_000, 20_000_000),
    st.integers(0, 10**8),
    percent,
)
def test_own_contribution_rule_agrees_with_minimum_contribution(
    requested: int, own: int, pct: Decimal
) -> None:
    cost = requested + own
    content = dataclasses.replace(
        COMPLETE,
        requested_amount_kop=requested,
        own_contribution_kop=own,
        budget_lines=(("a", cost),),
    )
    limits = dataclasses.replace(LIMITS, own_contribution_pct=pct)
    failed = "own_contribution_kop" in fields(content_problems(content, limits))
    assert failed == (own * 100 < cost * pct)


ELIGIBILITY_DEFECTS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "email": ({"email_confirmed": False}, ["email"]),
    "location": ({"in_municipality": False}, ["business.katottg"]),
    "legal form": ({"legal_form": "farm"}, ["business.legal_form"]),
    "too young": ({"registered_on": date(2026, 1, 1)}, ["business.registered_on"]),
    "too old": ({"registered_on": date(2010, 1, 1)}, ["business.registered_on"]),
    "no registration": ({"registered_on": None}, ["business.registered_on"]),
    "kved section": ({"kved": "06.10"}, ["business.kved"]),
    "kved division": ({"kved": "19.20"}, ["business.kved"]),
    "kved group": ({"kved": "47.11"}, ["business.kved"]),
    "programme": ({"completed_programme": False}, ["training"]),
    "employees": ({"employees_total": 51}, ["business.employees_total"]),
    "active grant": ({"has_active_grant": True}, ["grant"]),
}


@pytest.mark.parametrize("name", ELIGIBILITY_DEFECTS)
def test_each_single_eligibility_defect_names_exactly_its_field(name: str) -> None:
    change, expected = ELIGIBILITY_DEFECTS[name]
    applicant = dataclasses.replace(GOOD_APPLICANT, **change)
    assert fields(submission_problems(COMPLETE, LIMITS, ALL_RULES, applicant, TODAY)) == expected


def test_rules_that_are_off_do_not_refuse() -> None:
    weak = dataclasses.replace(
        GOOD_APPLICANT,
        in_municipality=False,
        legal_form="farm",
        registered_on=None,
        kved="06.10",
        employees_total=10_000,
        completed_programme=False,
        has_active_grant=True,
    )
    assert eligibility_problems(Eligibility(), weak, TODAY) == []


def test_kved_next_to_an_excluded_one_passes() -> None:
    for kved in ("47.21", "10.11", "20.11", "18.12"):  # B is 05–09
        applicant = dataclasses.replace(GOOD_APPLICANT, kved=kved)
        assert eligibility_problems(ALL_RULES, applicant, TODAY) == [], kved


def test_boundary_ages_and_employees_pass() -> None:
    rules_ = Eligibility(min_business_age_months=12, max_business_age_months=24, max_employees=5)
    for registered in (date(2025, 11, 25), date(2024, 11, 25)):  # 12 and 24 months exactly
        applicant = dataclasses.replace(GOOD_APPLICANT, registered_on=registered, employees_total=5)
        assert eligibility_problems(rules_, applicant, TODAY) == [], registered
    younger = dataclasses.replace(
        GOOD_APPLICANT, registered_on=date(2025, 11, 26), employees_total=1
    )
    assert fields(eligibility_problems(rules_, younger, TODAY)) == ["business.registered_on"]


def test_without_a_profile_only_email_and_business_are_named() -> None:
    nobody = Applicant(email_confirmed=False, has_profile=False)
    assert fields(eligibility_problems(ALL_RULES, nobody, TODAY)) == ["email", "business"]
    assert fields(eligibility_problems(Eligibility(), nobody, TODAY)) == ["email", "business"]


def test_every_failure_is_listed_at_once() -> None:
    worst = Applicant(
        email_confirmed=False,
        has_profile=True,
        legal_form="farm",
        registered_on=date(2026, 6, 1),
        kved="06.10",
        employees_total=500,
        has_active_grant=True,
    )
    assert set(fields(submission_problems(Content(), LIMITS, ALL_RULES, worst, TODAY))) >= {
        "project_title",
        "answers.market",
        "email",
        "business.katottg",
        "business.legal_form",
        "business.registered_on",
        "business.kved",
        "training",
        "business.employees_total",
        "grant",
    }


def test_legal_forms_are_listed_in_the_problem() -> None:
    applicant = dataclasses.replace(GOOD_APPLICANT, legal_form="farm")
    (problem,) = eligibility_problems(Eligibility(legal_forms=("llc", "fop")), applicant, TODAY)
    assert problem.params == {"forms": "llc,fop"}


@pytest.mark.parametrize(
    ("status", "days", "locale", "shown"),
    [
        ("published", 3, "uk", "закривається"),
        ("published", -3, "uk", "закрито"),
        ("in_evaluation", -30, "uk", "закрито"),
        ("published", 3, "en", "closes"),
        ("published", -3, "en", "closed on"),
    ],
)
def test_a_closed_call_reads_closed_not_closes(
    status: str, days: int, locale: str, shown: str
) -> None:
    call = GrantCall(status=status, closes_at=datetime.now(UTC) + timedelta(days=days))
    token = current_locale.set(locale)
    try:
        text, sentence = explain.closing_text(call), application_reads.closing_text(call)
    finally:
        current_locale.reset(token)
    assert text.startswith(f"{shown} ")
    assert sentence.lower().startswith(f"{shown} ")


def test_a_criterion_is_named_in_the_readers_language() -> None:
    both = {"key": "impact", "name_uk": "Вплив", "name_en": "Impact"}
    assert rules.criterion_name(both, "en") == "Impact"
    assert rules.criterion_name(both, "uk") == "Вплив"
    # Without an English name (or stored before names were kept in both languages).
    assert rules.criterion_name({**both, "name_en": ""}, "en") == "Вплив"
    assert rules.criterion_name({"key": "impact", "name": "Вплив"}, "en") == "Вплив"
