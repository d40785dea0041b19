"""Partner pages for an entrepreneur: asking a partner for a referral, taking up a partner
the grant's call offers, and their own referrals."""

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page, Req
from sme_hub.core.outcome import respond
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.roles import Role
from sme_hub.partners import referral_views, views


class ReferralApplicantPagesController(Controller):
    include_in_schema = False

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

    @post("/me/grants/{grant_id:int}/referrals", guards=[requires_login])
    async def take_offer(
        self,
        request: Req,
        grant_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Redirect:
        """The grantee asks for a referral to one of the call's partners."""
        result = await referral_views.take_offer(
            db_session, user, grant_id, data, settings=settings
        )
        return redirect_with_message(request, result.url, result.message, result.category)
