"""Pure training rules: the cohort workflow, seats with a women-led reserve, the waitlist,
completion by attendance."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sme_hub.core.i18n import N_
from sme_hub.core.roles import Role
from sme_hub.core.workflow import OWNER, SYSTEM, Action, Workflow, states

STAFF = frozenset({Role.CENTRE_STAFF.value, Role.ADMIN.value})

# The cohort workflow as data (core/workflow.py).
COHORT = Workflow(
    name="cohort",
    table="cohort",
    states=states(
        planned=N_("planned"),
        open=N_("open for enrolment"),
        running=N_("running"),
        finished=N_("finished"),
        cancelled=N_("cancelled"),
    ),
    actions=(
        Action("open", ("planned",), "open", STAFF, N_("Open enrolment")),
        Action("start", ("open",), "running", STAFF, N_("Start")),
        Action(
            "finish",
            ("running",),
            "finished",
            STAFF,
            N_("Finish and decide completions"),
            ("status", "completed"),
        ),
        Action(
            "cancel", ("planned", "open", "running"), "cancelled", STAFF, N_("Cancel the cohort")
        ),
    ),
    initial=("planned", "open"),
    refused=N_("A cohort that is {status} cannot be changed this way."),
)

# An enrolment: a seat or a place on the waitlist, taken by the entrepreneur (again after a
# cancellation); a freed seat goes to the first on the waitlist; finishing the cohort decides
# who completed it (audited on the cohort).
ENTREPRENEUR = frozenset({OWNER})
ENROLMENT = Workflow(
    name="enrolment",
    table="enrolment",
    states=states(
        enrolled=N_("enrolled"),
        waitlisted=N_("on the waitlist"),
        cancelled=N_("cancelled"),
        completed=N_("completed"),
        not_completed=N_("not completed"),
    ),
    actions=(
        Action("enrolled", ("cancelled",), "enrolled", ENTREPRENEUR, N_("Enrol"), ()),
        Action(
            "waitlisted",
            ("cancelled",),
            "waitlisted",
            ENTREPRENEUR,
            N_("on the waitlist"),
            ("waitlist_position",),
        ),
        Action("promoted", ("waitlisted",), "enrolled", frozenset({SYSTEM}), N_("enrolled"), ()),
        Action(
            "cancelled",
            ("enrolled", "waitlisted"),
            "cancelled",
            ENTREPRENEUR | STAFF,
            N_("Cancel enrolment"),
            ("promoted_enrolment_id",),
        ),
        Action("complete", ("enrolled",), "completed", frozenset({SYSTEM}), N_("completed")),
        Action(
            "not_complete", ("enrolled",), "not_completed", frozenset({SYSTEM}), N_("not completed")
        ),
    ),
    initial=("enrolled", "waitlisted"),
)


MSG_START_TOO_EARLY = N_("The cohort can start on its first day, {date}, not before.")
MSG_FINISH_TOO_EARLY = N_("The cohort can finish on its last day, {date}, not before.")


def training_days(
    starts_on: date, ends_on: date, session_days: Sequence[date]
) -> tuple[date, date]:
    """The cohort's first and last day: those of its sessions, or its own dates without any."""
    if session_days:
        return min(session_days), max(session_days)
    return starts_on, ends_on


def too_early(action: str, first_day: date, last_day: date, today: date) -> tuple[str, date] | None:
    """Why `action` cannot be taken yet (an English msgid with a {date}, and that date), or
    None: a cohort starts no earlier than its first day and finishes no earlier than its last,
    so nobody is certified for days that have not happened."""
    if action == "start" and today < first_day:
        return MSG_START_TOO_EARLY, first_day
    if action == "finish" and today < last_day:
        return MSG_FINISH_TOO_EARLY, last_day
    return None


@dataclass(frozen=True)
class Seats:
    """A cohort's seat counters at one moment (read under the cohort's row lock)."""

    capacity: int
    enrolled: int
    reserved_women: int
    women_enrolled: int
    enrolment_deadline: date

    def held_for_women(self, today: date) -> int:
        """Reserved seats women-led businesses have not taken yet; released after the
        enrolment deadline."""
        if today > self.enrolment_deadline:
            return 0
        return max(self.reserved_women - self.women_enrolled, 0)

    def free_for(self, women_led: bool, today: date) -> bool:
        """Whether a seat is free for this applicant."""
        free = self.capacity - self.enrolled
        if women_led:
            return free > 0
        return free - self.held_for_women(today) > 0


def can_enrol(status: str, deadline: date, today: date) -> str | None:
    """Why nobody may enrol now (an English msgid), or None."""
    if status == "cancelled":
        return N_("This cohort has been cancelled.")
    if status in ("running", "finished"):
        return N_("This cohort has already started; enrolment is closed.")
    if status != "open":
        return N_("Enrolment in this cohort is not open yet.")
    if today > deadline:
        return N_("The enrolment deadline of this cohort has passed.")
    return None


def first_to_promote(waitlist: Sequence[tuple[int, bool]], seats: Seats, today: date) -> int | None:
    """The enrolment id that takes a freed seat: the first on the waitlist who may have it
    (while seats are held for women-led businesses, only a women-led one may take those).
    `waitlist` is (enrolment id, women_led) in waitlist order."""
    for enrolment_id, women_led in waitlist:
        if seats.free_for(women_led, today):
            return enrolment_id
    return None


def completed(attended: int, sessions: int, threshold_pct: int) -> bool:
    """Completion: attendance of at least `threshold_pct` % of the cohort's sessions."""
    if sessions <= 0:
        return False
    return attended * 100 >= threshold_pct * sessions
