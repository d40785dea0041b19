"""Use cases of evaluation: the officer reads the ranking of a call and what a decision would
change."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import Integer, cast, func, literal_column
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from sme_hub.core.i18n import _, current_locale, in_language
from sme_hub.core.roles import CurrentUser
from sme_hub.evaluation import forms, progress, rules, selection_rules
from sme_hub.evaluation.models import Assignment, CriterionScore
from sme_hub.evaluation.schemas import RankingItem, RankingRead, WhatIf
from sme_hub.grants import calls, display
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.rules import criterion_name

# Decided applications keep their place: a decision never reorders the others.
RANKED = (
    "eligible",
    "under_evaluation",
    "recommended",
    "reserve",
    "not_selected",
    "approved",
    "rejected",
    "in_implementation",
    "completed",
)


def _fraction(value: Any) -> Fraction:
    return Fraction(Decimal(str(value)))


@dataclass(frozen=True)
class CallOutcomes:
    outcomes: selection_rules.Outcomes
    candidates: dict[int, rules.Candidate]
    criteria: list[rules.Criterion]


NO_CHANGE = WhatIf()


def _either(tried: Any, own: Any) -> Any:
    return own if tried is None else tried


async def call_outcomes(
    session: AsyncSession, call: GrantCall, what_if: WhatIf = NO_CHANGE
) -> CallOutcomes:
    """The call's applications scored, ranked and selected by the rules, read in two
    queries (the score sheets put together by PostgreSQL). `what_if` replaces some of the
    call's settings for a simulation; nothing is written either way."""
    criteria = [
        rules.Criterion(c["key"], _fraction(c["weight"]), _fraction(c["max_score"]))
        for c in call.criteria
    ]
    p, w = call.priorities, what_if
    group_bonuses = {**(p.get("group_bonuses") or {}), **(w.group_bonuses or {})}
    priorities = rules.Priorities(
        women_led_bonus=_fraction(_either(w.women_led_bonus, p.get("women_led_bonus", 10))),
        green_bonus=_fraction(_either(w.green_bonus, p.get("green_bonus", 10))),
        women_led_budget_share=_fraction(
            _either(w.women_led_budget_share, p.get("women_led_budget_share", 0))
        ),
        group_bonuses={k: _fraction(v) for k, v in group_bonuses.items()},
    )
    # Each complete submitted score sheet as half points in the order of the criteria's keys
    # (byte order, as Python sorts them), gathered per application by PostgreSQL as an
    # int[][]: integer arrays travel without any JSON to parse.
    keys = sorted(c.key for c in criteria)
    halves = cast(col(CriterionScore.score) * 2, Integer)
    position = col(CriterionScore.criterion_key).collate("C")
    sheet = (
        sa_select(
            col(Assignment.application_id).label("application_id"),
            func.array_agg(aggregate_order_by(halves, position)).label("halves"),
        )
        .join(CriterionScore, col(CriterionScore.assignment_id) == col(Assignment.id))
        .where(
            col(Assignment.call_id) == call.id,
            col(Assignment.status) == "submitted",
            col(CriterionScore.criterion_key).in_(keys),
        )
        .group_by(col(Assignment.id))
        .having(func.count() == len(keys))
        .subquery()
    )
    # Core execution: plain rows, without the ORM's per-row bookkeeping.
    connection = await session.connection()
    sheets: dict[int, list[list[int]]] = dict(
        (
            await connection.execute(
                sa_select(sheet.c.application_id, func.array_agg(sheet.c.halves)).group_by(
                    sheet.c.application_id
                )
            )
        ).all()
    )
    # Only the columns the rules need: a large call's snapshots stay in the database.
    groups: ColumnElement[list[str]] = literal_column(
        "ARRAY(SELECT jsonb_array_elements_text(application.snapshot -> 'declared_groups'))"
    )
    rows = (
        await connection.execute(
            sa_select(
                col(Application.id),
                col(Application.submitted_at),
                col(Application.requested_amount_kop),
                col(Application.women_led),
                col(Application.green_level),
                groups,
            ).where(col(Application.call_id) == call.id, col(Application.status).in_(RANKED))
        )
    ).all()
    candidates = [
        rules.Candidate(
            application_id=app_id or 0,
            submitted_at=at or calls.now(),
            requested_kop=requested or 0,
            eligible=True,
            women_led=bool(women),
            green_level=green or "none",
            declared_groups=tuple(declared),
            evaluations=tuple(
                dict(zip(keys, one, strict=True)) for one in sheets.get(app_id or 0, ())
            ),
        )
        for app_id, at, requested, women, green, declared in rows
    ]
    outcomes = selection_rules.rank_and_select(
        candidates,
        criteria,
        priorities,
        _fraction(_either(w.threshold, call.threshold)),
        _either(w.budget_kop, call.budget_kop),
    )
    return CallOutcomes(outcomes, {c.application_id: c for c in candidates}, criteria)


async def ranking(
    session: AsyncSession, user: CurrentUser, call_id: int, *, limit: int = 50, offset: int = 0
) -> RankingRead:
    """Score, rank and select the call's applications by rank_and_select, from one
    query of applications and one of submitted scores. The whole call is ranked and
    selected; the items (with their explanations) are the requested page of that order."""
    call = await calls.managed_call(session, user, call_id)
    found = await call_outcomes(session, call)
    outcomes, by_id = found.outcomes, found.candidates
    order = outcomes.ranked_ids + sorted(set(by_id) - set(outcomes.ranked_ids))
    return RankingRead(
        items=[ranking_item(found, call, i) for i in order[offset : offset + limit]],
        total=len(order),
        limit=limit,
        offset=offset,
        budget_kop=call.budget_kop,
        reserved_kop=outcomes.selection.reserved_kop,
        recommended_kop=outcomes.selection.recommended_kop,
    )


def ranking_item(found: CallOutcomes, call: GrantCall, application_id: int) -> RankingItem:
    """One application's scores, outcome and explanation (in the current language)."""
    outcomes = found.outcomes
    result = outcomes.scores[application_id]
    decision = outcomes.decisions[application_id]
    lines = selection_rules.explanation(
        result,
        decision,
        found.criteria,
        {c["key"]: criterion_name(c, current_locale.get()) for c in call.criteria},
        green_level=found.candidates[application_id].green_level,
        ranked_total=len(outcomes.ranked_ids),
    )
    return RankingItem(
        application_id=application_id,
        rank=decision.rank,
        base=result.base if result else None,
        bonus_women=result.bonus_women if result else None,
        bonus_green=result.bonus_green if result else None,
        bonus_other=result.bonus_other if result else {},
        final=result.final if result else None,
        fundable=bool(result and result.fundable),
        divergent=bool(result and result.divergent),
        outcome=decision.outcome,
        explanation=[
            _(line.message).format(**in_language(line.params, current_locale.get()))
            for line in lines
        ],
    )


async def ranking_page(
    session: AsyncSession, user: CurrentUser, call_id: int, *, limit: int, offset: int
) -> dict[str, Any]:
    """What the officer's ranking page shows: the call, the page of its ranking, what each
    row shows of its application, and the decisions made."""
    call = await calls.managed_call(session, user, call_id)
    read = await ranking(session, user, call_id, limit=limit, offset=offset)
    ids = [item.application_id for item in read.items]
    return {
        "call": call,
        "ranking": read,
        "rows": await progress.rows_of(session, call_id, ids),
        "decided": await progress.decided(session, call_id),
    }


def what_if_values(call: GrantCall) -> dict[str, str]:
    """The what-if form filled with the call's own settings (as the call form shows them)."""
    values = display.call_values(call)
    return {key: str(values.get(key) or "") for key in forms.WHAT_IF_FIELDS}


async def what_if(
    session: AsyncSession, user: CurrentUser, call_id: int, typed: Mapping[str, str]
) -> dict[str, Any]:
    """The what-if page: the settings typed (the call's own where none is), a message for
    each that cannot be used, and else the ranking and selection with them beside the
    call's own. Nothing is saved (call_outcomes only reads)."""
    call = await calls.managed_call(session, user, call_id)
    own_values = what_if_values(call)
    values = own_values | {key: typed[key] for key in forms.WHAT_IF_FIELDS if key in typed}
    tried, errors = forms.read_what_if(values)
    view: dict[str, Any] = {
        "call": call,
        "values": values,
        "own_values": own_values,
        "errors": errors,
        "fields": forms.WHAT_IF_FIELDS,
        "groups": forms.GROUPS,
    }
    if not errors:
        view |= await _simulation(session, call, tried)
    return view


async def _simulation(session: AsyncSession, call: GrantCall, tried: WhatIf) -> dict[str, Any]:
    """The call's own selection and the one with the settings tried, and what changes."""
    own = (await call_outcomes(session, call)).outcomes
    trial = (await call_outcomes(session, call, tried)).outcomes
    change = selection_rules.compare(own, trial)
    recommended = selection_rules.recommended_ids(trial)
    return {
        "trial": trial,
        "own": own,
        "recommended": recommended,
        "own_recommended": selection_rules.recommended_ids(own),
        "change": change,
        "rows": await progress.rows_of(session, call.id or 0, [*recommended, *change.left]),
    }
