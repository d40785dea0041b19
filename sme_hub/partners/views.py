"""What the partner pages show: the public directory with its map, one partner's page (where
an entrepreneur asks for a referral), and the partner form of the admin and of centre staff
of a municipality the partner serves. View models for the templates, built here so that
handlers only parse, call and render."""

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.filtered_lists import filtered_page, typed_filters
from sme_hub.core.forms import field_errors
from sme_hub.core.i18n import _, pick
from sme_hub.core.outcome import PageResult, refusal
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.organisations.models import Municipality
from sme_hub.partners import directory as partner_directory
from sme_hub.partners import forms, rules
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners.schemas import PartnerRead, PartnerUpdate

TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OPENSTREETMAP = Markup('<a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>')


def map_data(partners: Iterable[PartnerRead], *, zoom: int = 13) -> dict[str, Any]:
    """What partners-map.js draws: the partners with coordinates, each linking to its page."""
    return {
        "tiles": TILES,
        # HTML for Leaflet: our translated words escaped, the link kept.
        "attribution": str(
            escape(_("© {openstreetmap} contributors")).format(openstreetmap=OPENSTREETMAP)
        ),
        "zoom": zoom,
        "link_text": _("About the partner"),
        # Leaflet's own controls speak English; partners-map.js gives them these words.
        "controls": {
            "zoom_in": _("Zoom in"),
            "zoom_out": _("Zoom out"),
            "close_popup": _("Close"),
            "leaflet": _("Leaflet, a library for interactive maps"),
        },
        "markers": [
            {
                "id": p.id,
                "name": p.name,
                "lat": float(p.latitude),
                "lng": float(p.longitude),
                "url": f"/partners/{p.id}",
            }
            for p in partners
            if p.latitude is not None and p.longitude is not None
        ],
    }


async def municipality_names(
    session: AsyncSession, ids: Iterable[int] | None = None
) -> dict[int, str]:
    """Names in the reader's language, of `ids` (of every municipality when None)."""
    statement = select(Municipality).order_by(col(Municipality.name_uk))
    if ids is not None:
        statement = statement.where(col(Municipality.id).in_(set(ids)))
    return {m.id or 0: pick(m, "name") for m in await session.scalars(statement)}


async def directory_view(
    session: AsyncSession, given: Mapping[str, str | None], *, limit: int, offset: int
) -> dict[str, Any]:
    """The directory page: the partners the filters find (none while a filter is wrong,
    with its message), the filters as typed, and the choices of the filter form."""
    raw = typed_filters(given)
    checked, errors = forms.parse_directory_filters(given)
    items: list[PartnerRead] = []
    total = 0
    if checked is not None:
        items, total = await partner_directory.directory(
            session, checked, limit=limit, offset=offset
        )
    return {
        **filtered_page(
            "partners", items, total, limit=limit, offset=offset, values=raw, errors=errors
        ),
        "names": await municipality_names(session),
        "services": await partner_directory.known_services(session),
        "map": map_data(items),
        "labels": rules,
    }


async def partner_view(
    session: AsyncSession,
    user: CurrentUser | None,
    partner_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An active partner's page; an entrepreneur sees the form asking for a referral."""
    partner = await partner_directory.public_read(session, partner_id)
    names = await municipality_names(session, partner.municipality_ids)
    return {
        "partner": partner,
        "description": pick(partner, "description"),
        "served": sorted(names.values(), key=str.casefold),
        "map": map_data([partner], zoom=15),
        "can_ask": bool(user and user.has_role(Role.ENTREPRENEUR)),
        "is_admin": bool(user and user.is_admin),
        "errors": errors or {},
        "values": values or {},
        "labels": rules,
    }


async def ask_referral(
    session: AsyncSession,
    user: CurrentUser,
    partner_id: int,
    data: Mapping[str, Any],
    *,
    settings: Settings,
) -> PageResult:
    """An entrepreneur asks an active partner for a referral from its page."""
    partner = await partner_directory.public_partner(session, partner_id)
    wanted, errors = forms.parse_referral_request(partner_id, data)
    status_code = 422
    if wanted is not None:
        try:
            await partner_referrals.create_referral(session, user, wanted, settings=settings)
        except (InvalidInput, Conflict) as exc:
            errors, status_code = refusal(exc)
        else:
            message = _(
                "Your request is sent to {partner}. You will get an email when they answer."
            ).format(partner=partner.name)
            return PageResult(url=f"/partners/{partner_id}", message=message)
    values = {key: str(data.get(key, "")) for key in ("service", "note")}
    view = await partner_view(session, user, partner_id, errors, values)
    return PageResult(view=view, status_code=status_code)


# --- the partner form: the admin's (who alone chooses the municipalities served) and centre
# staff's of a municipality the partner serves -----------------------------------------------


async def manage_view(
    session: AsyncSession, user: CurrentUser, *, base: str, as_admin: bool
) -> dict[str, Any]:
    """The partners kept on the page: every one on the admin's (who may add one), else
    those of the municipalities the user's centre serves."""
    partners = (
        await partner_directory.list_partners(session)
        if as_admin
        else await partner_directory.managed_partners(session, user)
    )
    return {"partners": partners, "base": base, "can_create": as_admin, "labels": rules}


async def form_view(
    session: AsyncSession,
    partner: PartnerRead | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    *,
    base: str,
    with_municipalities: bool,
) -> dict[str, Any]:
    """The partner form (a new partner when `partner` is None)."""
    names = await municipality_names(session) if with_municipalities else {}
    return {
        "partner": partner,
        "values": values,
        "errors": errors or {},
        "municipalities": names,
        "with_municipalities": with_municipalities,
        "base": base,
        "action": f"{base}/{partner.id if partner else 'new'}",
        "labels": rules,
    }


async def _managed(session: AsyncSession, user: CurrentUser, partner_id: int) -> PartnerRead:
    return await partner_directory.partner_read(
        session, await partner_directory.managed_partner(session, user, partner_id)
    )


async def edit_view(
    session: AsyncSession, user: CurrentUser, partner_id: int, *, base: str, as_admin: bool
) -> dict[str, Any]:
    """The form of a partner the user keeps, filled in."""
    found = await _managed(session, user, partner_id)
    return await form_view(
        session, found, forms.form_values(found), base=base, with_municipalities=as_admin
    )


async def create_partner(
    session: AsyncSession, user: CurrentUser, data: Mapping[str, Any], *, base: str
) -> PageResult:
    """The admin adds a partner; a refusal shows the form again with what was typed."""
    checked, errors = forms.partner_from_form(data, with_municipalities=True)
    try:
        if checked is None:
            raise InvalidInput(errors)
        created = await partner_directory.create_partner(session, user, checked)
    except InvalidInput as exc:
        view = await form_view(
            session,
            None,
            forms.typed_values(data),
            exc.errors,
            base=base,
            with_municipalities=True,
        )
        return PageResult(view=view, status_code=422)
    message = _("Partner created: {name}.").format(name=created.name)
    return PageResult(url=f"{base}/{created.id}", message=message)


async def update_partner(
    session: AsyncSession,
    user: CurrentUser,
    partner_id: int,
    data: Mapping[str, Any],
    *,
    base: str,
    as_admin: bool,
) -> PageResult:
    """Saves the form of a partner the user keeps (only the admin's page changes the
    municipalities served); a refusal shows the form again with what was typed."""
    found = await _managed(session, user, partner_id)
    with_municipalities = as_admin
    checked, errors = forms.partner_from_form(data, with_municipalities=with_municipalities)
    try:
        if checked is None:
            raise InvalidInput(errors)
        exclude = None if with_municipalities else {"municipality_ids"}
        changes = PartnerUpdate.model_validate(checked.model_dump(exclude=exclude))
        await partner_directory.update_partner(session, user, partner_id, changes)
    except ValidationError as exc:  # the service re-checks the merged record
        errors = forms.by_field(field_errors(exc), checked.model_dump() if checked else {})
    except InvalidInput as exc:
        errors = exc.errors
    else:
        message = _("Saved: {name}.").format(name=checked.name)
        return PageResult(url=f"{base}/{partner_id}", message=message)
    view = await form_view(
        session,
        found,
        forms.typed_values(data),
        errors,
        base=base,
        with_municipalities=with_municipalities,
    )
    return PageResult(view=view, status_code=422)
