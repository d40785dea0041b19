"""What the accounts' API and pages share: local redirect targets, the base of emailed links,
the language of a link's owner, the two-factor setup form, and the texts both answer with."""

from typing import Any

from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts import two_factor
from sme_hub.core.client_address import client_address
from sme_hub.core.deps import Req
from sme_hub.core.i18n import N_, choose_locale, current_locale
from sme_hub.core.locale_web import LANG_COOKIE
from sme_hub.core.pages import render
from sme_hub.db import Database

LINK_EXPIRED = N_("This link has expired or has already been used.")
REGISTERED = N_(
    "Thank you. We have sent an email to {email}: open the link in it to confirm the address, "
    "then log in with your email and password."
)
RESET_REQUESTED = N_(
    "If an account with this email address exists, we have sent it a link to set a new "
    "password. The link works for one hour."
)


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


def base_url(request: Req) -> str:
    """Where links in emails point (settings.base_url)."""
    url: str = request.app.state.settings.base_url
    return url


def use_locale_of(request: Req, preference: str) -> None:
    """Answer in the language of the link's owner unless the visitor chose one."""
    current_locale.set(
        choose_locale(
            request.query_params.get("lang"),
            request.cookies.get(LANG_COOKIE),
            preference,
            request.headers.get("accept-language", ""),
        )
    )


def two_factor_setup(
    request: Req, form: dict[str, Any], *, own: bool, error: str | None = None
) -> Template:
    """The setup of two-factor sign-in (`form`: its QR code and secret): at login, where the
    role requires it, or on one's own account page."""
    return render(
        request,
        "accounts/two_factor_setup.html",
        status_code=422 if error else 200,
        action="/account/two-factor" if own else "/login/two-factor/setup",
        required=not own,
        errors={"code": error} if error else {},
        **form,
    )


async def confirm_two_factor_setup(
    request: Req, session: AsyncSession, db: Database, user_id: int, code: str, *, own: bool
) -> list[str] | Template:
    """The recovery codes when `code` confirms the pending setup, else its form again with
    the problem."""
    key = request.app.state.settings.secret_key
    outcome = await two_factor.confirm_setup(
        session, db, user_id, code, key, client_address(request)
    )
    if isinstance(outcome, str):
        form = await two_factor.setup_form(session, user_id, key)
        return two_factor_setup(request, form, own=own, error=outcome)
    return outcome
