"""The grantee's pages of a grant in implementation: the agreement, the tranches and the
obligations; progress reports sent, corrected and given receipts. Every rule is the
service's: a refused form comes back with its messages and nothing is kept. The officer's
pages are in office_pages.py."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.auth import current_user, requires_login
from sme_hub.core.deps import Actor, DbSession, Files, FormData
from sme_hub.core.errors import Conflict, InvalidInput, NotFound, TooLarge, UnsupportedType
from sme_hub.core.i18n import _, pick
from sme_hub.core.pages import file_response, redirect_with_message, render
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import schemas as grant_labels
from sme_hub.grants.attachments import MAX_REQUEST_BYTES
from sme_hub.grants.display import size_text
from sme_hub.grants.models import Application
from sme_hub.implementation import agreement, forms
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation import schemas as labels
from sme_hub.implementation.models import ProgressReport
from sme_hub.partners import call_partners as call_partner_offers
from sme_hub.partners import rules as partner_rules

Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
SPENDING_FRAGMENT = "implementation/_spending_lines.html"


def _mine(grant_id: int) -> str:
    return f"/me/grants/{grant_id}"


async def check_report_of(db_session: AsyncSession, grant_id: int, report_id: int) -> None:
    """404 unless the report belongs to the grant of the address. Only the column is read, so
    the service still locks and loads the report itself."""
    owner = await db_session.scalar(
        select(col(ProgressReport.application_id)).where(col(ProgressReport.id) == report_id)
    )
    if owner != grant_id:
        raise NotFound()


def common_context() -> dict[str, Any]:
    """What every implementation page uses: status labels and file sizes."""
    return {"labels": labels, "grant_labels": grant_labels, "size": size_text}


class GranteePagesController(Controller):
    include_in_schema = False
    path = "/me/grants"
    guards = [requires_login]

    @get("/{grant_id:int}")
    async def grant_page(
        self,
        request: Request[Any, Any, Any],
        grant_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        grant = await implementation_grants.own_grant(db_session, user, grant_id)
        return await _grantee_page(request, db_session, grant)

    @get("/{grant_id:int}/agreement.pdf")
    async def agreement_pdf(
        self, grant_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        grant = await implementation_grants.own_grant(db_session, user, grant_id)
        return await agreement.download(db_session, user, grant)

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
        if "add_line" in data:
            grant = await implementation_grants.own_grant(db_session, user, grant_id)
            form = _report_form(_mine(grant_id) + "/reports", data, add_line=True)
            return await _grantee_page(request, db_session, grant, form=form, fragment=True)
        try:
            report = await progress_reports.submit_report(
                db_session, user, grant_id, forms.read_report(data)
            )
        except (InvalidInput, Conflict) as exc:
            await db_session.rollback()
            grant = await implementation_grants.own_grant(db_session, user, grant_id)
            form = _report_form(_mine(grant_id) + "/reports", data, exc=exc)
            return await _grantee_page(
                request, db_session, grant, form=form, status_code=exc.status_code
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
        grant = await implementation_grants.own_grant(db_session, user, grant_id)
        await check_report_of(db_session, grant_id, report_id)
        report = await db_session.get(ProgressReport, report_id)
        assert report is not None
        if report.status == "accepted":
            message = _("An accepted report can no longer be changed.")
            return redirect_with_message(request, _mine(grant_id), message, "info")
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
        await check_report_of(db_session, grant_id, report_id)
        if "add_line" in data:
            grant = await implementation_grants.own_grant(db_session, user, grant_id)
            report = await db_session.get(ProgressReport, report_id)
            assert report is not None
            form = _report_form(action, data, add_line=True)
            return _edit_page(request, grant, report, form, fragment=True)
        try:
            await progress_reports.update_report(
                db_session, user, report_id, forms.read_report(data)
            )
        except (InvalidInput, Conflict) as exc:
            await db_session.rollback()
            grant = await implementation_grants.own_grant(db_session, user, grant_id)
            report = await db_session.get(ProgressReport, report_id)
            assert report is not None
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
        await check_report_of(db_session, grant_id, report_id)
        upload = data.get("file")
        name = (upload.filename if isinstance(upload, UploadFile) else "") or "receipt"
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            report = await progress_reports.add_receipt(
                db_session, user, storage, report_id, name, content
            )
        except (TooLarge, UnsupportedType, Conflict, InvalidInput) as exc:
            await db_session.rollback()
            grant = await implementation_grants.own_grant(db_session, user, grant_id)
            detail = exc.errors.get("file", exc.detail) if isinstance(exc, InvalidInput) else None
            return await _grantee_page(
                request,
                db_session,
                grant,
                receipt_errors={report_id: detail or exc.detail},
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
        await implementation_grants.own_grant(db_session, user, grant_id)
        return await receipt_download(db_session, user, storage, grant_id, report_id, index)


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
    grant: Application,
    *,
    form: dict[str, Any] | None = None,
    receipt_errors: dict[int, str] | None = None,
    status_code: int = 200,
    fragment: bool = False,
) -> Template:
    assert grant.id is not None
    user = current_user(request)
    assert user is not None  # the controller's guard
    call = await implementation_grants.call_of(db_session, grant)
    new_report = {
        "action": _mine(grant.id) + "/reports",
        "values": forms.report_values(None),
        "errors": {},
    }
    return render(
        request,
        "implementation/grant.html",
        fragment=SPENDING_FRAGMENT if fragment else None,
        status_code=status_code,
        grant=await implementation_grants.grant_read(db_session, grant),
        call_title=pick(call, "title"),
        can_report=grant.status in implementation_grants.REPORTABLE,
        form=form or new_report,
        receipt_errors=receipt_errors or {},
        offers=await call_partner_offers.grant_offers(db_session, user, grant.id),
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


async def receipt_download(
    db_session: AsyncSession,
    user: CurrentUser,
    storage: Files,
    grant_id: int,
    report_id: int,
    index: int,
) -> Response[bytes]:
    await check_report_of(db_session, grant_id, report_id)
    found = await progress_reports.receipt(db_session, user, report_id, index)
    body = await storage.get(found["key"])
    return file_response(body, found["content_type"], found["filename"])
