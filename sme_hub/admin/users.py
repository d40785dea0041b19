"""Accounts the admin makes by hand: staff (or any) users with their roles, each bound to the
municipality, business support centre, partner or oblast it needs."""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.accounts.registration import add_user
from sme_hub.accounts.rules import ROLE_BINDING, Binding
from sme_hub.accounts.schemas import AdminUserCreate, GrantRequest
from sme_hub.core import audit
from sme_hub.core.auth import hash_password
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.organisations import service as organisations
from sme_hub.organisations.schemas import checked_katottg
from sme_hub.partners import directory as partner_directory


async def _assignment_for(session: AsyncSession, index: int, grant: GrantRequest) -> RoleAssignment:
    """Check the organisation a role is bound to exists and build the assignment."""
    binding = ROLE_BINDING[grant.role]
    field = f"roles.{index}.organisation_id"
    assignment = RoleAssignment(user_id=0, role=grant.role)
    if binding is Binding.NONE:
        return assignment
    if binding is Binding.OBLAST:
        try:
            assignment.oblast = checked_katottg(grant.oblast or "")
        except ValueError:
            raise InvalidInput(
                {
                    f"roles.{index}.oblast": _(
                        "A regional observer needs the KATOTTG code of their oblast."
                    )
                }
            ) from None
        return assignment
    if grant.organisation_id is None:
        raise InvalidInput({field: _("This role needs an organisation.")})
    if binding is Binding.MUNICIPALITY:
        if await organisations.get_municipality(session, grant.organisation_id) is None:
            raise InvalidInput({field: _("There is no such municipality.")})
        assignment.municipality_id = grant.organisation_id
    elif binding is Binding.CENTRE:
        centre = await organisations.get_centre(session, grant.organisation_id)
        if centre is None:
            raise InvalidInput({field: _("There is no such business support centre.")})
        assignment.centre_id = centre.id
        assignment.municipality_id = centre.municipality_id
    elif binding is Binding.PARTNER:
        if await partner_directory.get_partner(session, grant.organisation_id) is None:
            raise InvalidInput({field: _("There is no such partner.")})
        assignment.partner_id = grant.organisation_id
    return assignment


async def create_user(session: AsyncSession, actor: CurrentUser, data: AdminUserCreate) -> User:
    """A staff (or any) account made by the admin; staff accounts start confirmed."""
    assignments = [await _assignment_for(session, i, g) for i, g in enumerate(data.roles)]
    user = await add_user(
        session,
        User(
            email=data.email,
            full_name=data.full_name,
            locale=data.locale,
            password_hash=hash_password(data.password),
            email_confirmed_at=datetime.now(UTC),
        ),
    )
    assert user.id is not None
    seen: set[tuple[object, ...]] = set()
    for assignment in assignments:
        key = (
            assignment.role,
            assignment.municipality_id,
            assignment.centre_id,
            assignment.partner_id,
            assignment.oblast,
        )
        if key not in seen:
            seen.add(key)
            assignment.user_id = user.id
            session.add(assignment)
    await session.flush()
    # A staff account of one municipality belongs to that tenant's audit trail too.
    tenants = {a.municipality_id for a in assignments if a.municipality_id is not None}
    await audit.record(
        session,
        actor,
        "user",
        user,
        "created",
        municipality_id=tenants.pop() if len(tenants) == 1 else None,
        after={"email": user.email, "roles": [g.model_dump(mode="json") for g in data.roles]},
    )
    return user
