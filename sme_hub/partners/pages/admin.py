"""Partner pages for the admin: every partner, adding one, and the partner form with the
municipalities it serves."""

from litestar import get, post
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.outcome import respond
from sme_hub.core.pages import render
from sme_hub.core.roles import Role
from sme_hub.partners import forms, views
from sme_hub.partners.pages.partner_form import PartnerFormPages
from sme_hub.partners.web import FORM


class PartnerAdminPagesController(PartnerFormPages):
    path = "/admin/partners"
    guards = [requires_role(Role.ADMIN)]
    as_admin = True

    @get("/new")
    async def new_partner(self, request: Req, db_session: DbSession) -> Template:
        view = await views.form_view(
            db_session, None, forms.form_values(None), base=self.path, with_municipalities=True
        )
        return render(request, FORM, **view)

    @post("/new")
    async def create(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        result = await views.create_partner(db_session, user, data, base=self.path)
        return respond(request, result, FORM)
