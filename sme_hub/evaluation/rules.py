"""The exact rules of product.md §9 as pure functions: scores per criterion, base, bonuses,
final, fundable, divergent, the ranking with its tie-breaks (the two-step selection with the
envelope reserved for women-led businesses, and each application's explanation, are in
selection_rules.py), and the assignment of evaluators.

Arithmetic is exact (fractions), rounded once where the rules say so: `base` to 2 decimals,
half up. Money is in kopiykas (integers); the reserved envelope s × B is compared exactly.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from math import lcm
from operator import mul
from typing import Literal

from sme_hub.core.i18n import N_
from sme_hub.core.roles import Role
from sme_hub.core.workflow import Action, Workflow, states

# One evaluator on one application (core/workflow.py): they declare (no) conflict before
# seeing it, score, submit; the officer may reopen submitted scores.
EVALUATOR = frozenset({Role.EVALUATOR.value})
ASSIGNMENT = Workflow(
    name="assignment",
    table="assignment",
    states=states(
        assigned=N_("waiting for the declaration"),
        declared=N_("no conflict, scoring"),
        conflict=N_("conflict of interest"),
        submitted=N_("scores submitted"),
    ),
    actions=(
        Action("no_conflict", ("assigned",), "declared", EVALUATOR, N_("no conflict, scoring")),
        Action(
            "conflict",
            ("assigned", "declared"),
            "conflict",
            EVALUATOR,
            N_("Conflict of interest"),
            ("status", "note"),
        ),
        Action("submit_scores", ("declared",), "submitted", EVALUATOR, N_("Submit scores"), ()),
        Action(
            "reopen",
            ("submitted",),
            "declared",
            frozenset({Role.MUNICIPAL_OFFICER.value, Role.ADMIN.value}),
            N_("Reopen"),
            (),
        ),
    ),
    initial=("assigned",),
)

GREEN_FACTOR = {"advanced": Fraction(1), "basic": Fraction(1, 2), "none": Fraction(0)}
DIVERGENCE_POINTS = 30
Outcome = Literal["recommended", "reserve", "not_selected"]


@dataclass(frozen=True)
class Criterion:
    key: str
    weight: Fraction
    max_score: Fraction


@dataclass(frozen=True)
class Priorities:
    women_led_bonus: Fraction = Fraction(10)
    green_bonus: Fraction = Fraction(10)
    women_led_budget_share: Fraction = Fraction(0)
    group_bonuses: Mapping[str, Fraction] = field(default_factory=dict)


HALF = 2  # scores are kept in half points: 7.5 → 15 (halves are the finest step allowed)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Candidate:
    """An application as the ranking sees it; `evaluations` are the submitted score sheets of
    evaluators without a conflict, each criterion key → the score in half points."""

    application_id: int
    submitted_at: datetime
    requested_kop: int
    eligible: bool
    women_led: bool
    green_level: str
    declared_groups: tuple[str, ...] = ()
    evaluations: tuple[Mapping[str, int], ...] = ()


@dataclass(frozen=True)
class Score:
    """An application's scores. What only an explanation needs (the means, each
    evaluator's base) is worked out when asked for: a large call is ranked without it."""

    application_id: int
    base: Decimal
    bonus_women: Decimal
    bonus_green: Decimal
    bonus_other: dict[str, Decimal]
    final: Decimal
    fundable: bool
    divergent: bool
    sums: dict[str, int] = field(default_factory=dict)  # half points per criterion
    count: int = 1  # evaluations
    evaluator_hundredths: tuple[int, ...] = ()
    order: tuple[int, int] = (0, 0)  # final and base in hundredths, for sorting

    @property
    def means(self) -> dict[str, Fraction]:
        return {key: Fraction(total, HALF * self.count) for key, total in self.sums.items()}

    @property
    def evaluator_bases(self) -> tuple[Decimal, ...]:
        return tuple(Decimal(h).scaleb(-2) for h in self.evaluator_hundredths)


def round_half_up(value: Fraction, places: int = 2) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (integer arithmetic)."""
    scale = 10**places
    numerator, denominator = abs(value.numerator), value.denominator
    rounded = (2 * numerator * scale + denominator) // (2 * denominator)
    exact: Decimal = Decimal(-rounded if value < 0 else rounded).scaleb(-places)
    return exact


@dataclass(frozen=True)
class Scale:
    """A call's criteria as integer coefficients: an evaluator's unrounded base is
    Σ coefficient × half points / denominator, so a call of any size is scored with integer
    sums and one division per application."""

    keys: tuple[str, ...]
    coefficients: tuple[int, ...]
    denominator: int

    def halves(self, sheet: Mapping[str, int]) -> tuple[int, ...]:
        """A score sheet's half points in the criteria's order."""
        return tuple(map(sheet.__getitem__, self.keys))


def scale_of(criteria: Sequence[Criterion]) -> Scale:
    """100 × weight / (max × Σ weight), per half point, over a common denominator."""
    total = sum((c.weight for c in criteria), Fraction(0))
    factors = [100 * c.weight / (c.max_score * HALF * total) for c in criteria]
    denominator = lcm(*(f.denominator for f in factors))
    return Scale(
        tuple(c.key for c in criteria),
        tuple(int(f * denominator) for f in factors),
        denominator,
    )


def _hundredths(numerator: int, denominator: int) -> int:
    """numerator / denominator (≥ 0) in hundredths, halves up."""
    return (200 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True)
class Bonuses:
    """A call's bonus points, rounded once: for a women-led business, per green level, per
    declared group (only groups with points)."""

    women: Decimal
    green: Mapping[str, Decimal]
    groups: Mapping[str, Decimal]


def bonuses_of(priorities: Priorities) -> Bonuses:
    return Bonuses(
        women=round_half_up(priorities.women_led_bonus),
        green={
            level: round_half_up(priorities.green_bonus * f) for level, f in GREEN_FACTOR.items()
        },
        groups={
            group: round_half_up(points)
            for group, points in priorities.group_bonuses.items()
            if points > 0
        },
    )


def score(
    candidate: Candidate,
    criteria: Sequence[Criterion],
    priorities: Priorities,
    threshold: Fraction,
) -> Score | None:
    """The application's scores; None while no evaluation has been submitted."""
    return score_with(candidate, scale_of(criteria), bonuses_of(priorities), threshold)


def score_with(
    candidate: Candidate, scale: Scale, bonuses: Bonuses, threshold: Fraction
) -> Score | None:
    """`score()` with the scale and the bonuses worked out once, for many candidates."""
    sheets = candidate.evaluations
    if not sheets:
        return None
    count = len(sheets)
    rows = [scale.halves(sheet) for sheet in sheets]
    # map/sum run in C: a call of 10,000 applications is scored in a blink.
    totals = [sum(map(mul, scale.coefficients, row)) for row in rows]
    base_hundredths = _hundredths(sum(totals), scale.denominator * count)
    base = Decimal(base_hundredths).scaleb(-2)
    evaluator_hundredths = [_hundredths(total, scale.denominator) for total in totals]
    bonus_women = bonuses.women if candidate.women_led else ZERO
    bonus_green = bonuses.green.get(candidate.green_level, ZERO)
    bonus_other = {
        group: bonuses.groups[group]
        for group in sorted(set(candidate.declared_groups))
        if group in bonuses.groups
    }
    final = base + bonus_women + bonus_green + sum(bonus_other.values(), ZERO)
    return Score(
        application_id=candidate.application_id,
        base=base,
        bonus_women=bonus_women,
        bonus_green=bonus_green,
        bonus_other=bonus_other,
        final=final,
        fundable=candidate.eligible
        and base_hundredths * threshold.denominator >= 100 * threshold.numerator,
        divergent=max(evaluator_hundredths) - min(evaluator_hundredths) > DIVERGENCE_POINTS * 100,
        sums=dict(zip(scale.keys, map(sum, zip(*rows, strict=True)), strict=True)),
        count=count,
        evaluator_hundredths=tuple(evaluator_hundredths),
        order=(int(final.scaleb(2)), base_hundredths),
    )


def ranking(scored: Iterable[tuple[Candidate, Score]]) -> list[tuple[Candidate, Score]]:
    """Fundable applications in order: final ↓, base ↓, submission time ↑, id ↑."""
    return sorted(
        ((c, s) for c, s in scored if s.fundable),
        key=lambda pair: (
            -pair[1].order[0],
            -pair[1].order[1],
            pair[0].submitted_at,
            pair[0].application_id,
        ),
    )


# --- assignment of evaluators ------------------------------------------------------------------


def plan_assignments(
    applications: Iterable[int],
    committee: Sequence[int],
    existing: Mapping[int, Mapping[int, str]],
    per_application: int,
) -> list[tuple[int, int]]:
    """New (application, evaluator) pairs so that each application has `per_application`
    evaluators without a conflict: the committee's least loaded members first (then the
    lowest id); existing assignments stay, and nobody is assigned twice to one application
    (a conflicted evaluator is never put back). Running it again adds nothing."""
    load: dict[int, int] = dict.fromkeys(committee, 0)
    for evaluators in existing.values():
        for evaluator, status in evaluators.items():
            if status != "conflict" and evaluator in load:
                load[evaluator] += 1
    pairs: list[tuple[int, int]] = []
    for application in sorted(set(applications)):
        current = existing.get(application, {})
        active = sum(1 for status in current.values() if status != "conflict")
        free = sorted((e for e in committee if e not in current), key=lambda e: (load[e], e))
        for evaluator in free[: max(per_application - active, 0)]:
            pairs.append((application, evaluator))
            load[evaluator] += 1
    return pairs
