"""Grant pages for the public and applicants: open calls, applying, drafts that save as the
applicant types, attachments, submission, "My applications"."""

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.auth import Role, current_user, requires_login, requires_role
from sme_hub.core.deps import Actor, Config, Db, DbSession, Files, FormData, Page
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, TooLarge, UnsupportedType
from sme_hub.core.i18n import _, current_locale
from sme_hub.core.pages import flash, redirect_with_message, render
from sme_hub.db import Database
from sme_hub.grants import applications, attachments, calls, explain, forms, rules, submission
from sme_hub.grants import schemas as labels
from sme_hub.grants.controllers import file_response
from sme_hub.grants.models import Application, GrantCall
from sme_hub.organisations import service as organisations
from sme_hub.organisations.models import Municipality
from sme_hub.training.models import Programme

entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]
logged_in = [requires_login]


async def save_form(
    db: Database, user: Any, application_id: int, data: dict[str, Any]
) -> dict[str, str]:
    """Save what the form carries in a transaction of its own, so the valid part is kept
    even when the request answers with an error; the problems of the rest are returned."""
    async with db.sessionmaker() as session, session.begin():
        application = await applications.editable_application(session, user, application_id)
        call = await session.get(GrantCall, application.call_id)
        assert call is not None
        fields, errors = forms.from_form(data, [q["key"] for q in call.questions])
        valid, more = forms.validate_partly(
            {k: v for k, v in fields.items() if k not in {e.split(".")[0] for e in errors}}
        )
        errors |= more
        try:
            await applications.update_draft(session, user, application_id, valid)
        except InvalidInput as exc:  # rules between fields: keep the rest
            errors |= exc.errors
            bad = {key.split(".")[0] for key in exc.errors}
            kept = valid.model_dump(exclude_unset=True, exclude=bad)
            await applications.update_draft(
                session, user, application_id, labels.ApplicationIn.model_validate(kept)
            )
    return errors


class GrantPagesController(Controller):
    include_in_schema = False

    # --- public -----------------------------------------------------------------------------

    @get("/calls")
    async def calls_list(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        page: Page,
        status: FromQuery[str | None] = None,
        municipality_id: FromQuery[str | None] = None,
    ) -> Template:
        shown = status if status in ("published", "closed") else None
        chosen = int(municipality_id) if municipality_id and municipality_id.isdigit() else None
        rows, total = await calls.list_calls(
            db_session,
            current_user(request),
            status=shown,
            municipality_id=chosen,
            limit=page.limit,
            offset=page.offset,
        )
        municipalities, _total = await organisations.list_municipalities(db_session)
        names = {m.id: m for m in municipalities}
        return render(
            request,
            "grants/calls.html",
            fragment="grants/_call_list.html",
            entries=[(c, calls.to_read(c), names.get(c.municipality_id)) for c in rows],
            total=total,
            status=shown or "",
            municipality_id=chosen,
            municipalities=municipalities,
            explain=explain,
            labels=labels,
        )

    @get("/calls/{call_id:int}")
    async def call_detail(
        self, request: Request[Any, Any, Any], call_id: FromPath[int], db_session: DbSession
    ) -> Template:
        user = current_user(request)
        call = await calls.get_call(db_session, user, call_id)
        municipality = await db_session.get(Municipality, call.municipality_id)
        assert municipality is not None
        locale = current_locale.get()
        programme_id = call.eligibility.get("required_programme_id")
        programme = await db_session.get(Programme, programme_id) if programme_id else None
        mine = None
        if user is not None:
            mine = await db_session.scalar(
                select(Application).where(
                    col(Application.call_id) == call_id,
                    col(Application.applicant_id) == user.id,
                    col(Application.status) != "withdrawn",
                )
            )
        return render(
            request,
            "grants/call.html",
            call=call,
            read=calls.to_read(call),
            municipality=municipality,
            municipality_name=municipality.name_en if locale == "en" else municipality.name_uk,
            eligibility=explain.eligibility_sentences(
                call,
                municipality.name_en if locale == "en" else municipality.name_uk,
                programme.title if programme else None,
            ),
            priorities=explain.priority_sentences(call),
            window=rules.call_window(call.status, call.opens_at, call.closes_at, calls.now()),
            can_apply=bool(user and user.has_role(Role.ENTREPRENEUR)),
            mine=mine,
            explain=explain,
            labels=labels,
        )

    @post("/calls/{call_id:int}/apply", guards=entrepreneur_only)
    async def apply(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        try:
            created = await applications.create_draft(db_session, user, call_id)
        except (Conflict, Forbidden) as exc:
            return redirect_with_message(request, f"/calls/{call_id}", exc.detail, "error")
        return redirect_with_message(
            request,
            f"/me/applications/{created.id}",
            _("Your draft is ready. It saves as you type; submit it when it is complete."),
        )

    # --- the applicant ----------------------------------------------------------------------

    @get("/me/applications", guards=logged_in)
    async def my_applications(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        return render(
            request,
            "grants/my_applications.html",
            rows=await applications.my_applications(db_session, user),
            explain=explain,
            labels=labels,
        )

    @get("/me/applications/{application_id:int}", guards=logged_in)
    async def application_page(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        return await self._page(request, db_session, user, application_id)

    async def _page(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        user: Any,
        application_id: int,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        extra_lines: int = 0,
        status_code: int = 200,
    ) -> Template:
        application = await applications.get_application(session, user, application_id)
        await session.refresh(application)
        call = await session.get(GrantCall, application.call_id)
        assert call is not None
        context: dict[str, Any] = {
            "application": application,
            "call": call,
            "read": await applications.read(session, user, application),
            "explain": explain,
            "labels": labels,
            "errors": errors or {},
            "max_files": attachments.MAX_FILES,
        }
        if not applications.can_edit(user, application):
            return render(
                request, "grants/application_view.html", status_code=status_code, **context
            )
        shown = values or forms.form_values(application)
        shown["budget_lines"] = [
            *shown["budget_lines"],
            *([{"item": "", "amount": ""}] * (extra_lines or 1)),
        ]
        return render(
            request,
            "grants/application_form.html",
            status_code=status_code,
            values=shown,
            window=rules.call_window(call.status, call.opens_at, call.closes_at, calls.now()),
            **context,
        )

    @post("/me/applications/{application_id:int}", guards=logged_in)
    async def save(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db: Db,
        db_session: DbSession,
    ) -> Template | Redirect:
        """The form without JavaScript: save, add or remove a budget line."""
        action = str(data.get("_action", ""))
        if action.startswith("remove:"):
            index = int(action.split(":")[1]) if action.split(":")[1].isdigit() else -1
            data = _without_line(data, index)
        errors = await save_form(db, user, application_id, data)
        if errors or action == "add_line":
            return await self._page(
                request,
                db_session,
                user,
                application_id,
                errors=errors,
                values=await self._shown(db_session, user, application_id, data)
                if errors
                else None,
                extra_lines=1 if action == "add_line" else 0,
                status_code=422 if errors else 200,
            )
        return redirect_with_message(request, f"/me/applications/{application_id}", _("Saved."))

    async def _shown(
        self, session: AsyncSession, user: Any, application_id: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        application = await applications.get_application(session, user, application_id)
        await session.refresh(application)
        call = await session.get(GrantCall, application.call_id)
        assert call is not None
        return forms.shown_values(
            data, forms.form_values(application), [q["key"] for q in call.questions]
        )

    @post("/me/applications/{application_id:int}/autosave", guards=logged_in)
    async def autosave(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db: Db,
        db_session: DbSession,
    ) -> Template:
        """htmx, while the applicant types: save the valid fields, report the others."""
        errors = await save_form(db, user, application_id, data)
        application = await applications.get_application(db_session, user, application_id)
        await db_session.refresh(application)
        call = await db_session.get(GrantCall, application.call_id)
        assert call is not None
        return render(
            request,
            "grants/_autosave.html",
            application=application,
            call=call,
            errors=errors,
            saved_at=calls.now(),
            cost=rules.project_cost(applications.content_of(application)),
            lines_total=sum(line["amount_kop"] for line in application.budget_lines),
            field_names=_field_names(call),
            labels=labels,
        )

    @get("/me/applications/{application_id:int}/line", guards=logged_in)
    async def budget_line(self, request: Request[Any, Any, Any]) -> Template:
        """htmx: one more empty row of the budget lines editor."""
        return render(request, "grants/_budget_line.html", line={"item": "", "amount": ""})

    @post("/me/applications/{application_id:int}/submit", guards=logged_in)
    async def submit(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db: Db,
        db_session: DbSession,
        storage: Files,
        settings: Config,
    ) -> Template | Redirect:
        """Save what the form shows, then submit; every problem is listed (422)."""
        errors = await save_form(db, user, application_id, data) if len(data) > 1 else {}
        try:
            await submission.submit(
                db_session, user, application_id, storage=storage, settings=settings
            )
        except InvalidInput as exc:
            values = await self._shown(db_session, user, application_id, data) if errors else None
            return await self._page(
                request,
                db_session,
                user,
                application_id,
                errors={**exc.errors, **errors},
                values=values,
                status_code=422,
            )
        except (Conflict, Forbidden) as exc:
            flash(request, exc.detail, "error")
            return await self._page(
                request, db_session, user, application_id, status_code=exc.status_code
            )
        return redirect_with_message(
            request,
            f"/me/applications/{application_id}",
            _(
                "Your application has been submitted. We have emailed you a confirmation; its "
                "PDF copy is below."
            ),
        )

    @post("/me/applications/{application_id:int}/withdraw", guards=logged_in)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        try:
            await applications.withdraw(db_session, user, application_id)
        except (Conflict, Forbidden) as exc:
            return redirect_with_message(
                request, f"/me/applications/{application_id}", exc.detail, "error"
            )
        return redirect_with_message(
            request, "/me/applications", _("Your application has been withdrawn."), "info"
        )

    @get("/me/applications/{application_id:int}/copy.pdf", guards=logged_in)
    async def copy(
        self, application_id: FromPath[int], user: Actor, db_session: DbSession, storage: Files
    ) -> Response[bytes]:
        body = await attachments.application_copy(db_session, user, storage, application_id)
        return file_response(body, "application/pdf", f"application-{application_id}.pdf")

    # --- attachments ------------------------------------------------------------------------

    @post(
        "/me/applications/{application_id:int}/files",
        guards=logged_in,
        request_max_body_size=attachments.MAX_REQUEST_BYTES,
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Template | Redirect:
        upload = data.get("file")
        try:
            if not isinstance(upload, UploadFile):
                raise InvalidInput({"file": _("Choose a file to attach.")})
            content = await upload.read()
            await attachments.add(
                db_session, user, storage, application_id, upload.filename or "file", content
            )
        except (InvalidInput, Conflict, TooLarge, UnsupportedType) as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {"file": exc.detail}
            return await self._page(
                request,
                db_session,
                user,
                application_id,
                errors=errors,
                status_code=exc.status_code,
            )
        return redirect_with_message(
            request, f"/me/applications/{application_id}#files", _("The file is attached.")
        )

    @get("/me/applications/{application_id:int}/files/{attachment_id:int}", guards=logged_in)
    async def download(
        self,
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        found, body = await attachments.content(
            db_session, user, storage, application_id, attachment_id
        )
        return file_response(body, found.content_type, found.filename)

    @post(
        "/me/applications/{application_id:int}/files/{attachment_id:int}/delete", guards=logged_in
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
        except Conflict as exc:
            return redirect_with_message(
                request, f"/me/applications/{application_id}", exc.detail, "error"
            )
        return redirect_with_message(
            request, f"/me/applications/{application_id}#files", _("The file is removed."), "info"
        )


def _without_line(data: dict[str, Any], index: int) -> dict[str, Any]:
    """The form data without budget line `index` (the "remove" button without JavaScript)."""
    items, amounts = forms.values_of(data, "line_item"), forms.values_of(data, "line_amount")
    keep = [i for i in range(len(items)) if i != index]
    return {
        **data,
        "line_item": [items[i] for i in keep],
        "line_amount": [amounts[i] if i < len(amounts) else "" for i in keep],
    }


def _field_names(call: GrantCall) -> list[str]:
    """Every field that can carry a message on the form (autosave clears or sets each)."""
    return [
        *forms.TEXT_FIELDS,
        *forms.MONEY_FIELDS,
        *forms.COUNT_FIELDS,
        "budget_lines",
        *(f"screening.{key}" for key in rules.SCREENING_QUESTIONS),
        *(f"answers.{q['key']}" for q in call.questions),
    ]
