"""Partner pages for centre staff: referring a client (a two-step form without JavaScript,
the service list reloaded by htmx with it) and the centre's referrals; the partner form of
a partner serving a municipality of the centre (the pages of PartnerFormPages)."""

from litestar import get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page, Req
from sme_hub.core.exports import export_route
from sme_hub.core.outcome import respond
from sme_hub.core.pages import PagesController, render
from sme_hub.core.roles import Role
from sme_hub.partners import referral_views
from sme_hub.partners.pages.partner_form import PartnerFormPages
from sme_hub.partners.referral_views import CENTRE_PAGE
from sme_hub.partners.web import referrals_export

REFERRALS = "partners/referrals/centre.html"


class ReferralCentrePagesController(PagesController):
    path = CENTRE_PAGE
    guards = [requires_role(Role.CENTRE_STAFF)]
    centre_export = export_route(
        ["/export.csv", "/export.xlsx"], referrals_export("centre", "centre_export")
    )

    @get("/")
    async def centre(
        self,
        request: Req,
        user: Actor,
        db_session: DbSession,
        page: Page,
        partner_id: FromQuery[str | None] = None,
    ) -> Template:
        view = await referral_views.centre_view(
            db_session, user, {"partner_id": partner_id or ""}, limit=page.limit, offset=page.offset
        )
        return render(request, REFERRALS, **view)

    @get("/services")
    async def services(
        self, request: Req, db_session: DbSession, partner_id: FromQuery[str | None] = None
    ) -> Template:
        """The service field for the partner chosen (htmx swaps it in on change)."""
        view = await referral_views.service_field_view(db_session, partner_id or "")
        return render(request, "partners/referrals/_service_field.html", **view)

    @post("/")
    async def refer(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession, settings: Config
    ) -> Template | Redirect:
        """ "Show its services" only reloads the form; "Refer" sends it."""
        result = await referral_views.refer(db_session, user, data, settings=settings)
        return respond(request, result, REFERRALS)


class PartnerCentrePagesController(PartnerFormPages):
    path = "/centre/partners"
    guards = [requires_role(Role.CENTRE_STAFF)]
