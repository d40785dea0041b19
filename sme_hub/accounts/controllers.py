"""Accounts over HTTP: the auth API and the login, registration, logout, email confirmation
and password reset pages."""

from dataclasses import replace
from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, JSONBody
from litestar.response import Redirect, Template

from sme_hub.accounts import links, service, sessions, two_factor
from sme_hub.accounts.models import User
from sme_hub.accounts.rules import CONSENT_VERSION
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
from sme_hub.core import navigation
from sme_hub.core.auth import current_user, requires_login
from sme_hub.core.deps import Actor, Config, Db, DbSession, FormData
from sme_hub.core.errors import Forbidden, InvalidInput, TooManyRequests
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import N_, _, choose_locale, current_locale
from sme_hub.core.locale_web import LANG_COOKIE
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.proxies import client_host


def client_address(request: Request[Any, Any, Any]) -> str:
    """The client as core/proxies.py made it out (behind a trusted proxy: the forwarded one),
    so one client's failures throttle that client, not everyone behind the proxy."""
    return client_host(request.scope) or "unknown"


def local_path(target: object) -> str | None:
    """`target` when it is a path on this site, else None: never another host (no open
    redirects)."""
    if (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return None


def safe_next(target: object) -> str:
    return local_path(target) or "/"


async def landing(db_session: DbSession, user: User, next_path: str | None) -> str:
    """Where a completed sign-in goes: the page asked for (a local `next`), else where the
    user's work is (core/navigation.py)."""
    if next_path:
        return next_path
    assert user.id is not None
    return navigation.landing_path(await two_factor.roles_of(db_session, user.id))


def base_url(request: Request[Any, Any, Any]) -> str:
    """Where links in emails point (settings.base_url)."""
    url: str = request.app.state.settings.base_url
    return url


OTP_MISSING = N_(
    "Two-factor sign-in is on for this account: send the code of your authenticator app "
    "(or a recovery code) in the otp field."
)
OTP_WRONG = N_("The two-factor code is wrong or has already been used.")
LINK_EXPIRED = N_("This link has expired or has already been used.")
RESEND_TOO_SOON = N_(
    "We sent you a link less than two minutes ago. Please check your inbox and spam folder, "
    "or try again a little later."
)
REGISTERED = N_(
    "Thank you. We have sent an email to {email}: open the link in it to confirm the address, "
    "then log in with your email and password."
)
RESET_REQUESTED = N_(
    "If an account with this email address exists, we have sent it a link to set a new "
    "password. The link works for one hour."
)


def use_locale_of(request: Request[Any, Any, Any], preference: str) -> None:
    """Answer in the language of the link's owner unless the visitor chose one."""
    current_locale.set(
        choose_locale(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            preference,
            request.headers.get("accept-language", ""),
        )
    )


class AuthApiController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/register", status_code=201)
    async def register(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[RegisterRequest],
        db_session: DbSession,
    ) -> RegistrationAccepted:
        """Create an entrepreneur's account (consent required) and email a link to confirm
        the address; then get a token with the email and password. The same 201 when the
        address already has an account: nothing is created and its owner is emailed instead,
        so the answer tells nobody who has an account."""
        await service.register(db_session, data, base_url=base_url(request))
        return RegistrationAccepted(
            email=data.email,
            full_name=data.full_name,
            locale=data.locale,
            detail=_(REGISTERED).format(email=data.email),
        )

    @post("/auth/token", status_code=200)
    async def token(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TokenRequest],
        db_session: DbSession,
        db: Db,
        settings: Config,
    ) -> TokenResponse:
        """Exchange email and password (and `otp`, the current code of the authenticator app
        or a recovery code, when two-factor sign-in is on) for a bearer token. 401 when the
        code is missing or wrong, 403 when the role requires two-factor sign-in that is not
        set up yet, 429 after repeated failures."""
        address = client_address(request)
        try:
            user = await service.authenticate(db_session, db, data.email, data.password, address)
        except service.WrongCredentials:
            raise NotAuthorizedException(detail=_("Wrong email or password.")) from None
        if two_factor.is_enabled(user):
            if not data.otp:
                raise NotAuthorizedException(detail=_(OTP_MISSING))
            try:
                await two_factor.verify(
                    db_session, db, user, data.otp, settings.secret_key, address
                )
            except two_factor.WrongCode:
                raise NotAuthorizedException(detail=_(OTP_WRONG)) from None
        elif await two_factor.must_set_up(db_session, user):
            raise Forbidden(_("Set up two-factor sign-in on the website first."))
        await service.forget_failures(db_session, user.email, address)
        token, expires_at = await service.issue_token(db_session, user)
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
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordResetRequest],
        db_session: DbSession,
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


class AuthPagesController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request[Any, Any, Any]) -> Template:
        next_path = local_path(request.query_params.get("next"))
        return render(request, "accounts/login.html", next=next_path, errors={}, values={})

    @post("/login")
    async def login(
        self, request: Request[Any, Any, Any], data: FormData, db_session: DbSession, db: Db
    ) -> Template | Redirect:
        email = str(data.get("email", "")).strip()
        next_path = local_path(data.get("next"))
        try:
            user = await service.authenticate(
                db_session, db, email, str(data.get("password", "")), client_address(request)
            )
        except service.WrongCredentials:
            return render(
                request,
                "accounts/login.html",
                status_code=401,
                next=next_path,
                values={"email": email},
                errors={"__all__": _("Wrong email or password.")},
                credentials_wrong=True,
            )
        except TooManyRequests as exc:
            return render(
                request,
                "accounts/login.html",
                status_code=429,
                next=next_path,
                values={"email": email},
                errors={"__all__": exc.detail},
            )
        if two_factor.is_enabled(user):
            return sessions.begin_second_step(request, user, next_path, setup=False)
        if await two_factor.must_set_up(db_session, user):
            return sessions.begin_second_step(request, user, next_path, setup=True)
        address = client_address(request)
        await service.forget_failures(db_session, user.email, address)
        return await sessions.complete_login(
            request, user, await landing(db_session, user, next_path), address
        )

    @get("/register")
    async def register_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "accounts/register.html", errors={}, values={})

    @post("/register")
    async def register(
        self, request: Request[Any, Any, Any], data: FormData, db_session: DbSession
    ) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k != "password"}
        try:
            form = parse_form(RegisterRequest, {"consent": False, **data})
            await service.register(db_session, form, base_url=base_url(request))
        except InvalidInput as exc:
            return render(
                request, "accounts/register.html", status_code=422, errors=exc.errors, values=values
            )
        # Not logged in at once: an address that already had an account gets this same
        # answer (its owner is emailed), so the page tells nobody who has an account.
        return redirect_with_message(request, "/login", _(REGISTERED).format(email=form.email))

    @get("/privacy")
    async def privacy(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "accounts/privacy.html", consent_version=CONSENT_VERSION)

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        await sessions.end_session(request)
        return redirect_with_message(request, "/", _("You have logged out."), "info")

    # --- email confirmation -----------------------------------------------------------------

    @get("/confirm-email/{token:str}")
    async def confirm_email(
        self, request: Request[Any, Any, Any], token: FromPath[str], db_session: DbSession
    ) -> Template:
        try:
            user = await links.confirm_email(db_session, token)
        except links.LinkExpired:
            return render(request, "accounts/email_confirmed.html", status_code=410, ok=False)
        use_locale_of(request, user.locale)
        visitor = current_user(request)
        if visitor is not None and visitor.id == user.id:  # no "please confirm" on this page
            request.scope["user"] = replace(visitor, email_confirmed=True)
        return render(request, "accounts/email_confirmed.html", ok=True)

    @post("/confirm-email/resend", guards=[requires_login])
    async def resend_confirmation(
        self, request: Request[Any, Any, Any], user: Actor, data: FormData, db_session: DbSession
    ) -> Redirect:
        outcome = await links.resend_confirmation(db_session, user.id, base_url(request))
        message, category = {
            links.Resend.SENT: (
                _("We have sent a new confirmation link to {email}.").format(email=user.email),
                "success",
            ),
            links.Resend.TOO_SOON: (
                _(RESEND_TOO_SOON),
                "info",
            ),
            links.Resend.ALREADY_CONFIRMED: (_("Your email address is already confirmed."), "info"),
        }[outcome]
        return redirect_with_message(request, safe_next(data.get("next")), message, category)

    # --- password reset ---------------------------------------------------------------------

    @get("/password-reset")
    async def password_reset_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "accounts/password_reset.html", errors={}, values={})

    @post("/password-reset")
    async def password_reset(
        self, request: Request[Any, Any, Any], data: FormData, db_session: DbSession
    ) -> Template:
        try:
            form = parse_form(PasswordResetRequest, data)
        except InvalidInput as exc:
            values = {"email": str(data.get("email", ""))}
            return render(
                request,
                "accounts/password_reset.html",
                status_code=422,
                errors=exc.errors,
                values=values,
            )
        await links.request_password_reset(db_session, form.email)
        return render(request, "accounts/password_reset_sent.html", message=_(RESET_REQUESTED))

    @get("/password-reset/{token:str}")
    async def new_password_page(
        self, request: Request[Any, Any, Any], token: FromPath[str], db_session: DbSession
    ) -> Template:
        if not await links.reset_link_is_valid(db_session, token):
            return render(request, "accounts/new_password.html", status_code=410, ok=False)
        return render(request, "accounts/new_password.html", ok=True, token=token, errors={})

    @post("/password-reset/{token:str}")
    async def set_new_password(
        self,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        data: FormData,
        db_session: DbSession,
    ) -> Template | Redirect:
        try:
            await links.reset_password(db_session, token, str(data.get("password", "")))
        except links.LinkExpired:
            return render(request, "accounts/new_password.html", status_code=410, ok=False)
        except InvalidInput as exc:
            return render(
                request,
                "accounts/new_password.html",
                status_code=422,
                ok=True,
                token=token,
                errors=exc.errors,
            )
        request.clear_session()  # whoever was logged in here logs in again, with the new password
        return redirect_with_message(
            request, "/login", _("Your password has been changed. Log in with the new password.")
        )
