"""The exact rules of product.md §9 as pure functions: scores per criterion, base, bonuses,
final, fundable, divergent, the ranking with its tie-breaks, the two-step selection with the
envelope reserved for women-led businesses, and each application's explanation.

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
from typing import Any, Literal

from sme_hub.core.i18n import DEFAULT_LOCALE, LOCALES, N_, format_money, in_language
from sme_hub.core.roles import Role
from sme_hub.core.workflow import Action, State, Workflow

# One evaluator on one application (core/workflow.py): they declare (no) conflict before
# seeing it, score, submit; the officer may reopen submitted scores.
EVALUATOR = frozenset({Role.EVALUATOR.value})
ASSIGNMENT = Workflow(
    name="assignment",
    table="assignment",
    states=(
        State("assigned", N_("waiting for the declaration")),
        State("declared", N_("no conflict, scoring")),
        State("conflict", N_("conflict of interest")),
        State("submitted", N_("scores submitted")),
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
    return _score(candidate, scale_of(criteria), bonuses_of(priorities), threshold)


def _score(
    candidate: Candidate, scale: Scale, bonuses: Bonuses, threshold: Fraction
) -> Score | None:
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


@dataclass(frozen=True)
class Decision:
    """What the selection decided for one application and why (an English msgid with
    placeholders, translated where shown)."""

    outcome: Outcome
    rank: int | None
    step: int | None
    reason: str
    params: dict[str, Any] = field(default_factory=dict)  # values as in Line.params


@dataclass(frozen=True)
class Selection:
    decisions: dict[int, Decision]
    budget_kop: int
    reserved_kop: int
    recommended_kop: int
    reserved_used_kop: int


MSG_RESERVED = N_("Recommended at rank {rank} from the budget reserved for women-led businesses.")
MSG_POOL = N_("Recommended at rank {rank} from the general budget.")
MSG_EXHAUSTED = N_(
    "On the reserve list: the budget was exhausted at rank {rank} ({remaining} left, "
    "{requested} requested)."
)
MSG_BELOW_THRESHOLD = N_("Not selected: below the quality threshold {threshold} (base {base}).")
MSG_NOT_ELIGIBLE = N_("Not selected: the application is not eligible.")
MSG_NOT_EVALUATED = N_("Not selected: no evaluation was submitted.")


def select(
    ranked: Sequence[tuple[Candidate, Score]], budget_kop: int, share: Fraction
) -> Selection:
    """The two-step selection of product.md §9 over the ranking (fundable applications only).

    1. The reserved envelope R = share × budget: walk the ranking; each women-led application
       whose requested amount fits in what remains of R is selected.
    2. The pool = budget − the amount selected in step 1: walk the ranking again over the
       applications not yet selected; each that fits in what remains of the pool is selected.
    Selected ones are recommended; the other fundable ones are the reserve, in ranking order.
    """
    reserved = share * budget_kop
    decisions: dict[int, Decision] = {}
    left: Fraction = reserved
    for rank, (candidate, _score) in enumerate(ranked, start=1):
        if candidate.women_led and candidate.requested_kop <= left:
            left -= candidate.requested_kop
            decisions[candidate.application_id] = Decision(
                "recommended", rank, 1, MSG_RESERVED, {"rank": str(rank)}
            )
    used_reserved = sum(c.requested_kop for c, _s in ranked if c.application_id in decisions)
    pool = budget_kop - used_reserved
    for rank, (candidate, _score) in enumerate(ranked, start=1):
        if candidate.application_id in decisions:
            continue
        if candidate.requested_kop <= pool:
            pool -= candidate.requested_kop
            decisions[candidate.application_id] = Decision(
                "recommended", rank, 2, MSG_POOL, {"rank": str(rank)}
            )
        else:
            decisions[candidate.application_id] = Decision(
                "reserve",
                rank,
                None,
                MSG_EXHAUSTED,
                {
                    "rank": str(rank),
                    "remaining": money_in_each_language(pool),
                    "requested": money_in_each_language(candidate.requested_kop),
                },
            )
    recommended = sum(
        c.requested_kop for c, _s in ranked if decisions[c.application_id].outcome == "recommended"
    )
    return Selection(
        decisions=decisions,
        budget_kop=budget_kop,
        reserved_kop=int(reserved),
        recommended_kop=recommended,
        reserved_used_kop=used_reserved,
    )


def not_selected(candidate: Candidate, result: Score | None, threshold: Fraction) -> Decision:
    """Why an application outside the ranking was not selected."""
    if result is None:
        return Decision("not_selected", None, None, MSG_NOT_EVALUATED)
    if not candidate.eligible:
        return Decision("not_selected", None, None, MSG_NOT_ELIGIBLE)
    return Decision(
        "not_selected",
        None,
        None,
        MSG_BELOW_THRESHOLD,
        {"threshold": _number(round_half_up(threshold)), "base": _number(result.base)},
    )


@dataclass(frozen=True)
class Outcomes:
    """Every application's score (None when not evaluated) and decision."""

    scores: dict[int, Score | None]
    decisions: dict[int, Decision]
    selection: Selection
    ranked_ids: list[int]


def rank_and_select(
    candidates: Iterable[Candidate],
    criteria: Sequence[Criterion],
    priorities: Priorities,
    threshold: Fraction,
    budget_kop: int,
) -> Outcomes:
    """Score, rank and select a whole call: the function the officer's ranking, the what-if
    panel and the API all use."""
    pool = list(candidates)
    scale, bonuses = scale_of(criteria), bonuses_of(priorities)
    scores = {c.application_id: _score(c, scale, bonuses, threshold) for c in pool}
    scored = [(c, s) for c in pool if (s := scores[c.application_id]) is not None]
    ranked = ranking(scored)
    selection = select(ranked, budget_kop, priorities.women_led_budget_share)
    decisions = dict(selection.decisions)
    for candidate in pool:
        if candidate.application_id not in decisions:
            decisions[candidate.application_id] = not_selected(
                candidate, scores[candidate.application_id], threshold
            )
    return Outcomes(
        scores=scores,
        decisions=decisions,
        selection=selection,
        ranked_ids=[c.application_id for c, _s in ranked],
    )


def recommended_ids(outcomes: Outcomes) -> list[int]:
    """The recommended applications, in ranking order."""
    return [i for i in outcomes.ranked_ids if outcomes.decisions[i].outcome == "recommended"]


@dataclass(frozen=True)
class Change:
    """How a simulation's recommended list differs from the call's own: the applications
    that enter it (in the simulation's ranking order) and those that leave it (in the
    call's)."""

    entered: list[int]
    left: list[int]


def compare(own: Outcomes, tried: Outcomes) -> Change:
    before, after = recommended_ids(own), recommended_ids(tried)
    kept_before, kept_after = set(before), set(after)
    return Change(
        entered=[i for i in after if i not in kept_before],
        left=[i for i in before if i not in kept_after],
    )


# --- the explanation every application gets --------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of an explanation: an English msgid and its values, already formatted."""

    message: str
    # A value is text, or the same text by language ({"uk": …, "en": …}: a criterion's name).
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str = DEFAULT_LOCALE) -> str:
        return self.message.format(**in_language(self.params, locale))


MSG_CRITERION = N_("{criterion}: mean {mean} of {max}, weight {weight}.")
MSG_BASE = N_("Base score: {base} of 100.")
MSG_BONUS_WOMEN = N_("Bonus for a women-led business: +{points}.")
# One message per level, so the level is translated with the sentence.
MSG_BONUS_GREEN = {
    "advanced": N_("Bonus for the advanced green level: +{points}."),
    "basic": N_("Bonus for the basic green level: +{points}."),
}
MSG_BONUS_GROUP = {
    "veteran_owned": N_("Bonus for a business owned by a veteran: +{points}."),
    "idp_owned": N_("Bonus for a business owned by an internally displaced person: +{points}."),
    "youth_owned": N_("Bonus for a business owned by a person under 35: +{points}."),
}
MSG_FINAL = N_("Final score: {final}.")
MSG_RANK = N_("Rank {rank} of {total} fundable applications.")
MSG_DIVERGENT = N_(
    "The evaluators' scores differ by more than 30 points; the committee discusses them."
)


def money_in_each_language(kop: int) -> dict[str, str]:
    """An amount kept in a stored explanation, written as each language writes it."""
    return {locale: format_money(kop, locale) for locale in LOCALES}


def _number(value: Fraction | Decimal) -> str:
    """`7.5` → `7,5`, `70.00` → `70,00`: decimals as Ukrainian readers write them."""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if value.denominator == 1:
        return str(value.numerator)
    text = str(round_half_up(value)).rstrip("0").rstrip(".")
    return text.replace(".", ",")


def explanation(
    result: Score | None,
    decision: Decision,
    criteria: Sequence[Criterion],
    names: Mapping[str, str | Mapping[str, str]],
    *,
    green_level: str,
    ranked_total: int,
) -> list[Line]:
    """Each criterion's mean and weight, base, bonuses with their reasons, final, rank, and
    why the application was or was not recommended. `names`: criterion key → its name, or
    its names by language."""
    lines: list[Line] = []
    if result is not None:
        lines += [
            Line(
                MSG_CRITERION,
                {
                    "criterion": names.get(c.key, c.key),
                    "mean": _number(result.means[c.key]),
                    "max": _number(c.max_score),
                    "weight": _number(c.weight),
                },
            )
            for c in criteria
        ]
        lines.append(Line(MSG_BASE, {"base": _number(result.base)}))
        if result.bonus_women:
            lines.append(Line(MSG_BONUS_WOMEN, {"points": _number(result.bonus_women)}))
        if result.bonus_green:
            lines.append(
                Line(MSG_BONUS_GREEN[green_level], {"points": _number(result.bonus_green)})
            )
        lines += [
            Line(MSG_BONUS_GROUP[group], {"points": _number(points)})
            for group, points in result.bonus_other.items()
        ]
        lines.append(Line(MSG_FINAL, {"final": _number(result.final)}))
        if result.divergent:
            lines.append(Line(MSG_DIVERGENT))
    if decision.rank is not None:
        lines.append(Line(MSG_RANK, {"rank": str(decision.rank), "total": str(ranked_total)}))
    lines.append(Line(decision.reason, dict(decision.params)))
    return lines


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
