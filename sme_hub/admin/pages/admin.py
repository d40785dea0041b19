"""The admin page: municipalities, business support centres and user accounts created by
hand, with the latest emails and the partners."""

from typing import Any

from litestar import get, post
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from sme_hub.accounts.schemas import AdminUserCreate
from sme_hub.admin import users
from sme_hub.admin.forms import user_form_errors, user_from_form
from sme_hub.admin.overview import admin_overview
from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _
from sme_hub.core.pages import PagesController, redirect_with_message, render
from sme_hub.core.refusals import refusal_errors
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.organisations import service
from sme_hub.organisations.schemas import CentreCreate, MunicipalityCreate


async def admin_page(
    request: Req,
    db_session: DbSession,
    *,
    status_code: int = 200,
    form: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    viewer: CurrentUser | None = None,
) -> Template:
    return render(
        request,
        "admin/admin.html",
        status_code=status_code,
        form=form,
        errors=errors or {},
        values=values or {},
        **await admin_overview(db_session, viewer),
    )


class AdminPagesController(PagesController):
    path = "/admin"
    guards = [requires_role(Role.ADMIN)]

    @get("/", guards=[requires_login])
    async def index(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        return await admin_page(request, db_session, viewer=user)

    async def _refused(
        self, request: Req, db_session: DbSession, exc: HTTPException, form: str, **shown: Any
    ) -> Template:
        """The admin page again with the refused `form` open (`shown`: its errors and values)."""
        return await admin_page(
            request, db_session, status_code=exc.status_code, form=form, **shown
        )

    @post("/municipalities")
    async def create_municipality(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        try:
            await service.create_municipality(
                db_session, user, parse_form(MunicipalityCreate, data)
            )
        except (InvalidInput, Conflict) as exc:
            errors = refusal_errors(exc, "katottg")
            return await self._refused(
                request, db_session, exc, "municipality", errors=errors, values=data
            )
        return redirect_with_message(request, "/admin", _("Municipality created."))

    @post("/centres")
    async def create_centre(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        try:
            await service.create_centre(db_session, user, parse_form(CentreCreate, data))
        except InvalidInput as exc:
            return await self._refused(
                request, db_session, exc, "centre", errors=exc.errors, values=data
            )
        return redirect_with_message(request, "/admin", _("Business support centre created."))

    @post("/users")
    async def create_user(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        try:
            form = parse_form(AdminUserCreate, user_from_form(data))
            await users.create_user(db_session, user, form)
        except (InvalidInput, Conflict) as exc:
            errors = user_form_errors(refusal_errors(exc, "email"))
            values = {k: v for k, v in data.items() if k != "password"}
            return await self._refused(
                request, db_session, exc, "user", errors=errors, values=values
            )
        return redirect_with_message(request, "/admin", _("User account created."))
