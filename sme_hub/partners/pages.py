"""Partner pages: the public directory with its map, one partner's page (where an
entrepreneur asks for a referral), and the partner form for the admin and for centre staff
of a municipality the partner serves."""

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup, escape
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.core.auth import current_user, requires_role
from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.forms import field_errors, parse_form
from sme_hub.core.i18n import _, pick
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.public_cache import public_cache
from sme_hub.core.roles import Role
from sme_hub.organisations.models import Municipality
from sme_hub.partners import directory as partner_directory
from sme_hub.partners import forms, rules
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners.controllers import provide_directory_filters
from sme_hub.partners.models import Partner
from sme_hub.partners.schemas import PartnerRead, PartnerUpdate, ReferralIn

FILTERS = ("kind", "sector", "municipality", "service", "q")
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


class PartnerPagesController(Controller):
    include_in_schema = False

    @get("/partners", middleware=[public_cache])
    async def directory_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        page: Page,
        kind: FromQuery[str | None] = None,
        sector: FromQuery[str | None] = None,
        municipality: FromQuery[str | None] = None,
        service: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
    ) -> Template:
        given = (kind, sector, municipality, service, q)
        raw = {key: (value or "").strip() for key, value in zip(FILTERS, given, strict=True)}
        items: list[PartnerRead] = []
        total, errors = 0, {}
        try:
            filters = provide_directory_filters(*given)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            items, total = await partner_directory.directory(
                db_session, filters, limit=page.limit, offset=page.offset
            )
        names = await municipality_names(db_session)
        return render(
            request,
            "partners/directory.html",
            fragment=None if errors else "partners/_results.html",
            status_code=422 if errors else 200,
            partners=items,
            total=total,
            limit=page.limit,
            offset=page.offset,
            query=urlencode({k: v for k, v in raw.items() if v} | {"limit": page.limit}),
            values=raw,
            errors=errors,
            names=names,
            services=await partner_directory.known_services(db_session),
            map=map_data(items),
            labels=rules,
            user=current_user(request),
        )

    @get("/partners/{partner_id:int}")
    async def partner_page(
        self, request: Request[Any, Any, Any], partner_id: FromPath[int], db_session: DbSession
    ) -> Template:
        return await self._partner(request, db_session, partner_id)

    @post("/partners/{partner_id:int}/referral", guards=[requires_role(Role.ENTREPRENEUR)])
    async def ask_referral(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        partner = await partner_directory.public_partner(db_session, partner_id)
        values = {key: str(data.get(key, "")) for key in ("service", "note")}
        try:
            wanted = parse_form(ReferralIn, {"partner_id": partner_id, **values})
            await partner_referrals.create_referral(db_session, user, wanted, settings=settings)
        except (InvalidInput, Conflict) as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {"__all__": exc.detail}
            return await self._partner(
                request, db_session, partner_id, errors, values, exc.status_code
            )
        return redirect_with_message(
            request,
            f"/partners/{partner_id}",
            _("Your request is sent to {partner}. You will get an email when they answer.").format(
                partner=partner.name
            ),
        )

    async def _partner(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        partner_id: int,
        errors: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        partner = await partner_directory.partner_read(
            db_session, await partner_directory.public_partner(db_session, partner_id)
        )
        user = current_user(request)
        names = await municipality_names(db_session, partner.municipality_ids)
        return render(
            request,
            "partners/partner.html",
            status_code=status_code,
            partner=partner,
            description=pick(partner, "description"),
            served=sorted(names.values(), key=str.casefold),
            map=map_data([partner], zoom=15),
            can_ask=bool(user and user.has_role(Role.ENTREPRENEUR)),
            is_admin=bool(user and user.is_admin),
            errors=errors or {},
            values=values or {},
            labels=rules,
        )


class PartnerFormPages(Controller):
    """The list and form shared by the admin's and centre staff's pages; only the admin
    chooses the municipalities a partner serves."""

    include_in_schema = False
    with_municipalities = False

    async def _list(self, request: Request[Any, Any, Any], partners: Sequence[Partner]) -> Template:
        return render(
            request,
            "partners/manage.html",
            partners=partners,
            base=self.path,
            can_create=self.with_municipalities,
            labels=rules,
        )

    async def _form(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        partner: PartnerRead | None,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        names = await municipality_names(db_session) if self.with_municipalities else {}
        return render(
            request,
            "partners/form.html",
            status_code=status_code,
            partner=partner,
            values=values,
            errors=errors or {},
            municipalities=names,
            with_municipalities=self.with_municipalities,
            base=self.path,
            action=f"{self.path}/{partner.id if partner else 'new'}",
            labels=rules,
        )

    async def _edit(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, user: Actor, pid: int
    ) -> Template:
        found = await partner_directory.partner_read(
            db_session, await partner_directory.managed_partner(db_session, user, pid)
        )
        return await self._form(request, db_session, found, forms.form_values(found))

    async def _update(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        user: Actor,
        pid: int,
        data: dict[str, Any],
    ) -> Template | Redirect:
        found = await partner_directory.partner_read(
            db_session, await partner_directory.managed_partner(db_session, user, pid)
        )
        checked, errors = forms.partner_from_form(
            data, with_municipalities=self.with_municipalities
        )
        try:
            if checked is None:
                raise InvalidInput(errors)
            exclude = None if self.with_municipalities else {"municipality_ids"}
            changes = PartnerUpdate.model_validate(checked.model_dump(exclude=exclude))
            await partner_directory.update_partner(db_session, user, pid, changes)
        except ValidationError as exc:  # the service re-checks the merged record
            errors = forms.by_field(field_errors(exc), checked.model_dump() if checked else {})
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return redirect_with_message(
                request, f"{self.path}/{pid}", _("Saved: {name}.").format(name=checked.name)
            )
        return await self._form(
            request, db_session, found, forms.typed_values(data), errors, status_code=422
        )


class PartnerAdminPagesController(PartnerFormPages):
    path = "/admin/partners"
    guards = [requires_role(Role.ADMIN)]
    with_municipalities = True

    @get("/")
    async def partners_list(
        self, request: Request[Any, Any, Any], db_session: DbSession
    ) -> Template:
        return await self._list(request, await partner_directory.list_partners(db_session))

    @get("/new")
    async def new_partner(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        return await self._form(request, db_session, None, forms.form_values(None))

    @post("/new")
    async def create(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        checked, errors = forms.partner_from_form(data, with_municipalities=True)
        try:
            if checked is None:
                raise InvalidInput(errors)
            created = await partner_directory.create_partner(db_session, user, checked)
        except InvalidInput as exc:
            return await self._form(
                request, db_session, None, forms.typed_values(data), exc.errors, status_code=422
            )
        return redirect_with_message(
            request,
            f"{self.path}/{created.id}",
            _("Partner created: {name}.").format(name=created.name),
        )

    @get("/{partner_id:int}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        return await self._edit(request, db_session, user, partner_id)

    @post("/{partner_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        return await self._update(request, db_session, user, partner_id, data)


class PartnerCentrePagesController(PartnerFormPages):
    path = "/centre/partners"
    guards = [requires_role(Role.CENTRE_STAFF)]

    @get("/")
    async def partners_list(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        return await self._list(request, await partner_directory.managed_partners(db_session, user))

    @get("/{partner_id:int}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        return await self._edit(request, db_session, user, partner_id)

    @post("/{partner_id:int}")
    async def update(
        self,
        request: Request[Any, Any, Any],
        partner_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        return await self._update(request, db_session, user, partner_id, data)
