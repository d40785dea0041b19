"""What the dashboard pages show: a municipality's, a call's and an oblast's figures as charts
(the same counts as the API), for the readers service.py lets see them."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import CurrentUser
from sme_hub.reporting import charts, rules, service
from sme_hub.reporting.schemas import Figures

PAGE_HELPERS: dict[str, Any] = {
    "percent_text": charts.percent_text,
    "gender_labels": charts.GENDER_LABELS,
}


async def municipality_view(
    session: AsyncSession, user: CurrentUser, municipality_id: int
) -> dict[str, Any]:
    municipality, counts = await service.municipality_counts(session, user, municipality_id)
    return {
        "municipality": municipality,
        "call": None,
        "calls": await service.calls_of(session, municipality_id),
        "d": charts.dashboard(Figures.of(counts)),
        **PAGE_HELPERS,
    }


async def call_view(session: AsyncSession, user: CurrentUser, call_id: int) -> dict[str, Any]:
    call, municipality, counts = await service.call_counts(session, user, call_id)
    return {
        "municipality": municipality,
        "call": call,
        "calls": [],
        "d": charts.dashboard(Figures.of(counts, training=False)),
        **PAGE_HELPERS,
    }


async def oblast_view(session: AsyncSession, user: CurrentUser, oblast: str) -> dict[str, Any]:
    rows = await service.oblast_counts(session, user, oblast)
    return {
        "oblast": oblast,
        "oblast_name": await service.oblast_name(session, oblast),
        "d": charts.dashboard(Figures.of(rules.total(c for _m, c in rows))),
        "rows": [(m, Figures.of(c)) for m, c in rows],
        **PAGE_HELPERS,
    }
