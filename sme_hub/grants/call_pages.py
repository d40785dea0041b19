"""Municipal officers' pages for their calls: the list, a new call, editing a draft,
publishing, amending a published call with a reason, closing."""

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, FormData
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import N_, _, pick
from sme_hub.core.pages import confirmation, confirmed, redirect_with_message, render
from sme_hub.core.roles import Role
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.grants import call_forms, calls, explain, overview, partner_form, rules
from sme_hub.grants import schemas as labels
from sme_hub.grants.models import CallAmendment, GrantCall
from sme_hub.grants.schemas import CallCreate, CallUpdate
from sme_hub.organisations.models import Municipality
from sme_hub.partners import call_partners as call_partner_offers
from sme_hub.partners import rules as partner_rules
from sme_hub.training.models import Programme

OFFICER = Role.MUNICIPAL_OFFICER
officers = [requires_role(OFFICER, Role.ADMIN)]


class CallOfficePagesController(Controller):
    include_in_schema = False
    path = "/municipality/calls"
    guards = officers

    @get("/")
    async def calls_list(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        entries = await overview.calls_with_counts(db_session, user, OFFICER, include_drafts=True)
        return render(
            request, "grants/office/calls.html", entries=entries, explain=explain, labels=labels
        )

    @get("/new")
    async def new_call(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        return await self._form(request, db_session, user, None, call_forms.form_values(None))

    @post("/new")
    async def create(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        fields, errors = call_forms.call_from_form(data)
        municipality = str(data.get("municipality_id", ""))
        try:
            if errors:
                raise InvalidInput(errors)
            call = await calls.create_call(
                db_session,
                user,
                parse_form(CallCreate, fields),
                int(municipality) if municipality.isdigit() else None,
            )
        except InvalidInput as exc:
            return await self._form(
                request,
                db_session,
                user,
                None,
                call_forms.typed_values(data),
                errors={**exc.errors, **errors},
                status_code=422,
            )
        return redirect_with_message(
            request,
            f"/municipality/calls/{call.id}",
            _("The call is saved as a draft. Check it, then publish it."),
        )

    @get("/{call_id:int}")
    async def call_page(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        call = await calls.managed_call(db_session, user, call_id)
        return await self._form(request, db_session, user, call, call_forms.form_values(call))

    @post("/{call_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Save a draft's changes, or amend a published call (a reason is required)."""
        call = await calls.managed_call(db_session, user, call_id)
        fields, errors = call_forms.call_from_form(data)
        fields = call_forms.keep_unchanged_times(fields, data, call)
        reason = str(data.get("amendment_reason", "")).strip()
        try:
            if errors:
                raise InvalidInput(errors)
            changes = parse_form(
                CallUpdate,
                {**fields, **({"amendment_reason": reason} if call.status != "draft" else {})},
            )
            await calls.update_call(db_session, user, call_id, changes)
        except InvalidInput as exc:
            return await self._form(
                request,
                db_session,
                user,
                call,
                {**call_forms.typed_values(data), "amendment_reason": reason},
                errors={**exc.errors, **errors},
                status_code=422,
            )
        except Conflict as exc:
            return redirect_with_message(
                request, f"/municipality/calls/{call_id}", exc.detail, "error"
            )
        message = _("The call is amended; the change is logged.") if reason else _("Saved.")
        return redirect_with_message(request, f"/municipality/calls/{call_id}", message)

    @post("/{call_id:int}/partners")
    async def set_partners(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """The partners the call names; a refusal shows each message by its partner (422)
        and keeps the ones named before."""
        call = await calls.managed_call(db_session, user, call_id)
        chosen = partner_form.posted(data)
        try:
            await call_partner_offers.set_call_partners(
                db_session, user, call_id, partner_form.read(chosen)
            )
        except InvalidInput as exc:
            section = await partner_form.section(db_session, call_id, posted=chosen, exc=exc)
            values = call_forms.form_values(call)
            return await self._form(
                request, db_session, user, call, values, partner_section=section, status_code=422
            )
        message = _("The call's partners are saved: its grantees are offered a referral.")
        return redirect_with_message(request, f"/municipality/calls/{call_id}", message)

    @post("/{call_id:int}/{action:str}")
    async def change_state(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        action: FromPath[str],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Publish or close, once confirmed (neither can be undone)."""
        call = await calls.managed_call(db_session, user, call_id)
        if not confirmed(data) and rules.CALL.next_state(call.status, action):
            return confirmation(
                request,
                **_call_confirmation(action),
                title=_(CALL_QUESTIONS[action]).format(title=pick(call, "title")),
                cancel=f"/municipality/calls/{call_id}",
            )
        try:
            await calls.transition(db_session, user, call_id, action)
        except Conflict as exc:
            return redirect_with_message(
                request, f"/municipality/calls/{call_id}", exc.detail, "error"
            )
        message = (
            _("The call is published: entrepreneurs can apply from its public page.")
            if action == "publish"
            else _("The call is closed: no more applications are accepted.")
        )
        return redirect_with_message(request, f"/municipality/calls/{call_id}", message)

    async def _form(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: Actor,
        call: GrantCall | None,
        values: dict[str, Any],
        *,
        errors: dict[str, str] | None = None,
        partner_section: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        mine = sorted(user.municipality_ids(OFFICER))
        municipalities = (
            await db_session.scalars(
                select(Municipality).where(col(Municipality.id).in_(mine))
                if not user.is_admin
                else select(Municipality).order_by(col(Municipality.name_uk))
            )
        ).all()
        municipality_ids = [call.municipality_id] if call else [m.id for m in municipalities]
        programmes = (
            await db_session.scalars(
                select(Programme)
                .where(col(Programme.municipality_id).in_(municipality_ids))
                .order_by(col(Programme.title))
            )
        ).all()
        errors = errors or {}
        editable = call is None or call.status == "draft" or explain.is_open(call)
        return render(
            request,
            "grants/office/call.html",
            status_code=status_code,
            call=call,
            values=values,
            errors=errors,
            row_errors=_row_errors(errors),
            editable=editable,
            amendments=await _amendments(db_session, user, call) if call else [],
            municipalities=municipalities if (call is None and len(municipalities) > 1) else [],
            programmes=programmes,
            legal_forms=LEGAL_FORM_LABELS,
            blank_rows=call_forms.BLANK_ROWS,
            explain=explain,
            labels=labels,
            partner_section=partner_section
            or (await partner_form.section(db_session, call.id or 0) if call else None),
            partner_labels=partner_rules,
        )


CALL_QUESTIONS = {
    "publish": N_("Publish the call “{title}”?"),
    "close": N_("Close the call “{title}” now?"),
}


def _call_confirmation(action: str) -> dict[str, Any]:
    if action == "publish":
        return {
            "consequences": [
                _("Everyone will see the call, and entrepreneurs can apply once it opens."),
                _("A published call cannot be taken back to a draft."),
            ],
            "button": _("Yes, publish the call"),
        }
    return {
        "consequences": [
            _("No more applications will be accepted, even before the closing time."),
            _("Drafts not yet submitted can no longer be submitted."),
        ],
        "button": _("Yes, close the call"),
    }


@dataclass(frozen=True)
class AmendmentView:
    amendment: CallAmendment
    author: str
    changes: list[call_forms.Change]


async def _amendments(db_session: DbSession, user: Actor, call: GrantCall) -> list[AmendmentView]:
    """The call's amendments with readable changes and the names of who made them."""
    found = await calls.amendments(db_session, user, call.id or 0)
    authors = {a.amended_by for a in found if a.amended_by is not None}
    names = dict(
        (
            await db_session.execute(
                select(col(User.id), col(User.full_name)).where(col(User.id).in_(authors))
            )
        ).all()
        if authors
        else []
    )
    return [
        AmendmentView(
            a,
            names.get(a.amended_by, "") if a.amended_by is not None else "",
            call_forms.describe_changes(a.changes),
        )
        for a in found
    ]


def _row_errors(errors: dict[str, str]) -> dict[str, str]:
    """Messages of criteria and question rows, keyed `criteria.0`, `questions.1`."""
    rows: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] in ("criteria", "questions") and len(parts) > 1 and parts[1].isdigit():
            row = f"{parts[0]}.{parts[1]}"
            rows[row] = f"{rows[row]} {message}" if row in rows else message
    return rows
