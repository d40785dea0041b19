"""The partners a call names (its officer), which its grantees are offered."""

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import calls
from sme_hub.partners import rules
from sme_hub.partners.models import CallPartner, Partner
from sme_hub.partners.schemas import CallPartnersIn


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
