"""Use cases of partners so far: the admin registers a partner organisation."""

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit
from sme_hub.core.auth import CurrentUser
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import _
from sme_hub.organisations.models import Municipality
from sme_hub.partners.models import Partner, PartnerMunicipality
from sme_hub.partners.schemas import PartnerCreate, PartnerRead


async def get_partner(session: AsyncSession, partner_id: int) -> Partner | None:
    return await session.get(Partner, partner_id)


async def create_partner(
    session: AsyncSession, actor: CurrentUser, data: PartnerCreate
) -> PartnerRead:
    wanted = set(data.municipality_ids)
    found = await session.scalar(
        select(func.count()).select_from(Municipality).where(col(Municipality.id).in_(wanted))
    )
    if found != len(wanted):
        raise InvalidInput({"municipality_ids": _("Some of these municipalities do not exist.")})
    partner = Partner(**data.model_dump(exclude={"municipality_ids"}))
    session.add(partner)
    await session.flush()
    assert partner.id is not None
    session.add_all(
        [PartnerMunicipality(partner_id=partner.id, municipality_id=m) for m in sorted(wanted)]
    )
    await audit.record(
        session,
        actor_id=actor.id,
        object_type="partner",
        object_id=partner.id,
        action="created",
        after=data.model_dump(),
    )
    return PartnerRead(**partner.model_dump(), municipality_ids=sorted(wanted))


async def list_partners(session: AsyncSession) -> list[Partner]:
    return list((await session.scalars(select(Partner).order_by(col(Partner.name)))).all())
