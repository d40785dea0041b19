"""The partner form pages shared by the admin's and the centre's partner pages."""

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.outcome import respond
from sme_hub.core.pages import PagesController, render
from sme_hub.partners import views
from sme_hub.partners.web import FORM


class PartnerFormPages(PagesController):
    """The list of partners and the form of one; only the admin's (`as_admin`) adds
    partners and chooses the municipalities they serve."""

    as_admin = False

    @get("/")
    async def partners_list(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        view = await views.manage_view(db_session, user, base=self.path, as_admin=self.as_admin)
        return render(request, "partners/manage.html", **view)

    @get("/{partner_id:int}")
    async def edit(
        self, request: Req, partner_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        view = await views.edit_view(
            db_session, user, partner_id, base=self.path, as_admin=self.as_admin
        )
        return render(request, FORM, **view)

    @post("/{partner_id:int}")
    async def update(
        self,
        request: Req,
        partner_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        result = await views.update_partner(
            db_session, user, partner_id, data, base=self.path, as_admin=self.as_admin
        )
        return respond(request, result, FORM)
