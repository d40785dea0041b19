"""The account page of every logged-in person: two-factor sign-in on or off, a new password,
the signed-in sessions (and ending them); an administrator's deactivation of an account."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.accounts import service, sessions, two_factor, user_sessions
from sme_hub.accounts.controllers import client_address
from sme_hub.accounts.models import User
from sme_hub.accounts.rules import two_factor_required
from sme_hub.accounts.two_factor_pages import WRONG_CODE, confirm_setup, setup_context
from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, Config, Db, DbSession, FormData
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, TooManyRequests
from sme_hub.core.i18n import _
from sme_hub.core.pages import confirmation, confirmed, redirect_with_message, render
from sme_hub.core.roles import CurrentUser, Role


async def account_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    actor: CurrentUser,
    *,
    status_code: int = 200,
    errors: dict[str, str] | None = None,
) -> Template:
    user = await db_session.get(User, actor.id)
    assert user is not None
    return render(
        request,
        "accounts/account.html",
        status_code=status_code,
        two_factor_on=two_factor.is_enabled(user),
        two_factor_required=two_factor_required(actor.roles),
        codes_left=await two_factor.recovery_codes_left(db_session, actor.id),
        sessions=await user_sessions.list_sessions(
            db_session, actor.id, sessions.current_sid(request)
        ),
        errors=errors or {},
    )


class AccountPagesController(Controller):
    path = "/account"
    guards = [requires_login]
    include_in_schema = False

    @get("/")
    async def index(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        return await account_page(request, db_session, user)

    @get("/two-factor")
    async def setup_page(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession, settings: Config
    ) -> Template | Redirect:
        account = await db_session.get(User, user.id)
        assert account is not None
        if two_factor.is_enabled(account):
            return Redirect(path="/account", status_code=303)
        secret = await two_factor.pending_secret(db_session, account, settings.secret_key)
        return render(
            request,
            "accounts/two_factor_setup.html",
            action="/account/two-factor",
            required=False,
            errors={},
            **setup_context(account, secret),
        )

    @post("/two-factor")
    async def enable(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        db: Db,
        settings: Config,
    ) -> Template | Redirect:
        account = await db_session.get(User, user.id)
        assert account is not None
        try:
            outcome = await confirm_setup(
                request, db_session, db, account, str(data.get("code", "")), settings.secret_key
            )
        except Conflict as exc:
            return redirect_with_message(request, "/account", exc.detail, "info")
        if isinstance(outcome, str):
            secret = await two_factor.pending_secret(db_session, account, settings.secret_key)
            return render(
                request,
                "accounts/two_factor_setup.html",
                status_code=422,
                action="/account/two-factor",
                required=False,
                errors={"code": outcome},
                **setup_context(account, secret),
            )
        return render(request, "accounts/recovery_codes.html", codes=outcome, next_path="/account")

    @post("/two-factor/disable")
    async def disable(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        db: Db,
        settings: Config,
    ) -> Template | Redirect:
        try:
            await two_factor.disable(
                db_session,
                db,
                user,
                str(data.get("code", "")),
                settings.secret_key,
                client_address(request),
            )
        except two_factor.WrongCode:
            return await account_page(
                request, db_session, user, status_code=401, errors={"code": _(WRONG_CODE)}
            )
        except (TooManyRequests, Forbidden, Conflict) as exc:
            return await account_page(
                request, db_session, user, status_code=exc.status_code, errors={"code": exc.detail}
            )
        return redirect_with_message(request, "/account", _("Two-factor sign-in is now off."))

    @post("/password")
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        db: Db,
    ) -> Template | Redirect:
        try:
            account = await service.change_password(
                db_session,
                db,
                user,
                str(data.get("current_password", "")),
                str(data.get("new_password", "")),
                client_address(request),
            )
        except InvalidInput as exc:
            return await account_page(request, db_session, user, status_code=422, errors=exc.errors)
        except TooManyRequests as exc:
            errors = {"current_password": exc.detail}
            return await account_page(request, db_session, user, status_code=429, errors=errors)
        # Every session ended with the old password; this one goes on, with a new id.
        await sessions.start_session(request, account, client_address(request))
        return redirect_with_message(request, "/account", _("Your password has been changed."))

    @post("/sessions/sign-out-everywhere")
    async def sign_out_everywhere(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Redirect:
        await user_sessions.sign_out_everywhere(db_session, user, sessions.current_sid(request))
        return redirect_with_message(
            request,
            "/account",
            _("You have been signed out everywhere else, and your API tokens were revoked."),
        )

    @post("/sessions/{session_id:int}/end")
    async def end_session(
        self,
        request: Request[Any, Any, Any],
        session_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        await user_sessions.end_other_session(
            db_session, user, session_id, sessions.current_sid(request)
        )
        return redirect_with_message(request, "/account", _("That session has been ended."))


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

    @post("/admin/users/{user_id:int}/deactivate", include_in_schema=False)
    async def deactivate_page(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        if not confirmed(data):
            account = await user_sessions.account_to_deactivate(db_session, user, user_id)
            return confirmation(
                request,
                title=_("Deactivate the account of {name}?").format(name=account.full_name),
                consequences=[
                    _("The person can no longer log in; their sessions and API tokens end now."),
                    _("What they did stays in the records and the history."),
                ],
                button=_("Yes, deactivate the account"),
                cancel="/admin",
                data=data,
            )
        await user_sessions.deactivate_user(db_session, user, user_id)
        return redirect_with_message(request, "/admin", _("The account has been deactivated."))
