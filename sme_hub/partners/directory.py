"""The partner directory. The admin (and centre staff of a municipality the partner serves)
keep partners up to date; anyone reads the directory of active ones; every change is audited."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, true
from sqlalchemy import select as sa_select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit
from sme_hub.core.collation import uk_key, uk_order
from sme_hub.core.errors import Forbidden, InvalidInput, NotFound
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _
from sme_hub.core.queries import one_where
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import tenant_condition
from sme_hub.organisations.models import Municipality
from sme_hub.partners.models import Partner, PartnerMunicipality
from sme_hub.partners.schemas import DirectoryFilters, PartnerCreate, PartnerRead, PartnerUpdate


async def get_partner(session: AsyncSession, partner_id: int) -> Partner | None:
    return await session.get(Partner, partner_id)


async def _municipalities_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {i: [] for i in ids}
    for partner_id, municipality_id in await session.execute(
        sa_select(col(PartnerMunicipality.partner_id), col(PartnerMunicipality.municipality_id))
        .where(col(PartnerMunicipality.partner_id).in_(ids))
        .order_by(col(PartnerMunicipality.municipality_id))
    ):
        found[partner_id].append(municipality_id)
    return found


def _read(partner: Partner, municipality_ids: list[int]) -> PartnerRead:
    return PartnerRead(**partner.model_dump(), municipality_ids=municipality_ids)


async def partner_read(session: AsyncSession, partner: Partner) -> PartnerRead:
    assert partner.id is not None
    return _read(partner, (await _municipalities_of(session, [partner.id]))[partner.id])


async def _check_municipalities(session: AsyncSession, wanted: set[int]) -> None:
    found = await session.scalar(
        select(func.count()).select_from(Municipality).where(col(Municipality.id).in_(wanted))
    )
    if found != len(wanted):
        raise InvalidInput({"municipality_ids": _("Some of these municipalities do not exist.")})


async def create_partner(
    session: AsyncSession, actor: CurrentUser, data: PartnerCreate
) -> PartnerRead:
    wanted = set(data.municipality_ids)
    await _check_municipalities(session, wanted)
    partner = Partner(**data.model_dump(exclude={"municipality_ids"}))
    await audit.add_created(session, actor, "partner", partner, after=data.model_dump(mode="json"))
    assert partner.id is not None
    session.add_all(
        [PartnerMunicipality(partner_id=partner.id, municipality_id=m) for m in sorted(wanted)]
    )
    return _read(partner, sorted(wanted))


async def managed_partner(
    session: AsyncSession, user: CurrentUser, partner_id: int, *, lock: bool = False
) -> Partner:
    """A partner the user keeps up to date: any for an admin; for centre staff, one serving
    a municipality of theirs. Others: 404."""
    partner = await one_where(session, Partner, col(Partner.id) == partner_id, lock=lock)
    if partner is None:
        raise NotFound()
    if user.is_admin:
        return partner
    serves = await session.scalar(
        select(col(PartnerMunicipality.partner_id)).where(
            col(PartnerMunicipality.partner_id) == partner_id,
            tenant_condition(user, col(PartnerMunicipality.municipality_id), Role.CENTRE_STAFF),
        )
    )
    if serves is None:
        raise NotFound()
    return partner


async def update_partner(
    session: AsyncSession, user: CurrentUser, partner_id: int, data: PartnerUpdate
) -> PartnerRead:
    partner = await managed_partner(session, user, partner_id, lock=True)
    changes = data.model_dump(exclude_unset=True)
    before = await partner_read(session, partner)
    wanted = changes.pop("municipality_ids", None)
    if wanted is not None and not user.is_admin:
        raise Forbidden(_("Only an administrator changes the municipalities a partner serves."))
    # The changed record passes every rule of a new one (both coordinates, a web address…).
    checked = parse_form(
        PartnerCreate, {**before.model_dump(exclude={"id", "municipality_ids"}), **changes}
    )
    for name in changes:
        setattr(partner, name, getattr(checked, name))
    partner.updated_at = datetime.now(UTC)
    if wanted is not None:
        await _check_municipalities(session, set(wanted))
        await session.execute(
            delete(PartnerMunicipality).where(col(PartnerMunicipality.partner_id) == partner_id)
        )
        session.add_all(
            PartnerMunicipality(partner_id=partner_id, municipality_id=m)
            for m in sorted(set(wanted))
        )
    await session.flush()
    after = await partner_read(session, partner)
    await audit.record(
        session,
        user,
        "partner",
        partner_id,
        "updated",
        before={
            k: v
            for k, v in before.model_dump(mode="json").items()
            if k in changes or (k == "municipality_ids" and wanted is not None)
        },
        after={
            k: v
            for k, v in after.model_dump(mode="json").items()
            if k in changes or (k == "municipality_ids" and wanted is not None)
        },
    )
    return after


async def list_partners(session: AsyncSession) -> list[Partner]:
    return list((await session.scalars(select(Partner).order_by(col(Partner.name)))).all())


async def managed_partners(session: AsyncSession, user: CurrentUser) -> list[Partner]:
    """The partners `managed_partner` lets the user edit (inactive ones too), by name."""
    statement = select(Partner).order_by(col(Partner.name), col(Partner.id))
    if not user.is_admin:
        statement = statement.where(
            col(Partner.id).in_(
                select(col(PartnerMunicipality.partner_id)).where(
                    tenant_condition(
                        user, col(PartnerMunicipality.municipality_id), Role.CENTRE_STAFF
                    )
                )
            )
        )
    return list((await session.scalars(statement)).all())


def _directory_conditions(filters: DirectoryFilters) -> list[Any]:
    conditions: list[Any] = [col(Partner.is_active).is_(True)]
    if filters.kind:
        conditions.append(col(Partner.kind) == filters.kind)
    if filters.sector:
        conditions.append(col(Partner.sector) == filters.sector)
    if filters.municipality:
        conditions.append(
            col(Partner.id).in_(
                select(col(PartnerMunicipality.partner_id)).where(
                    col(PartnerMunicipality.municipality_id) == filters.municipality
                )
            )
        )
    if filters.service:
        # Any service whose name contains the words asked for, case aside.
        conditions.append(cast(col(Partner.services), String).ilike(f"%{_like(filters.service)}%"))
    if filters.q:
        conditions.append(col(Partner.name).ilike(f"%{_like(filters.q)}%"))
    return conditions


def _like(text: str) -> str:
    return " ".join(text.split()).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def directory(
    session: AsyncSession, filters: DirectoryFilters, *, limit: int = 50, offset: int = 0
) -> tuple[list[PartnerRead], int]:
    """Active partners matching the filters, by name, a page at a time, and how many match."""
    conditions = _directory_conditions(filters)
    total = await session.scalar(select(func.count()).select_from(Partner).where(*conditions))
    partners = list(
        await session.scalars(
            select(Partner)
            .where(*conditions)
            .order_by(uk_order(col(Partner.name)), col(Partner.id))
            .limit(limit)
            .offset(offset)
        )
    )
    served = await _municipalities_of(session, [p.id or 0 for p in partners])
    return [_read(p, served[p.id or 0]) for p in partners], total or 0


async def public_partner(session: AsyncSession, partner_id: int) -> Partner:
    partner = await session.get(Partner, partner_id)
    if partner is None or not partner.is_active:
        raise NotFound()
    return partner


async def public_read(session: AsyncSession, partner_id: int) -> PartnerRead:
    """An active partner as anyone reads it (another one is not found)."""
    return await partner_read(session, await public_partner(session, partner_id))


async def known_services(session: AsyncSession) -> list[str]:
    """Every service active partners offer, for the directory's filter."""
    element = func.jsonb_array_elements_text(col(Partner.services)).table_valued("value")
    rows = await session.scalars(
        sa_select(element.c.value)
        .select_from(Partner)
        .join(element, true())
        .where(col(Partner.is_active).is_(True))
        .distinct()
    )
    return sorted((str(v) for v in rows.all()), key=uk_key)
