"""Tranches of a grant: the officer of the call's municipality adds and pays them."""

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core import audit, transitions
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.i18n import _, format_money
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import rules as grant_rules
from sme_hub.grants.models import Application
from sme_hub.implementation import rules
from sme_hub.implementation.grants import managed_grant, parts_of, today_in_kyiv
from sme_hub.implementation.models import Tranche
from sme_hub.implementation.schemas import PaymentIn, TrancheIn
from sme_hub.reference.identifiers import normalise_iban


async def add_tranche(
    session: AsyncSession, user: CurrentUser, grant_id: int, data: TrancheIn
) -> Tranche:
    """A tranche beyond the planned ones, within what is left of the award (409 with the
    unscheduled amount otherwise); paid at once when `paid_on` is given."""
    grant = await managed_grant(session, user, grant_id, lock=True)
    if grant.status not in rules.REPORTABLE:
        raise Conflict(_("This grant is completed: no more tranches."))
    scheduled = await session.scalar(
        update(Application)
        .where(
            col(Application.id) == grant_id,
            col(Application.scheduled_kop) + data.amount_kop <= col(Application.awarded_kop),
        )
        .values(scheduled_kop=col(Application.scheduled_kop) + data.amount_kop)
        .returning(col(Application.scheduled_kop))
    )
    if scheduled is None:
        remaining = (grant.awarded_kop or 0) - grant.scheduled_kop
        raise Conflict(
            _("The tranches would exceed the grant: {remaining} is not yet scheduled.").format(
                remaining=format_money(remaining)
            ),
            extra={"remaining_kop": remaining},
        )
    number = 1 + max(
        (t.number for t in (await parts_of(session, grant_id))[0]),
        default=0,
    )
    tranche = Tranche(
        application_id=grant_id,
        municipality_id=grant.municipality_id,
        number=number,
        amount_kop=data.amount_kop,
        planned_on=data.planned_on,
    )
    session.add(tranche)
    await session.flush()
    await session.refresh(grant)
    await audit.record(
        session,
        user,
        "grant",
        grant,
        "tranche_added",
        after={"tranche": number, "amount_kop": data.amount_kop},
    )
    if data.paid_on is not None:
        assert tranche.id is not None
        return await pay(
            session, user, grant_id, tranche.id, PaymentIn(paid_on=data.paid_on, iban=data.iban)
        )
    return tranche


async def pay(
    session: AsyncSession, user: CurrentUser, grant_id: int, tranche_id: int, data: PaymentIn
) -> Tranche:
    """Record a planned tranche as paid, to a checked Ukrainian IBAN (the grantee's unless
    another is given). The first payment starts the implementation."""
    grant = await managed_grant(session, user, grant_id, lock=True)
    tranche = await session.scalar(
        select(Tranche)
        .where(col(Tranche.id) == tranche_id, col(Tranche.application_id) == grant_id)
        .with_for_update()
    )
    if tranche is None:
        raise NotFound()
    already_paid = _("This tranche is already paid.")
    if rules.TRANCHE.next_state(tranche.status, "tranche_paid") is None:
        raise Conflict(already_paid)
    try:
        iban = data.iban or normalise_iban(grant.iban)
    except ValueError as error:
        raise InvalidInput({"iban": _(str(error))}) from None
    if data.paid_on > today_in_kyiv():
        raise InvalidInput({"paid_on": _("A payment date cannot be in the future.")})
    await session.execute(
        update(Application)
        .where(col(Application.id) == grant_id)
        .values(paid_kop=col(Application.paid_kop) + tranche.amount_kop)
    )
    await transitions.transition(
        session,
        rules.TRANCHE,
        tranche,
        "tranche_paid",
        user=user,
        values={"paid_on": data.paid_on, "paid_iban": iban, "paid_by": user.id},
        refused=already_paid,
        audit_as=("grant", grant_id),
        before=None,
        after={"tranche": tranche.number, "amount_kop": tranche.amount_kop, "iban": iban},
    )
    # The first payment starts the implementation (recorded as the payment above).
    await transitions.transition(
        session,
        grant_rules.APPLICATION,
        grant,
        "start_implementation",
        user=user,
        system=True,
        record=False,
        when_allowed=True,
    )
    return tranche
