"""Entrepreneurs over HTTP: the profile API, the wizard, data rights, centre staff's clients."""

import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

from litestar import Controller, Request, Response, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, ValidationError

from sme_hub.accounts.controllers import client_address
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, Db, DbSession, FormData, Page
from sme_hub.core.errors import Conflict, InvalidInput, TooManyRequests
from sme_hub.core.exports import Export, export_route
from sme_hub.core.forms import field_errors, parse_form
from sme_hub.core.i18n import _, pick
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.roles import Role
from sme_hub.entrepreneurs import clients, rights, rules, schemas, service
from sme_hub.entrepreneurs.clients import ClientFilters
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.entrepreneurs.schemas import (
    BusinessDetails,
    BusinessProfileIn,
    BusinessProfileRead,
    ClientRead,
    GreenIn,
    Ownership,
)
from sme_hub.reference import service as reference
from sme_hub.training import catalogue
from sme_hub.training import schemas as training_schemas


def provide_client_filters(
    q: FromQuery[str | None] = None,
    kved: FromQuery[str | None] = None,
    women_led: FromQuery[str | None] = None,
    green_level: FromQuery[str | None] = None,
) -> ClientFilters:
    """The search over clients, the same for the API, the page and the CSV export.
    An empty value (the form's "All") means no filter."""
    if (women_led or "") not in ("", "true", "false"):
        raise InvalidInput({"women_led": _("Choose yes or no.")})
    return ClientFilters(
        q=q or None,
        kved=kved or None,
        women_led={"true": True, "false": False}.get(women_led or ""),
        green_level=green_level or None,
    )


Filters: TypeAlias = NamedDependency[ClientFilters]
client_filters = {"filters": Provide(provide_client_filters, sync_to_thread=False)}


async def clients_export(user: Actor, filters: Filters) -> Export:
    """All the clients the filters find, as CSV or XLSX (by the path), streamed."""
    return clients.clients_export(user, filters)


entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]
staff_only = [requires_role(Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER, Role.ADMIN)]


class PasswordConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str


class ClientPage(BaseModel):
    items: list[ClientRead]
    total: int
    limit: int
    offset: int


class EntrepreneurApiController(Controller):
    dependencies = client_filters
    path = "/api/v1"
    tags = ["entrepreneurs"]

    @get("/me/business", guards=entrepreneur_only)
    async def get_business(self, user: Actor, db_session: DbSession) -> BusinessProfileRead:
        """The caller's business profile with its women-led and green assessment."""
        return service.to_read(await service.my_profile(db_session, user))

    @put("/me/business", guards=entrepreneur_only)
    async def put_business(
        self, data: JSONBody[BusinessProfileIn], user: Actor, db_session: DbSession
    ) -> BusinessProfileRead:
        """Create or replace the whole profile; each save is a new version."""
        return service.to_read(await service.save_profile(db_session, user, data))

    @get("/me/data", guards=entrepreneur_only)
    async def my_data(self, user: Actor, db_session: DbSession) -> dict[str, Any]:
        """Everything SME Hub keeps about the caller."""
        return await rights.export_my_data(db_session, user)

    @post("/me/delete", guards=entrepreneur_only, status_code=200)
    async def delete_me(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[PasswordConfirmation],
        user: Actor,
        db_session: DbSession,
        db: Db,
    ) -> dict[str, str]:
        """Anonymise the caller's account (the password confirms it; 429 after repeated wrong
        passwords, counted with the failed logins)."""
        await rights.delete_my_account(db_session, db, user, data.password, client_address(request))
        return {"status": "deleted"}

    @get("/centre/clients", guards=staff_only)
    async def clients(
        self, user: Actor, db_session: DbSession, page: Page, filters: Filters
    ) -> ClientPage:
        """Entrepreneurs of the staff member's municipality (RNOKPP masked)."""
        items, total = await clients.list_clients(
            db_session, user, filters, limit=page.limit, offset=page.offset
        )
        return ClientPage(items=items, total=total, limit=page.limit, offset=page.offset)

    clients_export = export_route(
        ["/centre/clients/export.csv", "/centre/clients/export.xlsx"],
        clients_export,
        guards=staff_only,
    )


# --- forms → schemas ------------------------------------------------------------------------


def _values(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def details_from_form(data: dict[str, Any]) -> dict[str, Any]:
    fields = {key: str(data.get(key, "")).strip() for key in BusinessDetails.model_fields}
    for optional in ("tax_id_kind", "tax_id", "registered_on", "revenue_band"):
        if not fields[optional]:
            fields[optional] = None  # type: ignore[assignment]
    for number in ("employees_total", "employees_women"):
        fields[number] = fields[number] or "0"
    return fields


def ownership_from_form(data: dict[str, Any]) -> dict[str, Any]:
    owners = [
        {"gender": gender, "share_pct": share.replace(",", ".").strip()}
        for gender, share in zip(
            _values(data, "owner_gender"), _values(data, "owner_share"), strict=False
        )
        if share.strip()
    ]
    leaders = [
        {"role": role, "gender": gender}
        for role, gender in zip(
            _values(data, "leader_role"), _values(data, "leader_gender"), strict=False
        )
        if role
    ]
    return {
        "owners": owners,
        "leaders": leaders,
        "declared_groups": _values(data, "declared_groups"),
    }


def green_from_form(data: dict[str, Any]) -> dict[str, Any]:
    checked = set(_values(data, "green"))
    return {"answers": {key: key in checked for key in rules.GREEN_QUESTIONS}}


StepSave = Callable[[DbSession, Actor, Any], Awaitable[BusinessProfile]]
STEPS: dict[str, tuple[type[BaseModel], Callable[[dict[str, Any]], dict[str, Any]], StepSave]] = {
    "details": (BusinessDetails, details_from_form, service.save_details),
    "ownership": (Ownership, ownership_from_form, service.save_ownership),
    "green": (GreenIn, green_from_form, service.save_green),
}
NEXT_STEP = {
    "details": "/me/business/ownership",
    "ownership": "/me/business/green",
    "green": "/me/business",
}


def _form_values(profile: Any, step: str) -> dict[str, Any]:
    """What a step's form shows for a saved profile."""
    if profile is None:
        return {}
    if step == "details":
        values = {key: getattr(profile, key) for key in BusinessDetails.model_fields}
        values["registered_on"] = profile.registered_on.isoformat() if profile.registered_on else ""
        return {k: ("" if v is None else v) for k, v in values.items()}
    if step == "ownership":
        return {
            "owners": profile.owners,
            "leaders": profile.leaders,
            "declared_groups": profile.declared_groups,
        }
    return {"green": [k for k, v in profile.green_answers.items() if v]}


class EntrepreneurPagesController(Controller):
    include_in_schema = False
    guards = entrepreneur_only

    @get("/me")
    async def dashboard(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        profile = await service.get_profile(db_session, user.id)
        return render(
            request,
            "entrepreneurs/dashboard.html",
            profile=service.to_read(profile) if profile else None,
            courses=await catalogue.my_courses(db_session, user),
            training_labels=training_schemas,
        )

    @get("/me/business")
    async def overview(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        profile = await service.get_profile(db_session, user.id)
        if profile is None:
            return Redirect("/me/business/details")
        kved = await reference.get_kved(db_session, profile.kved)
        community = await reference.get_community(db_session, profile.katottg)
        return render(
            request,
            "entrepreneurs/overview.html",
            profile=service.to_read(profile),
            kved=kved,
            community=reference.place_name(community) if community else None,
            community_detail=reference.community_detail(community) if community else None,
            labels=schemas,
            questions=rules.GREEN_QUESTION_TEXT,
        )

    async def _step_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: Actor,
        step: str,
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        profile = await service.get_profile(db_session, user.id)
        if values is None:
            values = _form_values(profile, step)
        kved_label = community_label = ""
        if step == "details" and values.get("kved"):
            kved = await reference.get_kved(db_session, str(values["kved"]))
            kved_label = pick(kved, "title") if kved else ""
        if step == "details" and values.get("katottg"):
            community = await reference.get_community(db_session, str(values["katottg"]))
            community_label = reference.place_name(community) if community else ""
        return render(
            request,
            f"entrepreneurs/step_{step}.html",
            status_code=status_code,
            step=step,
            values=values,
            errors=errors or {},
            has_profile=bool(profile),
            labels=schemas,
            questions=rules.GREEN_QUESTION_TEXT,
            points=rules.GREEN_QUESTIONS,
            kved_label=kved_label,
            community_label=community_label,
        )

    @get("/me/business/{step:str}")
    async def step_page(
        self,
        request: Request[Any, Any, Any],
        step: FromPath[str],
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        if step not in STEPS:
            return Redirect("/me/business")
        return await self._step_page(request, db_session, user, step)

    @post("/me/business/{step:str}")
    async def save_step(
        self,
        request: Request[Any, Any, Any],
        step: FromPath[str],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        if step not in STEPS:
            return Redirect("/me/business")
        schema, from_form, save = STEPS[step]
        fields = from_form(data)
        try:
            await save(db_session, user, parse_form(schema, fields))
        except (InvalidInput, Conflict) as exc:
            errors = (
                exc.errors
                if isinstance(exc, InvalidInput)
                else (
                    {e["key"]: e["message"] for e in exc.extra}
                    if isinstance(exc.extra, list)
                    else {"__all__": exc.detail}
                )
            )
            shown = _form_values_from_fields(step, fields)
            return await self._step_page(
                request,
                db_session,
                user,
                step,
                values=shown,
                errors=errors,
                status_code=exc.status_code,
            )
        return redirect_with_message(request, NEXT_STEP[step], _("Saved."))

    @post("/me/business/{step:str}/check")
    async def check_field(
        self,
        request: Request[Any, Any, Any],
        step: FromPath[str],
        data: FormData,
        field: FromQuery[str] = "",
    ) -> Template:
        """Inline validation while typing: the message for one field of a step's form."""
        message = ""
        if step in STEPS:
            schema, from_form, _save = STEPS[step]
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
    async def delete_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "entrepreneurs/delete.html", errors={})

    @post("/me/delete")
    async def delete_account(
        self,
        request: Request[Any, Any, Any],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        db: Db,
    ) -> Template | Redirect:
        password = str(data.get("password", ""))
        try:
            await rights.delete_my_account(db_session, db, user, password, client_address(request))
        except InvalidInput as exc:
            return render(request, "entrepreneurs/delete.html", status_code=422, errors=exc.errors)
        except TooManyRequests as exc:
            errors = {"password": exc.detail}
            return render(request, "entrepreneurs/delete.html", status_code=429, errors=errors)
        request.clear_session()
        return redirect_with_message(request, "/", _("Your account has been deleted."), "info")


def _form_values_from_fields(step: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Re-show what the user typed after a failed save."""
    if step == "details":
        return {k: ("" if v is None else v) for k, v in fields.items()}
    if step == "ownership":
        return fields
    return {"green": [k for k, v in fields["answers"].items() if v]}


class ClientPagesController(Controller):
    dependencies = client_filters
    include_in_schema = False
    guards = staff_only
    path = "/centre/clients"

    @get("/")
    async def clients(
        self,
        request: Request[Any, Any, Any],
        user: Actor,
        db_session: DbSession,
        page: Page,
        filters: Filters,
    ) -> Template:
        items, total = await clients.list_clients(
            db_session, user, filters, limit=page.limit, offset=page.offset
        )
        return render(
            request,
            "entrepreneurs/clients.html",
            fragment="entrepreneurs/_clients_table.html",
            clients=items,
            total=total,
            filters=filters,
            limit=page.limit,
            offset=page.offset,
            green_levels=service.GREEN_LEVEL_LABELS,
            labels=schemas,
        )

    export = export_route(["/export.csv", "/export.xlsx"], clients_export)
