"""Tenants over HTTP: the admin API, public lists, a tenant's staff, and the admin page."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.pagination import OffsetPagination
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from sme_hub.accounts import service as accounts
from sme_hub.accounts.rules import ROLE_BINDING, Binding
from sme_hub.accounts.schemas import AdminUserCreate, UserRead
from sme_hub.core import mail
from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, DbSession, FormData, Page
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.organisations import service
from sme_hub.organisations.schemas import (
    CentreCreate,
    CentreRead,
    MunicipalityCreate,
    MunicipalityRead,
    StaffMember,
)
from sme_hub.partners import directory as partner_directory
from sme_hub.reference import service as reference

admin_only = [requires_role(Role.ADMIN)]


class AdminApiController(Controller):
    path = "/api/v1/admin"
    tags = ["admin"]
    guards = admin_only

    @post("/municipalities", status_code=201)
    async def create_municipality(
        self, data: JSONBody[MunicipalityCreate], user: Actor, db_session: DbSession
    ) -> MunicipalityRead:
        municipality = await service.create_municipality(db_session, user, data)
        return MunicipalityRead.model_validate(municipality)

    @post("/centres", status_code=201)
    async def create_centre(
        self, data: JSONBody[CentreCreate], user: Actor, db_session: DbSession
    ) -> CentreRead:
        return CentreRead.model_validate(await service.create_centre(db_session, user, data))

    @post("/users", status_code=201)
    async def create_user(
        self, data: JSONBody[AdminUserCreate], user: Actor, db_session: DbSession
    ) -> UserRead:
        created = await accounts.create_user(db_session, user, data)
        assert created.id is not None
        return await accounts.read_user(db_session, created.id)

    @get("/users")
    async def list_users(
        self,
        user: Actor,
        db_session: DbSession,
        page: Page,
        search: FromQuery[str | None] = None,
    ) -> OffsetPagination[UserRead]:
        items, total = await accounts.list_users(
            db_session, limit=page.limit, offset=page.offset, search=search, viewer=user
        )
        return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)


class OrganisationsApiController(Controller):
    path = "/api/v1"
    tags = ["organisations"]

    @get("/municipalities")
    async def list_municipalities(
        self, db_session: DbSession, page: Page
    ) -> OffsetPagination[MunicipalityRead]:
        """Every municipality on the installation (public)."""
        rows, total = await service.list_municipalities(
            db_session, limit=page.limit, offset=page.offset
        )
        return OffsetPagination(
            items=[MunicipalityRead.model_validate(r) for r in rows],
            limit=page.limit,
            offset=page.offset,
            total=total,
        )

    @get("/centres")
    async def list_centres(
        self, db_session: DbSession, page: Page, municipality_id: FromQuery[int | None] = None
    ) -> OffsetPagination[CentreRead]:
        """Business support centres, optionally of one municipality (public)."""
        rows, total = await service.list_centres(
            db_session, municipality_id=municipality_id, limit=page.limit, offset=page.offset
        )
        return OffsetPagination(
            items=[CentreRead.model_validate(r) for r in rows],
            limit=page.limit,
            offset=page.offset,
            total=total,
        )

    @get("/municipalities/{municipality_id:int}/staff", guards=[requires_login])
    async def staff(
        self, municipality_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> list[StaffMember]:
        """A municipality's staff: for its own staff and the admin; 404 for anyone else."""
        return await accounts.staff_of_municipality(db_session, user, municipality_id)


def grant_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """The one role of the admin's user form, with the organisation the role needs."""
    role = data.get("role", "")
    try:
        binding = ROLE_BINDING[Role(role)]
    except ValueError:
        return {"role": role}
    field = {
        Binding.MUNICIPALITY: "municipality_id",
        Binding.CENTRE: "centre_id",
        Binding.PARTNER: "partner_id",
    }.get(binding)
    grant: dict[str, Any] = {"role": role}
    if field and data.get(field):
        grant["organisation_id"] = data[field]
    if binding is Binding.OBLAST:
        grant["oblast"] = data.get("oblast", "")
    return grant


class AdminPagesController(Controller):
    path = "/admin"
    guards = admin_only
    include_in_schema = False

    async def _page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        *,
        status_code: int = 200,
        form: str = "",
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        viewer: CurrentUser | None = None,
    ) -> Template:
        municipalities, _total = await service.list_municipalities(db_session)
        centres, _total = await service.list_centres(db_session)
        users, users_total = await accounts.list_users(db_session, limit=20, viewer=viewer)
        partners = await partner_directory.list_partners(db_session)
        emails = await mail.latest_emails(db_session)
        communities = await reference.place_names(db_session, [m.katottg for m in municipalities])
        return render(
            request,
            "organisations/admin.html",
            status_code=status_code,
            municipalities=municipalities,
            centres=centres,
            users=users,
            users_total=users_total,
            emails=emails,
            communities=communities,
            email_labels=mail.STATUS_LABELS,
            partners=partners,
            roles=list(Role),
            form=form,
            errors=errors or {},
            values=values or {},
        )

    @get("/", guards=[requires_login])
    async def index(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        return await self._page(request, db_session, viewer=user)

    @post("/municipalities")
    async def create_municipality(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        try:
            await service.create_municipality(
                db_session, user, parse_form(MunicipalityCreate, data)
            )
        except (InvalidInput, Conflict) as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {"katottg": exc.detail}
            return await self._page(
                request,
                db_session,
                status_code=exc.status_code,
                form="municipality",
                errors=errors,
                values=data,
            )
        return redirect_with_message(request, "/admin", _("Municipality created."))

    @post("/centres")
    async def create_centre(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        try:
            await service.create_centre(db_session, user, parse_form(CentreCreate, data))
        except InvalidInput as exc:
            return await self._page(
                request, db_session, status_code=422, form="centre", errors=exc.errors, values=data
            )
        return redirect_with_message(request, "/admin", _("Business support centre created."))

    @post("/users")
    async def create_user(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        fields = {k: data.get(k, "") for k in ("email", "full_name", "password", "locale")}
        try:
            form = parse_form(AdminUserCreate, {**fields, "roles": [grant_from_form(data)]})
            await accounts.create_user(db_session, user, form)
        except (InvalidInput, Conflict) as exc:
            errors = exc.errors if isinstance(exc, InvalidInput) else {"email": exc.detail}
            errors = {
                key.replace("roles.0.organisation_id", "organisation").replace("roles.0.", ""): msg
                for key, msg in errors.items()
            }
            values = {k: v for k, v in data.items() if k != "password"}
            return await self._page(
                request,
                db_session,
                status_code=exc.status_code,
                form="user",
                errors=errors,
                values=values,
            )
        return redirect_with_message(request, "/admin", _("User account created."))
