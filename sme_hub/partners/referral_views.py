"""What the referral pages show and do: an entrepreneur's referrals, a partner's inbox where
they are accepted, declined and completed, centre staff referring a client (a two-step form
without JavaScript), and a grantee taking up a call's partner."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.config import Settings
from sme_hub.core.collation import uk_key
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.i18n import N_, _
from sme_hub.core.outcome import PageResult, refusal
from sme_hub.core.roles import CurrentUser
from sme_hub.entrepreneurs.clients import assistable_clients
from sme_hub.partners import directory as partner_directory
from sme_hub.partners import forms, rules
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners.models import Partner

PARTNER_PAGE = "/partner/referrals"
CENTRE_PAGE = "/centre/referrals"
MOVED = {
    "accepted": N_("You accepted the referral; {name} has been told by email."),
    "declined": N_("You declined the referral; {name} has been told by email."),
    "completed": N_("The referral is completed; {name} has been told what came of it."),
}


def labels() -> dict[str, Any]:
    return {
        "status_labels": rules.REFERRAL_STATUS_LABELS,
        "source_labels": rules.SOURCE_LABELS,
        "kind_labels": rules.KIND_LABELS,
        "flow": rules.REFERRAL_FLOW,
    }


async def _listed(
    session: AsyncSession, user: CurrentUser, side: str, limit: int, offset: int, **more: Any
) -> dict[str, Any]:
    """A page of the user's referrals of one side, with what every list shows."""
    rows, total = await partner_referrals.referrals(
        session, user, side=side, status=more.get("status") or None, limit=limit, offset=offset
    )
    return {
        "rows": rows,
        "total": total,
        "limit": limit,
        "offset": offset,
        "query": "",
        **labels(),
        **more,
    }


async def mine_view(
    session: AsyncSession, user: CurrentUser, *, limit: int, offset: int
) -> dict[str, Any]:
    """An entrepreneur's own referrals."""
    return await _listed(session, user, "own", limit, offset)


async def inbox_view(
    session: AsyncSession,
    user: CurrentUser,
    *,
    limit: int,
    offset: int,
    status: str,
    problem: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A partner's referrals (of one status, or all), with the problem of a refused answer."""
    return await _listed(
        session,
        user,
        "partner",
        limit,
        offset,
        status=status,
        query=urlencode({"status": status}) + "&" if status else "",
        problem=problem or {"id": None, "errors": {}, "outcome_note": ""},
    )


async def answer(
    session: AsyncSession,
    user: CurrentUser,
    referral_id: int,
    data: Mapping[str, Any],
    *,
    settings: Settings,
) -> PageResult:
    """Accept, decline or complete; a refusal shows the inbox again with its message and its
    status (409 a move the flow does not allow, 422 a completion without outcome)."""
    shown = forms.known_status(str(data.get("filter", "")))
    change, errors = forms.parse_referral_change(data)
    status_code = 422
    if change is not None:
        try:
            read = await partner_referrals.answer(
                session, user, referral_id, change, settings=settings
            )
        except (InvalidInput, Conflict) as exc:
            errors, status_code = refusal(exc)
        else:
            query = f"?{urlencode({'status': shown})}" if shown else ""
            return PageResult(
                url=f"{PARTNER_PAGE}{query}#referral-{referral_id}",
                message=_(MOVED[read.status]).format(name=read.entrepreneur_name),
            )
    refused = {
        "id": referral_id,
        "errors": errors,
        "outcome_note": str(data.get("outcome_note", "")),
    }
    view = await inbox_view(session, user, limit=100, offset=0, status=shown, problem=refused)
    return PageResult(view=view, status_code=status_code)


async def active_partners(session: AsyncSession) -> list[Partner]:
    partners = [p for p in await partner_directory.list_partners(session) if p.is_active]
    return sorted(partners, key=lambda p: uk_key(p.name))


async def services_of(session: AsyncSession, partner_id: str) -> list[str] | None:
    """The services of an active partner; None when no partner is chosen."""
    partner = (
        await partner_directory.get_partner(session, int(partner_id))
        if partner_id.isdigit()
        else None
    )
    if partner is None or not partner.is_active:
        return None
    return list(partner.services)


async def service_field_view(session: AsyncSession, partner_id: str) -> dict[str, Any]:
    """The service field of the referral form for the partner chosen."""
    values = {"partner_id": partner_id}
    return {"values": values, "errors": {}, "services": await services_of(session, partner_id)}


async def centre_view(
    session: AsyncSession,
    user: CurrentUser,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
) -> dict[str, Any]:
    """The referrals the centre made, and the form referring a client (as typed)."""
    return await _listed(
        session,
        user,
        "centre",
        limit,
        offset,
        clients=await assistable_clients(session, user),
        partners=await active_partners(session),
        services=await services_of(session, values.get("partner_id", "")),
        values=values,
        errors=errors or {},
    )


async def refer(
    session: AsyncSession, user: CurrentUser, data: Mapping[str, Any], *, settings: Settings
) -> PageResult:
    """ "Show its services" only shows the form again (the step without JavaScript);
    "Refer" sends it. A refusal keeps what was typed: 422 by field, 409 if it is open."""
    values = forms.referral_values(data)
    if "_step" in data:
        return PageResult(view=await centre_view(session, user, values))
    wanted, errors = forms.parse_referral(values)
    status_code = 422
    if wanted is not None:
        try:
            read = await partner_referrals.refer(session, user, wanted, settings=settings)
        except (InvalidInput, Conflict) as exc:
            errors, status_code = refusal(exc)
        else:
            message = _(
                "{person} is referred to {partner} for “{service}”. Both have been emailed."
            ).format(person=read.entrepreneur_name, partner=read.partner_name, service=read.service)
            return PageResult(url=CENTRE_PAGE, message=message)
    view = await centre_view(session, user, values, errors)
    return PageResult(view=view, status_code=status_code)
