"""Dashboard arithmetic: shares, rates and totals from the counts SQL gives, and the bars a
chart draws. Plain numbers in, plain numbers out."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

GREEN_LEVELS = ("none", "basic", "advanced")
GENDERS = ("female", "male", "unknown")
ENROLMENT_STATUSES = ("enrolled", "waitlisted", "completed", "not_completed", "cancelled")
REFERRAL_STATUSES = ("sent", "accepted", "declined", "completed")

KATOTTG_PATTERN = r"UA\d{17}"  # a municipality's code in the public filters and URLs


@dataclass
class Counts:
    """What a dashboard counts for one municipality (or one call), straight from SQL.

    `applicants` are the submitted applications (withdrawn ones are not), `awarded` the
    approved ones (approved, in implementation, completed). Jobs planned are the awarded
    applications' promises; jobs created are each grant's latest accepted report."""

    applications_by_status: dict[str, int] = field(default_factory=dict)
    applicants: int = 0
    applicants_women_led: int = 0
    applicants_green: dict[str, int] = field(default_factory=dict)
    awarded: int = 0
    awarded_women_led: int = 0
    awarded_green: dict[str, int] = field(default_factory=dict)
    budget_kop: int = 0  # of the published calls (drafts promise nothing yet)
    requested_kop: int = 0
    approved_kop: int = 0
    paid_kop: int = 0
    jobs_planned: int = 0
    jobs_planned_women: int = 0
    jobs_created: int = 0
    jobs_created_women: int = 0
    # enrolments by the gender of the business's head (the profile's "head" leader)
    enrolments: dict[str, dict[str, int]] = field(default_factory=dict)
    referrals_by_status: dict[str, int] = field(default_factory=dict)


def add(total: Counts, more: Counts) -> Counts:
    """`total` + `more`, field by field (nested counts too)."""
    merged = Counts()
    for f in fields(Counts):
        a, b = getattr(total, f.name), getattr(more, f.name)
        setattr(merged, f.name, _add_values(a, b))
    return merged


def _add_values(a: object, b: object) -> object:
    if isinstance(a, dict) and isinstance(b, dict):
        return {key: _add_values(a.get(key, 0), b.get(key, 0)) for key in {*a, *b}}
    if isinstance(a, dict):
        return a
    if isinstance(b, dict):
        return b
    assert isinstance(a, int) and isinstance(b, int)
    return a + b


def total(counts: Iterable[Counts]) -> Counts:
    result = Counts()
    for one in counts:
        result = add(result, one)
    return result


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` in per cent with one decimal (half up); None when there is no whole."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def completion_rate(by_status: Mapping[str, int]) -> Decimal | None:
    """Completed among those whose cohort finished (completed or not)."""
    completed = by_status.get("completed", 0)
    return percent(completed, completed + by_status.get("not_completed", 0))


@dataclass(frozen=True)
class Share:
    """A group among applicants and among the awarded: the comparison the programme asks for."""

    key: str
    applicants: int
    applicants_pct: Decimal | None
    awarded: int
    awarded_pct: Decimal | None


def shares(counts: Counts) -> list[Share]:
    """Women-led and each green level, among applicants vs. among the awarded."""
    rows = [("women_led", counts.applicants_women_led, counts.awarded_women_led)]
    rows += [
        (
            f"green_{level}",
            counts.applicants_green.get(level, 0),
            counts.awarded_green.get(level, 0),
        )
        for level in GREEN_LEVELS
    ]
    return [
        Share(key, a, percent(a, counts.applicants), w, percent(w, counts.awarded))
        for key, a, w in rows
    ]


def enrolment_totals(counts: Counts) -> dict[str, int]:
    """Enrolments by status, whatever the gender."""
    result = dict.fromkeys(ENROLMENT_STATUSES, 0)
    for by_status in counts.enrolments.values():
        for status, n in by_status.items():
            result[status] = result.get(status, 0) + n
    return result
