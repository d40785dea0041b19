"""Two-factor sign-in over HTTP: the second login step, the setup (QR code, confirmation,
recovery codes), and an administrator's reset (page and API)."""

from typing import Any

import segno
from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from markupsafe import Markup

from sme_hub.accounts import service, sessions, two_factor
from sme_hub.accounts.controllers import client_address, landing
from sme_hub.accounts.models import User
from sme_hub.accounts.rules import grouped_secret, provisioning_uri
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, Config, Db, DbSession, FormData
from sme_hub.core.errors import TooManyRequests
from sme_hub.core.i18n import N_, _
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.roles import Role
from sme_hub.db import Database

WRONG_CODE = N_("This code is not right, or it has already been used. Try the current code.")
admin_only = [requires_role(Role.ADMIN)]


def qr_svg(uri: str) -> Markup:
    """The otpauth address as an inline SVG QR code (no image request, no script)."""
    # A viewBox and no fixed size: the code scales down to a 320 px screen (app.css sizes it).
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, omitsize=True, title=_("QR code for your authenticator app")
    )
    return Markup(svg)  # noqa: S704 - segno's own markup of a URI we built


def setup_context(user: User, secret: str) -> dict[str, Any]:
    return {
        "qr": qr_svg(provisioning_uri(secret, user.email)),
        "secret": grouped_secret(secret),
    }


async def pending_user(
    request: Request[Any, Any, Any], db_session: DbSession, *, setup: bool
) -> tuple[sessions.Pending, User] | None:
    """The half-logged-in user of this session, when the marker is fresh and of this step."""
    marker = sessions.pending(request)
    if marker is None or marker.setup != setup:
        return None
    user = await db_session.get(User, marker.user_id)
    if user is None or not marker.matches(user):
        return None
    return marker, user


async def check_code(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    db: Database,
    user: User,
    code: str,
    secret_key: str,
) -> tuple[int, str] | None:
    """None when the code is accepted, else the status and message to show (401, or 429
    when throttled)."""
    try:
        await two_factor.verify(db_session, db, user, code, secret_key, client_address(request))
    except two_factor.WrongCode:
        return 401, _(WRONG_CODE)
    except TooManyRequests as exc:
        return 429, exc.detail
    return None


async def confirm_setup(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    db: Database,
    user: User,
    code: str,
    secret_key: str,
) -> list[str] | str:
    """The recovery codes when the code confirms the pending secret, else the message."""
    address = client_address(request)
    try:
        await service.check_code_throttle(db_session, user.email, address)
        return await two_factor.enable(db_session, user, code, secret_key)
    except two_factor.WrongCode:
        await service.record_login_failure(db, user.email, address, code=True)
        return _(WRONG_CODE)
    except TooManyRequests as exc:
        return exc.detail


class TwoFactorLoginController(Controller):
    path = "/login/two-factor"
    include_in_schema = False

    @get("/")
    async def second_step_page(
        self, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template | Redirect:
        if await pending_user(request, db_session, setup=False) is None:
            return Redirect(path="/login", status_code=303)
        return render(request, "accounts/two_factor.html", errors={})

    @post("/")
    async def second_step(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        db_session: DbSession,
        db: Db,
        settings: Config,
    ) -> Template | Redirect:
        found = await pending_user(request, db_session, setup=False)
        if found is None:
            return redirect_with_message(
                request, "/login", _("Please log in again: the sign-in took too long."), "info"
            )
        marker, user = found
        code = str(data.get("code", ""))
        problem = await check_code(request, db_session, db, user, code, settings.secret_key)
        if problem:
            status, message = problem
            return render(
                request, "accounts/two_factor.html", status_code=status, errors={"code": message}
            )
        address = client_address(request)
        await service.forget_failures(db_session, user.email, address)
        return await sessions.complete_login(
            request, user, await landing(db_session, user, marker.next_path), address
        )

    @get("/setup")
    async def setup_page(
        self, request: Request[Any, Any, Any], db_session: DbSession, settings: Config
    ) -> Template | Redirect:
        found = await pending_user(request, db_session, setup=True)
        if found is None:
            return Redirect(path="/login", status_code=303)
        _marker, user = found
        secret = await two_factor.pending_secret(db_session, user, settings.secret_key)
        return render(
            request,
            "accounts/two_factor_setup.html",
            action="/login/two-factor/setup",
            required=True,
            errors={},
            **setup_context(user, secret),
        )

    @post("/setup")
    async def setup(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        db_session: DbSession,
        db: Db,
        settings: Config,
    ) -> Template | Redirect:
        found = await pending_user(request, db_session, setup=True)
        if found is None:
            return redirect_with_message(
                request, "/login", _("Please log in again: the sign-in took too long."), "info"
            )
        marker, user = found
        outcome = await confirm_setup(
            request, db_session, db, user, str(data.get("code", "")), settings.secret_key
        )
        if isinstance(outcome, str):
            secret = await two_factor.pending_secret(db_session, user, settings.secret_key)
            return render(
                request,
                "accounts/two_factor_setup.html",
                status_code=422,
                action="/login/two-factor/setup",
                required=True,
                errors={"code": outcome},
                **setup_context(user, secret),
            )
        address = client_address(request)
        await service.forget_failures(db_session, user.email, address)
        await sessions.start_session(request, user, address)  # logged in from this response on
        return render(
            request,
            "accounts/recovery_codes.html",
            codes=outcome,
            next_path=await landing(db_session, user, marker.next_path),
        )


class TwoFactorAdminController(Controller):
    """An administrator removes the second factor of someone who lost their authenticator."""

    guards = admin_only

    @post("/api/v1/admin/users/{user_id:int}/two-factor/reset", status_code=204, tags=["admin"])
    async def reset_api(self, user_id: FromPath[int], user: Actor, db_session: DbSession) -> None:
        """Remove a user's two-factor sign-in (audited); a role that requires it sets it up
        again at the next login."""
        await two_factor.reset(db_session, user, user_id)

    @post("/admin/users/{user_id:int}/two-factor/reset", include_in_schema=False)
    async def reset_page(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        await two_factor.reset(db_session, user, user_id)
        return redirect_with_message(
            request, "/admin", _("Two-factor sign-in has been reset for this account.")
        )
