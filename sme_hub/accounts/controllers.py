"""Accounts over HTTP: the auth API and the login, registration and logout pages."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotAuthorizedException
from litestar.params import JSONBody
from litestar.response import Redirect, Template

from sme_hub.accounts import service
from sme_hub.accounts.schemas import RegisterRequest, TokenRequest, TokenResponse, UserRead
from sme_hub.core.auth import SESSION_USER_KEY, requires_login
from sme_hub.core.deps import Actor, Db, DbSession, FormData
from sme_hub.core.errors import Conflict, InvalidInput, TooManyRequests
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _
from sme_hub.core.pages import redirect_with_message, render


def client_address(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def safe_next(target: str | None) -> str:
    """Only a path on this site, never another host (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class AuthApiController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/register", status_code=201)
    async def register(self, data: JSONBody[RegisterRequest], db_session: DbSession) -> UserRead:
        """Create an entrepreneur's account (consent required)."""
        user = await service.register(db_session, data)
        assert user.id is not None
        return await service.read_user(db_session, user.id)

    @post("/auth/token", status_code=200)
    async def token(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TokenRequest],
        db_session: DbSession,
        db: Db,
    ) -> TokenResponse:
        """Exchange email and password for a bearer token (429 after repeated failures)."""
        try:
            user = await service.authenticate(
                db_session, db, data.email, data.password, client_address(request)
            )
        except service.WrongCredentials:
            raise NotAuthorizedException(detail=_("Wrong email or password.")) from None
        token, expires_at = await service.issue_token(db_session, user)
        return TokenResponse(access_token=token, expires_at=expires_at)

    @get("/me", guards=[requires_login])
    async def me(self, user: Actor, db_session: DbSession) -> UserRead:
        """The caller with their roles."""
        return await service.read_user(db_session, user.id)


class AuthPagesController(Controller):
    include_in_schema = False

    @get("/login")
    async def login_page(self, request: Request[Any, Any, Any]) -> Template:
        next_path = safe_next(request.query_params.get("next"))
        return render(request, "accounts/login.html", next=next_path, errors={}, values={})

    @post("/login")
    async def login(
        self, request: Request[Any, Any, Any], data: FormData, db_session: DbSession, db: Db
    ) -> Template | Redirect:
        email = str(data.get("email", "")).strip()
        next_path = safe_next(data.get("next"))
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
        request.set_session({SESSION_USER_KEY: user.id})
        return redirect_with_message(
            request, next_path, _("Welcome, {name}!").format(name=user.full_name)
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
            user = await service.register(db_session, form)
        except InvalidInput as exc:
            return render(
                request, "accounts/register.html", status_code=422, errors=exc.errors, values=values
            )
        except Conflict as exc:
            return render(
                request,
                "accounts/register.html",
                status_code=409,
                errors={"email": exc.detail},
                values=values,
            )
        request.set_session({SESSION_USER_KEY: user.id})
        return redirect_with_message(
            request, "/", _("Your account is ready. Welcome, {name}!").format(name=user.full_name)
        )

    @post("/logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return redirect_with_message(request, "/", _("You have logged out."), "info")
