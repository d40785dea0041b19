"""Pure rules of the selection: which ranked applications the budget funds (the part
reserved for women-led businesses first, then the general one), how another try of the
parameters compares, and the explanation every application gets. Plain data in, plain data
out; the scores come from rules.py."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sme_hub.core.i18n import DEFAULT_LOCALE, LOCALES, N_, format_money, in_language
from sme_hub.evaluation.rules import (
    Candidate,
    Criterion,
    Outcome,
    Priorities,
    Score,
    bonuses_of,
    ranking,
    round_half_up,
    scale_of,
    score_with,
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
    scores = {c.application_id: score_with(c, scale, bonuses, threshold) for c in pool}
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
