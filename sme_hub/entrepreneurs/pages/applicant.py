"""The entrepreneur's own pages: the business profile and its wizard, and the
personal-data rights (download everything, delete the account)."""

import json
from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from pydantic import ValidationError

from sme_hub.core.client_address import client_address
from sme_hub.core.deps import Actor, Db, DbSession, FormData, Req
from sme_hub.core.errors import Conflict, InvalidInput, TooManyRequests
from sme_hub.core.forms import field_errors
from sme_hub.core.i18n import _
from sme_hub.core.pages import PagesController, redirect_with_message, render
from sme_hub.core.refusals import refusal_errors
from sme_hub.core.roles import CurrentUser
from sme_hub.entrepreneurs import rights, wizard
from sme_hub.entrepreneurs.forms import NEXT_STEP, STEPS, values_typed
from sme_hub.entrepreneurs.web import entrepreneur_only

Refused = tuple[InvalidInput | Conflict, dict[str, Any]] | None


class EntrepreneurPagesController(PagesController):
    guards = entrepreneur_only

    async def _step(
        self,
        request: Req,
        db_session: DbSession,
        user: CurrentUser,
        step: str,
        refused: Refused = None,
    ) -> Template:
        """A step of the wizard; after a refused save (its error and the form), with the values
        typed and the messages."""
        values = values_typed(step, refused[1]) if refused else None
        view = await wizard.step_view(db_session, user, step, values)
        errors = wizard.step_errors(refused[0]) if refused else {}
        status_code = refused[0].status_code if refused else 200
        template = f"entrepreneurs/step_{step}.html"
        return render(request, template, status_code=status_code, errors=errors, **view)

    @get("/me/business")
    async def overview(
        self, request: Req, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        view = await wizard.overview_view(db_session, user)
        if view is None:
            return Redirect("/me/business/details")
        return render(request, "entrepreneurs/overview.html", **view)

    @get("/me/business/{step:str}")
    async def step_page(
        self, request: Req, step: FromPath[str], user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        if step not in STEPS:
            return Redirect("/me/business")
        return await self._step(request, db_session, user, step)

    @post("/me/business/{step:str}")
    async def save_step(
        self, request: Req, step: FromPath[str], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        if step not in STEPS:
            return Redirect("/me/business")
        try:
            await wizard.save_step(db_session, user, step, data)
        except (InvalidInput, Conflict) as exc:
            return await self._step(request, db_session, user, step, (exc, data))
        return redirect_with_message(request, NEXT_STEP[step], _("Saved."))

    @post("/me/business/{step:str}/check")
    async def check_field(
        self, request: Req, step: FromPath[str], data: FormData, field: FromQuery[str] = ""
    ) -> Template:
        """Inline validation while typing: the message for one field of a step's form."""
        message = ""
        if step in STEPS:
            schema, from_form = STEPS[step]
            try:
                schema.model_validate(from_form(data))
            except ValidationError as exc:
                message = field_errors(exc).get(field, "")
        return render(request, "entrepreneurs/_field_error.html", field=field, message=message)

    @get("/me/data.json")
    async def download_data(self, user: Actor, db_session: DbSession) -> Response[bytes]:
        data = await rights.export_my_data(db_session, user)
        return Response(
            json.dumps(data, ensure_ascii=False, indent=2).encode(),
            media_type="application/json",
            headers={"Content-Disposition": 'attachment; filename="sme-hub-my-data.json"'},
        )

    @get("/me/delete")
    async def delete_page(self, request: Req) -> Template:
        return render(request, "entrepreneurs/delete.html", errors={})

    @post("/me/delete")
    async def delete_account(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession, db: Db
    ) -> Template | Redirect:
        password = str(data.get("password", ""))
        try:
            await rights.delete_my_account(db_session, db, user, password, client_address(request))
        except (InvalidInput, TooManyRequests) as exc:
            errors = refusal_errors(exc, "password")
            return render(
                request, "entrepreneurs/delete.html", status_code=exc.status_code, errors=errors
            )
        request.clear_session()
        return redirect_with_message(request, "/", _("Your account has been deleted."), "info")
