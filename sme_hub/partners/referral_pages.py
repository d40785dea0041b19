"""Referral pages: an entrepreneur's referrals, a partner's inbox where they are accepted,
declined and completed, centre staff referring a client (a two-step form without JavaScript,
the service list reloaded by htmx with it), and a grantee taking up a call's partner."""

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.collation import uk_key
from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.exports import Export, export_route
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import N_, _
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.grants.overview import assistable_clients
from sme_hub.partners import call_partners as call_partner_offers
from sme_hub.partners import directory as partner_directory
from sme_hub.partners import exports, rules
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners.models import Partner
from sme_hub.partners.schemas import ReferralChange, ReferralIn

PARTNER_PAGE = "/partner/referrals"
CENTRE_PAGE = "/centre/referrals"
MOVED = {
    "accepted": N_("You accepted the referral; {name} has been told by email."),
    "declined": N_("You declined the referral; {name} has been told by email."),
    "completed": N_("The referral is completed; {name} has been told what came of it."),
}


def _labels() -> dict[str, Any]:
    return {
        "status_labels": rules.REFERRAL_STATUS_LABELS,
        "source_labels": rules.SOURCE_LABELS,
        "kind_labels": rules.KIND_LABELS,
        "flow": rules.REFERRAL_FLOW,
    }


def _status(value: str | None) -> str:
    """A known status to filter by, or "" for all (an unknown one is ignored)."""
    return value if value in rules.REFERRAL_FLOW else ""


async def inbox_export(user: Actor, status: FromQuery[str | None] = None) -> Export:
    """The inbox with its status filter as CSV or XLSX (by the path), streamed."""
    return exports.referrals_export(user, status=_status(status) or None, side="partner")


async def centre_export(user: Actor, status: FromQuery[str | None] = None) -> Export:
    """The referrals the centre made (`?status=` as the inbox) as CSV or XLSX, streamed."""
    return exports.referrals_export(user, status=_status(status) or None, side="centre")


async def active_partners(session: AsyncSession) -> list[Partner]:
    partners = [p for p in await partner_directory.list_partners(session) if p.is_active]
    return sorted(partners, key=lambda p: uk_key(p.name))


class ReferralPagesController(Controller):
    include_in_schema = False

    # --- the entrepreneur -------------------------------------------------------------------

    @get("/me/referrals", guards=[requires_role(Role.ENTREPRENEUR)])
    async def mine(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession, page: Page
    ) -> Template:
        rows, total = await partner_referrals.referrals(
            db_session, user, side="own", limit=page.limit, offset=page.offset
        )
        return render(
            request,
            "partners/referrals/mine.html",
            rows=rows,
            total=total,
            limit=page.limit,
            offset=page.offset,
            query="",
            **_labels(),
        )

    @post("/me/grants/{grant_id:int}/referrals", guards=[requires_login])
    async def take_offer(
        self,
        request: Request[Any, Any, Any],
        grant_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Redirect:
        """The grantee asks for a referral to one of the call's partners; not an offer of
        this grant is 404."""
        back = f"/me/grants/{grant_id}#partner-offers"
        partner_id = str(data.get("partner_id", ""))
        if not partner_id.isdigit():
            return redirect_with_message(request, back, _("Choose a partner."), "error")
        try:
            await call_partner_offers.refer_from_grant(
                db_session, user, grant_id, int(partner_id), settings=settings
            )
        except (Conflict, InvalidInput) as exc:
            return redirect_with_message(request, back, exc.detail, "error")
        message = _("Your request is sent to the partner. Follow it in “My referrals”.")
        return redirect_with_message(request, back, message)

    # --- the partner ------------------------------------------------------------------------

    @get(PARTNER_PAGE, guards=[requires_role(Role.PARTNER)])
    async def inbox(
        self,
        request: Request[Any, Any, Any],
        user: Actor,
        db_session: DbSession,
        page: Page,
        status: FromQuery[str | None] = None,
    ) -> Template:
        return await _inbox(request, db_session, user, page.limit, page.offset, _status(status))

    @post(PARTNER_PAGE + "/{referral_id:int}", guards=[requires_role(Role.PARTNER)])
    async def answer(
        self,
        request: Request[Any, Any, Any],
        referral_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        """Accept, decline or complete; a refusal shows the page again with its message and
        its status (409 a move the flow does not allow, 422 a completion without outcome)."""
        shown = _status(str(data.get("filter", "")))
        outcome = str(data.get("outcome_note", ""))
        try:
            change = parse_form(
                ReferralChange, {"status": data.get("status", ""), "outcome_note": outcome}
            )
            referral = await partner_referrals.move_referral(
                db_session, user, referral_id, change, settings=settings
            )
        except (InvalidInput, Conflict) as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {"__all__": exc.detail}
            problem = {"id": referral_id, "errors": errors, "outcome_note": outcome}
            return await _inbox(
                request, db_session, user, 100, 0, shown, problem, status_code=exc.status_code
            )
        person = (await partner_referrals.read_one(db_session, user, referral_id)).entrepreneur_name
        query = f"?{urlencode({'status': shown})}" if shown else ""
        return redirect_with_message(
            request,
            f"{PARTNER_PAGE}{query}#referral-{referral_id}",
            _(MOVED[referral.status]).format(name=person),
        )

    inbox_export = export_route(
        [PARTNER_PAGE + "/export.csv", PARTNER_PAGE + "/export.xlsx"],
        inbox_export,
        guards=[requires_role(Role.PARTNER)],
    )

    # --- centre staff -----------------------------------------------------------------------

    centre_export = export_route(
        [CENTRE_PAGE + "/export.csv", CENTRE_PAGE + "/export.xlsx"],
        centre_export,
        guards=[requires_role(Role.CENTRE_STAFF)],
    )

    @get(CENTRE_PAGE, guards=[requires_role(Role.CENTRE_STAFF)])
    async def centre(
        self,
        request: Request[Any, Any, Any],
        user: Actor,
        db_session: DbSession,
        page: Page,
        partner_id: FromQuery[str | None] = None,
    ) -> Template:
        values = {"partner_id": partner_id or ""}
        return await _centre(request, db_session, user, page.limit, page.offset, values)

    @get(CENTRE_PAGE + "/services", guards=[requires_role(Role.CENTRE_STAFF)])
    async def services(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        partner_id: FromQuery[str | None] = None,
    ) -> Template:
        """The service field for the partner chosen (htmx swaps it in on change)."""
        values = {"partner_id": partner_id or ""}
        return render(
            request,
            "partners/referrals/_service_field.html",
            values=values,
            errors={},
            services=await _services_of(db_session, values["partner_id"]),
        )

    @post(CENTRE_PAGE, guards=[requires_role(Role.CENTRE_STAFF)])
    async def refer(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        """ "Show its services" only reloads the form (the step without JavaScript);
        "Refer" sends it. A refusal keeps what was typed: 422 by field, 409 if it is open."""
        keys = ("entrepreneur_id", "partner_id", "service", "note")
        values = {key: str(data.get(key, "")).strip() for key in keys}
        if "_step" in data:
            return await _centre(request, db_session, user, 100, 0, values)
        try:
            referral = await partner_referrals.create_referral(
                db_session, user, _referral_in(values), settings=settings
            )
        except (InvalidInput, Conflict) as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {"__all__": exc.detail}
            return await _centre(
                request, db_session, user, 100, 0, values, errors, status_code=exc.status_code
            )
        read = await partner_referrals.read_one(db_session, user, referral.id or 0)
        message = _(
            "{person} is referred to {partner} for “{service}”. Both have been emailed."
        ).format(person=read.entrepreneur_name, partner=read.partner_name, service=read.service)
        return redirect_with_message(request, CENTRE_PAGE, message)


def _referral_in(values: dict[str, str]) -> ReferralIn:
    """The form as a ReferralIn, every missing choice named at once."""
    errors = {}
    if not values["entrepreneur_id"].isdigit():
        errors["entrepreneur_id"] = _("Choose a client.")
    if not values["partner_id"].isdigit():
        errors["partner_id"] = _("Choose a partner.")
    if not values["service"]:
        errors["service"] = _("Choose one of the partner's services.")
    try:
        parsed = parse_form(ReferralIn, values) if not errors else None
    except InvalidInput as exc:
        errors |= exc.errors
    if errors or parsed is None:
        raise InvalidInput(errors)
    return parsed


async def _services_of(session: AsyncSession, partner_id: str) -> list[str] | None:
    """The services of an active partner; None when no partner is chosen."""
    partner = (
        await partner_directory.get_partner(session, int(partner_id))
        if partner_id.isdigit()
        else None
    )
    if partner is None or not partner.is_active:
        return None
    return list(partner.services)


async def _inbox(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    user: CurrentUser,
    limit: int,
    offset: int,
    status: str,
    problem: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Template:
    rows, total = await partner_referrals.referrals(
        session, user, side="partner", status=status or None, limit=limit, offset=offset
    )
    return render(
        request,
        "partners/referrals/partner.html",
        status_code=status_code,
        rows=rows,
        total=total,
        limit=limit,
        offset=offset,
        status=status,
        query=urlencode({"status": status}) + "&" if status else "",
        problem=problem or {"id": None, "errors": {}, "outcome_note": ""},
        **_labels(),
    )


async def _centre(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    user: CurrentUser,
    limit: int,
    offset: int,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    status_code: int = 200,
) -> Template:
    rows, total = await partner_referrals.referrals(
        session, user, side="centre", limit=limit, offset=offset
    )
    return render(
        request,
        "partners/referrals/centre.html",
        status_code=status_code,
        rows=rows,
        total=total,
        limit=limit,
        offset=offset,
        query="",
        clients=await assistable_clients(session, user),
        partners=await active_partners(session),
        services=await _services_of(session, values.get("partner_id", "")),
        values=values,
        errors=errors or {},
        **_labels(),
    )
