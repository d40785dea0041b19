"""The municipal officer's pages of the grants in implementation: the municipality's grants
and overdue obligations, a grant's payments, added tranches, report reviews and obligations.
Every rule is the service's: a refused form comes back with its messages, nothing kept."""

from typing import Any

from litestar import get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page, Req
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.exports import export_route
from sme_hub.core.i18n import _
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.roles import CurrentUser
from sme_hub.implementation import forms, overview
from sme_hub.implementation import obligations as grant_obligations
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation import tranches as grant_tranches
from sme_hub.implementation.pages.files import GrantFilesController
from sme_hub.implementation.web import (
    common_context,
    grants_export,
    officers,
)

OFFICE = "/municipality/grants"
PAGE_SIZE = 50


def _office(grant_id: int) -> str:
    return f"{OFFICE}/{grant_id}"


def _typed(data: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in data.items() if not k.startswith("_")}  # not the CSRF token


def _refusal(key: str, exc: HTTPException) -> dict[str, Any]:
    """A refused form's messages for the page: by the fields, or one for the whole form."""
    if isinstance(exc, InvalidInput):
        return {"errors": {key: exc.errors}}
    return {"problems": {key: exc.detail}}


class GrantOfficePagesController(GrantFilesController):
    path = OFFICE
    guards = officers
    viewer = "officer"

    @get("/")
    async def grants_list(
        self, request: Req, user: Actor, db_session: DbSession, page: Page
    ) -> Template:
        return await _office_list(request, db_session, user, offset=page.offset)

    export = export_route(["/export.csv", "/export.xlsx"], grants_export)

    @get("/{grant_id:int}")
    async def grant_page(
        self, request: Req, grant_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        return await _office_page(request, db_session, user, grant_id, opened=True)

    @post("/{grant_id:int}/tranches")
    async def add_tranche(
        self,
        request: Req,
        grant_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        try:
            tranche = await grant_tranches.add_tranche(
                db_session, user, grant_id, forms.read_tranche(data)
            )
        except (InvalidInput, Conflict) as exc:
            return await _office_refused(request, db_session, user, grant_id, "tranche", data, exc)
        message = (
            _("Tranche {n} is added and recorded as paid.")
            if tranche.status == "paid"
            else _("Tranche {n} is added to the schedule.")
        ).format(n=tranche.number)
        return redirect_with_message(request, f"{_office(grant_id)}#tranches", message)

    @post("/{grant_id:int}/tranches/{tranche_id:int}/payment")
    async def pay(
        self,
        request: Req,
        grant_id: FromPath[int],
        tranche_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        try:
            tranche = await grant_tranches.pay(
                db_session, user, grant_id, tranche_id, forms.read_payment(data)
            )
        except (InvalidInput, Conflict) as exc:
            key = f"pay-{tranche_id}"
            return await _office_refused(request, db_session, user, grant_id, key, data, exc)
        message = _("The payment of tranche {n} is recorded.").format(n=tranche.number)
        return redirect_with_message(request, f"{_office(grant_id)}#tranches", message)

    @post("/{grant_id:int}/reports/{report_id:int}/review")
    async def review(
        self,
        request: Req,
        grant_id: FromPath[int],
        report_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        """Accept, or return with a note; the grantee is emailed either way."""
        try:
            report, grant_status = await progress_reports.review_report_of(
                db_session, user, grant_id, report_id, forms.read_review(data), settings=settings
            )
        except (InvalidInput, Conflict) as exc:
            key = f"review-{report_id}"
            return await _office_refused(request, db_session, user, grant_id, key, data, exc)
        if report.status == "returned":
            message = _("The report is returned to the grantee with your note.")
        elif report.kind == "final" and grant_status == "completed":
            message = _("The final report is accepted: the grant is completed.")
        else:
            message = _("The report is accepted.")
        return redirect_with_message(request, f"{_office(grant_id)}#report-{report_id}", message)

    @post("/{grant_id:int}/obligations/{obligation_id:int}/met")
    async def mark_met(
        self,
        request: Req,
        grant_id: FromPath[int],
        obligation_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """From the grant's page, or from the overdue list (`back=list`) and back there."""
        to_list = str(data.get("back", "")) == "list"
        try:
            await grant_obligations.mark_met_of(db_session, user, grant_id, obligation_id)
        except Conflict as exc:
            await db_session.rollback()
            if to_list:
                return await _office_list(request, db_session, user, problem=exc.detail)
            problems = {f"obligation-{obligation_id}": exc.detail}
            return await _office_page(
                request, db_session, user, grant_id, problems=problems, status_code=409
            )
        target = f"{OFFICE}#overdue" if to_list else f"{_office(grant_id)}#obligations"
        return redirect_with_message(request, target, _("The obligation is marked as met."))


async def _office_refused(
    request: Req,
    db_session: AsyncSession,
    user: CurrentUser,
    grant_id: int,
    key: str,
    data: dict[str, Any],
    exc: HTTPException,
) -> Template:
    """The grant's page again with what was typed in form `key` and why it was refused; the
    transaction is rolled back first so the page shows what is stored."""
    await db_session.rollback()
    return await _office_page(
        request,
        db_session,
        user,
        grant_id,
        values={key: _typed(data)},
        status_code=exc.status_code,
        **_refusal(key, exc),
    )


async def _office_page(
    request: Req,
    db_session: AsyncSession,
    user: CurrentUser,
    grant_id: int,
    *,
    values: dict[str, dict[str, str]] | None = None,
    errors: dict[str, dict[str, str]] | None = None,
    problems: dict[str, str] | None = None,
    status_code: int = 200,
    opened: bool = False,
) -> Template:
    """The grant for its officer; the forms' typed values, field errors and messages are
    keyed by form (`pay-<tranche>`, `tranche`, `review-<report>`, `obligation-<id>`)."""
    view = await overview.office_page(db_session, user, grant_id, opened=opened)
    return render(
        request,
        "implementation/office/grant.html",
        status_code=status_code,
        **view,
        values=values or {},
        errors=errors or {},
        problems=problems or {},
        **common_context(),
    )


async def _office_list(
    request: Req,
    db_session: AsyncSession,
    user: CurrentUser,
    *,
    offset: int = 0,
    problem: str | None = None,
) -> Template:
    view = await overview.office_list(db_session, user, limit=PAGE_SIZE, offset=offset)
    return render(
        request,
        "implementation/office/grants.html",
        status_code=409 if problem else 200,
        **view,
        query="",
        problem=problem,
        **common_context(),
    )
