"""Municipal officers' pages for their calls: the list, a new call, editing a draft,
publishing, amending a published call with a reason, closing."""

from functools import partial
from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import _, pick
from sme_hub.core.pages import (
    PagesController,
    confirmation,
    confirmed,
    redirect_after,
    redirect_with_message,
    render,
)
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import call_partners as call_partner_offers
from sme_hub.grants import call_views, calls, display, forms, rules
from sme_hub.grants.models import GrantCall
from sme_hub.grants.web import call_url, officer_only


class CallOfficePagesController(PagesController):
    path = "/municipality/calls"
    guards = officer_only

    @get("/")
    async def calls_list(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        shown = await call_views.office_calls(db_session, user)
        return render(request, "grants/office/calls.html", **shown)

    @get("/new")
    async def new_call(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        return await _form(request, db_session, user, None, display.call_values(None))

    @post("/new")
    async def create(
        self, request: Req, data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        call, errors = forms.parse_call(data)
        municipality = str(data.get("municipality_id", ""))
        try:
            if call is None:
                raise InvalidInput(errors)
            created = await calls.create_call(
                db_session, user, call, int(municipality) if municipality.isdigit() else None
            )
        except InvalidInput as exc:
            values = display.typed_values(data)
            errors = {**exc.errors, **errors}
            return await _form(request, db_session, user, None, values, errors, status_code=422)
        message = _("The call is saved as a draft. Check it, then publish it.")
        return redirect_with_message(request, call_url(created.id or 0), message)

    @get("/{call_id:int}")
    async def call_page(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        call = await calls.managed_call(db_session, user, call_id)
        return await _form(request, db_session, user, call, display.call_values(call))

    @post("/{call_id:int}")
    async def update(
        self,
        request: Req,
        call_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Save a draft's changes, or amend a published call (a reason is required)."""
        call = await calls.managed_call(db_session, user, call_id)
        changes, errors = forms.parse_call_changes(data, call)
        reason = str(data.get("amendment_reason", "")).strip()
        values = {**display.typed_values(data), "amendment_reason": reason}
        form_again = partial(_form, request, db_session, user, call, values, status_code=422)
        if changes is None:
            return await form_again(errors)
        updated = calls.update_call(db_session, user, call_id, changes)
        message = _("The call is amended; the change is logged.") if reason else _("Saved.")
        return await redirect_after(
            request, updated, call_url(call_id), message, invalid=form_again
        )

    @post("/{call_id:int}/partners")
    async def set_partners(
        self,
        request: Req,
        call_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """The partners the call names; a refusal shows each message by its partner (422)
        and keeps the ones named before."""
        call = await calls.managed_call(db_session, user, call_id)
        chosen = forms.posted_partners(data)
        try:
            await call_partner_offers.set_call_partners(
                db_session, user, call_id, forms.partners_in(chosen)
            )
        except InvalidInput as exc:
            section = await call_views.partners_section(db_session, call_id, posted=chosen, exc=exc)
            values = display.call_values(call)
            return await _form(
                request, db_session, user, call, values, partner_section=section, status_code=422
            )
        message = _("The call's partners are saved: its grantees are offered a referral.")
        return redirect_with_message(request, call_url(call_id), message)

    @post("/{call_id:int}/{action:str}")
    async def change_state(
        self,
        request: Req,
        call_id: FromPath[int],
        action: FromPath[str],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Publish or close, once confirmed (neither can be undone)."""
        call = await calls.managed_call(db_session, user, call_id)
        if not confirmed(data) and rules.CALL.next_state(call.status, action):
            question = display.call_confirmation(action, pick(call, "title"))
            return confirmation(request, **question, cancel=call_url(call_id))
        message = (
            _("The call is published: entrepreneurs can apply from its public page.")
            if action == "publish"
            else _("The call is closed: no more applications are accepted.")
        )
        moved = calls.transition(db_session, user, call_id, action)
        return await redirect_after(request, moved, call_url(call_id), message)


async def _form(
    request: Req,
    db_session: AsyncSession,
    user: CurrentUser,
    call: GrantCall | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    partner_section: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    """The call's form: its values, the problems by field and by row."""
    shown = await call_views.call_form(db_session, user, call, partner_section=partner_section)
    return render(
        request,
        "grants/office/call.html",
        status_code=status_code,
        values=values,
        errors=errors or {},
        row_errors=display.row_errors(errors or {}),
        **shown,
    )
