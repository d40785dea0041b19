"""A grant's implementation over the API (api.md): the agreement, tranches (officer),
progress reports and receipts (grantee, reviewed by the officer), obligations."""

from typing import Any

from litestar import Controller, Response, get, post, put
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody

from sme_hub.core.auth import requires_login
from sme_hub.core.deps import Actor, Config, DbSession, Files, Page, Upload
from sme_hub.core.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from sme_hub.core.exports import export_route
from sme_hub.core.pages import file_response
from sme_hub.core.refusals import ERRORS as API_ERRORS
from sme_hub.grants.attachments import MAX_REQUEST_BYTES
from sme_hub.implementation import agreement, partner_offers
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import obligations as grant_obligations
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation import tranches as grant_tranches
from sme_hub.implementation.schemas import (
    GrantRead,
    ObligationRead,
    PaymentIn,
    ReportIn,
    ReportRead,
    ReviewIn,
    TrancheIn,
    TrancheRead,
)
from sme_hub.implementation.web import grants_export, officers, signed_in
from sme_hub.partners.schemas import GrantOfferIn, ReferralRead

ERRORS: list[type[HTTPException]] = [NotAuthorizedException, NotFound, Conflict, InvalidInput]


class ImplementationApiController(Controller):
    path = "/api/v1"
    tags = ["grants in implementation"]

    @get("/me/grants", guards=signed_in, raises=ERRORS)
    async def my_grants(self, user: Actor, db_session: DbSession) -> list[GrantRead]:
        """The signed-in grantee's grants with tranches, reports and obligations."""
        return await implementation_grants.grants_read(
            db_session, await implementation_grants.my_grants(db_session, user)
        )

    @get("/grants", guards=officers, raises=ERRORS)
    async def grants(
        self, user: Actor, db_session: DbSession, page: Page
    ) -> OffsetPagination[GrantRead]:
        """The grants of the officer's municipality, newest decision first, a page at a time
        (`?limit=&offset=`)."""
        found, total = await implementation_grants.grants_of_municipalities(
            db_session, user, limit=page.limit, offset=page.offset
        )
        items = await implementation_grants.grants_read(db_session, found)
        return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)

    grants_export = export_route(
        ["/grants/export.csv", "/grants/export.xlsx"], grants_export, guards=officers, raises=ERRORS
    )

    @get("/grants/{grant_id:int}", guards=signed_in, raises=ERRORS)
    async def grant(self, grant_id: FromPath[int], user: Actor, db_session: DbSession) -> GrantRead:
        """A grant (its approved application's id), for its grantee and the officers."""
        grant = await implementation_grants.readable_grant(db_session, user, grant_id)
        await implementation_grants.record_view(db_session, user, grant)
        return await implementation_grants.grant_read(db_session, grant)

    @get("/grants/{grant_id:int}/agreement.pdf", guards=signed_in, raises=ERRORS)
    async def agreement_pdf(
        self, grant_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        """The grant agreement in Ukrainian: parties, amounts, budget lines, tranche schedule
        and duties."""
        return file_response(*await agreement.download(db_session, user, grant_id, "reader"))

    @post("/grants/{grant_id:int}/disbursements", guards=officers, raises=ERRORS)
    async def add_tranche(
        self, grant_id: FromPath[int], data: JSONBody[TrancheIn], user: Actor, db_session: DbSession
    ) -> TrancheRead:
        """A tranche beyond the plan (paid at once with `paid_on`); 409 with `remaining_kop`
        when the tranches would exceed the grant."""
        tranche = await grant_tranches.add_tranche(db_session, user, grant_id, data)
        return implementation_grants.tranche_read(tranche)

    @post(
        "/grants/{grant_id:int}/disbursements/{tranche_id:int}/payment",
        guards=officers,
        status_code=200,
        raises=ERRORS,
    )
    async def pay(
        self,
        grant_id: FromPath[int],
        tranche_id: FromPath[int],
        data: JSONBody[PaymentIn],
        user: Actor,
        db_session: DbSession,
    ) -> TrancheRead:
        """A planned tranche paid on a day to a checked Ukrainian IBAN (the grantee's by
        default); 409 if already paid."""
        return implementation_grants.tranche_read(
            await grant_tranches.pay(db_session, user, grant_id, tranche_id, data)
        )

    @post("/grants/{grant_id:int}/reports", guards=signed_in, raises=ERRORS)
    async def submit_report(
        self, grant_id: FromPath[int], data: JSONBody[ReportIn], user: Actor, db_session: DbSession
    ) -> ReportRead:
        """The grantee's progress report (interim or final), waiting for the officer."""
        return implementation_grants.report_read(
            await progress_reports.submit_report(db_session, user, grant_id, data)
        )

    @put("/reports/{report_id:int}", guards=signed_in, raises=ERRORS)
    async def update_report(
        self, report_id: FromPath[int], data: JSONBody[ReportIn], user: Actor, db_session: DbSession
    ) -> ReportRead:
        """A returned (or waiting) report corrected and sent again."""
        return implementation_grants.report_read(
            await progress_reports.update_report(db_session, user, report_id, data)
        )

    @post(
        "/reports/{report_id:int}/receipts",
        guards=signed_in,
        request_max_body_size=MAX_REQUEST_BYTES,
        raises=[*ERRORS, TooLarge, UnsupportedType],
    )
    async def add_receipt(
        self,
        report_id: FromPath[int],
        data: Upload,
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> ReportRead:
        """A receipt (PDF, JPEG or PNG up to 10 MB, checked by content) for a report not yet
        accepted."""
        content = await data.read()
        report = await progress_reports.add_receipt(
            db_session, user, storage, report_id, data.filename or "receipt", content
        )
        return implementation_grants.report_read(report)

    @get("/reports/{report_id:int}/receipts/{index:int}", guards=signed_in, raises=ERRORS)
    async def receipt(
        self,
        report_id: FromPath[int],
        index: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        found = await progress_reports.receipt_file(db_session, user, storage, report_id, index)
        return file_response(*found)

    @post("/reports/{report_id:int}/review", guards=officers, status_code=200, raises=ERRORS)
    async def review(
        self,
        report_id: FromPath[int],
        data: JSONBody[ReviewIn],
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> ReportRead:
        """Accept a report (the final one completes the grant) or return it with a note."""
        report = await progress_reports.review_report(
            db_session, user, report_id, data, settings=settings
        )
        return implementation_grants.report_read(report)

    @get("/obligations", guards=officers, raises=ERRORS)
    async def obligations(
        self, user: Actor, db_session: DbSession, overdue: FromQuery[bool] = False
    ) -> list[ObligationRead]:
        """Open obligations of the officer's grants by due date; `overdue=true`: only those
        past due (Kyiv date)."""
        today = implementation_grants.today_in_kyiv()
        found = await grant_obligations.obligations(db_session, user, overdue_only=overdue)
        return [implementation_grants.obligation_read(o, today) for o, _grant in found]

    @post("/obligations/{obligation_id:int}/met", guards=officers, status_code=200, raises=ERRORS)
    async def mark_met(
        self, obligation_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> ObligationRead:
        obligation = await grant_obligations.mark_met(db_session, user, obligation_id)
        return implementation_grants.obligation_read(
            obligation, implementation_grants.today_in_kyiv()
        )


class GrantOffersApiController(Controller):
    """The partners a grant's call offers its grantee, under the partners' tag as before
    they moved here."""

    path = "/api/v1"
    tags = ["partners"]

    @get("/grants/{grant_id:int}/offers", guards=[requires_login], raises=API_ERRORS)
    async def grant_offers(
        self, grant_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> list[dict[str, Any]]:
        """The partners the grant's call names, offered to its grantee, with the referral
        already made to each (if any)."""
        return await partner_offers.offer_list(db_session, user, grant_id)

    @post(
        "/grants/{grant_id:int}/referrals",
        guards=[requires_login],
        status_code=201,
        raises=API_ERRORS,
    )
    async def take_offer(
        self,
        grant_id: FromPath[int],
        data: JSONBody[GrantOfferIn],
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> ReferralRead:
        """The grantee takes up the offer of one of the call's partners."""
        return await partner_offers.take_offer(
            db_session, user, grant_id, data.partner_id, settings=settings
        )
