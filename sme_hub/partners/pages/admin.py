"""Partner pages for the admin: every partner, adding one, and the partner form with the
municipalities it serves."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, FormData
from sme_hub.core.outcome import respond
from sme_hub.core.pages import render
from sme_hub.core.roles import Role
from sme_hub.partners import forms, views

FORM = "partners/form.html"


class PartnerAdminPagesController(Controller):
    path = "/admin/partners"
    guards = [requires_role(Role.ADMIN)]
    include_in_schema = False

    @get("/")
    async def partners_list(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        view = await views.manage_view(db_session, user, base=self.path, as_admin=True)
        return render(request, "partners/manage.html", **view)

    @get("/new")
    async def new_partner(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        view = await views.form_view(
            db_session, None, forms.form_values(None), base=self.path, with_municipalities=True
        )
        return render(request, FORM, **view)

    @post("/new")
    async def create(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        result = await views.create_partner(db_session, user, data, base=self.path)
        return respond(request, result, FORM)

    @get("/{partner_id:int}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        view = await views.edit_view(db_session, user, partner_id, base=self.path, as_admin=True)
        return render(request, FORM, **view)

    @post("/{partner_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        result = await views.update_partner(
            db_session, user, partner_id, data, base=self.path, as_admin=True
        )
        return respond(request, result, FORM)
