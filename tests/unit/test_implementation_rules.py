"""The implementation's pure rules: tranche plan, obligations, reminders, state changes."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_hub.implementation import rules


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 12, 1), 3, date(2027, 3, 1)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 12, date(2027, 11, 30)),
        (date(2026, 10, 15), 3, date(2027, 1, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(
    start: date, months: int, expected: date
) -> None:
    assert rules.add_months(start, months) == expected


def test_tranche_plan_is_seventy_then_thirty_percent_in_whole_hryvnias() -> None:
    plan = rules.tranche_plan(8_000_050, date(2026, 12, 1))
    assert [(t.number, t.amount_kop, t.planned_on) for t in plan] == [
        (1, 5_600_000, date(2026, 12, 15)),
        (2, 2_400_050, date(2027, 6, 1)),
    ]


def test_a_grant_too_small_to_split_is_one_tranche() -> None:
    plan = rules.tranche_plan(99, date(2026, 12, 1))
    assert [(t.number, t.amount_kop) for t in plan] == [(1, 99)]


@given(st.integers(min_value=1, max_value=10**12))
def test_tranches_always_add_up_to_the_award(awarded: int) -> None:
    plan = rules.tranche_plan(awarded, date(2026, 12, 1))
    assert sum(t.amount_kop for t in plan) == awarded
    assert all(t.amount_kop > 0 for t in plan)


def test_obligations_are_quarterly_reports_a_final_report_and_the_jobs() -> None:
    plan = rules.obligation_plan(date(2026, 12, 1), jobs_promised=2)
    assert [(o.kind, o.due_on, o.jobs) for o in plan] == [
        ("report", date(2027, 3, 1), 0),
        ("report", date(2027, 6, 1), 0),
        ("report", date(2027, 9, 1), 0),
        ("final_report", date(2027, 12, 1), 0),
        ("keep_jobs", date(2027, 12, 1), 2),
    ]
    assert "keep_jobs" not in {o.kind for o in rules.obligation_plan(date(2026, 12, 1), 0)}


@pytest.mark.parametrize(
    ("today", "reminded_on", "expected"),
    [
        (date(2027, 2, 21), None, None),  # eight days before: not yet
        (date(2027, 2, 22), None, "upcoming"),  # a week before
        (date(2027, 2, 25), date(2027, 2, 22), None),  # reminded already
        (date(2027, 3, 1), date(2027, 2, 22), None),  # due today, not yet overdue
        (date(2027, 3, 2), date(2027, 2, 22), "overdue"),
        (date(2027, 3, 2), None, "overdue"),
        (date(2027, 3, 9), date(2027, 3, 2), None),  # overdue reminder sent once
    ],
)
def test_reminders_a_week_before_and_once_overdue(
    today: date, reminded_on: date | None, expected: str | None
) -> None:
    assert rules.reminder_due(date(2027, 3, 1), reminded_on, today) == expected


def test_overdue_is_open_and_past_its_day() -> None:
    assert rules.is_overdue("open", date(2027, 3, 1), date(2027, 3, 2))
    assert not rules.is_overdue("open", date(2027, 3, 1), date(2027, 3, 1))
    assert not rules.is_overdue("met", date(2027, 3, 1), date(2027, 4, 1))


def test_states_follow_payments_and_reports() -> None:
    assert rules.status_after_payment("approved") == "in_implementation"
    assert rules.status_after_payment("in_implementation") == "in_implementation"
    assert rules.status_after_report("in_implementation", "interim") == "in_implementation"
    assert rules.status_after_report("in_implementation", "final") == "completed"
    assert rules.obligation_met_by_report("final") == "final_report"
    assert rules.obligation_met_by_report("interim") == "report"
