"""Pure rules of calls and applications: the two workflows, the call's window, the
environmental screening category and the keys duplicates are found by (what a submission must
pass is in submission_rules.py and eligibility_rules.py). Plain data in, plain data out."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from sme_hub.core.i18n import N_, pick
from sme_hub.core.roles import Role
from sme_hub.core.workflow import OWNER, SYSTEM, Action, Workflow, states

# --- workflows as data (core/workflow.py): the call's and the application's ---------------

OFFICER, STAFF, ADMIN = (
    Role.MUNICIPAL_OFFICER.value,
    Role.CENTRE_STAFF.value,
    Role.ADMIN.value,
)
OFFICE = frozenset({OFFICER, ADMIN})

CALL = Workflow(
    name="call",
    table="grant_call",
    states=states(
        draft=N_("draft"),
        published=N_("open for applications"),
        closed=N_("closed"),
        in_evaluation=N_("in evaluation"),
        decided=N_("decided"),
    ),
    actions=(
        Action("publish", ("draft",), "published", OFFICE, N_("Publish the call")),
        Action(
            "close",
            ("published",),
            "closed",
            OFFICE | {SYSTEM},
            N_("Close the call now"),
            ("status", "closed_at"),
        ),
        # A published call past its closing time is closed by the clock (shown_call_status):
        # assigning the evaluators may be what first records it.
        Action(
            "start_evaluation",
            ("published", "closed"),
            "in_evaluation",
            OFFICE,
            N_("Assign evaluators"),
        ),
        Action("decided", ("in_evaluation",), "decided", OFFICE, N_("Decided")),
    ),
    initial=("draft",),
    refused=N_("A call that is {status} cannot be changed this way."),
)

OWNER_ONLY = frozenset({OWNER})
RECOMMENDABLE = ("under_evaluation", "recommended", "reserve", "not_selected")
APPLICATION = Workflow(
    name="application",
    table="application",
    states=states(
        draft=N_("draft"),
        submitted=N_("submitted"),
        ineligible=N_("not eligible"),
        eligible=N_("eligible"),
        under_evaluation=N_("under evaluation"),
        recommended=N_("recommended"),
        reserve=N_("on the reserve list"),
        not_selected=N_("not selected"),
        approved=N_("approved"),
        rejected=N_("rejected"),
        in_implementation=N_("in implementation"),
        completed=N_("completed"),
        withdrawn=N_("withdrawn"),
    ),
    actions=(
        Action("submit", ("draft",), "submitted", OWNER_ONLY, N_("Submit application")),
        Action("withdraw", ("draft", "submitted"), "withdrawn", OWNER_ONLY, N_("Withdraw")),
        Action(
            "mark_eligible",
            ("submitted", "ineligible"),
            "eligible",
            frozenset({STAFF, ADMIN}),
            N_("Eligible"),
            ("status", "reason"),
        ),
        Action(
            "mark_ineligible",
            ("submitted", "eligible"),
            "ineligible",
            frozenset({STAFF, ADMIN}),
            N_("Not eligible"),
            ("status", "reason"),
        ),
        # Assigning the evaluators (an audited action of the call) takes every eligible one.
        Action(
            "start_evaluation",
            ("eligible",),
            "under_evaluation",
            frozenset({SYSTEM}),
            N_("Assign evaluators"),
        ),
        # The recommendation (audited on the call, with the counts) sorts the scored ones;
        # it may be made again until the first decision.
        Action("recommend", RECOMMENDABLE, "recommended", OFFICE, N_("recommended")),
        Action("reserve", RECOMMENDABLE, "reserve", OFFICE, N_("on the reserve list")),
        Action("not_select", RECOMMENDABLE, "not_selected", OFFICE, N_("not selected")),
        Action(
            "approved",
            ("recommended", "reserve"),
            "approved",
            OFFICE,
            N_("Approve the grant"),
            ("amount_kop", "reference"),
        ),
        Action(
            "rejected",
            ("recommended", "reserve"),
            "rejected",
            OFFICE,
            N_("Reject the application"),
            ("amount_kop", "reference"),
        ),
        # The grant (an approved application) starts with its first payment and ends when its
        # final report is accepted: audited on the grant as tranche_paid / report_accepted.
        Action(
            "start_implementation",
            ("approved",),
            "in_implementation",
            frozenset({SYSTEM}),
            N_("Record the payment"),
            ("tranche_id", "paid_on"),
        ),
        Action(
            "complete",
            ("approved", "in_implementation"),
            "completed",
            frozenset({SYSTEM}),
            N_("Accept the report"),
            ("report_id", "note", "grant_status"),
        ),
    ),
    initial=("draft",),
    refused=N_("An application that is {status} cannot be changed this way."),
    note="A grant has no status column of its own: it is its application once approved "
    "(approved, in implementation, completed).",
)
# The action that gives each outcome of the recommendation.
RECOMMENDATION_ACTIONS = {
    action.target: action.name for action in APPLICATION.actions if action.sources == RECOMMENDABLE
}
# What a decision may be taken on.
DECIDABLE = APPLICATION.step("approved").sources
# An application once approved is a grant: these are the states of a grant.
AWARDED_STATUSES = ("approved", "in_implementation", "completed")
# Every state a submitted application can be in (a withdrawn one counts no more).
SUBMITTED_STATUSES = tuple(s for s in APPLICATION.state_names if s not in ("draft", "withdrawn"))
# A grant still being carried out (not yet completed): one_active_grant counts these.
ACTIVE_GRANT_STATUSES = tuple(s for s in AWARDED_STATUSES if APPLICATION.next_state(s, "complete"))


def decision_shown(status: str, decided_at: datetime | None, call_status: str) -> bool:
    """The applicant sees the decision and its explanation once it is made: their own, or —
    for an application not selected — the call's last decision."""
    return decided_at is not None or (status == "not_selected" and call_status == "decided")


Window = Literal["not_open", "open", "closed"]


def call_window(status: str, opens_at: datetime, closes_at: datetime, now: datetime) -> Window:
    """Whether a call takes submissions now. A published call closes at its closing time by
    the clock, before any job has recorded it."""
    if status != "published" or now >= closes_at:
        return "not_open" if status == "draft" else "closed"
    return "open" if now >= opens_at else "not_open"


def shown_call_status(status: str, closes_at: datetime, now: datetime) -> str:
    """The status people see: `closed` from the closing time on, even before it is stored."""
    return "closed" if status == "published" and now >= closes_at else status


# --- environmental screening (domain.md) ----------------------------------------------------

SCREENING_QUESTIONS = (
    "protected_area",
    "hazardous_waste",
    "new_construction",
    "emissions_or_discharges",
    "noise_or_traffic",
)
Category = Literal["A", "B", "C"]


def environmental_category(answers: Mapping[str, bool | None]) -> Category | None:
    """A if a protected area or hazardous waste is involved; else B if any other answer is
    yes; else C. None while a question that could change the result is unanswered."""
    if answers.get("protected_area") or answers.get("hazardous_waste"):
        return "A"
    if any(answers.get(key) is None for key in SCREENING_QUESTIONS):
        return None
    return "B" if any(answers.get(key) for key in SCREENING_QUESTIONS) else "C"


# --- duplicates -----------------------------------------------------------------------------


def phone_key(phone: str) -> str:
    """A phone compared by its last nine digits: `+380 67 123 45 67` = `067-123-45-67`."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-9:] if len(digits) >= 9 else digits


def address_key(address: str) -> str:
    """An address compared without case, punctuation or extra spaces."""
    letters = "".join(ch if ch.isalnum() else " " for ch in address.casefold())
    return " ".join(letters.split())


def criterion_name(criterion: Mapping[str, Any], locale: str) -> str:
    """A stored criterion's name in `locale`: English while it has one, Ukrainian otherwise."""
    return str(pick(criterion, "name", locale) or criterion.get("name", ""))
