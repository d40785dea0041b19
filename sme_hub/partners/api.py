"""Partners and referrals over the API (api.md): the public directory, partner records for
admins and centre staff, referrals and their answers, and the referral figures reports use
(the partners a call names are in grants.api, a grant's offers in implementation.api)."""

from datetime import date

from litestar import Controller, get, patch, post
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, Config, DbSession, Page
from sme_hub.core.errors import InvalidInput, NotFound
from sme_hub.core.exports import Export, export_route
from sme_hub.core.i18n import _
from sme_hub.core.paged import listed
from sme_hub.core.public_cache import public_cache
from sme_hub.core.refusals import ERRORS
from sme_hub.core.roles import Role
from sme_hub.partners import directory as partner_directory
from sme_hub.partners import exports, rules
from sme_hub.partners import figures as referral_figures
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners.schemas import (
    PartnerCreate,
    PartnerRead,
    PartnerUpdate,
    ReferralChange,
    ReferralFigures,
    ReferralIn,
    ReferralRead,
)
from sme_hub.partners.web import Filters, directory_filters


async def referrals_export(user: Actor, status: FromQuery[str | None] = None) -> Export:
    """The caller's referrals as `GET /referrals` lists them (`?status=`), as CSV or
    XLSX (by the path), streamed."""
    return exports.referrals_export(user, status=exports.checked_status(status), side=None)


class PartnersApiController(Controller):
    path = "/api/v1"
    tags = ["partners"]

    @get(
        "/partners",
        dependencies=directory_filters,
        raises=[InvalidInput],
        middleware=[public_cache],
    )
    async def directory(
        self, db_session: DbSession, page: Page, filters: Filters
    ) -> OffsetPagination[PartnerRead]:
        """Active partners (public), by name: `?kind=&sector=&municipality=&service=&q=`."""
        return await listed(PartnerRead, page, partner_directory.directory, db_session, filters)

    @get("/partners/{partner_id:int}", raises=[NotFound])
    async def partner(self, partner_id: FromPath[int], db_session: DbSession) -> PartnerRead:
        """An active partner (public)."""
        return await partner_directory.public_read(db_session, partner_id)

    @post("/admin/partners", guards=[requires_role(Role.ADMIN)], status_code=201, raises=ERRORS)
    async def create_partner(
        self, data: JSONBody[PartnerCreate], user: Actor, db_session: DbSession
    ) -> PartnerRead:
        return await partner_directory.create_partner(db_session, user, data)

    @patch(
        "/partners/{partner_id:int}",
        guards=[requires_role(Role.ADMIN, Role.CENTRE_STAFF)],
        raises=ERRORS,
    )
    async def update_partner(
        self,
        partner_id: FromPath[int],
        data: JSONBody[PartnerUpdate],
        user: Actor,
        db_session: DbSession,
    ) -> PartnerRead:
        """The fields sent (an admin's, or centre staff's of a municipality it serves; only
        an admin changes the municipalities served). `is_active: false` hides it."""
        return await partner_directory.update_partner(db_session, user, partner_id, data)

    @post("/referrals", guards=[requires_login], status_code=201, raises=ERRORS)
    async def refer(
        self, data: JSONBody[ReferralIn], user: Actor, db_session: DbSession, settings: Config
    ) -> ReferralRead:
        """Centre staff refer a client (`entrepreneur_id`); an entrepreneur refers themselves.
        The partner must be active and offer the service (422); an open duplicate is 409."""
        return await partner_referrals.refer(db_session, user, data, settings=settings)

    @get("/referrals", guards=[requires_login], raises=ERRORS)
    async def referrals(
        self, user: Actor, db_session: DbSession, page: Page, status: FromQuery[str | None] = None
    ) -> OffsetPagination[ReferralRead]:
        """The caller's referrals: an entrepreneur's own, a partner's, those a centre made."""
        if status and status not in rules.REFERRAL_FLOW:
            raise InvalidInput({"status": _("Choose a status from the list.")})
        return await listed(
            ReferralRead, page, partner_referrals.referrals, db_session, user, status=status
        )

    referrals_export = export_route(
        ["/referrals/export.csv", "/referrals/export.xlsx"],
        referrals_export,
        guards=[requires_login],
        raises=ERRORS,
    )

    @get("/referrals/{referral_id:int}", guards=[requires_login], raises=ERRORS)
    async def referral(
        self, referral_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> ReferralRead:
        return await partner_referrals.read_one(db_session, user, referral_id, audited=True)

    @patch("/referrals/{referral_id:int}", guards=[requires_role(Role.PARTNER)], raises=ERRORS)
    async def answer(
        self,
        referral_id: FromPath[int],
        data: JSONBody[ReferralChange],
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> ReferralRead:
        """`sent → accepted | declined`, `accepted → completed` (with `outcome_note`); any
        other move is 409; another partner's referral is 404."""
        return await partner_referrals.answer(
            db_session, user, referral_id, data, settings=settings
        )

    @get(
        "/reports/referrals",
        guards=[requires_role(Role.MUNICIPAL_OFFICER, Role.CENTRE_STAFF, Role.ADMIN)],
        raises=ERRORS,
    )
    async def figures(
        self,
        user: Actor,
        db_session: DbSession,
        municipality: FromQuery[int | None] = None,
        since: FromQuery[date | None] = None,
        until: FromQuery[date | None] = None,
    ) -> ReferralFigures:
        """Referrals of the caller's municipalities by partner, kind, sector, status and
        month of creation (`since`/`until`: days, inclusive); `municipality`: one of them
        (404 for one the caller may not see)."""
        return await referral_figures.referral_figures(
            db_session, user, municipality_id=municipality, since=since, until=until
        )
