"""Pure rules of a grant's implementation: the tranche schedule and the obligations set at
approval, when reminders are due, and what accepting a report does. Plain data in and out."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sme_hub.core.i18n import N_
from sme_hub.core.roles import Role
from sme_hub.core.workflow import OWNER, SYSTEM, Action, Workflow, states
from sme_hub.grants.rules import ACTIVE_GRANT_STATUSES, APPLICATION, AWARDED_STATUSES

# The first tranche is paid soon after signing; the rest once the grantee has shown progress.
FIRST_TRANCHE_PCT = 70
FIRST_TRANCHE_AFTER_DAYS = 14
SECOND_TRANCHE_AFTER_MONTHS = 6
# Interim reports every quarter; the final report and the kept jobs at twelve months.
REPORT_EVERY_MONTHS = 3
IMPLEMENTATION_MONTHS = 12
REMIND_DAYS_BEFORE = 7

# --- workflows as data (core/workflow.py) ---------------------------------------------------
# A grant has no status column of its own: it is its application once approved, and its
# states are the application's awarded ones (grants.rules.APPLICATION: start_implementation,
# complete). Its tranches, reports and obligations have their own; their audit entries are
# written on the grant (object_type "grant", the application's id) so its history is one list.
GRANT_STATUSES = AWARDED_STATUSES
# A grant takes reports (and has open obligations) until it is completed.
REPORTABLE = ACTIVE_GRANT_STATUSES
OFFICE = frozenset({Role.MUNICIPAL_OFFICER.value, Role.ADMIN.value})

TRANCHE = Workflow(
    name="tranche",
    table="grant_tranche",
    object_type="grant",
    states=states(planned=N_("planned"), paid=N_("paid")),
    actions=(
        Action(
            "tranche_paid",
            ("planned",),
            "paid",
            OFFICE,
            N_("Record the payment"),
            ("tranche", "amount_kop", "iban"),
        ),
    ),
    initial=("planned", "paid"),
)
REPORT = Workflow(
    name="report",
    table="progress_report",
    object_type="grant",
    states=states(
        submitted=N_("awaiting review"),
        accepted=N_("accepted"),
        returned=N_("returned for changes"),
    ),
    actions=(
        Action(
            "report_accepted",
            ("submitted",),
            "accepted",
            OFFICE,
            N_("Accept the report"),
            ("report_id", "note", "grant_status"),
        ),
        Action(
            "report_returned",
            ("submitted",),
            "returned",
            OFFICE,
            N_("Return for changes"),
            ("report_id", "note", "grant_status"),
        ),
        Action(
            "report_resubmitted",
            ("submitted", "returned"),
            "submitted",
            frozenset({OWNER}),
            N_("awaiting review"),
            ("report_id",),
        ),
    ),
    initial=("submitted",),
)
OBLIGATION = Workflow(
    name="obligation",
    table="grant_obligation",
    object_type="grant",
    states=states(open=N_("open"), met=N_("met")),
    actions=(
        Action(
            "obligation_met",
            ("open",),
            "met",
            OFFICE | {SYSTEM},
            N_("Mark as met"),
            ("obligation_id", "kind"),
        ),
    ),
    initial=("open",),
)

ObligationKind = Literal["report", "final_report", "keep_jobs"]
OBLIGATION_TEXTS: dict[str, str] = {
    "report": N_("Submit a progress report for the quarter"),
    "final_report": N_("Submit the final report"),
    "keep_jobs": N_("Keep the {jobs} created jobs for 12 months"),
}
Reminder = Literal["upcoming", "overdue"]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it is shorter (31 Jan + 1 →
    28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PlannedTranche:
    number: int
    amount_kop: int
    planned_on: date


def tranche_plan(awarded_kop: int, decided_on: date) -> list[PlannedTranche]:
    """70 % (in whole hryvnias) two weeks after the decision, the rest after six months; a
    grant too small to split is paid at once."""
    first = awarded_kop * FIRST_TRANCHE_PCT // 100 // 100 * 100
    if first <= 0 or first >= awarded_kop:
        return [PlannedTranche(1, awarded_kop, decided_on + timedelta(FIRST_TRANCHE_AFTER_DAYS))]
    return [
        PlannedTranche(1, first, decided_on + timedelta(FIRST_TRANCHE_AFTER_DAYS)),
        PlannedTranche(2, awarded_kop - first, add_months(decided_on, SECOND_TRANCHE_AFTER_MONTHS)),
    ]


@dataclass(frozen=True)
class PlannedObligation:
    kind: ObligationKind
    due_on: date
    jobs: int = 0


def obligation_plan(decided_on: date, jobs_promised: int) -> list[PlannedObligation]:
    """Quarterly reports, the final report at twelve months, and — when the project promised
    jobs — keeping them until then."""
    plan = [
        PlannedObligation("report", add_months(decided_on, months))
        for months in range(REPORT_EVERY_MONTHS, IMPLEMENTATION_MONTHS, REPORT_EVERY_MONTHS)
    ]
    end = add_months(decided_on, IMPLEMENTATION_MONTHS)
    plan.append(PlannedObligation("final_report", end))
    if jobs_promised > 0:
        plan.append(PlannedObligation("keep_jobs", end, jobs_promised))
    return plan


def reminder_due(due_on: date, reminded_on: date | None, today: date) -> Reminder | None:
    """Two reminders per open obligation: a week before it is due, and once it is overdue."""
    if today > due_on:
        return "overdue" if reminded_on is None or reminded_on <= due_on else None
    if today >= due_on - timedelta(REMIND_DAYS_BEFORE):
        return "upcoming" if reminded_on is None else None
    return None


def is_overdue(status: str, due_on: date, today: date) -> bool:
    return status == "open" and today > due_on


def obligation_met_by_report(kind: str) -> ObligationKind:
    """Accepting a final report meets the final-report obligation; any other, the earliest
    open quarterly one."""
    return "final_report" if kind == "final" else "report"


def grant_action_after_report(report_kind: str) -> str | None:
    """The grant is completed when its final report is accepted."""
    return "complete" if report_kind == "final" else None


def status_after_report(application_status: str, report_kind: str) -> str:
    action = grant_action_after_report(report_kind)
    return (APPLICATION.next_state(application_status, action) if action else None) or (
        application_status
    )


def status_after_payment(application_status: str) -> str:
    """The first payment starts the implementation."""
    return APPLICATION.next_state(application_status, "start_implementation") or (
        application_status
    )
