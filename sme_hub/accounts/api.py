"""Accounts over the JSON API: registration, tokens, email confirmation, password reset, the
caller's account, and an administrator's deactivation and two-factor reset."""

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from sme_hub.accounts import links, registration, service, sessions, two_factor, user_sessions
from sme_hub.accounts.schemas import (
    ConfirmEmailRequest,
    EmailConfirmedResponse,
    PasswordResetConfirm,
    PasswordResetRequest,
    RegisterRequest,
    RegistrationAccepted,
    TokenRequest,
    TokenResponse,
    UserRead,
)
from sme_hub.accounts.web import (
    LINK_EXPIRED,
    REGISTERED,
    RESET_REQUESTED,
    base_url,
)
from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.client_address import client_address
from sme_hub.core.deps import Actor, Config, Db, DbSession, Req
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import _
from sme_hub.core.roles import Role


class AuthApiController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/register", status_code=201)
    async def register(
        self, request: Req, data: JSONBody[RegisterRequest], db_session: DbSession
    ) -> RegistrationAccepted:
        """Create an entrepreneur's account (consent required) and email a link to confirm
        the address; then get a token with the email and password. The same 201 when the
        address already has an account: nothing is created and its owner is emailed instead,
        so the answer tells nobody who has an account."""
        await registration.register(db_session, data, base_url=base_url(request))
        return RegistrationAccepted(
            email=data.email,
            full_name=data.full_name,
            locale=data.locale,
            detail=_(REGISTERED).format(email=data.email),
        )

    @post("/auth/token", status_code=200)
    async def token(
        self,
        request: Req,
        data: JSONBody[TokenRequest],
        db_session: DbSession,
        db: Db,
        settings: Config,
    ) -> TokenResponse:
        """Exchange email and password (and `otp`, the current code of the authenticator app
        or a recovery code, when two-factor sign-in is on) for a bearer token. 401 when the
        code is missing or wrong, 403 when the role requires two-factor sign-in that is not
        set up yet, 429 after repeated failures."""
        token, expires_at = await sessions.api_token(
            db_session, db, data, settings.secret_key, client_address(request)
        )
        return TokenResponse(access_token=token, expires_at=expires_at)

    @get("/me", guards=[requires_login])
    async def me(self, user: Actor, db_session: DbSession) -> UserRead:
        """The caller with their roles."""
        return await service.read_user(db_session, user.id)

    @post("/auth/confirm-email", status_code=200)
    async def confirm_email(
        self, data: JSONBody[ConfirmEmailRequest], db_session: DbSession
    ) -> EmailConfirmedResponse:
        """Confirm an email address with the token of the emailed link (422 when it has
        expired or was used)."""
        try:
            await links.confirm_email(db_session, data.token)
        except links.LinkExpired:
            raise InvalidInput({"token": _(LINK_EXPIRED)}) from None
        return EmailConfirmedResponse()

    @post("/auth/password-reset", status_code=202)
    async def password_reset(
        self, request: Req, data: JSONBody[PasswordResetRequest], db_session: DbSession
    ) -> dict[str, str]:
        """Email a one-hour reset link; the same 202, after the same work, whether or not the
        account exists."""
        await links.request_password_reset(db_session, data.email)
        return {"detail": _(RESET_REQUESTED)}

    @post("/auth/password-reset/confirm", status_code=204)
    async def password_reset_confirm(
        self, data: JSONBody[PasswordResetConfirm], db_session: DbSession
    ) -> None:
        """Set a new password with the token of a reset link; every API token of the user is
        revoked (422 when the link has expired or was used, or the password is too weak)."""
        try:
            await links.reset_password(db_session, data.token, data.password)
        except links.LinkExpired:
            raise InvalidInput({"token": _(LINK_EXPIRED)}) from None


class AccountAdminController(Controller):
    """An administrator closes an account (it stays, for the records that point at it)."""

    guards = [requires_role(Role.ADMIN)]

    @post("/api/v1/admin/users/{user_id:int}/deactivate", status_code=204, tags=["admin"])
    async def deactivate_api(
        self, user_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> None:
        """Deactivate an account: it can no longer log in, and its sessions and API tokens
        end at once (audited)."""
        await user_sessions.deactivate_user(db_session, user, user_id)


class TwoFactorAdminController(Controller):
    """An administrator removes the second factor of someone who lost their authenticator."""

    guards = [requires_role(Role.ADMIN)]

    @post("/api/v1/admin/users/{user_id:int}/two-factor/reset", status_code=204, tags=["admin"])
    async def reset_api(self, user_id: FromPath[int], user: Actor, db_session: DbSession) -> None:
        """Remove a user's two-factor sign-in (audited); a role that requires it sets it up
        again at the next login."""
        await two_factor.reset(db_session, user, user_id)
