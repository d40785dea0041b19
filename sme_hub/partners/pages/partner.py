"""Referral pages for a partner: the inbox where referrals are accepted, declined and
completed, and its export."""

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page, Req
from sme_hub.core.exports import export_route
from sme_hub.core.outcome import respond
from sme_hub.core.pages import PagesController, render
from sme_hub.core.roles import Role
from sme_hub.partners import forms, referral_views
from sme_hub.partners.referral_views import PARTNER_PAGE
from sme_hub.partners.web import referrals_export

INBOX = "partners/referrals/partner.html"


class ReferralPartnerPagesController(PagesController):
    path = PARTNER_PAGE
    guards = [requires_role(Role.PARTNER)]

    @get("/")
    async def inbox(
        self,
        request: Req,
        user: Actor,
        db_session: DbSession,
        page: Page,
        status: FromQuery[str | None] = None,
    ) -> Template:
        known = forms.known_status(status)
        view = await referral_views.inbox_view(
            db_session, user, limit=page.limit, offset=page.offset, status=known
        )
        return render(request, INBOX, **view)

    @post("/{referral_id:int}")
    async def answer(
        self,
        request: Req,
        referral_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        """Accept, decline or complete; a refusal shows the inbox again."""
        result = await referral_views.answer(db_session, user, referral_id, data, settings=settings)
        return respond(request, result, INBOX)

    inbox_export = export_route(
        ["/export.csv", "/export.xlsx"], referrals_export("partner", "inbox_export")
    )
