"""Grant pages of the applicant: drafts that save as they type, the budget editor,
attachments, submission, withdrawal, "My applications"."""

from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.deps import Actor, Config, DbSession, Files, FormData, Multipart, Req
from sme_hub.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    StorageFull,
    TooLarge,
    UnsupportedType,
)
from sme_hub.core.i18n import _
from sme_hub.core.pages import (
    confirmation,
    confirmed,
    file_refusal,
    posted_file,
    redirect_after,
    redirect_with_message,
    render,
)
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import applications, attachments, display, submission, views
from sme_hub.grants.models import Application
from sme_hub.grants.pages.files import ApplicationFilesController
from sme_hub.grants.web import logged_in, my_application_url

REFUSED = (Conflict, Forbidden)  # what a redirect back to the application explains


class GrantPagesController(ApplicationFilesController):
    path = "/me"
    guards = logged_in

    # --- the applicant's own ----------------------------------------------------------------

    @get("/applications")
    async def my_applications(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        shown = await views.my_applications(db_session, user)
        return render(request, "grants/my_applications.html", **shown)

    @get("/applications/{application_id:int}")
    async def application_page(
        self, request: Req, application_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        application, shown = await views.application_page(db_session, user, application_id)
        if shown is None:
            return await _form_page(request, db_session, user, application)
        return render(request, "grants/application_view.html", **shown)

    @post("/applications/{application_id:int}")
    async def save(
        self,
        request: Req,
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Save without JavaScript: what is valid is kept even when other fields are not."""
        application, errors = await views.save_form(db_session, user, application_id, data)
        if not errors:
            return _back(request, application_id, _("Saved."))
        await db_session.commit()  # keep the valid part although the answer is a 422
        return await _form_page(
            request, db_session, user, application, data=data, errors=errors, status_code=422
        )

    @post("/applications/{application_id:int}/autosave", status_code=200)
    async def autosave(
        self,
        request: Req,
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        """While the applicant types: save the valid fields, mark the others (htmx)."""
        try:
            application, errors = await views.save_form(db_session, user, application_id, data)
        except (Conflict, Forbidden) as exc:  # e.g. submitted meanwhile in another tab
            return render(request, "grants/_autosave.html", refused=exc.detail)
        shown = await views.autosaved(db_session, user, application, data, errors)
        return render(request, "grants/_autosave.html", **shown)

    @post("/applications/{application_id:int}/lines", status_code=200)
    async def budget_lines(
        self,
        request: Req,
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        """ "Add line" and "Remove" of the budget editor: with htmx the editor alone comes
        back, without it the whole form, saved, with the rows changed."""
        rows = display.edit_rows(display.typed_rows(data), str(data.get("_line", "")))
        posted = {**data, **display.rows_as_form(rows)}
        application, errors = await views.save_form(db_session, user, application_id, posted)
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

    @post("/applications/{application_id:int}/submit")
    async def submit(
        self,
        request: Req,
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        storage: Files,
        settings: Config,
    ) -> Template | Redirect:
        """Save what the form carries, then submit; a refusal changes nothing and shows
        every problem."""
        application, errors = await views.save_form(db_session, user, application_id, data)
        try:
            await submission.submit(
                db_session, user, application_id, storage=storage, settings=settings
            )
        except (InvalidInput, Conflict, Forbidden) as exc:
            problems = exc.errors if isinstance(exc, InvalidInput) else {"__all__": exc.detail}
            errors = {**problems, **errors}
            return await _form_page(
                request, db_session, user, application, data, errors, exc.status_code
            )
        message = _(
            "Your application has been submitted. We have emailed you a confirmation; the "
            "PDF copy is below."
        )
        return _back(request, application_id, message)

    @post("/applications/{application_id:int}/withdraw")
    async def withdraw(
        self,
        request: Req,
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        if not confirmed(data):
            question = await views.withdraw_question(db_session, user, application_id)
            if question is not None:
                return confirmation(request, **question, cancel=my_application_url(application_id))
        withdrawn = applications.withdraw(db_session, user, application_id)
        message = _("You have withdrawn the application.")
        return await redirect_after(
            request,
            withdrawn,
            my_application_url(application_id),
            message,
            refused=REFUSED,
            category="info",
        )

    # --- attachments ------------------------------------------------------------------------

    @post(
        "/applications/{application_id:int}/files",
        request_max_body_size=attachments.MAX_REQUEST_BYTES,
    )
    async def upload(
        self,
        request: Req,
        application_id: FromPath[int],
        data: Multipart,
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Template | Redirect:
        """A PDF, JPEG or PNG; a refused file is explained on the form, nothing kept."""
        name, content = await posted_file(data, "file")
        try:
            added = await attachments.add(db_session, user, storage, application_id, name, content)
        except (TooLarge, UnsupportedType, Conflict, InvalidInput, StorageFull) as exc:
            application = await applications.get_application(db_session, user, application_id)
            errors = {"file": file_refusal(exc)}
            return await _form_page(
                request, db_session, user, application, errors=errors, status_code=exc.status_code
            )
        message = _("File “{name}” attached.").format(name=added.filename)
        return _back(request, application_id, message, anchor="#files")

    @post("/applications/{application_id:int}/files/{attachment_id:int}/remove")
    async def remove_file(
        self,
        request: Req,
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Redirect:
        try:
            await attachments.remove(db_session, user, storage, application_id, attachment_id)
        except REFUSED as exc:
            return _back(request, application_id, exc.detail, "error")
        message = _("File removed.")
        return _back(request, application_id, message, "info", anchor="#files")


def _back(
    request: Req, application_id: int, message: str, category: str = "success", anchor: str = ""
) -> Redirect:
    """To the application's page (at `anchor`), with `message`."""
    url = my_application_url(application_id) + anchor
    return redirect_with_message(request, url, message, category)


async def _form_page(
    request: Req,
    db_session: AsyncSession,
    user: CurrentUser,
    application: Application,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    *,
    rows: list[dict[str, str]] | None = None,
    fragment: str | None = None,
) -> Template:
    """The draft's form: saved values, or what was typed when there are problems."""
    shown = await views.application_form(
        db_session, user, application, data=data, errors=errors, rows=rows
    )
    return render(
        request,
        "grants/application_form.html",
        fragment=fragment,
        status_code=status_code,
        **shown,
    )
