"""The printable results of a call for its officer (templates/evaluation/pdf/results.html):
the call, the ranking as the officer's pages show it (rank, final score with base and
bonuses, outcome) with the decisions (approved amount, reference), and the totals."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.accounts.models import User
from sme_hub.core import audit
from sme_hub.core.errors import Conflict
from sme_hub.core.i18n import _, current_locale
from sme_hub.core.pdf import render_pdf
from sme_hub.core.roles import CurrentUser
from sme_hub.evaluation import service
from sme_hub.grants import calls, explain
from sme_hub.grants import schemas as labels
from sme_hub.grants.models import Application
from sme_hub.organisations.models import Municipality

RESULTS_TEMPLATE = "evaluation/pdf/results.html"
# A ranking exists once the call is in evaluation (closed, scored) or decided.
RANKED_CALLS = ("in_evaluation", "decided")


class Bonuses(Protocol):
    bonus_women: Decimal | None
    bonus_green: Decimal | None
    bonus_other: dict[str, Decimal]


def number(value: Decimal | None) -> str:
    """Points as written here: `93.33` → `93,33`."""
    return "—" if value is None else str(value).replace(".", ",")


def bonuses(item: Bonuses) -> str:
    """`women-led +10,00; green +5,00; owned by a veteran +5,00`, or a dash."""
    parts = []
    if item.bonus_women:
        parts.append(_("women-led +{points}").format(points=number(item.bonus_women)))
    if item.bonus_green:
        parts.append(_("green +{points}").format(points=number(item.bonus_green)))
    parts += [
        _("{group} +{points}").format(
            group=_(explain.GROUP_LABELS[group]) if group in explain.GROUP_LABELS else group,
            points=number(points),
        )
        for group, points in item.bonus_other.items()
    ]
    return "; ".join(parts) or "—"


@dataclass(frozen=True)
class ResultRow:
    application_id: int
    rank: int | None
    business_name: str
    base: Decimal | None
    bonus_women: Decimal | None
    bonus_green: Decimal | None
    bonus_other: dict[str, Decimal]
    final: Decimal | None
    requested_kop: int
    outcome: str  # of the selection: recommended, reserve, not_selected
    status: str  # the application's own, e.g. approved once decided
    awarded_kop: int | None
    reference: str


async def results_rows(
    session: AsyncSession, found: service.CallOutcomes, call_id: int
) -> list[ResultRow]:
    """Every ranked application in ranking order (the unscored after), with its decision,
    from one query besides the ranking's."""
    business = Application.snapshot["name"].astext  # type: ignore[index]
    rows = await session.execute(
        sa_select(
            col(Application.id),
            business,
            col(User.full_name),
            col(Application.requested_amount_kop),
            col(Application.status),
            col(Application.awarded_kop),
            col(Application.decision_reference),
        )
        .join(User, col(User.id) == col(Application.applicant_id))
        .where(col(Application.call_id) == call_id, col(Application.status).in_(service.RANKED))
    )
    facts = {row[0]: row[1:] for row in rows.all()}
    outcomes = found.outcomes
    order = outcomes.ranked_ids + sorted(set(found.candidates) - set(outcomes.ranked_ids))
    result = []
    for i in order:
        name, person, requested, status, awarded, reference = facts[i]
        score, decision = outcomes.scores[i], outcomes.decisions[i]
        result.append(
            ResultRow(
                application_id=i,
                rank=decision.rank,
                business_name=name or person,
                base=score.base if score else None,
                bonus_women=score.bonus_women if score else None,
                bonus_green=score.bonus_green if score else None,
                bonus_other=score.bonus_other if score else {},
                final=score.final if score else None,
                requested_kop=requested or 0,
                outcome=decision.outcome,
                status=status,
                awarded_kop=awarded,
                reference=reference,
            )
        )
    return result


async def results_pdf(session: AsyncSession, user: CurrentUser, call_id: int) -> bytes:
    """The call's results as a PDF in the reader's language (Ukrainian unless English is
    theirs); another municipality's call is 404, a call not ranked yet 409."""
    call = await calls.managed_call(session, user, call_id)
    found = await service.call_outcomes(session, call)
    if call.status not in RANKED_CALLS or not found.outcomes.ranked_ids:
        raise Conflict(
            _(
                "The call has no ranking yet: the results are printed once its applications "
                "are scored and the call is in evaluation."
            )
        )
    rows = await results_rows(session, found, call_id)
    approved = sum(r.awarded_kop or 0 for r in rows)
    municipality = await session.get(Municipality, call.municipality_id)
    await audit.record(
        session, user, "grant_call", call, "results_printed", after={"rows": len(rows)}
    )
    locale = "en" if current_locale.get() == "en" else "uk"
    context: dict[str, Any] = {
        "call": call,
        "municipality": municipality,
        "rows": rows,
        "totals": {
            "recommended_kop": found.outcomes.selection.recommended_kop,
            "reserved_kop": found.outcomes.selection.reserved_kop,
            "approved_kop": approved,
            "remaining_kop": call.budget_kop - approved,
        },
        "explain": explain,
        "labels": labels,
        "number": number,
        "bonuses": bonuses,
        "printed_at": calls.now(),
        "locale": locale,
    }
    return await render_pdf(RESULTS_TEMPLATE, context, locale=locale)


async def results_file(
    session: AsyncSession, user: CurrentUser, call_id: int
) -> tuple[bytes, str, str]:
    """`results_pdf` to download: its content, type and file name."""
    body = await results_pdf(session, user, call_id)
    return body, "application/pdf", f"call-{call_id}-results.pdf"
