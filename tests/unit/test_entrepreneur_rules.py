"""Pure business-profile rules: women-led, green self-assessment, RNOKPP helpers."""

import random
import string
from decimal import Decimal
from typing import get_args

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sme_hub.entrepreneurs.rules import (
    EXCLUDED_DIVISIONS,
    GREEN_QUESTION_TEXT,
    GREEN_QUESTIONNAIRE_VERSION,
    GREEN_QUESTIONS,
    Gender,
    GreenResult,
    Leader,
    LeaderRole,
    LegalForm,
    Owner,
    Reason,
    WomenLedResult,
    WomenLedThresholds,
    format_pct,
    green_assessment,
    green_level_for,
    is_excluded_activity,
    mask_rnokpp,
    rnokpp_is_female,
    women_led,
    women_share,
)

D = Decimal
HEAD_F = Leader("head", "female")
HEAD_M = Leader("head", "male")
NON_FOP_FORMS: tuple[LegalForm, ...] = ("llc", "farm", "cooperative", "other", "not_registered")
LEVEL_RANK = {"none": 0, "basic": 1, "advanced": 2}


def split(women: str) -> list[Owner]:
    """A woman owning `women` % and a man the rest (or only the woman at 100 %)."""
    female = D(women)
    owners = [Owner("female", female)] if female > 0 else []
    if female < 100:
        owners.append(Owner("male", D(100) - female))
    return owners


def codes(result: WomenLedResult | GreenResult) -> list[str]:
    return [reason.code for reason in result.reasons]


def texts(result: WomenLedResult | GreenResult) -> list[str]:
    return [reason.message.format(**reason.params) for reason in result.reasons]


# --- women-led: boundaries of the three rules -----------------------------------------------


@pytest.mark.parametrize(
    ("women", "leaders", "expected", "reason_codes"),
    [
        ("0", [], False, ["not_women_led"]),
        ("24", [HEAD_F], False, ["not_women_led"]),
        ("24.99", [HEAD_F], False, ["not_women_led"]),
        ("24", [HEAD_M], False, ["not_women_led"]),
        ("25", [HEAD_F], True, ["women_share_and_female_head"]),
        ("25", [HEAD_M], False, ["not_women_led"]),
        ("25", [], False, ["not_women_led"]),
        ("50", [], False, ["not_women_led"]),
        ("50", [HEAD_M], False, ["not_women_led"]),
        ("50", [HEAD_F], True, ["women_share_and_female_head"]),
        ("50.99", [HEAD_M], False, ["not_women_led"]),
        ("51", [], True, ["women_own_majority"]),
        ("51", [HEAD_M], True, ["women_own_majority"]),
        ("51", [HEAD_F], True, ["women_own_majority", "women_share_and_female_head"]),
        ("100", [], True, ["women_own_majority"]),
        ("100", [HEAD_F], True, ["women_own_majority", "women_share_and_female_head"]),
    ],
)
@pytest.mark.parametrize("legal_form", NON_FOP_FORMS)
def test_women_led_boundaries(
    legal_form: LegalForm,
    women: str,
    leaders: list[Leader],
    expected: bool,
    reason_codes: list[str],
) -> None:
    result = women_led(legal_form, split(women), leaders)
    assert result.women_led is expected
    assert codes(result) == reason_codes


def test_only_the_head_counts_for_rule_3() -> None:
    leaders = [
        Leader("deputy", "female"),
        Leader("board_member", "female"),
        Leader("manager", "female"),
        HEAD_M,
    ]
    assert not women_led("llc", split("40"), leaders).women_led
    assert women_led("llc", split("40"), [*leaders, HEAD_F]).women_led


def test_several_female_owners_add_up() -> None:
    owners = [Owner("female", D("30")), Owner("female", D("21")), Owner("male", D("49"))]
    assert women_share(owners) == D(51)
    result = women_led("llc", owners, [])
    assert result.women_led
    assert codes(result) == ["women_own_majority"]


def test_llc_with_female_head_but_no_women_owners_is_not_women_led() -> None:
    result = women_led("llc", [Owner("male", D(100))], [HEAD_F])
    assert not result.women_led
    assert texts(result) == [
        "Your business is not women-led: a woman is its head, but women own 0 % of it, "
        "less than the 25 % required when a woman is the head."
    ]


def test_no_owners_is_not_women_led_with_its_own_reason() -> None:
    for form in NON_FOP_FORMS:
        result = women_led(form, [], [HEAD_F])
        assert not result.women_led
        assert codes(result) == ["no_owners"]
    assert codes(women_led("fop", [], [])) == ["no_owners"]


# --- women-led: individual entrepreneurs ----------------------------------------------------


def test_female_fop_from_owners_list() -> None:
    result = women_led("fop", [Owner("female", D(100))], [])
    assert result.women_led
    # Women own 100 % as well, so rule 1 holds too: every rule that holds is a reason.
    assert codes(result) == ["women_own_majority", "female_fop"]


def test_owner_is_female_overrides_the_owners_list() -> None:
    result = women_led("fop", [Owner("male", D(100))], [], owner_is_female=True)
    assert result.women_led
    assert codes(result) == ["female_fop"]
    assert texts(result) == [
        "Your business is women-led because it is an individual entrepreneur (FOP) who is a woman."
    ]
    assert women_led("fop", [], [], owner_is_female=True).women_led


def test_male_fop_is_not_women_led() -> None:
    result = women_led("fop", [Owner("male", D(100))], [HEAD_M])
    assert not result.women_led
    assert codes(result) == ["not_women_led"]
    assert texts(result) == [
        "Your business is not women-led: the individual entrepreneur (FOP) is not a woman."
    ]
    result = women_led("fop", [], [], owner_is_female=False)
    assert not result.women_led
    assert codes(result) == ["not_women_led"]


def test_male_by_rnokpp_overrides_a_female_owners_list_for_rule_2_only() -> None:
    # The owners list still counts for rule 1 (it says women own 100 %).
    result = women_led("fop", [Owner("female", D(100))], [], owner_is_female=False)
    assert codes(result) == ["women_own_majority"]


def test_female_owner_of_non_fop_is_not_rule_2() -> None:
    result = women_led("llc", [Owner("female", D(100))], [], owner_is_female=True)
    assert codes(result) == ["women_own_majority"]
    assert not women_led("llc", split("10"), [], owner_is_female=True).women_led


# --- women-led: thresholds and reasons ------------------------------------------------------


def test_custom_thresholds() -> None:
    custom = WomenLedThresholds(ownership_pct=D(50), with_head_pct=D(20))
    assert women_led("llc", split("50"), [], thresholds=custom).women_led
    assert not women_led("llc", split("49.99"), [], thresholds=custom).women_led
    assert women_led("llc", split("20"), [HEAD_F], thresholds=custom).women_led
    assert not women_led("llc", split("19.99"), [HEAD_F], thresholds=custom).women_led
    assert not women_led("llc", split("20"), [HEAD_M], thresholds=custom).women_led
    # And the defaults refuse what the custom ones accept.
    assert not women_led("llc", split("50"), []).women_led
    assert not women_led("llc", split("20"), [HEAD_F]).women_led


def test_custom_thresholds_appear_in_reasons() -> None:
    custom = WomenLedThresholds(ownership_pct=D("50.5"), with_head_pct=D(20))
    result = women_led("cooperative", split("50.5"), [HEAD_F], thresholds=custom)
    assert texts(result) == [
        "Your business is women-led because women own 50.5 % of it (at least 50.5 % is required).",
        "Your business is women-led because a woman is its head and women own 50.5 % of it "
        "(at least 20 % is required when a woman is the head).",
    ]
    result = women_led("llc", split("10"), [], thresholds=custom)
    assert texts(result) == [
        "Your business is not women-led: women own 10 % of it, less than 50.5 %, and no woman "
        "is named as its head."
    ]


def test_all_three_rules_at_once() -> None:
    result = women_led("fop", [Owner("female", D(100))], [HEAD_F], owner_is_female=True)
    assert result.women_led
    assert codes(result) == ["women_own_majority", "female_fop", "women_share_and_female_head"]
    assert texts(result) == [
        "Your business is women-led because women own 100 % of it (at least 51 % is required).",
        "Your business is women-led because it is an individual entrepreneur (FOP) who is a woman.",
        "Your business is women-led because a woman is its head and women own 100 % of it "
        "(at least 25 % is required when a woman is the head).",
    ]


@pytest.mark.parametrize(
    ("women", "pct"),
    [("60", "60"), ("60.00", "60"), ("50.50", "50.5"), ("75.25", "75.25"), ("100", "100")],
)
def test_percentages_are_shown_without_trailing_zeros(women: str, pct: str) -> None:
    result = women_led("llc", split(women), [HEAD_F])
    reason = result.reasons[0]
    assert reason.params["pct"] == pct
    assert f"women own {pct} % of it" in reason.message.format(**reason.params)


def test_not_women_led_reason_text() -> None:
    result = women_led("llc", split("30"), [HEAD_M])
    assert len(result.reasons) == 1
    assert result.reasons[0].params == {"pct": "30", "needed": "51"}
    assert texts(result) == [
        "Your business is not women-led: women own 30 % of it, less than 51 %, and no woman "
        "is named as its head."
    ]
    assert result.reasons[0].text() == texts(result)[0]


def test_reason_placeholders_are_all_filled() -> None:
    cases: list[WomenLedResult | GreenResult] = [
        women_led("llc", split("60"), [HEAD_F]),
        women_led("llc", split("30"), []),
        women_led("llc", split("10"), [HEAD_F]),
        women_led("fop", [], [], owner_is_female=True),
        women_led("fop", [], [], owner_is_female=False),
        women_led("llc", [], []),
        green_assessment({"energy_efficiency": True}, "62.01"),
        green_assessment({"energy_efficiency": True}, "06.10"),
    ]
    for result in cases:
        for reason in result.reasons:
            fields = {f for _t, f, _s, _c in string.Formatter().parse(reason.message) if f}
            assert fields <= set(reason.params), reason
            assert all(isinstance(value, str) for value in reason.params.values())


def test_format_pct() -> None:
    assert format_pct(D("60")) == "60"
    assert format_pct(D("60.00")) == "60"
    assert format_pct(D("50.50")) == "50.5"
    assert format_pct(D("0.00")) == "0"
    assert format_pct(D("100.00")) == "100"


def test_owner_and_thresholds_reject_impossible_values() -> None:
    for bad in (D(0), D(-1), D("100.01"), D("33.333"), D("NaN")):
        with pytest.raises(ValueError):
            Owner("female", bad)
    with pytest.raises(ValueError):
        Owner("other", D(10))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Leader("ceo", "female")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        WomenLedThresholds(ownership_pct=D(101))
    with pytest.raises(ValueError):
        women_led("plc", [], [])  # type: ignore[arg-type]
    assert Owner("female", D("33.33")).share_pct == D("33.33")
    assert Owner("male", D("100.000")).share_pct == D(100)


def test_reasons_are_hashable_values() -> None:
    result = women_led("llc", split("60"), [])
    assert hash(result) == hash(women_led("llc", split("60"), []))
    assert result == women_led("llc", split("60.00"), [])


# --- green self-assessment ------------------------------------------------------------------


def test_questionnaire_matches_domain_md() -> None:
    assert GREEN_QUESTIONNAIRE_VERSION == 1
    assert GREEN_QUESTIONS == {
        "energy_efficiency": 10,
        "renewable_energy": 12,
        "building_insulation": 6,
        "waste_sorting": 8,
        "circular_materials": 10,
        "water_saving": 6,
        "low_emission_transport": 8,
        "local_supply": 6,
        "green_product": 14,
        "eco_certification": 8,
        "hazardous_substances": 6,
        "environmental_policy": 6,
    }
    assert len(GREEN_QUESTIONS) == 12
    assert sum(GREEN_QUESTIONS.values()) == 100
    assert set(GREEN_QUESTION_TEXT) == set(GREEN_QUESTIONS)
    assert GREEN_QUESTION_TEXT["energy_efficiency"] == (
        "Uses energy-efficient equipment and lighting (LED, A-class appliances, heat pumps)"
    )
    assert all(
        text[0].isupper() and not text.endswith(".") for text in GREEN_QUESTION_TEXT.values()
    )


def answers_worth(score: int) -> dict[str, bool]:
    """Yes-answers adding up to exactly `score` points (a subset-sum over the questionnaire)."""
    best: dict[int, dict[str, bool]] = {0: {}}
    for key, points in GREEN_QUESTIONS.items():
        for total, chosen in list(best.items()):
            best.setdefault(total + points, {**chosen, key: True})
    return best[score]


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "none"), (39, "none"), (40, "basic"), (69, "basic"), (70, "advanced"), (100, "advanced")],
)
def test_green_level_for_boundaries(score: int, level: str) -> None:
    assert green_level_for(score) == level


def test_every_questionnaire_score_is_even() -> None:
    # All points are even, so 39 and 69 cannot be answered; 38 and 68 are the nearest.
    assert all(points % 2 == 0 for points in GREEN_QUESTIONS.values())


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "none"), (38, "none"), (40, "basic"), (68, "basic"), (70, "advanced"), (100, "advanced")],
)
def test_green_assessment_boundaries(score: int, level: str) -> None:
    answers = answers_worth(score)
    result = green_assessment(answers, "01.11")
    assert (result.score, result.level, result.excluded) == (score, level, False)
    assert codes(result) == ["score"]
    assert result.reasons[0].params == {"score": str(score), "level": level}
    assert texts(result) == [f"Your green score is {score} of 100: {level}."]


def test_all_yes_and_all_no() -> None:
    everything = green_assessment(dict.fromkeys(GREEN_QUESTIONS, True), "62.01")
    assert (everything.score, everything.level) == (100, "advanced")
    nothing = green_assessment(dict.fromkeys(GREEN_QUESTIONS, False), "62.01")
    assert (nothing.score, nothing.level) == (0, "none")
    assert green_assessment({}, None) == nothing


def test_missing_answers_count_as_no() -> None:
    result = green_assessment({"green_product": True, "renewable_energy": True}, "62.01")
    assert result.score == 26
    assert result.level == "none"


def test_unknown_answer_key_raises() -> None:
    with pytest.raises(ValueError, match="solar_roof"):
        green_assessment({"solar_roof": True}, "62.01")
    with pytest.raises(ValueError):
        green_assessment({"energy_efficiency": True, "Energy_Efficiency": True}, "62.01")


@pytest.mark.parametrize(
    ("kved", "excluded"),
    [
        ("05.10", True),
        ("05.20", True),
        ("06.10", True),
        ("06.20", True),
        ("09.10", True),
        ("09.90", False),
        ("19.10", True),
        ("19.20", True),
        ("01.11", False),
        ("10.11", False),
        ("35.11", False),
        ("62.01", False),
        (" 06.20 ", True),
        ("", False),
        (None, False),
    ],
)
def test_excluded_activities(kved: str | None, excluded: bool) -> None:
    assert is_excluded_activity(kved) is excluded


def test_prefixes_match_whole_divisions() -> None:
    # "1" must not match division 18 (as it must not match 19.20); "18" matches 18.11.
    assert not is_excluded_activity("18.11", ("1",))
    assert not is_excluded_activity("10.11", ("1",))
    assert is_excluded_activity("18.11", ("18",))
    assert is_excluded_activity("01.11", ("01",))
    assert not is_excluded_activity("01.11", ("0",))
    assert not is_excluded_activity("01.11", ("1",))
    assert not is_excluded_activity("35.11", ("3",))
    assert not is_excluded_activity("35.11", ("5.11",))
    assert not is_excluded_activity("09.90", ("09.10",))
    assert not is_excluded_activity("35.11", ("35.11.1",))


def test_extra_excluded_divisions_groups_classes_and_sections() -> None:
    assert is_excluded_activity("35.11", ("35",))
    assert is_excluded_activity("35.11", ("35.11",))
    assert not is_excluded_activity("35.12", ("35.11",))
    assert is_excluded_activity("01.13", ("01.1",))  # group 01.1 holds classes 01.11-01.19
    assert not is_excluded_activity("01.21", ("01.1",))
    assert is_excluded_activity("08.11", ("B",))  # section B: mining, divisions 05-09
    assert is_excluded_activity("09.90", ("b",))
    assert not is_excluded_activity("10.11", ("B",))
    assert is_excluded_activity("35.11", ("D",))
    assert not is_excluded_activity("62.01", ("", "  "))


def test_excluded_activity_is_none_whatever_the_score() -> None:
    result = green_assessment(dict.fromkeys(GREEN_QUESTIONS, True), "06.20")
    assert (result.score, result.level, result.excluded) == (100, "none", True)
    assert codes(result) == ["score", "excluded_activity"]
    assert result.reasons[1].params == {"kved": "06.20"}
    assert texts(result) == [
        "Your green score is 100 of 100.",
        "Your main activity (KVED 06.20) is on the exclusion list, so the business gets no "
        "green level whatever the answers.",
    ]


def test_extra_excluded_in_assessment() -> None:
    answers = dict.fromkeys(GREEN_QUESTIONS, True)
    assert green_assessment(answers, "35.11").level == "advanced"
    result = green_assessment(answers, "35.11", extra_excluded=("35",))
    assert (result.level, result.excluded) == ("none", True)
    assert "KVED 35.11" in texts(result)[1]


def test_excluded_divisions_constant() -> None:
    assert EXCLUDED_DIVISIONS == ("05", "06", "09.10", "19")


# --- RNOKPP helpers -------------------------------------------------------------------------


def test_mask_rnokpp() -> None:
    assert mask_rnokpp("1234567890") == "12•••••890"
    assert mask_rnokpp("АА123456") == "АА•••456"
    assert mask_rnokpp("123456") == "12•456"
    assert mask_rnokpp("12345") == "•••••"
    assert mask_rnokpp("") == ""


@pytest.mark.parametrize(
    ("value", "female"),
    [
        ("3456789020", True),  # ninth digit 2
        ("3456789000", True),  # ninth digit 0
        ("3456789010", False),  # ninth digit 1
        ("3456789091", False),  # ninth digit 9
        (" 3456789080 ", True),
        ("345678902", None),
        ("34567890201", None),
        ("34567890a0", None),
        ("３４５６７８９０２０", None),  # full-width digits are not an RNOKPP
        ("", None),
    ],
)
def test_rnokpp_is_female(value: str, female: bool | None) -> None:
    assert rnokpp_is_female(value) is female


# --- properties -----------------------------------------------------------------------------

GREEN_KEYS = list(GREEN_QUESTIONS)
answers_strategy = st.dictionaries(st.sampled_from(GREEN_KEYS), st.booleans())
kved_strategy = st.builds(
    lambda division, klass: f"{division:02d}.{klass:02d}",
    st.integers(1, 99),
    st.integers(0, 99),
)


@given(answers_strategy, st.one_of(st.none(), kved_strategy))
def test_score_is_the_sum_of_yes_points(answers: dict[str, bool], kved: str | None) -> None:
    result = green_assessment(answers, kved)
    assert 0 <= result.score <= 100
    assert result.score == sum(GREEN_QUESTIONS[key] for key, yes in answers.items() if yes)
    assert result.excluded == is_excluded_activity(kved)
    if not result.excluded:
        assert result.level == green_level_for(result.score)


@given(st.integers(0, 100), st.integers(0, 100))
def test_level_is_monotone_in_score(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert LEVEL_RANK[green_level_for(low)] <= LEVEL_RANK[green_level_for(high)]


@given(answers_strategy, st.sampled_from(GREEN_KEYS), kved_strategy)
def test_adding_a_yes_never_lowers_the_score(answers: dict[str, bool], key: str, kved: str) -> None:
    before = green_assessment(answers, kved)
    after = green_assessment({**answers, key: True}, kved)
    assert after.score >= before.score
    assert LEVEL_RANK[after.level] >= LEVEL_RANK[before.level]


@given(
    answers_strategy,
    st.sampled_from(EXCLUDED_DIVISIONS),
    st.integers(0, 99),
)
def test_excluded_means_level_none(answers: dict[str, bool], prefix: str, klass: int) -> None:
    kved = prefix if "." in prefix else f"{prefix}.{klass:02d}"
    result = green_assessment(answers, kved)
    assert result.excluded
    assert result.level == "none"
    assert "excluded_activity" in codes(result)


@given(kved_strategy)
def test_exclusion_list_exactly(kved: str) -> None:
    division = kved[:2]
    expected = division in ("05", "06", "19") or kved == "09.10"
    assert is_excluded_activity(kved) is expected


@st.composite
def owners_summing_to_100(draw: st.DrawFn) -> list[Owner]:
    """Owners with shares in whole cents adding up to exactly 100 %."""
    cuts = draw(st.lists(st.integers(1, 9999), unique=True, max_size=5))
    bounds = [0, *sorted(cuts), 10000]
    genders = draw(
        st.lists(
            st.sampled_from(get_args(Gender)), min_size=len(bounds) - 1, max_size=len(bounds) - 1
        )
    )
    return [
        Owner(gender, D(high - low) / 100)
        for gender, low, high in zip(genders, bounds[:-1], bounds[1:], strict=True)
    ]


leaders_strategy = st.lists(
    st.builds(Leader, st.sampled_from(get_args(LeaderRole)), st.sampled_from(get_args(Gender))),
    max_size=4,
)
thresholds_strategy = st.one_of(
    st.just(WomenLedThresholds()),
    st.builds(
        WomenLedThresholds,
        st.integers(0, 10000).map(lambda c: D(c) / 100),
        st.integers(0, 10000).map(lambda c: D(c) / 100),
    ),
)


@given(
    owners_summing_to_100(),
    leaders_strategy,
    st.sampled_from(NON_FOP_FORMS),
    thresholds_strategy,
    st.data(),
)
def test_women_led_is_monotone_in_the_womens_share(
    owners: list[Owner],
    leaders: list[Leader],
    legal_form: LegalForm,
    thresholds: WomenLedThresholds,
    data: st.DataObject,
) -> None:
    women = [i for i, o in enumerate(owners) if o.gender == "female"]
    men = [i for i, o in enumerate(owners) if o.gender == "male" and o.share_pct > D("0.01")]
    assume(women and men)
    f = data.draw(st.sampled_from(women))
    m = data.draw(st.sampled_from(men))
    cents = data.draw(st.integers(1, int(owners[m].share_pct * 100) - 1))
    moved = D(cents) / 100
    after = list(owners)
    after[f] = Owner("female", owners[f].share_pct + moved)
    after[m] = Owner("male", owners[m].share_pct - moved)
    assert women_share(after) == women_share(owners) + moved
    before_result = women_led(legal_form, owners, leaders, thresholds=thresholds)
    after_result = women_led(legal_form, after, leaders, thresholds=thresholds)
    if before_result.women_led:
        assert after_result.women_led


@given(owners_summing_to_100(), leaders_strategy, st.sampled_from(NON_FOP_FORMS))
def test_women_led_is_exactly_the_rules(
    owners: list[Owner], leaders: list[Leader], legal_form: LegalForm
) -> None:
    share = women_share(owners)
    female_head = any(leader == HEAD_F for leader in leaders)
    result = women_led(legal_form, owners, leaders)
    assert result.women_led is (share >= 51 or (share >= 25 and female_head))
    assert len(result.reasons) >= 1
    if not result.women_led:
        assert len(result.reasons) == 1
    for reason in result.reasons:
        assert isinstance(reason, Reason)
        reason.message.format(**reason.params)  # every placeholder is filled


@given(owners_summing_to_100(), leaders_strategy, st.sampled_from(NON_FOP_FORMS))
def test_a_female_head_never_hurts(
    owners: list[Owner], leaders: list[Leader], legal_form: LegalForm
) -> None:
    if women_led(legal_form, owners, leaders).women_led:
        assert women_led(legal_form, owners, [*leaders, HEAD_F]).women_led


@given(owners_summing_to_100(), leaders_strategy)
def test_a_woman_fop_is_always_women_led(owners: list[Owner], leaders: list[Leader]) -> None:
    result = women_led("fop", owners, leaders, owner_is_female=True)
    assert result.women_led
    assert "female_fop" in codes(result)


@given(owners_summing_to_100(), st.randoms(use_true_random=False))
def test_women_share_is_order_independent(owners: list[Owner], rnd: random.Random) -> None:
    shuffled = list(owners)
    rnd.shuffle(shuffled)
    assert women_share(shuffled) == women_share(owners)
    assert women_share(list(reversed(owners))) == women_share(owners)
    assert women_share(owners) == sum((o.share_pct for o in owners if o.gender == "female"), D(0))


@given(owners_summing_to_100())
def test_women_share_is_between_0_and_100(owners: list[Owner]) -> None:
    assert D(0) <= women_share(owners) <= D(100)


@given(st.text(min_size=6))
def test_mask_keeps_length_and_ends(value: str) -> None:
    masked = mask_rnokpp(value)
    assert len(masked) == len(value)
    assert masked[:2] == value[:2]
    assert masked[-3:] == value[-3:]
    assert set(masked[2:-3]) <= {"•"}


@given(st.text(max_size=5))
def test_mask_hides_short_values_whole(value: str) -> None:
    assert mask_rnokpp(value) == "•" * len(value)


@given(st.from_regex(r"\A[0-9]{10}\Z"))
def test_rnokpp_sex_is_the_ninth_digit_parity(value: str) -> None:
    assert rnokpp_is_female(value) is (int(value[8]) % 2 == 0)
