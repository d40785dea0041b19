"""Use cases of accounts: register, authenticate with throttling, tokens, staff users."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts import links, user_sessions
from sme_hub.accounts.models import ApiToken, LoginFailure, RoleAssignment, User, UserSession
from sme_hub.accounts.rules import (
    CONSENT_VERSION,
    LOGIN_WINDOW_SECONDS,
    ROLE_BINDING,
    TOKEN_LIFETIME_HOURS,
    Binding,
    Throttle,
    account_at_address_key,
    account_key,
    address_key,
    code_key,
    password_problem,
)
from sme_hub.accounts.schemas import (
    AdminUserCreate,
    GrantRead,
    GrantRequest,
    RegisterRequest,
    UserRead,
)
from sme_hub.core import audit
from sme_hub.core.auth import hash_password, hash_token, new_token, session_stamp
from sme_hub.core.auth import verify_password as password_matches
from sme_hub.core.errors import Conflict, InvalidInput, TooManyRequests
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser, Grant, Role
from sme_hub.core.tenancy import ensure_in_tenant
from sme_hub.db import Database
from sme_hub.organisations import service as organisations
from sme_hub.organisations.schemas import StaffMember, checked_katottg
from sme_hub.partners import directory as partner_directory


class WrongCredentials(Exception):
    """Email and password do not match an active account."""


def _now() -> datetime:
    return datetime.now(UTC)


async def _add_user(session: AsyncSession, user: User) -> User:
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise Conflict(
            _("An account with this email already exists. Log in or reset your password."),
            extra=[{"key": "email", "message": _("This email is already registered.")}],
        ) from exc
    return user


async def register(session: AsyncSession, data: RegisterRequest, *, base_url: str) -> User | None:
    """A new entrepreneur's account, with their consent recorded; a link to confirm the email
    address is sent to it (links in emails start with `base_url`). When the address already
    has an account, nothing is created and its owner is told by email that someone tried
    (None): the caller is answered alike either way, so registration tells nobody who has an
    account here; the password is hashed either way, so neither does its timing."""
    try:
        user = await _add_user(
            session,
            User(
                email=data.email,
                full_name=data.full_name,
                phone=data.phone,
                locale=data.locale,
                password_hash=hash_password(data.password),
                consent_at=_now(),
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
        actor_id=user.id,
        object_type="user",
        object_id=user.id,
        action="registered",
        after={"email": user.email, "consent_version": CONSENT_VERSION},
    )
    await links.send_confirmation(session, user, base_url)
    return user


# --- logging in -----------------------------------------------------------------------------


async def failures(session: AsyncSession, email: str, address: str) -> Throttle:
    """Recent failures of this account and this client address (one statement)."""
    keys = {
        "account": account_key(email),
        "address": address_key(address),
        "pair": account_at_address_key(email, address),
        "codes": code_key(email),
    }
    since = _now() - timedelta(seconds=LOGIN_WINDOW_SECONDS)
    counts = dict(
        (
            await session.execute(
                select(col(LoginFailure.key), func.count())
                .where(col(LoginFailure.key).in_(keys.values()))
                .where(col(LoginFailure.failed_at) >= since)
                .group_by(LoginFailure.key)
            )
        ).all()
    )
    return Throttle(
        for_account=counts.get(keys["account"], 0),
        for_address=counts.get(keys["address"], 0),
        for_account_at_address=counts.get(keys["pair"], 0),
        codes_for_account=counts.get(keys["codes"], 0),
    )


def too_many_failures() -> TooManyRequests:
    return TooManyRequests(
        _("Too many failed attempts. Please wait 15 minutes and try again."),
        headers={"Retry-After": str(LOGIN_WINDOW_SECONDS)},
    )


async def check_throttle(session: AsyncSession, email: str, address: str) -> None:
    """Before a signed-in person confirms a step with their password: 429 when this account
    failed too often from this address, or this address did. Not the account-wide lock:
    strangers elsewhere must not keep the owner from changing a password under attack."""
    if (await failures(session, email, address)).blocked_here:
        raise too_many_failures()


async def check_code_throttle(session: AsyncSession, email: str, address: str) -> None:
    """Before a second-factor code: the account-wide lock of passwords does not apply (the
    password was right), the limits of this address and of wrong codes do."""
    if (await failures(session, email, address)).codes_blocked:
        raise too_many_failures()


async def record_login_failure(
    db: Database, email: str, address: str, *, code: bool = False
) -> None:
    """Committed on its own: the request's transaction is rolled back with the 401."""
    keys = [account_key(email), address_key(address), account_at_address_key(email, address)]
    if code:
        keys.append(code_key(email))
    async with db.sessionmaker() as session, session.begin():
        session.add_all([LoginFailure(key=key) for key in keys])


def two_factor_on(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


async def authenticate(
    session: AsyncSession, db: Database, email: str, password: str, address: str
) -> User:
    """The active account of this email and password. 429 past the limits of this address;
    past the account-wide limit too, unless the password is right and a second factor will
    be asked (the owner still gets in while strangers keep the account locked)."""
    throttle = await failures(session, email, address)
    if throttle.blocked_here:
        raise too_many_failures()
    user = await session.scalar(select(User).where(col(User.email) == email.lower()))
    right = password_matches(user.password_hash if user else None, password)
    if user is None or not user.is_active:
        right = False
    if throttle.account_locked:
        if right and user is not None and two_factor_on(user):
            return user
        raise too_many_failures()
    if not right:
        await record_login_failure(db, email, address)
        raise WrongCredentials
    assert user is not None
    return user


async def forget_failures(session: AsyncSession, email: str, address: str) -> None:
    """After a complete login (the second step too, where there is one): the account's
    failed attempts no longer count. Not after the password alone, or knowing the password
    would reset the count of wrong codes."""
    await session.execute(
        delete(LoginFailure).where(
            col(LoginFailure.key).in_(
                [account_key(email), code_key(email), account_at_address_key(email, address)]
            )
        )
    )


async def issue_token(session: AsyncSession, user: User) -> tuple[str, datetime]:
    token, token_hash = new_token()
    expires_at = _now() + timedelta(hours=TOKEN_LIFETIME_HOURS)
    assert user.id is not None
    session.add(ApiToken(user_id=user.id, token_hash=token_hash, expires_at=expires_at))
    await session.flush()
    return token, expires_at


# --- the current user -----------------------------------------------------------------------


def _current_user(user: User, assignments: Sequence[RoleAssignment]) -> CurrentUser:
    assert user.id is not None
    return CurrentUser(
        id=user.id,
        email=user.email,
        full_name=user.full_name,
        locale=user.locale,
        email_confirmed=user.email_confirmed_at is not None,
        grants=tuple(
            Grant(Role(a.role), a.municipality_id, a.centre_id, a.partner_id, a.oblast)
            for a in assignments
        ),
    )


# The middleware asks on every request: one statement of plain columns (user and roles
# together), on the request's own session, instead of ORM objects in a session of its own.
_USER_WITH_ROLES = (
    sa_select(
        col(User.id),
        col(User.email),
        col(User.full_name),
        col(User.locale),
        col(User.password_hash),
        col(User.email_confirmed_at),
        col(RoleAssignment.role),
        col(RoleAssignment.municipality_id),
        col(RoleAssignment.centre_id),
        col(RoleAssignment.partner_id),
        col(RoleAssignment.oblast),
    )
    .select_from(User)
    .outerjoin(RoleAssignment, col(RoleAssignment.user_id) == col(User.id))
    .where(col(User.is_active))
    .order_by(col(RoleAssignment.id))
)


def _current_user_of(rows: Sequence[Any]) -> CurrentUser | None:
    if not rows:
        return None
    first = rows[0]
    return CurrentUser(
        id=first.id,
        email=first.email,
        full_name=first.full_name,
        locale=first.locale,
        email_confirmed=first.email_confirmed_at is not None,
        grants=tuple(
            Grant(Role(r.role), r.municipality_id, r.centre_id, r.partner_id, r.oblast)
            for r in rows
            if r.role is not None
        ),
    )


async def user_by_session(
    session: AsyncSession, user_id: int, stamp: str | None, sid: str, seen: bool
) -> CurrentUser | None:
    """The user of a session cookie, while the server keeps its session (one statement: the
    session row is found by its unique hash in the query that loads the user) and their
    password is the one it was opened with. `seen`: record the use (about once a minute)."""
    statement = _USER_WITH_ROLES.join(UserSession, col(UserSession.user_id) == col(User.id)).where(
        col(User.id) == user_id, col(UserSession.sid_hash) == hash_token(sid)
    )
    rows = (await session.execute(statement)).all()
    if not rows or stamp != session_stamp(rows[0].password_hash):
        return None
    if seen:
        await user_sessions.touch(session, sid)
    return _current_user_of(rows)


async def user_by_token(session: AsyncSession, token: str) -> CurrentUser | None:
    statement = _USER_WITH_ROLES.join(ApiToken, col(ApiToken.user_id) == col(User.id)).where(
        col(ApiToken.token_hash) == hash_token(token), col(ApiToken.expires_at) > _now()
    )
    return _current_user_of((await session.execute(statement)).all())


def _user_read(user: User, assignments: Sequence[RoleAssignment]) -> UserRead:
    current = _current_user(user, assignments)
    return UserRead(
        id=current.id,
        email=user.email,
        full_name=user.full_name,
        phone=user.phone,
        locale=user.locale,
        email_confirmed=current.email_confirmed,
        two_factor=user.totp_enabled_at is not None,
        roles=[
            GrantRead(
                role=g.role,
                municipality_id=g.municipality_id,
                centre_id=g.centre_id,
                partner_id=g.partner_id,
                oblast=g.oblast,
            )
            for g in current.grants
        ],
    )


async def read_user(session: AsyncSession, user_id: int) -> UserRead:
    user = await session.get(User, user_id)
    assert user is not None
    assignments = await session.scalars(
        select(RoleAssignment)
        .where(col(RoleAssignment.user_id) == user_id)
        .order_by(col(RoleAssignment.id))
    )
    return _user_read(user, assignments.all())


# --- staff users (admin) --------------------------------------------------------------------


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
    user = await _add_user(
        session,
        User(
            email=data.email,
            full_name=data.full_name,
            locale=data.locale,
            password_hash=hash_password(data.password),
            email_confirmed_at=_now(),
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
        actor_id=actor.id,
        object_type="user",
        object_id=user.id,
        action="created",
        municipality_id=tenants.pop() if len(tenants) == 1 else None,
        after={"email": user.email, "roles": [g.model_dump(mode="json") for g in data.roles]},
    )
    return user


async def staff_of_municipality(
    session: AsyncSession, actor: CurrentUser, municipality_id: int
) -> list[StaffMember]:
    """Who works for a municipality (its officers, evaluators and centre staff)."""
    await organisations.get_municipality_in_tenant(session, actor, municipality_id)
    ensure_in_tenant(actor, municipality_id)
    rows = await session.execute(
        select(User, RoleAssignment)
        .join(RoleAssignment, col(RoleAssignment.user_id) == User.id)
        .where(col(RoleAssignment.municipality_id) == municipality_id)
        .order_by(col(User.full_name), col(RoleAssignment.role))
    )
    return [
        StaffMember(
            user_id=user.id,
            full_name=user.full_name,
            email=user.email,
            role=assignment.role,
            centre_id=assignment.centre_id,
        )
        for user, assignment in rows.all()
        if user.id is not None
    ]


async def list_users(
    session: AsyncSession,
    *,
    limit: int = 100,
    offset: int = 0,
    search: str | None = None,
    viewer: CurrentUser | None = None,
) -> tuple[list[UserRead], int]:
    """Accounts, newest first; an admin's reading (`viewer`) is logged (personal data)."""
    condition = (
        or_(col(User.email).ilike(f"%{search}%"), col(User.full_name).ilike(f"%{search}%"))
        if search
        else True
    )
    total = await session.scalar(select(func.count()).select_from(User).where(condition))
    users = (
        await session.scalars(
            select(User).where(condition).order_by(col(User.id).desc()).limit(limit).offset(offset)
        )
    ).all()
    ids = [u.id for u in users]
    assignments = (
        await session.scalars(select(RoleAssignment).where(col(RoleAssignment.user_id).in_(ids)))
    ).all()
    by_user: dict[int, list[RoleAssignment]] = {}
    for a in assignments:
        by_user.setdefault(a.user_id, []).append(a)
    if viewer is not None:
        await audit.record_access(
            session,
            viewer,
            object_type="user_list",
            object_id="search",
            municipality_id=None,
            details={"search": search, "user_ids": ids},
        )
    return [_user_read(u, by_user.get(u.id or 0, [])) for u in users], total or 0


# --- personal-data rights -------------------------------------------------------------------


async def consent_record(session: AsyncSession, user_id: int) -> dict[str, str | None]:
    user = await session.get(User, user_id)
    assert user is not None
    return {
        "consent_at": user.consent_at.isoformat() if user.consent_at else None,
        "consent_version": user.consent_version,
    }


async def _confirm_password(
    session: AsyncSession, db: Database, user: User, password: str, address: str, field: str
) -> None:
    """The person confirms a step with their password: wrong ones count with the login
    failures (a stolen session or token must not become a way to guess it)."""
    await check_throttle(session, user.email, address)
    if not password_matches(user.password_hash, password):
        await record_login_failure(db, user.email, address)
        raise InvalidInput({field: _("The password is not correct.")})


async def check_password(
    session: AsyncSession, db: Database, user_id: int, password: str, address: str
) -> None:
    """Re-authentication before a destructive step."""
    user = await session.get(User, user_id)
    assert user is not None
    await _confirm_password(session, db, user, password, address, "password")


async def change_password(
    session: AsyncSession, db: Database, actor: CurrentUser, current: str, new: str, address: str
) -> User:
    """A new password, after the current one: every session and every API token ends (the
    page opens a new session for the person changing it, who stays signed in)."""
    user = await session.get(User, actor.id)
    assert user is not None
    await _confirm_password(session, db, user, current, address, "current_password")
    problem = password_problem(new, email=user.email, full_name=user.full_name)
    if problem:
        raise InvalidInput({"new_password": _(problem)})
    user.password_hash = hash_password(new)
    await user_sessions.end_all_sessions(session, actor.id)
    await session.execute(delete(ApiToken).where(col(ApiToken.user_id) == actor.id))
    await audit.record(
        session,
        actor_id=actor.id,
        object_type="user",
        object_id=actor.id,
        action="password_changed",
        after={"api_tokens_revoked": True, "sessions_ended": True},
    )
    await session.flush()
    return user


async def anonymise(session: AsyncSession, user_id: int) -> None:
    """Remove the person from the account; the row stays so records that point at it
    (audit, applications, public awards) keep their integrity."""
    user = await session.get(User, user_id)
    assert user is not None
    user.email = f"deleted-{user_id}@deleted.invalid"
    user.full_name = _("Deleted user")
    user.phone = None
    user.password_hash = hash_password(new_token()[0])  # nobody knows it
    user.is_active = False
    await user_sessions.end_all_sessions(session, user_id)
    await session.execute(delete(ApiToken).where(col(ApiToken.user_id) == user_id))
    await session.flush()
