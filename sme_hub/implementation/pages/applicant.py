"""The grantee's pages of a grant in implementation: the agreement, the tranches and the
obligations; progress reports sent, corrected and given receipts. Every rule is the
service's: a refused form comes back with its messages and nothing is kept. The officer's
pages are in office.py."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.deps import Actor, Config, DbSession, Files, FormData
from sme_hub.core.errors import Conflict, InvalidInput, TooLarge, UnsupportedType
from sme_hub.core.i18n import _
from sme_hub.core.pages import file_response, redirect_with_message, render
from sme_hub.core.roles import CurrentUser
from sme_hub.grants.attachments import MAX_REQUEST_BYTES
from sme_hub.grants.models import Application
from sme_hub.implementation import agreement, forms, overview, partner_offers
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation.models import ProgressReport
from sme_hub.implementation.web import common_context, signed_in
from sme_hub.partners import rules as partner_rules

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
SPENDING_FRAGMENT = "implementation/_spending_lines.html"


def _mine(grant_id: int) -> str:
    return f"/me/grants/{grant_id}"


class GranteePagesController(Controller):
    include_in_schema = False
    path = "/me/grants"
    guards = signed_in

    @post("/{grant_id:int}/referrals")
    async def take_offer(
        self,
        request: Request[Any, Any, Any],
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
        self,
        request: Request[Any, Any, Any],
        grant_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        return await _grantee_page(request, db_session, user, grant_id)

    @get("/{grant_id:int}/agreement.pdf")
    async def agreement_pdf(
        self, grant_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        return file_response(*await agreement.download(db_session, user, grant_id, "grantee"))

    @post("/{grant_id:int}/reports")
    async def submit_report(
        self,
        request: Request[Any, Any, Any],
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
        request: Request[Any, Any, Any],
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
        request: Request[Any, Any, Any],
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
        request: Request[Any, Any, Any],
        grant_id: FromPath[int],
        report_id: FromPath[int],
        data: Multipart,
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Template | Redirect:
        """A PDF, JPEG or PNG receipt; a refused file is explained by its input."""
        name, content = await _upload(data.get("file"))
        try:
            report = await progress_reports.add_receipt_of(
                db_session, user, storage, grant_id, report_id, name, content
            )
        except (TooLarge, UnsupportedType, Conflict, InvalidInput) as exc:
            await db_session.rollback()
            detail = exc.errors.get("file", exc.detail) if isinstance(exc, InvalidInput) else None
            errors = {report_id: detail or exc.detail}
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

    @get("/{grant_id:int}/reports/{report_id:int}/receipts/{index:int}")
    async def receipt(
        self,
        grant_id: FromPath[int],
        report_id: FromPath[int],
        index: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        found = await progress_reports.receipt_file(
            db_session, user, storage, report_id, index, grant_id=grant_id, viewer="grantee"
        )
        return file_response(*found)


async def _upload(upload: Any) -> tuple[str, bytes]:
    """The posted file's name and content (none posted: an empty "receipt")."""
    if not isinstance(upload, UploadFile):
        return "receipt", b""
    return upload.filename or "receipt", await upload.read()


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
    request: Request[Any, Any, Any],
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
    request: Request[Any, Any, Any],
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
