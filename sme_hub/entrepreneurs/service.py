"""Use cases of the business profile: saved in steps, assessed, versioned."""

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import N_, _
from sme_hub.core.queries import add_unique
from sme_hub.core.roles import CurrentUser
from sme_hub.entrepreneurs import rules
from sme_hub.entrepreneurs.models import BusinessProfile, BusinessProfileVersion
from sme_hub.entrepreneurs.schemas import (
    BusinessDetails,
    BusinessProfileIn,
    BusinessProfileRead,
    GreenIn,
    Ownership,
)
from sme_hub.organisations.models import Municipality
from sme_hub.reference import service as reference
from sme_hub.reference.identifiers import tax_id_kind_for

GREEN_LEVEL_LABELS = {
    "none": N_("not green yet"),
    "basic": N_("basic green"),
    "advanced": N_("advanced green"),
}


def reason_text(reason: Mapping[str, Any]) -> str:
    """A stored reason in the reader's language."""
    params = dict(reason.get("params", {}))
    if "level" in params:
        level = str(params["level"])
        params["level"] = _(GREEN_LEVEL_LABELS.get(level, level))
    msgid: str = reason["message"]  # a variable, so extraction doesn't take the key for text
    return _(msgid).format(**params)


def _stored(reasons: Sequence[rules.Reason]) -> list[dict[str, Any]]:
    return [{"code": r.code, "message": r.message, "params": dict(r.params)} for r in reasons]


async def get_profile(session: AsyncSession, user_id: int) -> BusinessProfile | None:
    return await session.scalar(
        select(BusinessProfile).where(col(BusinessProfile.user_id) == user_id)
    )


async def _check_references(session: AsyncSession, kved: str, katottg: str) -> None:
    errors: dict[str, str] = {}
    if await reference.get_kved(session, kved) is None:
        errors["kved"] = _("There is no such KVED-2010 class. Choose one from the list.")
    if await reference.get_community(session, katottg) is None:
        errors["katottg"] = _("There is no territorial community with this KATOTTG code.")
    if errors:
        raise InvalidInput(errors)


def _assess(profile: BusinessProfile) -> None:
    """Recompute women-led and green level, with their reasons, from the profile's facts."""
    owner_is_female = (
        rules.rnokpp_is_female(profile.tax_id)
        if profile.tax_id and profile.tax_id_kind == "rnokpp"
        else None
    )
    women = rules.women_led(
        profile.legal_form,  # type: ignore[arg-type]
        [rules.Owner(o["gender"], Decimal(str(o["share_pct"]))) for o in profile.owners],
        [rules.Leader(leader["role"], leader["gender"]) for leader in profile.leaders],
        owner_is_female=owner_is_female,
    )
    green = rules.green_assessment(profile.green_answers, profile.kved)
    profile.women_led = women.women_led
    profile.women_led_reasons = _stored(women.reasons)
    profile.green_score = green.score
    profile.green_level = green.level
    profile.green_reasons = _stored(green.reasons)


def snapshot(profile: BusinessProfile) -> dict[str, Any]:
    """The profile as plain JSON: what a version and an application's snapshot keep."""
    data = profile.model_dump(mode="json", exclude={"id", "created_at"})
    return data


async def _save(
    session: AsyncSession,
    actor: CurrentUser,
    profile: BusinessProfile,
    before: dict[str, Any] | None,
) -> BusinessProfile:
    _assess(profile)
    municipality_id = await session.scalar(
        select(Municipality.id).where(col(Municipality.katottg) == profile.katottg)
    )
    profile.municipality_id = municipality_id
    profile.updated_at = datetime.now(UTC)
    await add_unique(
        session,
        profile,
        Conflict(
            _(
                "This tax number is already used by another business profile. If it is your "
                "business, contact your business support centre."
            ),
            extra=[{"key": "tax_id", "message": _("This tax number is already registered.")}],
        ),
    )
    assert profile.id is not None
    session.add(
        BusinessProfileVersion(
            profile_id=profile.id,
            version=profile.version,
            data=snapshot(profile),
            saved_by=actor.id,
        )
    )
    await audit.record(
        session,
        actor,
        "business_profile",
        profile,
        "created" if before is None else "updated",
        before=_summary(before),
        after=_summary(snapshot(profile)),
    )
    return profile


def _summary(data: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the audit log keeps of a profile: no tax number (personal data for a fop)."""
    if data is None:
        return None
    keys = (
        "version",
        "legal_form",
        "name",
        "kved",
        "katottg",
        "women_led",
        "green_level",
        "green_score",
        "employees_total",
        "employees_women",
    )
    return {key: data.get(key) for key in keys}


def _apply_details(profile: BusinessProfile, data: BusinessDetails) -> None:
    profile.legal_form = data.legal_form
    profile.tax_id_kind = data.tax_id_kind or tax_id_kind_for(data.legal_form)
    profile.tax_id = data.tax_id if profile.tax_id_kind else None
    profile.name = data.name
    profile.kved = data.kved
    profile.katottg = data.katottg
    profile.registered_on = data.registered_on
    profile.employees_total = data.employees_total
    profile.employees_women = data.employees_women
    profile.revenue_band = data.revenue_band


def _apply_ownership(profile: BusinessProfile, data: Ownership) -> None:
    profile.owners = [o.model_dump(mode="json") for o in data.owners]
    profile.leaders = [leader.model_dump(mode="json") for leader in data.leaders]
    profile.declared_groups = list(data.declared_groups)


async def _begin_change(
    session: AsyncSession, user: CurrentUser
) -> tuple[BusinessProfile | None, dict[str, Any] | None]:
    """The user's profile locked for this change (saves of one profile are serialised)."""
    profile = await session.scalar(
        select(BusinessProfile).where(col(BusinessProfile.user_id) == user.id).with_for_update()
    )
    if profile is None:
        return None, None
    before = snapshot(profile)
    profile.version += 1
    return profile, before


async def _change_details(
    session: AsyncSession, user: CurrentUser, data: BusinessDetails
) -> tuple[BusinessProfile, dict[str, Any] | None]:
    """Check the references, lock (or start) the profile and apply the business details."""
    await _check_references(session, data.kved, data.katottg)
    profile, before = await _begin_change(session, user)
    if profile is None:
        profile = BusinessProfile(
            user_id=user.id,
            legal_form=data.legal_form,
            name=data.name,
            kved=data.kved,
            katottg=data.katottg,
        )
    _apply_details(profile, data)
    return profile, before


async def save_profile(
    session: AsyncSession, user: CurrentUser, data: BusinessProfileIn
) -> BusinessProfile:
    """The whole profile at once (the API's PUT)."""
    profile, before = await _change_details(session, user, data)
    _apply_ownership(profile, data)
    profile.green_answers = dict(data.green.answers)
    return await _save(session, user, profile, before)


async def save_details(
    session: AsyncSession, user: CurrentUser, data: BusinessDetails
) -> BusinessProfile:
    """Wizard step 1; creates the profile the first time."""
    profile, before = await _change_details(session, user, data)
    return await _save(session, user, profile, before)


async def _existing_for_change(
    session: AsyncSession, user: CurrentUser
) -> tuple[BusinessProfile, dict[str, Any]]:
    profile, before = await _begin_change(session, user)
    if profile is None or before is None:
        raise Conflict(_("Fill in the details of your business first."))
    return profile, before


async def save_ownership(
    session: AsyncSession, user: CurrentUser, data: Ownership
) -> BusinessProfile:
    profile, before = await _existing_for_change(session, user)
    _apply_ownership(profile, data)
    return await _save(session, user, profile, before)


async def save_green(session: AsyncSession, user: CurrentUser, data: GreenIn) -> BusinessProfile:
    profile, before = await _existing_for_change(session, user)
    profile.green_answers = dict(data.answers)
    profile.green_version = rules.GREEN_QUESTIONNAIRE_VERSION
    return await _save(session, user, profile, before)


def to_read(profile: BusinessProfile) -> BusinessProfileRead:
    assert profile.id is not None
    # The columns as they are (owners and leaders validated into their schemas), but for
    # the green answers and the reasons shown as text.
    return BusinessProfileRead.model_validate(
        {
            **profile.model_dump(),
            "green": GreenIn(answers=dict(profile.green_answers)),
            "women_led_reasons": [reason_text(r) for r in profile.women_led_reasons],
            "green_reasons": [reason_text(r) for r in profile.green_reasons],
        }
    )


async def my_profile(session: AsyncSession, user: CurrentUser) -> BusinessProfile:
    profile = await get_profile(session, user.id)
    if profile is None:
        raise NotFound(_("You have not described your business yet."))
    return profile
