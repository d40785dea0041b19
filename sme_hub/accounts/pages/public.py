"""Pages anyone may open: log in (with the second step and its setup), register, log out,
the privacy notice, email confirmation and password reset."""

from dataclasses import replace
from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.accounts import links, login, registration, sessions, two_factor
from sme_hub.accounts.rules import CONSENT_VERSION
from sme_hub.accounts.schemas import PasswordResetRequest, RegisterRequest
from sme_hub.accounts.web import (
    REGISTERED,
    RESET_REQUESTED,
    base_url,
    confirm_two_factor_setup,
    local_path,
    safe_next,
    two_factor_setup,
    use_locale_of,
)
from sme_hub.core.auth import current_user, requires_login
from sme_hub.core.client_address import client_address
from sme_hub.core.deps import Actor, Config, Db, DbSession, FormData, Req
from sme_hub.core.errors import InvalidInput, TooManyRequests
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import N_, _
from sme_hub.core.pages import PagesController, redirect_with_message, render

RESEND_TOO_SOON = N_(
    "We sent you a link less than two minutes ago. Please check your inbox and spam folder, "
    "or try again a little later."
)
SIGN_IN_TOO_LONG = N_("Please log in again: the sign-in took too long.")


def _login_again(
    request: Req,
    status_code: int,
    email: str,
    next_path: str | None,
    message: str,
    *,
    credentials_wrong: bool = False,
) -> Template:
    return render(
        request,
        "accounts/login.html",
        status_code=status_code,
        next=next_path,
        values={"email": email},
        errors={"__all__": message},
        credentials_wrong=credentials_wrong,
    )


def _form(
    request: Req, template: str, refused: InvalidInput | None = None, **context: Any
) -> Template:
    """A form of accounts/`template`: empty, or again with the messages of what `refused` it."""
    errors = refused.errors if refused else {}
    status_code = 422 if refused else 200
    return render(
        request, f"accounts/{template}", status_code=status_code, errors=errors, **context
    )


def _link_expired(request: Req) -> Template:
    return render(request, "accounts/new_password.html", status_code=410, ok=False)


class AuthPagesController(PagesController):
    @get("/login")
    async def login_page(self, request: Req) -> Template:
        next_path = local_path(request.query_params.get("next"))
        return render(request, "accounts/login.html", next=next_path, errors={}, values={})

    @post("/login")
    async def login(
        self, request: Req, data: FormData, db_session: DbSession, db: Db
    ) -> Template | Redirect:
        email = str(data.get("email", "")).strip()
        next_path = local_path(data.get("next"))
        address = client_address(request)
        password = str(data.get("password", ""))
        try:
            user = await login.authenticate(db_session, db, email, password, address)
        except login.WrongCredentials:
            message = _("Wrong email or password.")
            return _login_again(request, 401, email, next_path, message, credentials_wrong=True)
        except TooManyRequests as exc:
            return _login_again(request, 429, email, next_path, exc.detail)
        return await sessions.after_password(request, db_session, user, next_path, address)

    @get("/register")
    async def register_page(self, request: Req) -> Template:
        return _form(request, "register.html", values={})

    @post("/register")
    async def register(
        self, request: Req, data: FormData, db_session: DbSession
    ) -> Template | Redirect:
        values = {k: v for k, v in data.items() if k != "password"}
        try:
            form = parse_form(RegisterRequest, {"consent": False, **data})
            await registration.register(db_session, form, base_url=base_url(request))
        except InvalidInput as exc:
            return _form(request, "register.html", exc, values=values)
        # Not logged in at once: an address that already had an account gets this same
        # answer (its owner is emailed), so the page tells nobody who has an account.
        return redirect_with_message(request, "/login", _(REGISTERED).format(email=form.email))

    @get("/privacy")
    async def privacy(self, request: Req) -> Template:
        return render(request, "accounts/privacy.html", consent_version=CONSENT_VERSION)

    @post("/logout")
    async def logout(self, request: Req) -> Redirect:
        await sessions.end_session(request)
        return redirect_with_message(request, "/", _("You have logged out."), "info")

    # --- email confirmation -----------------------------------------------------------------

    @get("/confirm-email/{token:str}")
    async def confirm_email(
        self, request: Req, token: FromPath[str], db_session: DbSession
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
        self, request: Req, user: Actor, data: FormData, db_session: DbSession
    ) -> Redirect:
        outcome = await links.resend_confirmation(db_session, user.id, base_url(request))
        sent = _("We have sent a new confirmation link to {email}.").format(email=user.email)
        message, category = {
            links.Resend.SENT: (sent, "success"),
            links.Resend.TOO_SOON: (_(RESEND_TOO_SOON), "info"),
            links.Resend.ALREADY_CONFIRMED: (_("Your email address is already confirmed."), "info"),
        }[outcome]
        return redirect_with_message(request, safe_next(data.get("next")), message, category)

    # --- password reset ---------------------------------------------------------------------

    @get("/password-reset")
    async def password_reset_page(self, request: Req) -> Template:
        return _form(request, "password_reset.html", values={})

    @post("/password-reset")
    async def password_reset(self, request: Req, data: FormData, db_session: DbSession) -> Template:
        try:
            form = parse_form(PasswordResetRequest, data)
        except InvalidInput as exc:
            values = {"email": str(data.get("email", ""))}
            return _form(request, "password_reset.html", exc, values=values)
        await links.request_password_reset(db_session, form.email)
        return render(request, "accounts/password_reset_sent.html", message=_(RESET_REQUESTED))

    @get("/password-reset/{token:str}")
    async def new_password_page(
        self, request: Req, token: FromPath[str], db_session: DbSession
    ) -> Template:
        if not await links.reset_link_is_valid(db_session, token):
            return _link_expired(request)
        return _form(request, "new_password.html", token=token, ok=True)

    @post("/password-reset/{token:str}")
    async def set_new_password(
        self, request: Req, token: FromPath[str], data: FormData, db_session: DbSession
    ) -> Template | Redirect:
        try:
            await links.reset_password(db_session, token, str(data.get("password", "")))
        except links.LinkExpired:
            return _link_expired(request)
        except InvalidInput as exc:
            return _form(request, "new_password.html", exc, token=token, ok=True)
        request.clear_session()  # whoever was logged in here logs in again, with the new password
        return redirect_with_message(
            request, "/login", _("Your password has been changed. Log in with the new password.")
        )


class TwoFactorLoginController(PagesController):
    """The second step of logging in, and its setup for a role that requires it."""

    path = "/login/two-factor"

    @get("/")
    async def second_step_page(self, request: Req, db_session: DbSession) -> Template | Redirect:
        if await sessions.pending_user(request, db_session, setup=False) is None:
            return Redirect(path="/login", status_code=303)
        return render(request, "accounts/two_factor.html", errors={})

    @post("/")
    async def second_step(
        self, request: Req, data: FormData, db_session: DbSession, db: Db, settings: Config
    ) -> Template | Redirect:
        found = await sessions.pending_user(request, db_session, setup=False)
        if found is None:
            return redirect_with_message(request, "/login", _(SIGN_IN_TOO_LONG), "info")
        marker, user = found
        address, code = client_address(request), str(data.get("code", ""))
        problem = await two_factor.check_code(
            db_session, db, user, code, settings.secret_key, address
        )
        if problem:
            status, message = problem
            errors = {"code": message}
            return render(request, "accounts/two_factor.html", status_code=status, errors=errors)
        return await sessions.finish_login(request, db_session, user, marker.next_path, address)

    @get("/setup")
    async def setup_page(
        self, request: Req, db_session: DbSession, settings: Config
    ) -> Template | Redirect:
        found = await sessions.pending_user(request, db_session, setup=True)
        if found is None:
            return Redirect(path="/login", status_code=303)
        form = await two_factor.setup_form(db_session, found[0].user_id, settings.secret_key)
        return two_factor_setup(request, form, own=False)

    @post("/setup")
    async def setup(
        self, request: Req, data: FormData, db_session: DbSession, db: Db
    ) -> Template | Redirect:
        found = await sessions.pending_user(request, db_session, setup=True)
        if found is None:
            return redirect_with_message(request, "/login", _(SIGN_IN_TOO_LONG), "info")
        marker, user = found
        code = str(data.get("code", ""))
        outcome = await confirm_two_factor_setup(
            request, db_session, db, marker.user_id, code, own=False
        )
        if isinstance(outcome, Template):
            return outcome
        address = client_address(request)
        landing = await sessions.finish_setup(request, db_session, user, marker.next_path, address)
        return render(request, "accounts/recovery_codes.html", codes=outcome, next_path=landing)
