"""Grant pages for everyone: the open calls, one call's rules in plain words, and the
"Apply" button that starts an entrepreneur's draft."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core import filters
from sme_hub.core.auth import current_user, requires_role
from sme_hub.core.deps import Actor, DbSession, Page
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput
from sme_hub.core.i18n import _, current_locale, pick
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.public_cache import public_cache
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.grants import applications, calls, eligibility, explain, rules, schemas
from sme_hub.grants.models import Application
from sme_hub.organisations import service as organisations
from sme_hub.organisations.models import Municipality
from sme_hub.partners import call_partners as call_partner_offers
from sme_hub.partners import rules as partner_rules
from sme_hub.training.models import Programme

entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]
STATUS_FILTERS = {"open": "published", "closed": "closed"}
CALL_FIELDS = {
    "municipality_id": filters.number(),
    "status": filters.choice(STATUS_FILTERS, strip=False),
}


class PublicCallPagesController(Controller):
    include_in_schema = False

    # --- public -----------------------------------------------------------------------------

    @get("/calls", middleware=[public_cache])
    async def calls_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        page: Page,
        municipality_id: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
    ) -> Template:
        # Lenient: a filter that cannot be read is no filter (the errors are not shown).
        given = {"municipality_id": municipality_id, "status": status}
        values, _errors = filters.parse_public_filters(given, CALL_FIELDS)
        chosen = values["municipality_id"]
        rows, total = await calls.list_calls(
            db_session,
            current_user(request),
            status=STATUS_FILTERS.get(values["status"] or ""),
            municipality_id=chosen,
            limit=page.limit,
            offset=page.offset,
        )
        shown = sorted((calls.to_read(c) for c in rows), key=lambda c: c.status != "published")
        municipalities, _total = await organisations.list_municipalities(db_session)
        return render(
            request,
            "grants/calls.html",
            fragment="grants/_call_list.html",
            calls=shown,
            total=total,
            municipalities=municipalities,
            names={m.id: pick(m, "name") for m in municipalities},
            filters={"municipality_id": chosen, "status": status or ""},
            labels=schemas,
        )

    @get("/calls/{call_id:int}")
    async def call_page(
        self, request: Request[Any, Any, Any], call_id: FromPath[int], db_session: DbSession
    ) -> Template:
        user = current_user(request)
        call = await calls.get_call(db_session, user, call_id)
        municipality = await db_session.get(Municipality, call.municipality_id)
        assert municipality is not None
        programme_id = call.eligibility.get("required_programme_id")
        programme = await db_session.get(Programme, programme_id) if programme_id else None
        locale = current_locale.get()
        window = rules.call_window(call.status, call.opens_at, call.closes_at, calls.now())
        can_apply = bool(user and user.has_role(Role.ENTREPRENEUR))
        mine = await _live_application(db_session, user, call_id)
        blockers = (
            await eligibility.blockers(db_session, user.id, call)
            if user and can_apply and window == "open" and mine is None
            else []
        )
        return render(
            request,
            "grants/call.html",
            call=calls.to_read(call),
            title=pick(call, "title", locale),
            description=pick(call, "description", locale),
            municipality=pick(municipality, "name"),
            eligibility=explain.eligibility_sentences(
                call, pick(municipality, "name"), programme.title if programme else None
            ),
            priorities=explain.priority_sentences(call),
            window=window,
            can_apply=can_apply,
            mine=mine,
            blockers=[(p.field, eligibility.problem_text(p)) for p in blockers],
            number=explain.points_text,
            labels=schemas,
            partners=[
                (offer, p)
                for offer, p in await call_partner_offers.call_partners(db_session, call_id)
                if p.is_active
            ],
            partner_labels=partner_rules,
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
        except (Conflict, Forbidden, InvalidInput) as exc:  # the call's page says what blocks
            return redirect_with_message(request, f"/calls/{call_id}", exc.detail, "error")
        assert created.id is not None
        return redirect_with_message(
            request,
            f"/me/applications/{created.id}",
            _("Your draft is ready: it is saved as you type."),
        )


async def _live_application(
    db_session: AsyncSession, user: CurrentUser | None, call_id: int
) -> Application | None:
    if user is None:
        return None
    mine = await applications.my_applications(db_session, user)
    return next((a for a, c in mine if c.id == call_id and a.status != "withdrawn"), None)
