"""Grant pages of the applicant: drafts that save as they type, the budget editor,
attachments, submission, withdrawal, "My applications"."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, Config, DbSession, Files, FormData
from sme_hub.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    StorageFull,
    TooLarge,
    UnsupportedType,
)
from sme_hub.core.i18n import _, current_locale, format_datetime_kyiv, pick
from sme_hub.core.pages import confirmation, confirmed, redirect_with_message, render
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.grants import (
    applications,
    attachments,
    calls,
    explain,
    forms,
    rules,
    schemas,
    submission,
)
from sme_hub.grants.controllers import attachment_download, copy_download
from sme_hub.grants.models import Application, GrantCall

entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]
logged_in = [requires_login]
STATUS_FILTERS = {"open": "published", "closed": "closed"}
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def _mine(application_id: int) -> str:
    return f"/me/applications/{application_id}"


class GrantPagesController(Controller):
    include_in_schema = False

    # --- the applicant's own ----------------------------------------------------------------

    @get("/me/applications", guards=logged_in)
    async def my_applications(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        rows = await applications.my_applications(db_session, user)
        locale = current_locale.get()
        return render(
            request,
            "grants/my_applications.html",
            rows=[(a, pick(c, "title", locale)) for a, c in rows],
            labels=schemas,
        )

    @get("/me/applications/{application_id:int}", guards=logged_in)
    async def application_page(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        application = await applications.get_application(db_session, user, application_id)
        if applications.can_edit(user, application):
            return await _form_page(request, db_session, user, application)
        call = await _call_of(db_session, application)
        return render(
            request,
            "grants/application_view.html",
            application=await applications.read(db_session, user, application),
            call_title=pick(call, "title"),
            can_withdraw=application.applicant_id == user.id
            and application.status in ("draft", "submitted"),
            size=forms.size_text,
            labels=schemas,
        )

    @post("/me/applications/{application_id:int}", guards=logged_in)
    async def save(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Save without JavaScript: what is valid is kept even when other fields are not."""
        application, errors = await _save_form(db_session, user, application_id, data)
        if not errors:
            return redirect_with_message(request, _mine(application_id), _("Saved."))
        await db_session.commit()  # keep the valid part although the answer is a 422
        return await _form_page(
            request, db_session, user, application, data=data, errors=errors, status_code=422
        )

    @post("/me/applications/{application_id:int}/autosave", guards=logged_in, status_code=200)
    async def autosave(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        """While the applicant types: save the valid fields, mark the others (htmx)."""
        try:
            application, errors = await _save_form(db_session, user, application_id, data)
        except (Conflict, Forbidden) as exc:  # e.g. submitted meanwhile in another tab
            return render(request, "grants/_autosave.html", refused=exc.detail)
        call = await _call_of(db_session, application)
        keys = [q["key"] for q in call.questions]
        return render(
            request,
            "grants/_autosave.html",
            saved_at=format_datetime_kyiv(application.updated_at, "HH:mm"),
            errors=forms.shown_errors(errors),
            fields=sorted(forms.field_ids(keys, len(forms.typed_rows(data))) - {"file"}),
            application=await applications.read(db_session, user, application),
            labels=schemas,
        )

    @post("/me/applications/{application_id:int}/lines", guards=logged_in, status_code=200)
    async def budget_lines(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        """ "Add line" and "Remove" of the budget editor: with htmx the editor alone comes
        back, without it the whole form, saved, with the rows changed."""
        rows = forms.edit_rows(forms.typed_rows(data), str(data.get("_line", "")))
        posted = {**data, **forms.rows_as_form(rows)}
        application, errors = await _save_form(db_session, user, application_id, posted)
        return await _form_page(
            request,
            db_session,
            user,
            application,
            data=posted,
            errors=errors,
            rows=rows,
            fragment="grants/_budget_lines.html",
        )

    @post("/me/applications/{application_id:int}/submit", guards=logged_in)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        storage: Files,
        settings: Config,
    ) -> Template | Redirect:
        """Save what the form carries, then submit; a refusal changes nothing and shows
        every problem."""
        application, errors = await _save_form(db_session, user, application_id, data)
        try:
            await submission.submit(
                db_session, user, application_id, storage=storage, settings=settings
            )
        except (InvalidInput, Conflict, Forbidden) as exc:
            problems = exc.errors if isinstance(exc, InvalidInput) else {"__all__": exc.detail}
            return await _form_page(
                request,
                db_session,
                user,
                application,
                data=data,
                errors={**problems, **errors},
                status_code=exc.status_code,
            )
        message = _(
            "Your application has been submitted. We have emailed you a confirmation; the "
            "PDF copy is below."
        )
        return redirect_with_message(request, _mine(application_id), message)

    @post("/me/applications/{application_id:int}/withdraw", guards=logged_in)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        if not confirmed(data):
            application = await applications.get_application(db_session, user, application_id)
            mine = application.applicant_id == user.id
            if mine and rules.APPLICATION.next_state(application.status, "withdraw"):
                return confirmation(
                    request,
                    title=_("Withdraw the application “{title}”?").format(
                        title=application.project_title or _("without a title")
                    ),
                    consequences=[
                        _("It will no longer be considered in this call."),
                        _(
                            "A withdrawn application cannot be submitted again. You may start "
                            "a new one while the call is open."
                        ),
                    ],
                    button=_("Yes, withdraw the application"),
                    cancel=_mine(application_id),
                )
        try:
            await applications.withdraw(db_session, user, application_id)
        except (Conflict, Forbidden) as exc:
            return redirect_with_message(request, _mine(application_id), exc.detail, "error")
        message = _("You have withdrawn the application.")
        return redirect_with_message(request, _mine(application_id), message, "info")

    @get("/me/applications/{application_id:int}/copy.pdf", guards=logged_in)
    async def copy_pdf(
        self, application_id: FromPath[int], user: Actor, db_session: DbSession, storage: Files
    ) -> Response[bytes]:
        return await copy_download(db_session, user, storage, application_id)

    # --- attachments ------------------------------------------------------------------------

    @get("/me/applications/{application_id:int}/files/{attachment_id:int}", guards=logged_in)
    async def download(
        self,
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        return await attachment_download(db_session, user, storage, application_id, attachment_id)

    @post(
        "/me/applications/{application_id:int}/files",
        guards=logged_in,
        request_max_body_size=attachments.MAX_REQUEST_BYTES,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: Multipart,
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Template | Redirect:
        """A PDF, JPEG or PNG; a refused file is explained on the form, nothing kept."""
        upload = data.get("file")
        name = upload.filename if isinstance(upload, UploadFile) else ""
        content = await upload.read() if isinstance(upload, UploadFile) else b""
        try:
            added = await attachments.add(
                db_session, user, storage, application_id, name or "file", content
            )
        except (TooLarge, UnsupportedType, Conflict, InvalidInput, StorageFull) as exc:
            application = await applications.get_application(db_session, user, application_id)
            detail = exc.errors.get("file", exc.detail) if isinstance(exc, InvalidInput) else None
            return await _form_page(
                request,
                db_session,
                user,
                application,
                errors={"file": detail or exc.detail},
                status_code=exc.status_code,
            )
        message = _("File “{name}” attached.").format(name=added.filename)
        return redirect_with_message(request, _mine(application_id) + "#files", message)

    @post(
        "/me/applications/{application_id:int}/files/{attachment_id:int}/remove",
        guards=logged_in,
    )
    async def remove_file(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Redirect:
        try:
            await attachments.remove(db_session, user, storage, application_id, attachment_id)
        except (Conflict, Forbidden) as exc:
            return redirect_with_message(request, _mine(application_id), exc.detail, "error")
        return redirect_with_message(
            request, _mine(application_id) + "#files", _("File removed."), "info"
        )


# --- helpers --------------------------------------------------------------------------------


async def _call_of(db_session: AsyncSession, application: Application) -> GrantCall:
    call = await db_session.get(GrantCall, application.call_id)
    assert call is not None
    return call


async def _save_form(
    db_session: AsyncSession, user: CurrentUser, application_id: int, data: dict[str, Any]
) -> tuple[Application, dict[str, str]]:
    """Save the valid fields of a posted form; the problems of the others come back."""
    application = await applications.get_application(db_session, user, application_id)
    call = await _call_of(db_session, application)
    fields, errors = forms.from_form(data, [q["key"] for q in call.questions])
    if not fields:
        return application, errors
    valid, invalid = forms.validate_partly(fields)
    errors.update(invalid)
    for _attempt in range(3):  # the service may refuse a field the schema let through
        try:
            return await applications.update_draft(db_session, user, application_id, valid), errors
        except InvalidInput as exc:
            errors.update(exc.errors)
            valid = forms.without(valid, exc.errors)
    return application, errors


async def _form_page(
    request: Request[Any, Any, Any],
    db_session: AsyncSession,
    user: CurrentUser,
    application: Application,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    rows: list[dict[str, str]] | None = None,
    status_code: int = 200,
    fragment: str | None = None,
) -> Template:
    """The draft's form: saved values, or what was typed when there are problems."""
    call = await _call_of(db_session, application)
    keys = [q["key"] for q in call.questions]
    values = forms.form_values(application)
    if data is not None:
        values = forms.shown_values(data, values, keys)
    if rows is not None:
        values["budget_lines"] = rows
    shown = forms.shown_errors(errors or {})
    locale = current_locale.get()
    questions = [{**q, "label": pick(q, "label", locale)} for q in call.questions]
    labels = {f"answers.{q['key']}": q["label"] for q in questions} | {
        f"screening.{key}": _(text) for key, text in schemas.SCREENING_LABELS.items()
    }
    read = await applications.read(db_session, user, application)
    return render(
        request,
        "grants/application_form.html",
        fragment=fragment,
        status_code=status_code,
        application=read,
        call=calls.to_read(call),
        call_title=pick(call, "title", locale),
        questions=questions,
        values=values,
        errors=shown,
        summary=forms.summary(shown, forms.form_order(keys, len(values["budget_lines"])), labels),
        added_row=str((data or {}).get("_line")) == "add",
        closing=applications.closing_text(call),
        can_withdraw=application.applicant_id == user.id,
        labels=schemas,
        screening_questions=rules.SCREENING_QUESTIONS,
        max_files=attachments.MAX_FILES,
        number=explain.points_text,
        size=forms.size_text,
    )
