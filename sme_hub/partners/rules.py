"""Pure rules of partners and referrals: the referral workflow as data, which service a
partner offers, and the figures reports count. Plain data in, plain data out."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sme_hub.core.i18n import N_
from sme_hub.core.roles import Role
from sme_hub.core.workflow import Action, Workflow, states

# The referral workflow as data (product.md §11): the partner answers it; the audit entry is
# written under the status it moves to. Anything else is 409.
PARTNER = frozenset({Role.PARTNER.value})
REFERRAL = Workflow(
    name="referral",
    table="referral",
    states=states(
        sent=N_("sent"),
        accepted=N_("accepted"),
        declined=N_("declined"),
        completed=N_("completed"),
    ),
    actions=(
        Action("accepted", ("sent",), "accepted", PARTNER, N_("Accept")),
        Action(
            "declined", ("sent",), "declined", PARTNER, N_("Decline"), ("status", "outcome_note")
        ),
        Action(
            "completed",
            ("accepted",),
            "completed",
            PARTNER,
            N_("Complete"),
            ("status", "outcome_note"),
        ),
    ),
    initial=("sent",),
)
REFERRAL_STATUSES = REFERRAL.state_names
# status -> the statuses a partner may move it to (what the partner's page offers).
REFERRAL_FLOW: dict[str, frozenset[str]] = {
    status: frozenset(action.target for action in REFERRAL.actions_from(status))
    for status in REFERRAL_STATUSES
}
KIND_LABELS = {
    "support_centre": N_("business support centre"),
    "incubator": N_("business incubator"),
    "accelerator": N_("accelerator"),
    "industrial_park": N_("industrial park"),
    "coworking": N_("coworking space"),
    "bank": N_("bank"),
    "credit_union": N_("credit union"),
    "business_association": N_("business association"),
    "university": N_("university"),
    "ngo": N_("non-governmental organisation"),
    "other": N_("other"),
}
SECTOR_LABELS = {
    "public": N_("public sector"),
    "private": N_("private sector"),
    "civil_society": N_("civil society"),
}
REFERRAL_STATUS_LABELS = REFERRAL.labels
SOURCE_LABELS = {
    "centre": N_("by a business support centre"),
    "self": N_("by the entrepreneur"),
    "grant": N_("offered with a grant"),
}


def can_move(status: str, wanted: str) -> bool:
    """A partner moves a referral by naming the status it wants (the action of that name)."""
    return REFERRAL.next_state(status, wanted) == wanted


def needs_outcome(wanted: str) -> bool:
    """Completing says what came of it (e.g. "loan of 200 000 UAH approved")."""
    return wanted == "completed"


def normalise_service(name: str) -> str:
    return " ".join(name.split())


def offered_service(services: Sequence[str], wanted: str) -> str | None:
    """The partner's own name of the service asked for (spaces and case aside), or None."""
    key = normalise_service(wanted).casefold()
    for service in services:
        if normalise_service(service).casefold() == key:
            return service
    return None


def clean_services(services: Iterable[str]) -> list[str]:
    """A partner's services as a list without blanks or repeats, in the order given."""
    seen: set[str] = set()
    cleaned = []
    for service in services:
        name = normalise_service(service)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            cleaned.append(name)
    return cleaned


@dataclass(frozen=True)
class FigureRow:
    month: date
    partner_id: int
    partner: str
    kind: str
    sector: str
    status: str
    count: int


@dataclass(frozen=True)
class Figures:
    """Referrals counted by partner, kind, sector and outcome, and by month."""

    by_partner: dict[int, dict[str, int]]
    by_kind: dict[str, dict[str, int]]
    by_sector: dict[str, dict[str, int]]
    by_month: dict[date, dict[str, int]]
    total: dict[str, int]


K = TypeVar("K")


def _add(table: dict[K, dict[str, int]], key: K, row: FigureRow) -> None:
    table.setdefault(key, dict.fromkeys(REFERRAL_STATUSES, 0))[row.status] += row.count


def figures(rows: Iterable[FigureRow]) -> Figures:
    """Sum the per-month, per-partner, per-status counts into every view reports show."""
    by_partner: dict[int, dict[str, int]] = {}
    by_kind: dict[str, dict[str, int]] = {}
    by_sector: dict[str, dict[str, int]] = {}
    by_month: dict[date, dict[str, int]] = {}
    total: dict[str, int] = dict.fromkeys(REFERRAL_STATUSES, 0)
    for row in rows:
        _add(by_partner, row.partner_id, row)
        _add(by_kind, row.kind, row)
        _add(by_sector, row.sector, row)
        _add(by_month, row.month, row)
        total[row.status] += row.count
    return Figures(
        by_partner=by_partner,
        by_kind=by_kind,
        by_sector=by_sector,
        by_month=dict(sorted(by_month.items())),
        total=total,
    )
