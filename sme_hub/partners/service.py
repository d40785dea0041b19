"""Use cases of partners and referrals. The admin (and centre staff of a municipality the
partner serves) keep partners up to date; anyone reads the directory of active ones; centre
staff refer their clients and entrepreneurs themselves; the partner's users answer; everyone
concerned is emailed, and every change is audited."""

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, String, cast, delete, false, func, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.config import Settings
from sme_hub.core import audit, mail
from sme_hub.core.collation import uk_key, uk_order
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import ensure_in_tenant, tenant_condition
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.organisations.models import Municipality
from sme_hub.partners import rules
from sme_hub.partners.models import CallPartner, Partner, PartnerMunicipality, Referral
from sme_hub.partners.schemas import (
    CallPartnersIn,
    DirectoryFilters,
    PartnerCreate,
    PartnerRead,
    PartnerUpdate,
    ReferralChange,
    ReferralIn,
    ReferralRead,
)

# --- partners ---------------------------------------------------------------------------------


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
        after=data.model_dump(mode="json"),
    )
    return _read(partner, sorted(wanted))


async def managed_partner(
    session: AsyncSession, user: CurrentUser, partner_id: int, *, lock: bool = False
) -> Partner:
    """A partner the user keeps up to date: any for an admin; for centre staff, one serving
    a municipality of theirs. Others: 404."""
    statement = select(Partner).where(col(Partner.id) == partner_id)
    partner = await session.scalar(statement.with_for_update() if lock else statement)
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
        actor_id=user.id,
        object_type="partner",
        object_id=partner_id,
        action="updated",
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


# --- referrals --------------------------------------------------------------------------------


async def _partner_users(session: AsyncSession, partner_id: int) -> list[User]:
    rows = await session.scalars(
        select(User)
        .join(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
        .where(
            col(RoleAssignment.partner_id) == partner_id,
            col(RoleAssignment.role) == Role.PARTNER.value,
            col(User.is_active).is_(True),
        )
        .distinct()
    )
    return list(rows)


async def _client_municipality(
    session: AsyncSession, user: CurrentUser, entrepreneur_id: int
) -> int:
    """The municipality of a centre's client: their business is in one of the staff
    member's municipalities (anyone else is not found)."""
    found = await session.scalar(
        select(col(BusinessProfile.municipality_id)).where(
            col(BusinessProfile.user_id) == entrepreneur_id,
            tenant_condition(user, col(BusinessProfile.municipality_id), Role.CENTRE_STAFF),
        )
    )
    if found is None:
        raise InvalidInput(
            {"entrepreneur_id": _("This person is not a client of your centre's municipality.")}
        )
    return int(found)


async def create_referral(
    session: AsyncSession,
    user: CurrentUser,
    data: ReferralIn,
    *,
    settings: Settings,
    source: str | None = None,
    application_id: int | None = None,
) -> Referral:
    """Refer a client (centre staff) or oneself (an entrepreneur) to an active partner for a
    service it offers. 422 otherwise; 409 if the same referral is already open."""
    by_centre = data.entrepreneur_id not in (None, user.id)
    if by_centre and not user.has_role(Role.CENTRE_STAFF):
        raise Forbidden(_("Only business support centre staff refer someone else."))
    if not by_centre and not user.has_role(Role.ENTREPRENEUR):
        raise InvalidInput({"entrepreneur_id": _("Choose the client you refer.")})
    entrepreneur_id = data.entrepreneur_id or user.id
    partner = await session.get(Partner, data.partner_id)
    if partner is None or not partner.is_active:
        raise InvalidInput({"partner_id": _("This partner is not active in the directory.")})
    service = rules.offered_service(partner.services, data.service)
    if service is None:
        raise InvalidInput(
            {"service": _("{partner} does not offer this service.").format(partner=partner.name)}
        )
    if by_centre:
        municipality_id: int | None = await _client_municipality(session, user, entrepreneur_id)
        centre_id = min(user.centre_ids()) if user.centre_ids() else None
    else:
        municipality_id = await session.scalar(
            select(col(BusinessProfile.municipality_id)).where(
                col(BusinessProfile.user_id) == entrepreneur_id
            )
        )
        centre_id = None
    referral = Referral(
        entrepreneur_id=entrepreneur_id,
        partner_id=data.partner_id,
        service=service,
        note=data.note.strip(),
        source=source or ("centre" if by_centre else "self"),
        created_by=user.id,
        centre_id=centre_id,
        municipality_id=municipality_id,
        application_id=application_id,
    )
    already_open = _("This referral is already open: {partner} has it for “{service}”.").format(
        partner=partner.name, service=service
    )
    try:
        # Added inside the savepoint: a duplicate rolls back only this insert.
        async with session.begin_nested():
            session.add(referral)
            await session.flush()
    except IntegrityError:
        raise Conflict(already_open) from None
    assert referral.id is not None
    await audit.record(
        session,
        actor_id=user.id,
        object_type="referral",
        object_id=referral.id,
        action="created",
        municipality_id=municipality_id,
        after={
            "entrepreneur_id": entrepreneur_id,
            "partner_id": partner.id,
            "service": service,
            "source": referral.source,
        },
    )
    entrepreneur = await session.get(User, entrepreneur_id)
    assert entrepreneur is not None
    for partner_user in await _partner_users(session, data.partner_id):
        await mail.notify(
            session,
            partner_user.id or 0,
            "referral_received",
            entrepreneur=entrepreneur.full_name,
            service=service,
            note=referral.note,
            link=f"{settings.base_url}/partner/referrals",
        )
    if by_centre:
        await _tell_entrepreneur(session, referral, partner, settings)
    return referral


async def _tell_entrepreneur(
    session: AsyncSession,
    referral: Referral,
    partner: Partner,
    settings: Settings,
) -> None:
    await mail.notify(
        session,
        referral.entrepreneur_id,
        "referral_changed",
        partner=partner.name,
        service=referral.service,
        status=referral.status,
        outcome=referral.outcome_note,
        link=f"{settings.base_url}/me/referrals",
    )


async def move_referral(
    session: AsyncSession,
    user: CurrentUser,
    referral_id: int,
    data: ReferralChange,
    *,
    settings: Settings,
) -> Referral:
    """The partner accepts or declines a sent referral, or completes an accepted one with
    what came of it; any other move is 409. Another partner's referral is not found."""
    referral = await session.scalar(
        select(Referral).where(col(Referral.id) == referral_id).with_for_update()
    )
    partner_ids = {g.partner_id for g in user.grants if g.role == Role.PARTNER}
    if referral is None or referral.partner_id not in partner_ids:
        raise NotFound()
    if not rules.can_move(referral.status, data.status):
        raise Conflict(
            _("A referral that is {current} cannot become {wanted}.").format(
                current=_(rules.REFERRAL_STATUS_LABELS[referral.status]),
                wanted=_(rules.REFERRAL_STATUS_LABELS[data.status]),
            )
        )
    outcome = data.outcome_note.strip()
    if rules.needs_outcome(data.status) and not outcome:
        raise InvalidInput(
            {"outcome_note": _("Say what came of it, e.g. “loan of 200 000 UAH approved”.")}
        )
    before = referral.status
    now = datetime.now(UTC)
    referral.status, referral.updated_at, referral.answered_by = data.status, now, user.id
    if outcome:
        referral.outcome_note = outcome
    if before == "sent":
        referral.answered_at = now
    if data.status in ("declined", "completed"):
        referral.closed_at = now
    await session.flush()
    await audit.record(
        session,
        actor_id=user.id,
        object_type="referral",
        object_id=referral_id,
        action=data.status,
        municipality_id=referral.municipality_id,
        before={"status": before},
        after={"status": data.status, "outcome_note": referral.outcome_note},
    )
    partner = await session.get(Partner, referral.partner_id)
    assert partner is not None
    await _tell_entrepreneur(session, referral, partner, settings)
    return referral


def _visible(user: CurrentUser, side: str | None = None) -> Any:
    """The referrals a user follows: their own (entrepreneur), their organisation's
    (partner), those their centre made (centre staff); an admin every one. `side` ("own",
    "partner", "centre") keeps one of these, so a role's page shows only that role's."""
    partner_ids = {g.partner_id for g in user.grants if g.role == Role.PARTNER and g.partner_id}
    sides: dict[str, Any] = {"own": col(Referral.entrepreneur_id) == user.id}
    if partner_ids:
        sides["partner"] = col(Referral.partner_id).in_(partner_ids)
    if user.centre_ids():
        sides["centre"] = col(Referral.centre_id).in_(user.centre_ids())
    if side is not None:
        return sides.get(side, false())
    if user.is_admin:
        return true()
    return or_(*sides.values())


async def referrals(
    session: AsyncSession,
    user: CurrentUser,
    *,
    status: str | None = None,
    side: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[ReferralRead], int]:
    """The caller's referrals, newest first, with the people's and partners' names; a
    partner's or a centre's reading of other people's referrals is logged."""
    statement = referrals_statement(user, status=status, side=side)
    total = await session.scalar(
        select(func.count()).select_from(statement.order_by(None).subquery())
    )
    found = (await session.execute(statement.limit(limit).offset(offset))).all()
    others = [r for r, _person, _partner in found if r.entrepreneur_id != user.id]
    if others:
        tenants = {r.municipality_id for r in others}
        await audit.record_access(
            session,
            user,
            object_type="referral_list",
            object_id=side or "all",
            municipality_id=tenants.pop() if len(tenants) == 1 else None,
            details={"status": status, "referral_ids": [r.id for r in others]},
        )
    return [referral_read(r, person, partner) for r, person, partner in found], total or 0


def referrals_statement(
    user: CurrentUser, *, status: str | None = None, side: str | None = None
) -> Select[Referral, str, str]:
    """The referrals `referrals` lists (and the exports, with columns of their own)."""
    conditions = [_visible(user, side)]
    if status:
        conditions.append(col(Referral.status) == status)
    return (
        select(Referral, col(User.full_name), col(Partner.name))
        .join(User, col(User.id) == col(Referral.entrepreneur_id))
        .join(Partner, col(Partner.id) == col(Referral.partner_id))
        .where(*conditions)
        .order_by(col(Referral.created_at).desc(), col(Referral.id).desc())
    )


def referral_read(referral: Referral, entrepreneur_name: str, partner_name: str) -> ReferralRead:
    assert referral.id is not None
    return ReferralRead(
        id=referral.id,
        entrepreneur_id=referral.entrepreneur_id,
        entrepreneur_name=entrepreneur_name,
        partner_id=referral.partner_id,
        partner_name=partner_name,
        service=referral.service,
        note=referral.note,
        status=referral.status,
        outcome_note=referral.outcome_note,
        source=referral.source,
        centre_id=referral.centre_id,
        application_id=referral.application_id,
        created_at=referral.created_at,
        answered_at=referral.answered_at,
        closed_at=referral.closed_at,
    )


async def read_one(
    session: AsyncSession, user: CurrentUser, referral_id: int, *, audited: bool = False
) -> ReferralRead:
    """A referral the caller may see; `audited` logs a staff or partner reading it."""
    row = (
        await session.execute(
            select(Referral, col(User.full_name), col(Partner.name))
            .join(User, col(User.id) == col(Referral.entrepreneur_id))
            .join(Partner, col(Partner.id) == col(Referral.partner_id))
            .where(col(Referral.id) == referral_id, _visible(user))
        )
    ).first()
    if row is None:
        raise NotFound()
    if audited:
        referral = row[0]
        await audit.record_access(
            session,
            user,
            object_type="referral",
            object_id=referral_id,
            municipality_id=referral.municipality_id,
            owner_id=referral.entrepreneur_id,
        )
    return referral_read(*row)


# --- figures for reports ----------------------------------------------------------------------


async def figure_rows(
    session: AsyncSession,
    user: CurrentUser,
    *,
    municipality_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[rules.FigureRow]:
    """Referrals of the user's municipalities (an admin: all, or one) counted per month of
    creation, partner and status."""
    month = func.date_trunc("month", col(Referral.created_at))
    conditions = [
        tenant_condition(
            user, col(Referral.municipality_id), Role.MUNICIPAL_OFFICER, Role.CENTRE_STAFF
        )
    ]
    if municipality_id is not None:
        # As in every report: a municipality the caller may not see (or none) is not found,
        # rather than a 200 of zeros.
        ensure_in_tenant(user, municipality_id, Role.MUNICIPAL_OFFICER, Role.CENTRE_STAFF)
        if await session.get(Municipality, municipality_id) is None:
            raise NotFound()
        conditions.append(col(Referral.municipality_id) == municipality_id)
    if since is not None:
        conditions.append(col(Referral.created_at) >= since)
    if until is not None:
        conditions.append(func.date(col(Referral.created_at)) <= until)
    rows = await session.execute(
        sa_select(
            month,
            col(Partner.id),
            col(Partner.name),
            col(Partner.kind),
            col(Partner.sector),
            col(Referral.status),
            func.count(),
        )
        .join(Partner, col(Partner.id) == col(Referral.partner_id))
        .where(*conditions)
        .group_by(month, col(Partner.id), col(Referral.status))
        .order_by(month, col(Partner.name))
    )
    return [
        rules.FigureRow(at.date(), pid, name, kind, sector, status, count)
        for at, pid, name, kind, sector, status, count in rows.all()
    ]


# --- partners named by a call ---------------------------------------------------------------


async def set_call_partners(
    session: AsyncSession, user: CurrentUser, call_id: int, data: CallPartnersIn
) -> list[CallPartner]:
    """The partners a call names (its officer): active ones, each with a service it offers
    (its first one when none is given)."""
    from sme_hub.grants import calls

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
        actor_id=user.id,
        object_type="grant_call",
        object_id=call_id,
        action="partners",
        municipality_id=call.municipality_id,
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
    from sme_hub.implementation import service as implementation

    grant = await implementation.own_grant(session, user, grant_id)
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
