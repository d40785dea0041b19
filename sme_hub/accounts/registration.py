"""Registration of an entrepreneur's account (and the unique email every account has)."""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts import links
from sme_hub.accounts.models import RoleAssignment, User
from sme_hub.accounts.rules import CONSENT_VERSION
from sme_hub.accounts.schemas import RegisterRequest
from sme_hub.core import audit
from sme_hub.core.auth import hash_password
from sme_hub.core.errors import Conflict
from sme_hub.core.i18n import _
from sme_hub.core.queries import add_unique
from sme_hub.core.roles import Role


async def add_user(session: AsyncSession, user: User) -> User:
    return await add_unique(
        session,
        user,
        Conflict(
            _("An account with this email already exists. Log in or reset your password."),
            extra=[{"key": "email", "message": _("This email is already registered.")}],
        ),
    )


async def register(session: AsyncSession, data: RegisterRequest, *, base_url: str) -> User | None:
    """A new entrepreneur's account, with their consent recorded; a link to confirm the email
    address is sent to it (links in emails start with `base_url`). When the address already
    has an account, nothing is created and its owner is told by email that someone tried
    (None): the caller is answered alike either way, so registration tells nobody who has an
    account here; the password is hashed either way, so neither does its timing."""
    try:
        user = await add_user(
            session,
            User(
                email=data.email,
                full_name=data.full_name,
                phone=data.phone,
                locale=data.locale,
                password_hash=hash_password(data.password),
                consent_at=datetime.now(UTC),
                consent_version=CONSENT_VERSION,
            ),
        )
    except Conflict:
        await links.warn_of_registration_attempt(session, data.email, base_url)
        return None
    assert user.id is not None
    session.add(RoleAssignment(user_id=user.id, role=Role.ENTREPRENEUR))
    await audit.record(
        session,
        user,
        "user",
        user.id,
        "registered",
        after={"email": user.email, "consent_version": CONSENT_VERSION},
    )
    await links.send_confirmation(session, user, base_url)
    return user
