"""Partner pages for an entrepreneur: asking a partner for a referral and their own referrals
(taking up a partner the grant's call offers is on the grant's pages, in implementation)."""

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page, Req
from sme_hub.core.outcome import respond
from sme_hub.core.pages import PagesController, render
from sme_hub.core.roles import Role
from sme_hub.partners import referral_views, views


class ReferralApplicantPagesController(PagesController):
    @post("/partners/{partner_id:int}/referral", guards=[requires_role(Role.ENTREPRENEUR)])
    async def ask_referral(
        self,
        request: Req,
        partner_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        result = await views.ask_referral(db_session, user, partner_id, data, settings=settings)
        return respond(request, result, "partners/partner.html")

    @get("/me/referrals", guards=[requires_role(Role.ENTREPRENEUR)])
    async def mine(self, request: Req, user: Actor, db_session: DbSession, page: Page) -> Template:
        view = await referral_views.mine_view(
            db_session, user, limit=page.limit, offset=page.offset
        )
        return render(request, "partners/referrals/mine.html", **view)
