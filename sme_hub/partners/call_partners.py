"""The partners a call names, offered to its grantees."""

from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core import audit
from sme_hub.core.errors import InvalidInput, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import calls
from sme_hub.implementation import grants as implementation_grants
from sme_hub.partners import rules
from sme_hub.partners.models import CallPartner, Partner, Referral
from sme_hub.partners.referrals import create_referral, read_one
from sme_hub.partners.schemas import CallPartnersIn, ReferralIn, ReferralRead


async def set_call_partners(
    session: AsyncSession, user: CurrentUser, call_id: int, data: CallPartnersIn
) -> list[CallPartner]:
    """The partners a call names (its officer): active ones, each with a service it offers
    (its first one when none is given)."""
    call = await calls.managed_call(session, user, call_id, lock=True)
    chosen: list[CallPartner] = []
    errors: dict[str, str] = {}
    for n, item in enumerate(data.partners):
        partner = await session.get(Partner, item.partner_id)
        if partner is None or not partner.is_active:
            errors[f"partners.{n}.partner_id"] = _("This partner is not active in the directory.")
            continue
        if not partner.services:
            errors[f"partners.{n}.partner_id"] = _(
                "{partner} lists no services yet, so there is nothing to refer grantees to."
            ).format(partner=partner.name)
            continue
        service = (
            rules.offered_service(partner.services, item.service)
            if item.service
            else partner.services[0]
        )
        if service is None:
            errors[f"partners.{n}.service"] = _("{partner} does not offer this service.").format(
                partner=partner.name
            )
            continue
        chosen.append(CallPartner(call_id=call_id, partner_id=item.partner_id, service=service))
    if errors:
        raise InvalidInput(errors)
    await session.execute(delete(CallPartner).where(col(CallPartner.call_id) == call_id))
    unique = {c.partner_id: c for c in chosen}
    session.add_all(unique.values())
    await session.flush()
    await audit.record(
        session,
        user,
        "grant_call",
        call,
        "partners",
        after={
            "partners": [
                {"partner_id": c.partner_id, "service": c.service} for c in unique.values()
            ]
        },
    )
    return list(unique.values())


async def call_partners(session: AsyncSession, call_id: int) -> list[tuple[CallPartner, Partner]]:
    rows = await session.execute(
        select(CallPartner, Partner)
        .join(Partner, col(Partner.id) == col(CallPartner.partner_id))
        .where(col(CallPartner.call_id) == call_id)
        .order_by(col(Partner.name))
    )
    return [(c, p) for c, p in rows.all()]


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
