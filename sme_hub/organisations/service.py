"""Use cases of tenants: create and list municipalities and centres, see a tenant's staff."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core import audit
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.i18n import _
from sme_hub.core.queries import add_unique, page
from sme_hub.core.roles import CurrentUser
from sme_hub.core.tenancy import ensure_in_tenant
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.organisations.schemas import CentreCreate, MunicipalityCreate


async def create_municipality(
    session: AsyncSession, actor: CurrentUser, data: MunicipalityCreate
) -> Municipality:
    municipality = Municipality(**data.model_dump())
    await add_unique(
        session,
        municipality,
        Conflict(
            _("A municipality with KATOTTG code {code} already exists.").format(code=data.katottg)
        ),
    )
    assert municipality.id is not None
    await audit.record(
        session,
        actor,
        "municipality",
        municipality,
        "created",
        municipality_id=municipality.id,
        after=data.model_dump(),
    )
    return municipality


async def create_centre(
    session: AsyncSession, actor: CurrentUser, data: CentreCreate
) -> SupportCentre:
    if await session.get(Municipality, data.municipality_id) is None:
        raise InvalidInput({"municipality_id": _("There is no such municipality.")})
    centre = SupportCentre(**data.model_dump())
    await audit.add_created(session, actor, "support_centre", centre, after=data.model_dump())
    return centre


async def list_municipalities(
    session: AsyncSession, *, limit: int = 500, offset: int = 0
) -> tuple[Sequence[Municipality], int]:
    by_name = col(Municipality.name_uk)
    return await page(session, Municipality, order_by=[by_name], limit=limit, offset=offset)


async def list_centres(
    session: AsyncSession,
    *,
    municipality_id: int | None = None,
    limit: int = 500,
    offset: int = 0,
) -> tuple[Sequence[SupportCentre], int]:
    condition = (
        col(SupportCentre.municipality_id) == municipality_id
        if municipality_id is not None
        else True
    )
    by_name = col(SupportCentre.name)
    return await page(
        session, SupportCentre, condition, order_by=[by_name], limit=limit, offset=offset
    )


async def get_municipality(session: AsyncSession, municipality_id: int) -> Municipality | None:
    return await session.get(Municipality, municipality_id)


async def get_centre(session: AsyncSession, centre_id: int) -> SupportCentre | None:
    return await session.get(SupportCentre, centre_id)


async def get_municipality_in_tenant(
    session: AsyncSession, user: CurrentUser, municipality_id: int
) -> Municipality:
    """The user's own municipality (404 for another tenant's, as for a missing one)."""
    ensure_in_tenant(user, municipality_id)
    municipality = await session.get(Municipality, municipality_id)
    ensure_in_tenant(user, municipality.id if municipality else None)
    assert municipality is not None
    return municipality
