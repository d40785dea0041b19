"""The ranking and selection rules of product.md §9, by hand-computed cases for every branch
and by properties that must hold for any call."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from sme_hub.evaluation.rules import (
    Candidate,
    Criterion,
    Priorities,
    plan_assignments,
    ranking,
    round_half_up,
    score,
)
from sme_hub.evaluation.selection_rules import (
    MSG_BELOW_THRESHOLD,
    MSG_EXHAUSTED,
    MSG_NOT_ELIGIBLE,
    MSG_NOT_EVALUATED,
    MSG_POOL,
    MSG_RESERVED,
    compare,
    explanation,
    rank_and_select,
    recommended_ids,
    select,
)

T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CRITERIA = [Criterion("impact", F(2), F(10)), Criterion("budget", F(1), F(5))]
ONE = [Criterion("impact", F(1), F(10))]


def candidate(application_id: int, *sheets: dict[str, F], **fields: object) -> Candidate:
    values: dict[str, object] = {
        "submitted_at": T0 + timedelta(minutes=application_id),
        "requested_kop": 100,
        "eligible": True,
        "women_led": False,
        "green_level": "none",
        **fields,
    }
    halves = tuple({key: int(value * 2) for key, value in sheet.items()} for sheet in sheets)
    return Candidate(application_id=application_id, evaluations=halves, **values)  # type: ignore[arg-type]


def test_base_is_the_weighted_mean_of_the_evaluators() -> None:
    # means 7/10 and 3.5/5: 100 × (2 × 0.7 + 1 × 0.7) / 3 = 70
    c = candidate(1, {"impact": F(8), "budget": F(4)}, {"impact": F(6), "budget": F(3)})
    result = score(c, CRITERIA, Priorities(), F(60))
    assert result is not None
    assert result.means == {"impact": F(7), "budget": F(7, 2)}
    assert result.base == Decimal("70.00")
    assert result.final == Decimal("70.00") and result.fundable


def test_halves_and_thirds_are_exact_and_rounded_once() -> None:
    c = candidate(1, {"impact": F(7)}, {"impact": F(8)}, {"impact": F(17, 2)})
    result = score(c, ONE, Priorities(), F(60))
    assert result is not None and result.base == Decimal("78.33")  # 23.5 / 3 = 7.8333…
    assert round_half_up(F(52505, 1000)) == Decimal("52.51")  # a half goes up


def test_bonuses_women_green_and_declared_groups() -> None:
    sheet = {"impact": F(6)}
    priorities = Priorities(
        women_led_bonus=F(10), green_bonus=F(10), group_bonuses={"idp_owned": F(5)}
    )
    basic = score(
        candidate(1, sheet, women_led=True, green_level="basic", declared_groups=("idp_owned",)),
        ONE,
        priorities,
        F(50),
    )
    assert basic is not None
    assert (basic.base, basic.bonus_women, basic.bonus_green) == (
        Decimal("60.00"),
        Decimal("10.00"),
        Decimal("5.00"),
    )
    assert basic.bonus_other == {"idp_owned": Decimal("5.00")}
    assert basic.final == Decimal("80.00")
    advanced = score(candidate(2, sheet, green_level="advanced"), ONE, priorities, F(50))
    assert advanced is not None and advanced.bonus_green == Decimal("10.00")
    # A declared group the call gives nothing for adds nothing.
    veteran = score(candidate(3, sheet, declared_groups=("veteran_owned",)), ONE, priorities, F(50))
    assert veteran is not None and veteran.bonus_other == {} and veteran.final == Decimal("60.00")


def test_bonuses_never_lift_a_weak_project_over_the_threshold() -> None:
    weak = candidate(1, {"impact": F(5)}, women_led=True, green_level="advanced")
    result = score(weak, ONE, Priorities(), F(60))
    assert result is not None
    assert result.base == Decimal("50.00") and result.final == Decimal("70.00")
    assert not result.fundable
    ineligible = score(candidate(2, {"impact": F(9)}, eligible=False), ONE, Priorities(), F(60))
    assert ineligible is not None and not ineligible.fundable


def test_divergent_when_evaluators_differ_by_more_than_30_points() -> None:
    close = score(candidate(1, {"impact": F(8)}, {"impact": F(5)}), ONE, Priorities(), F(0))
    assert close is not None and not close.divergent  # exactly 30 points apart
    far = score(
        candidate(2, {"impact": F(8)}, {"impact": F(9, 2)}, {"impact": F(7)}),
        ONE,
        Priorities(),
        F(0),
    )
    assert far is not None and far.divergent  # 80 and 45: 35 apart
    assert far.evaluator_bases == (Decimal("80.00"), Decimal("45.00"), Decimal("70.00"))


def test_ranking_tie_breaks() -> None:
    priorities = Priorities(women_led_bonus=F(10))
    same_final_higher_base = candidate(5, {"impact": F(8)})  # 80 + 0
    same_final_lower_base = candidate(4, {"impact": F(7)}, women_led=True)  # 70 + 10
    earlier = candidate(3, {"impact": F(6)}, submitted_at=T0)
    later = candidate(2, {"impact": F(6)}, submitted_at=T0 + timedelta(seconds=1))
    same_time_higher_id = candidate(9, {"impact": F(6)}, submitted_at=T0)
    pool = [later, same_time_higher_id, same_final_lower_base, earlier, same_final_higher_base]
    scored = [(c, s) for c in pool if (s := score(c, ONE, priorities, F(0))) is not None]
    assert [c.application_id for c, _s in ranking(scored)] == [5, 4, 3, 9, 2]


def test_the_two_step_selection_with_the_reserved_envelope() -> None:
    # Budget 100, 30 % reserved. Ranking A(40), B♀(20), C♀(15), D(30), E♀(10).
    ranked_people = [
        candidate(1, {"impact": F(10)}, requested_kop=40),
        candidate(2, {"impact": F(19, 2)}, requested_kop=20, women_led=True),
        candidate(3, {"impact": F(9)}, requested_kop=15, women_led=True),
        candidate(4, {"impact": F(17, 2)}, requested_kop=30),
        candidate(5, {"impact": F(8)}, requested_kop=10, women_led=True),
    ]
    scored = [
        (c, s)
        for c in ranked_people
        if (s := score(c, ONE, Priorities(women_led_bonus=F(0)), F(0)))
    ]
    ranked = ranking(scored)
    assert [c.application_id for c, _s in ranked] == [1, 2, 3, 4, 5]
    result = select(ranked, 100, F(3, 10))
    # Step 1 takes B (20, 10 left) and E (10, 0 left); C (15) no longer fits the envelope.
    # Step 2 has 70: A (40, 30 left), C (15, 15 left); D (30) does not fit: reserve.
    d = result.decisions
    assert {i: (d[i].outcome, d[i].step) for i in d} == {
        1: ("recommended", 2),
        2: ("recommended", 1),
        3: ("recommended", 2),
        4: ("reserve", None),
        5: ("recommended", 1),
    }
    assert (result.reserved_kop, result.reserved_used_kop, result.recommended_kop) == (30, 30, 85)
    assert d[2].reason == MSG_RESERVED and d[1].reason == MSG_POOL
    assert d[4].reason == MSG_EXHAUSTED
    assert d[4].params == {
        "rank": "4",
        "remaining": {"uk": "0,15\u00a0грн", "en": "0.15\u00a0UAH"},
        "requested": {"uk": "0,30\u00a0грн", "en": "0.30\u00a0UAH"},
    }


def test_outcomes_of_a_whole_call_and_why_others_are_not_selected() -> None:
    pool = [
        candidate(1, {"impact": F(9)}, requested_kop=60),
        candidate(2, {"impact": F(8)}, requested_kop=60),
        candidate(3, {"impact": F(5)}),
        candidate(4, {"impact": F(9)}, eligible=False),
        candidate(5),
    ]
    outcomes = rank_and_select(pool, ONE, Priorities(), F(60), budget_kop=100)
    d = outcomes.decisions
    assert outcomes.ranked_ids == [1, 2]
    assert (d[1].outcome, d[2].outcome) == ("recommended", "reserve")
    assert d[3].outcome == "not_selected" and d[3].reason == MSG_BELOW_THRESHOLD
    assert d[3].params == {"threshold": "60,00", "base": "50,00"}
    assert d[4].reason == MSG_NOT_ELIGIBLE
    assert d[5].reason == MSG_NOT_EVALUATED and outcomes.scores[5] is None


def test_a_share_of_zero_or_one() -> None:
    pool = [
        candidate(1, {"impact": F(9)}, requested_kop=50),
        candidate(2, {"impact": F(8)}, requested_kop=50, women_led=True),
    ]
    nothing_reserved = rank_and_select(pool, ONE, Priorities(), F(0), budget_kop=50)
    assert nothing_reserved.decisions[1].outcome == "recommended"
    all_reserved = rank_and_select(
        pool, ONE, Priorities(women_led_budget_share=F(1)), F(0), budget_kop=50
    )
    assert all_reserved.decisions[2].outcome == "recommended"
    assert all_reserved.decisions[1].outcome == "reserve"


def test_a_simulation_compared_with_the_calls_own_selection() -> None:
    pool = [
        candidate(1, {"impact": F(9)}, requested_kop=40),
        candidate(2, {"impact": F(8)}, requested_kop=40),
        candidate(3, {"impact": F(7)}, requested_kop=40, women_led=True),
    ]
    own = rank_and_select(pool, ONE, Priorities(), F(60), budget_kop=80)
    assert recommended_ids(own) == [1, 2]
    same = compare(own, rank_and_select(pool, ONE, Priorities(), F(60), budget_kop=80))
    assert (same.entered, same.left) == ([], [])
    # Half of the budget reserved: the women-led 3 comes in from the envelope, 2 makes room.
    tried = rank_and_select(
        pool, ONE, Priorities(women_led_budget_share=F(1, 2)), F(60), budget_kop=80
    )
    assert recommended_ids(tried) == [1, 3]
    change = compare(own, tried)
    assert (change.entered, change.left) == ([3], [2])
    smaller = compare(own, rank_and_select(pool, ONE, Priorities(), F(60), budget_kop=40))
    assert (smaller.entered, smaller.left) == ([], [2])


# --- properties -----------------------------------------------------------------------------

halves = st.integers(min_value=0, max_value=20).map(lambda n: F(n, 2))
candidates = st.lists(
    st.builds(
        lambda i, scores, requested, women, green, eligible, minutes: Candidate(
            application_id=i,
            submitted_at=T0 + timedelta(minutes=minutes),
            requested_kop=requested,
            eligible=eligible,
            women_led=women,
            green_level=green,
            evaluations=tuple({"impact": int(s * 2)} for s in scores),
        ),
        st.integers(min_value=1, max_value=10_000),
        st.lists(halves, min_size=0, max_size=3),
        st.integers(min_value=1, max_value=500),
        st.booleans(),
        st.sampled_from(["none", "basic", "advanced"]),
        st.booleans(),
        st.integers(min_value=0, max_value=5),
    ),
    max_size=25,
    unique_by=lambda c: c.application_id,
)
shares = st.integers(min_value=0, max_value=100).map(lambda n: F(n, 100))


@settings(max_examples=300, deadline=None)
@given(candidates, st.integers(min_value=0, max_value=3000), shares, st.randoms())
def test_selection_properties(pool, budget, share, rnd) -> None:  # type: ignore[no-untyped-def]
    priorities = Priorities(women_led_budget_share=share)
    outcomes = rank_and_select(pool, ONE, priorities, F(50), budget)
    by_id = {c.application_id: c for c in pool}
    chosen = [i for i, d in outcomes.decisions.items() if d.outcome == "recommended"]
    # Never more than the budget; step 1 never more than the envelope.
    assert sum(by_id[i].requested_kop for i in chosen) <= budget
    step1 = [i for i in chosen if outcomes.decisions[i].step == 1]
    assert sum(by_id[i].requested_kop for i in step1) <= share * budget
    assert all(by_id[i].women_led for i in step1)
    # Only fundable applications are recommended or on the reserve list.
    for i, decision in outcomes.decisions.items():
        result = outcomes.scores[i]
        assert (decision.outcome != "not_selected") == bool(result and result.fundable)
    # No fundable application is skipped while a lower-ranked one that costs no less is
    # chosen in the same step.
    ranked = outcomes.ranked_ids
    for step in (1, 2):
        for low, j in enumerate(ranked):
            dj = outcomes.decisions[j]
            if dj.step != step:
                continue
            for i in ranked[:low]:
                di = outcomes.decisions[i]
                could = step == 2 or by_id[i].women_led
                if could and by_id[i].requested_kop <= by_id[j].requested_kop:
                    assert di.step is not None and di.step <= step
    # The order of the input does not matter.
    shuffled = list(pool)
    rnd.shuffle(shuffled)
    again = rank_and_select(shuffled, ONE, priorities, F(50), budget)
    assert again.decisions == outcomes.decisions and again.ranked_ids == outcomes.ranked_ids


def test_every_application_gets_an_explanation() -> None:
    pool = [
        candidate(
            1,
            {"impact": F(8), "budget": F(4)},
            {"impact": F(7), "budget": F(3)},
            women_led=True,
            green_level="basic",
            declared_groups=("idp_owned",),
            requested_kop=60,
        ),
        candidate(2, {"impact": F(8), "budget": F(4)}, requested_kop=60),
        candidate(3, {"impact": F(2), "budget": F(1)}),
    ]
    priorities = Priorities(group_bonuses={"idp_owned": F(5)})
    outcomes = rank_and_select(pool, CRITERIA, priorities, F(60), budget_kop=100)
    names = {"impact": {"uk": "Вплив", "en": "Impact"}, "budget": "Бюджет"}

    def lines(i: int, level: str, locale: str = "en") -> list[str]:
        return [
            line.text(locale)
            for line in explanation(
                outcomes.scores[i],
                outcomes.decisions[i],
                CRITERIA,
                names,
                green_level=level,
                ranked_total=len(outcomes.ranked_ids),
            )
        ]

    # 1: means 7,5/10 and 3,5/5 → 100 × (2 × 0,75 + 0,7) / 3 = 73,33; +10 +5 +5 = 93,33.
    assert lines(1, "basic") == [
        "Impact: mean 7,5 of 10, weight 2.",
        "Бюджет: mean 3,5 of 5, weight 1.",
        "Base score: 73,33 of 100.",
        "Bonus for a women-led business: +10,00.",
        "Bonus for the basic green level: +5,00.",
        "Bonus for a business owned by an internally displaced person: +5,00.",
        "Final score: 93,33.",
        "Rank 1 of 2 fundable applications.",
        "Recommended at rank 1 from the general budget.",
    ]
    # 2 (base 80,00, no bonuses) ranks second and no longer fits: 40 left of 100.
    assert lines(2, "none")[-2:] == [
        "Rank 2 of 2 fundable applications.",
        "On the reserve list: the budget was exhausted at rank 2 (0.40\u00a0UAH left, "
        "0.60\u00a0UAH requested).",
    ]
    # Kept by language: the Ukrainian reader gets Ukrainian names and hryvnias.
    assert lines(1, "basic", "uk")[0] == "Вплив: mean 7,5 of 10, weight 2."
    assert "0,40\u00a0грн" in lines(2, "none", "uk")[-1]
    assert lines(3, "none")[-1] == "Not selected: below the quality threshold 60,00 (base 20,00)."


def test_assignments_balance_the_load_and_replace_conflicts() -> None:
    plan = plan_assignments([10, 11, 12], [1, 2, 3], {}, 2)
    assert plan == [(10, 1), (10, 2), (11, 3), (11, 1), (12, 2), (12, 3)]
    existing = {10: {1: "declared", 2: "conflict"}, 11: {3: "assigned", 1: "submitted"}}
    # 10 lost evaluator 2 to a conflict: the least loaded free member (3) replaces them.
    assert plan_assignments([10, 11], [1, 2, 3], existing, 2) == [(10, 3)]
    done = {**existing, 10: {**existing[10], 3: "assigned"}}
    assert plan_assignments([10, 11], [1, 2, 3], done, 2) == []  # idempotent


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=200), max_size=30),
    st.lists(st.integers(min_value=1, max_value=20), min_size=1, max_size=8, unique=True),
    st.integers(min_value=1, max_value=4),
)
def test_assignment_properties(applications, committee, per) -> None:  # type: ignore[no-untyped-def]
    plan = plan_assignments(applications, committee, {}, per)
    assert len(set(plan)) == len(plan)
    counts: dict[int, int] = {}
    for application, _evaluator in plan:
        counts[application] = counts.get(application, 0) + 1
    assert all(n == min(per, len(committee)) for n in counts.values())
    loads = [sum(1 for _a, e in plan if e == member) for member in committee]
    assert max(loads) - min(loads) <= 1  # balanced
    existing: dict[int, dict[int, str]] = {}
    for application, evaluator in plan:
        existing.setdefault(application, {})[evaluator] = "assigned"
    assert plan_assignments(applications, committee, existing, per) == []
