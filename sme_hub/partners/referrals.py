"""Referrals to partners. Centre staff refer their clients and entrepreneurs refer themselves;
the partner's users answer; everyone concerned is emailed, and every change is audited."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, false, func, or_, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.config import Settings
from sme_hub.core import audit, mail, transitions
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.queries import add_unique
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.tenancy import tenant_condition
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.partners import rules
from sme_hub.partners.models import Partner, Referral
from sme_hub.partners.schemas import ReferralChange, ReferralIn, ReferralRead


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
    await add_unique(session, referral, Conflict(already_open))
    assert referral.id is not None
    await audit.record(
        session,
        user,
        "referral",
        referral.id,
        "created",
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
                current=rules.REFERRAL.label(referral.status),
                wanted=rules.REFERRAL.label(data.status),
            )
        )
    outcome = data.outcome_note.strip()
    if rules.needs_outcome(data.status) and not outcome:
        raise InvalidInput(
            {"outcome_note": _("Say what came of it, e.g. “loan of 200 000 UAH approved”.")}
        )
    now = datetime.now(UTC)
    values: dict[str, Any] = {"updated_at": now, "answered_by": user.id}
    if outcome:
        values["outcome_note"] = outcome
    if referral.status in rules.REFERRAL.initial:  # the partner's first answer
        values["answered_at"] = now
    if not rules.REFERRAL.actions_from(data.status):  # nothing follows: it is closed
        values["closed_at"] = now
    await transitions.transition(
        session,
        rules.REFERRAL,
        referral,
        data.status,  # the partner names the status; the action has its name
        user=user,
        values=values,
        details={"outcome_note": outcome or referral.outcome_note},
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
            "referral_list",
            side or "all",
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
    return ReferralRead.model_validate(
        {
            **referral.model_dump(),
            "entrepreneur_name": entrepreneur_name,
            "partner_name": partner_name,
        }
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
            session, user, "referral", referral, owner_id=referral.entrepreneur_id
        )
    return referral_read(*row)


async def refer(
    session: AsyncSession, user: CurrentUser, data: ReferralIn, *, settings: Settings
) -> ReferralRead:
    """`create_referral`, read back with the person's and the partner's names."""
    referral = await create_referral(session, user, data, settings=settings)
    return await read_one(session, user, referral.id or 0)


async def answer(
    session: AsyncSession,
    user: CurrentUser,
    referral_id: int,
    data: ReferralChange,
    *,
    settings: Settings,
) -> ReferralRead:
    """`move_referral`, read back with the person's and the partner's names."""
    await move_referral(session, user, referral_id, data, settings=settings)
    return await read_one(session, user, referral_id)
