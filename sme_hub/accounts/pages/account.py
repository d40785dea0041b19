"""The account page of every logged-in person: two-factor sign-in on or off, a new password,
the signed-in sessions (and ending them)."""

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.accounts import passwords, service, sessions, two_factor, user_sessions
from sme_hub.accounts.web import confirm_two_factor_setup, two_factor_setup
from sme_hub.core.auth import requires_login
from sme_hub.core.client_address import client_address
from sme_hub.core.deps import Actor, Config, Db, DbSession, FormData, Req
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, TooManyRequests
from sme_hub.core.i18n import _
from sme_hub.core.pages import PagesController, redirect_with_message, render
from sme_hub.core.refusals import refusal_errors
from sme_hub.core.roles import CurrentUser


class AccountPagesController(PagesController):
    path = "/account"
    guards = [requires_login]

    async def _page(
        self,
        request: Req,
        db_session: DbSession,
        user: CurrentUser,
        refused: tuple[int, dict[str, str]] | None = None,
    ) -> Template:
        """The account page; after a refused change (`refused`: its status and the messages
        by field), with those messages."""
        status_code, errors = refused or (200, {})
        overview = await service.account_overview(db_session, user, sessions.current_sid(request))
        return render(
            request, "accounts/account.html", status_code=status_code, errors=errors, **overview
        )

    @get("/")
    async def index(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        return await self._page(request, db_session, user)

    @get("/two-factor")
    async def setup_page(
        self, request: Req, user: Actor, db_session: DbSession, settings: Config
    ) -> Template | Redirect:
        form = await two_factor.own_setup_form(db_session, user.id, settings.secret_key)
        if form is None:
            return Redirect(path="/account", status_code=303)
        return two_factor_setup(request, form, own=True)

    @post("/two-factor")
    async def enable(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession, db: Db
    ) -> Template | Redirect:
        code = str(data.get("code", ""))
        try:
            outcome = await confirm_two_factor_setup(
                request, db_session, db, user.id, code, own=True
            )
        except Conflict as exc:
            return redirect_with_message(request, "/account", exc.detail, "info")
        if isinstance(outcome, Template):
            return outcome
        return render(request, "accounts/recovery_codes.html", codes=outcome, next_path="/account")

    @post("/two-factor/disable")
    async def disable(
        self,
        request: Req,
        data: FormData,
        user: Actor,
        db_session: DbSession,
        db: Db,
        settings: Config,
    ) -> Template | Redirect:
        code, address = str(data.get("code", "")), client_address(request)
        try:
            await two_factor.disable(db_session, db, user, code, settings.secret_key, address)
        except two_factor.WrongCode:
            return await self._page(
                request, db_session, user, (401, {"code": _(two_factor.WRONG_CODE)})
            )
        except (TooManyRequests, Forbidden, Conflict) as exc:
            return await self._page(
                request, db_session, user, (exc.status_code, {"code": exc.detail})
            )
        return redirect_with_message(request, "/account", _("Two-factor sign-in is now off."))

    @post("/password")
    async def change_password(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession, db: Db
    ) -> Template | Redirect:
        current, new = str(data.get("current_password", "")), str(data.get("new_password", ""))
        address = client_address(request)
        try:
            account = await passwords.change_password(db_session, db, user, current, new, address)
        except (InvalidInput, TooManyRequests) as exc:
            errors = refusal_errors(exc, "current_password")
            return await self._page(request, db_session, user, (exc.status_code, errors))
        # Every session ended with the old password; this one goes on, with a new id.
        await sessions.start_session(request, account, address)
        return redirect_with_message(request, "/account", _("Your password has been changed."))

    @post("/sessions/sign-out-everywhere")
    async def sign_out_everywhere(
        self, request: Req, user: Actor, db_session: DbSession
    ) -> Redirect:
        await user_sessions.sign_out_everywhere(db_session, user, sessions.current_sid(request))
        return redirect_with_message(
            request,
            "/account",
            _("You have been signed out everywhere else, and your API tokens were revoked."),
        )

    @post("/sessions/{session_id:int}/end")
    async def end_session(
        self, request: Req, session_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Redirect:
        await user_sessions.end_other_session(
            db_session, user, session_id, sessions.current_sid(request)
        )
        return redirect_with_message(request, "/account", _("That session has been ended."))
