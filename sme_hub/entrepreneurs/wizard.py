"""What the entrepreneur's pages show (the profile, each step of the wizard) and saving a step
of the wizard."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import pick
from sme_hub.core.roles import CurrentUser
from sme_hub.entrepreneurs import rules, schemas, service
from sme_hub.entrepreneurs.forms import STEPS, form_values
from sme_hub.reference import service as reference

SAVES = {
    "details": service.save_details,
    "ownership": service.save_ownership,
    "green": service.save_green,
}


async def overview_view(session: AsyncSession, user: CurrentUser) -> dict[str, Any] | None:
    """The saved profile with its classes and place named; None before the first save."""
    profile = await service.get_profile(session, user.id)
    if profile is None:
        return None
    kved = await reference.get_kved(session, profile.kved)
    community = await reference.get_community(session, profile.katottg)
    return {
        "profile": service.to_read(profile),
        "kved": kved,
        "community": reference.place_name(community) if community else None,
        "community_detail": reference.community_detail(community) if community else None,
        "labels": schemas,
        "questions": rules.GREEN_QUESTION_TEXT,
    }


async def step_view(
    session: AsyncSession, user: CurrentUser, step: str, values: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A step of the wizard: the saved profile's values (or those typed) and the names of the
    chosen KVED class and community."""
    profile = await service.get_profile(session, user.id)
    if values is None:
        values = form_values(profile, step)
    kved_label = community_label = ""
    if step == "details" and values.get("kved"):
        kved = await reference.get_kved(session, str(values["kved"]))
        kved_label = pick(kved, "title") if kved else ""
    if step == "details" and values.get("katottg"):
        community = await reference.get_community(session, str(values["katottg"]))
        community_label = reference.place_name(community) if community else ""
    return {
        "step": step,
        "values": values,
        "has_profile": bool(profile),
        "labels": schemas,
        "questions": rules.GREEN_QUESTION_TEXT,
        "points": rules.GREEN_QUESTIONS,
        "kved_label": kved_label,
        "community_label": community_label,
    }


async def save_step(
    session: AsyncSession, user: CurrentUser, step: str, data: dict[str, Any]
) -> None:
    """Parse a step's form and save it (a new version of the profile); InvalidInput or
    Conflict when it cannot be saved."""
    schema, from_form = STEPS[step]
    await SAVES[step](session, user, parse_form(schema, from_form(data)))  # type: ignore[operator]


def step_errors(exc: InvalidInput | Conflict) -> dict[str, str]:
    """A failed save's messages by field (`__all__` for the form as a whole)."""
    if isinstance(exc, InvalidInput):
        return exc.errors
    if isinstance(exc.extra, list):
        return {e["key"]: e["message"] for e in exc.extra}
    return {"__all__": exc.detail}
