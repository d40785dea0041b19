"""Dashboard arithmetic: shares, completion rates, totals across municipalities, and the bars
a chart draws — hand-computed cases and properties."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from sme_hub.reporting import charts, rules
from sme_hub.reporting.rules import Counts


def test_percent_rounds_half_up_to_one_decimal_and_has_no_value_without_a_whole() -> None:
    assert rules.percent(1, 3) == Decimal("33.3")
    assert rules.percent(2, 3) == Decimal("66.7")
    assert rules.percent(1, 8) == Decimal("12.5")
    assert rules.percent(1, 16) == Decimal("6.3")  # 6.25 → 6.3, half up
    assert rules.percent(0, 0) is None


def test_completion_rate_counts_only_finished_enrolments() -> None:
    assert rules.completion_rate({"completed": 3, "not_completed": 1, "enrolled": 10}) == 75
    assert rules.completion_rate({"enrolled": 4}) is None


def test_shares_compare_applicants_with_the_awarded() -> None:
    counts = Counts(
        applicants=8,
        applicants_women_led=2,
        applicants_green={"none": 4, "basic": 3, "advanced": 1},
        awarded=2,
        awarded_women_led=2,
        awarded_green={"advanced": 1, "basic": 1},
    )
    found = {s.key: s for s in rules.shares(counts)}
    assert found["women_led"] == rules.Share("women_led", 2, Decimal("25.0"), 2, Decimal("100.0"))
    assert found["green_none"].awarded_pct == Decimal("0.0")
    assert found["green_basic"].applicants_pct == Decimal("37.5")
    assert found["green_advanced"].awarded_pct == Decimal("50.0")


def test_totals_add_every_field_and_nested_count() -> None:
    lviv = Counts(
        applications_by_status={"submitted": 2},
        applicants=2,
        approved_kop=100,
        enrolments={"female": {"completed": 1}},
        referrals_by_status={"sent": 1},
    )
    vinnytsia = Counts(
        applications_by_status={"submitted": 1, "approved": 1},
        applicants=2,
        approved_kop=50,
        enrolments={"female": {"completed": 2, "enrolled": 1}, "male": {"completed": 1}},
    )
    both = rules.total([lviv, vinnytsia])
    assert both.applications_by_status == {"submitted": 3, "approved": 1}
    assert both.applicants == 4
    assert both.approved_kop == 150
    assert both.enrolments == {"female": {"completed": 3, "enrolled": 1}, "male": {"completed": 1}}
    assert both.referrals_by_status == {"sent": 1}
    assert rules.enrolment_totals(both)["completed"] == 4


@given(st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=8))
def test_bars_are_scaled_to_the_largest_value(values: list[int]) -> None:
    chart = charts.chart("k", "t", ["s"], [(str(n), [v]) for n, v in enumerate(values)])
    widths = [row.bars[0].width_pct for row in chart.rows]
    assert all(Decimal(0) <= w <= 100 for w in widths)
    if max(values) > 0:
        assert widths[values.index(max(values))] == 100
    else:
        assert chart.empty


def test_shares_are_scaled_to_a_hundred_per_cent_and_read_with_a_comma() -> None:
    chart = charts.chart(
        "shares", "t", ["a", "b"], [("x", [Decimal("12.5"), None])], text=charts._percent,
        scale_to=Decimal(100),
    )  # fmt: skip
    (bar,) = chart.rows[0].bars  # None draws nothing
    assert bar.width_pct == Decimal("12.5")
    assert bar.text == "12,5\u00a0%"
