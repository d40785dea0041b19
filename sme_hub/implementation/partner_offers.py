"""The partners of a grant's call, offered to its grantee, and the grantee taking up an offer."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.outcome import PageResult
from sme_hub.core.roles import CurrentUser
from sme_hub.grants.call_partners import call_partners
from sme_hub.implementation import grants as implementation_grants
from sme_hub.partners.models import CallPartner, Partner, Referral
from sme_hub.partners.referrals import create_referral, read_one
from sme_hub.partners.schemas import ReferralIn, ReferralRead


async def grant_offers(
    session: AsyncSession, user: CurrentUser, grant_id: int
) -> list[tuple[CallPartner, Partner, Referral | None]]:
    """The partners of the grant's call, offered to its grantee, each with the referral the
    grantee already has to it (if any)."""
    grant = await implementation_grants.own_grant(session, user, grant_id)
    offers = [(c, p) for c, p in await call_partners(session, grant.call_id) if p.is_active]
    existing = {
        r.partner_id: r
        for r in await session.scalars(
            select(Referral).where(
                col(Referral.application_id) == grant_id,
                col(Referral.entrepreneur_id) == user.id,
            )
        )
    }
    return [(c, p, existing.get(p.id or 0)) for c, p in offers]


async def offer_list(
    session: AsyncSession, user: CurrentUser, grant_id: int
) -> list[dict[str, Any]]:
    """`grant_offers` as the API shows them."""
    return [
        {
            "partner_id": partner.id,
            "partner": partner.name,
            "kind": partner.kind,
            "service": offer.service,
            "referral_id": referral.id if referral else None,
            "referral_status": referral.status if referral else None,
        }
        for offer, partner, referral in await grant_offers(session, user, grant_id)
    ]


async def refer_from_grant(
    session: AsyncSession, user: CurrentUser, grant_id: int, partner_id: int, *, settings: Settings
) -> Referral:
    """The grantee takes up the call's offer of a partner."""
    offers = {p.id: c for c, p, _r in await grant_offers(session, user, grant_id)}
    if partner_id not in offers:
        raise NotFound()
    return await create_referral(
        session,
        user,
        ReferralIn(partner_id=partner_id, service=offers[partner_id].service),
        settings=settings,
        source="grant",
        application_id=grant_id,
    )


async def take_offer(
    session: AsyncSession, user: CurrentUser, grant_id: int, partner_id: int, *, settings: Settings
) -> ReferralRead:
    """`refer_from_grant`, read back with the person's and the partner's names."""
    referral = await refer_from_grant(session, user, grant_id, partner_id, settings=settings)
    return await read_one(session, user, referral.id or 0)


async def take_offer_on_page(
    session: AsyncSession,
    user: CurrentUser,
    grant_id: int,
    data: Mapping[str, Any],
    *,
    settings: Settings,
) -> PageResult:
    """The grantee asks for a referral to one of the call's partners (the grant page's form);
    not an offer of this grant is 404."""
    back = f"/me/grants/{grant_id}#partner-offers"
    partner_id = str(data.get("partner_id", ""))
    if not partner_id.isdigit():
        return PageResult(url=back, message=_("Choose a partner."), category="error")
    try:
        await refer_from_grant(session, user, grant_id, int(partner_id), settings=settings)
    except (Conflict, InvalidInput) as exc:
        return PageResult(url=back, message=exc.detail, category="error")
    message = _("Your request is sent to the partner. Follow it in “My referrals”.")
    return PageResult(url=back, message=message)
