"""An administrator's actions on someone's account from the admin page: deactivate it, reset
its two-factor sign-in."""

from typing import Any

from litestar import post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.accounts import two_factor, user_sessions
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.i18n import _
from sme_hub.core.pages import PagesController, confirmation, confirmed, redirect_with_message
from sme_hub.core.roles import Role


def _ask_before_deactivating(request: Req, name: str, data: dict[str, Any]) -> Template:
    return confirmation(
        request,
        title=_("Deactivate the account of {name}?").format(name=name),
        consequences=[
            _("The person can no longer log in; their sessions and API tokens end now."),
            _("What they did stays in the records and the history."),
        ],
        button=_("Yes, deactivate the account"),
        cancel="/admin",
        data=data,
    )


class AccountAdminPagesController(PagesController):
    path = "/admin/users"
    guards = [requires_role(Role.ADMIN)]

    @post("/{user_id:int}/deactivate")
    async def deactivate_page(
        self,
        request: Req,
        user_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        data: FormData,
    ) -> Template | Redirect:
        if not confirmed(data):
            account = await user_sessions.account_to_deactivate(db_session, user, user_id)
            return _ask_before_deactivating(request, account.full_name, data)
        await user_sessions.deactivate_user(db_session, user, user_id)
        return redirect_with_message(request, "/admin", _("The account has been deactivated."))

    @post("/{user_id:int}/two-factor/reset")
    async def reset_page(
        self, request: Req, user_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Redirect:
        await two_factor.reset(db_session, user, user_id)
        return redirect_with_message(
            request, "/admin", _("Two-factor sign-in has been reset for this account.")
        )
