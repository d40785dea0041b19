"""The grantee's pages of a grant in implementation: the agreement, the tranches and the
obligations; progress reports sent, corrected and given receipts. Every rule is the
service's: a refused form comes back with its messages and nothing is kept. The officer's
pages are in office.py."""

from typing import Any

from litestar import get, post
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.deps import Actor, Config, DbSession, Files, FormData, Multipart, Req
from sme_hub.core.errors import Conflict, InvalidInput, TooLarge, UnsupportedType
from sme_hub.core.i18n import _
from sme_hub.core.pages import file_refusal, posted_file, redirect_with_message, render
from sme_hub.core.roles import CurrentUser
from sme_hub.grants.attachments import MAX_REQUEST_BYTES
from sme_hub.grants.models import Application
from sme_hub.implementation import forms, overview, partner_offers
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation.models import ProgressReport
from sme_hub.implementation.pages.files import GrantFilesController
from sme_hub.implementation.web import common_context, signed_in
from sme_hub.partners import rules as partner_rules

SPENDING_FRAGMENT = "implementation/_spending_lines.html"


def _mine(grant_id: int) -> str:
    return f"/me/grants/{grant_id}"


class GranteePagesController(GrantFilesController):
    path = "/me/grants"
    guards = signed_in
    viewer = "grantee"

    @post("/{grant_id:int}/referrals")
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
        result = await partner_offers.take_offer_on_page(
            db_session, user, grant_id, data, settings=settings
        )
        return redirect_with_message(request, result.url, result.message, result.category)

    @get("/{grant_id:int}")
    async def grant_page(
        self, request: Req, grant_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        return await _grantee_page(request, db_session, user, grant_id)

    @post("/{grant_id:int}/reports")
    async def submit_report(
        self,
        request: Req,
        grant_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Send a report; "Add a line" shows the form again with one more row, sending
        nothing."""
        action = _mine(grant_id) + "/reports"
        if "add_line" in data:
            form = _report_form(action, data, add_line=True)
            return await _grantee_page(
                request, db_session, user, grant_id, form=form, fragment=True
            )
        try:
            report = await progress_reports.submit_report(
                db_session, user, grant_id, forms.read_report(data)
            )
        except (InvalidInput, Conflict) as exc:
            await db_session.rollback()
            form = _report_form(action, data, exc=exc)
            return await _grantee_page(
                request, db_session, user, grant_id, form=form, status_code=exc.status_code
            )
        message = _("Your report is sent to the municipality. Attach the receipts to it below.")
        return redirect_with_message(request, f"{_mine(grant_id)}#report-{report.id}", message)

    @get("/{grant_id:int}/reports/{report_id:int}")
    async def report_page(
        self,
        request: Req,
        grant_id: FromPath[int],
        report_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """A report to correct and send again."""
        try:
            grant, report = await progress_reports.correctable_report(
                db_session, user, grant_id, report_id
            )
        except Conflict as exc:
            return redirect_with_message(request, _mine(grant_id), exc.detail, "info")
        action = f"{_mine(grant_id)}/reports/{report_id}"
        form = {"action": action, "values": forms.report_values(report), "errors": {}}
        return _edit_page(request, grant, report, form)

    @post("/{grant_id:int}/reports/{report_id:int}")
    async def update_report(
        self,
        request: Req,
        grant_id: FromPath[int],
        report_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        action = f"{_mine(grant_id)}/reports/{report_id}"
        if "add_line" in data:
            grant, report = await progress_reports.own_report(db_session, user, grant_id, report_id)
            form = _report_form(action, data, add_line=True)
            return _edit_page(request, grant, report, form, fragment=True)
        try:
            await progress_reports.update_report_of(
                db_session, user, grant_id, report_id, forms.read_report(data)
            )
        except (InvalidInput, Conflict) as exc:
            await db_session.rollback()
            grant, report = await progress_reports.own_report(db_session, user, grant_id, report_id)
            form = _report_form(action, data, exc=exc)
            return _edit_page(request, grant, report, form, status_code=exc.status_code)
        message = _("The corrected report is sent to the municipality again.")
        return redirect_with_message(request, f"{_mine(grant_id)}#report-{report_id}", message)

    @post(
        "/{grant_id:int}/reports/{report_id:int}/receipts",
        request_max_body_size=MAX_REQUEST_BYTES,
    )
    async def add_receipt(
        self,
        request: Req,
        grant_id: FromPath[int],
        report_id: FromPath[int],
        data: Multipart,
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Template | Redirect:
        """A PDF, JPEG or PNG receipt; a refused file is explained by its input."""
        name, content = await posted_file(data, "receipt")
        try:
            report = await progress_reports.add_receipt_of(
                db_session, user, storage, grant_id, report_id, name, content
            )
        except (TooLarge, UnsupportedType, Conflict, InvalidInput) as exc:
            await db_session.rollback()
            errors = {report_id: file_refusal(exc)}
            return await _grantee_page(
                request,
                db_session,
                user,
                grant_id,
                receipt_errors=errors,
                status_code=exc.status_code,
            )
        message = _("Receipt “{name}” attached.").format(name=report.receipts[-1]["filename"])
        return redirect_with_message(request, f"{_mine(grant_id)}#report-{report_id}", message)


def _report_form(
    action: str, data: dict[str, Any], *, add_line: bool = False, exc: HTTPException | None = None
) -> dict[str, Any]:
    """The report form as typed, with the refusal's messages."""
    return {
        "action": action,
        "values": forms.typed_report_values(data, add_line=add_line),
        "errors": exc.errors if isinstance(exc, InvalidInput) else {},
        "problem": exc.detail if isinstance(exc, Conflict) else None,
        "added": add_line,
    }


async def _grantee_page(
    request: Req,
    db_session: AsyncSession,
    user: CurrentUser,
    grant_id: int,
    *,
    form: dict[str, Any] | None = None,
    receipt_errors: dict[int, str] | None = None,
    status_code: int = 200,
    fragment: bool = False,
) -> Template:
    view = await overview.grantee_page(db_session, user, grant_id)
    new_report = {
        "action": _mine(grant_id) + "/reports",
        "values": forms.report_values(None),
        "errors": {},
    }
    return render(
        request,
        "implementation/grant.html",
        fragment=SPENDING_FRAGMENT if fragment else None,
        status_code=status_code,
        **view,
        form=form or new_report,
        receipt_errors=receipt_errors or {},
        partner_labels=partner_rules,
        **common_context(),
    )


def _edit_page(
    request: Req,
    grant: Application,
    report: ProgressReport,
    form: dict[str, Any],
    *,
    status_code: int = 200,
    fragment: bool = False,
) -> Template:
    return render(
        request,
        "implementation/report_edit.html",
        fragment=SPENDING_FRAGMENT if fragment else None,
        status_code=status_code,
        grant=grant,
        report=implementation_grants.report_read(report),
        form={**form, "submit_label": _("Send the corrected report")},
        **common_context(),
    )
