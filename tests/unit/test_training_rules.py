"""Pure training rules: the cohort workflow, seats with a women-led reserve, completion."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sme_hub.training.rules import (
    COHORT,
    Seats,
    can_enrol,
    completed,
    first_to_promote,
    too_early,
    training_days,
)

TODAY = date(2026, 12, 1)
DEADLINE = date(2026, 12, 10)


@pytest.mark.parametrize(
    ("status", "action", "expected"),
    [
        ("planned", "open", "open"),
        ("open", "start", "running"),
        ("running", "finish", "finished"),
        ("planned", "cancel", "cancelled"),
        ("open", "cancel", "cancelled"),
        ("running", "cancel", "cancelled"),
        ("planned", "finish", None),
        ("open", "finish", None),
        ("finished", "cancel", None),
        ("cancelled", "open", None),
        ("open", "reopen", None),
    ],
)
def test_cohort_workflow(status: str, action: str, expected: str | None) -> None:
    assert COHORT.next_state(status, action) == expected


def test_every_action_leads_to_a_known_state() -> None:
    for action in COHORT.actions:
        assert action.target in COHORT.state_names
        assert set(action.sources) <= set(COHORT.state_names)


def test_reserved_seats_are_held_for_women_until_the_deadline() -> None:
    seats = Seats(
        capacity=10, enrolled=7, reserved_women=4, women_enrolled=1, enrolment_deadline=DEADLINE
    )
    assert seats.held_for_women(TODAY) == 3
    assert seats.free_for(True, TODAY)
    assert not seats.free_for(False, TODAY)  # 3 free seats, all held
    after = date(2026, 12, 11)
    assert seats.held_for_women(after) == 0
    assert seats.free_for(False, after)


def test_full_cohort_has_no_seat_for_anyone() -> None:
    seats = Seats(10, 10, 4, 4, DEADLINE)
    assert not seats.free_for(True, TODAY) and not seats.free_for(False, TODAY)


@pytest.mark.parametrize(
    ("status", "deadline", "has_reason"),
    [
        ("open", DEADLINE, False),
        ("planned", DEADLINE, True),
        ("running", DEADLINE, True),
        ("finished", DEADLINE, True),
        ("cancelled", DEADLINE, True),
        ("open", date(2026, 11, 30), True),
    ],
)
def test_when_enrolment_is_possible(status: str, deadline: date, has_reason: bool) -> None:
    assert (can_enrol(status, deadline, TODAY) is not None) == has_reason


def test_promotion_respects_the_reserve() -> None:
    seats = Seats(10, 9, 4, 3, DEADLINE)  # one free seat, held for a woman-led business
    assert first_to_promote([(1, False), (2, True), (3, True)], seats, TODAY) == 2
    assert first_to_promote([(1, False)], seats, TODAY) is None
    assert first_to_promote([(1, False), (2, True)], seats, date(2026, 12, 20)) == 1


@pytest.mark.parametrize(
    ("attended", "sessions", "threshold", "expected"),
    [
        (8, 10, 80, True),
        (7, 10, 80, False),
        (4, 5, 80, True),
        (3, 5, 80, False),
        (1, 1, 100, True),
        (0, 0, 80, False),
        (5, 6, 83, True),
        (5, 6, 84, False),
    ],
)
def test_completion_threshold(attended: int, sessions: int, threshold: int, expected: bool) -> None:
    assert completed(attended, sessions, threshold) is expected


@given(
    capacity=st.integers(1, 50),
    reserved=st.integers(0, 50),
    women=st.integers(0, 50),
    enrolled=st.integers(0, 50),
)
def test_a_women_led_business_gets_a_seat_whenever_anyone_would(
    capacity: int, reserved: int, women: int, enrolled: int
) -> None:
    reserved, enrolled = min(reserved, capacity), min(enrolled, capacity)
    women = min(women, enrolled)
    seats = Seats(capacity, enrolled, reserved, women, DEADLINE)
    if seats.free_for(False, TODAY):
        assert seats.free_for(True, TODAY)
    assert seats.free_for(True, TODAY) == (enrolled < capacity)


def test_a_cohort_of_the_14th_to_the_18th_waits_for_its_days() -> None:
    first, last = training_days(date(2026, 12, 14), date(2026, 12, 18), [])
    on_the_7th = date(2026, 12, 7)
    assert too_early("start", first, last, on_the_7th) == (
        "The cohort can start on its first day, {date}, not before.",
        date(2026, 12, 14),
    )
    assert too_early("finish", first, last, on_the_7th) is not None
    assert too_early("start", first, last, date(2026, 12, 14)) is None
    assert too_early("finish", first, last, date(2026, 12, 17)) is not None
    assert too_early("finish", first, last, date(2026, 12, 18)) is None
    assert too_early("cancel", first, last, on_the_7th) is None


def test_sessions_decide_the_days_over_the_cohorts_dates() -> None:
    sessions = [date(2026, 12, 16), date(2026, 12, 15), date(2026, 12, 20)]
    assert training_days(date(2026, 12, 14), date(2026, 12, 18), sessions) == (
        date(2026, 12, 15),
        date(2026, 12, 20),
    )


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    st.integers(min_value=0, max_value=60),
    st.lists(st.integers(min_value=0, max_value=60), max_size=6),
    st.integers(min_value=-90, max_value=90),
)
def test_nothing_starts_before_its_first_day_or_finishes_before_its_last(
    starts_on: date, length: int, offsets: list[int], today_offset: int
) -> None:
    ends_on = starts_on + timedelta(days=length)
    first, last = training_days(
        starts_on, ends_on, [starts_on + timedelta(days=o) for o in offsets]
    )
    assert first <= last
    today = starts_on + timedelta(days=today_offset)
    assert (too_early("start", first, last, today) is None) == (today >= first)
    assert (too_early("finish", first, last, today) is None) == (today >= last)
    if too_early("finish", first, last, today) is None:  # may finish: may have started
        assert too_early("start", first, last, today) is None
