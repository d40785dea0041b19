"""Grant pages of centre staff: the calls of their municipality, the screening list of a
call (filters, exports), one application with its files and business snapshot, the
eligibility decision, and assisted filing for a consenting client."""

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.audit_trail.service import may_read as may_read_trail
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, Config, DbSession, Files, FormData, Page
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.exports import export_route
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _, current_locale, pick
from sme_hub.core.pages import redirect_with_message, render
from sme_hub.core.roles import Role
from sme_hub.entrepreneurs import rules as business_rules
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.entrepreneurs.service import GREEN_LEVEL_LABELS
from sme_hub.grants import applications, explain, overview, screening
from sme_hub.grants import schemas as labels
from sme_hub.grants.controllers import (
    Filters,
    attachment_download,
    call_applications_export,
    copy_download,
    screening_filters,
)
from sme_hub.grants.models import GrantCall
from sme_hub.grants.schemas import AssistedDraft, EligibilityDecision
from sme_hub.organisations.models import Municipality

staff = [requires_role(Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER, Role.ADMIN)]
centre_staff = [requires_role(Role.CENTRE_STAFF, Role.ADMIN)]
STAFF_ROLES = (Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER)


def masked_tax_id(snapshot: dict[str, Any]) -> str:
    """A person's RNOKPP or passport is masked for staff; a company's EDRPOU is public."""
    tax_id = str(snapshot.get("tax_id") or "")
    if tax_id and snapshot.get("tax_id_kind") in ("rnokpp", "passport"):
        return business_rules.mask_rnokpp(tax_id)
    return tax_id or "—"


class GrantStaffPagesController(Controller):
    include_in_schema = False
    path = "/centre/grants"
    guards = staff
    dependencies = screening_filters

    @get("/")
    async def calls(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        entries = await overview.calls_with_counts(
            db_session, user, *STAFF_ROLES, include_drafts=False
        )
        return render(
            request,
            "grants/staff/calls.html",
            entries=entries,
            explain=explain,
            labels=labels,
            can_assist=user.has_role(Role.CENTRE_STAFF),
        )

    @get("/calls/{call_id:int}")
    async def call_applications(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        page: Page,
        filters: Filters,
    ) -> Template:
        call = await screening.staff_call(db_session, user, call_id)
        rows, total = await screening.list_applications(
            db_session, user, call_id, filters, limit=page.limit, offset=page.offset
        )
        return render(
            request,
            "grants/staff/call.html",
            fragment="grants/staff/_applications_table.html",
            call=call,
            rows=rows,
            total=total,
            filters=filters,
            query=_query(filters),
            limit=page.limit,
            offset=page.offset,
            explain=explain,
            labels=labels,
            green_levels=GREEN_LEVEL_LABELS,
        )

    export = export_route(
        ["/calls/{call_id:int}/export.csv", "/calls/{call_id:int}/export.xlsx"],
        call_applications_export,
    )

    @get("/applications/{application_id:int}")
    async def application(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        return await self._application_page(request, db_session, user, application_id)

    async def _application_page(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: Actor,
        application_id: int,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        application = await applications.get_application(db_session, user, application_id)
        duplicates = await screening.staff_view(db_session, user, application)
        if application.status == "draft":
            raise NotFound()  # staff see drafts only through assisted filing
        call = await db_session.get(GrantCall, application.call_id)
        assert call is not None
        snapshot = application.snapshot or {}
        return render(
            request,
            "grants/staff/application.html",
            status_code=status_code,
            application=application,
            read=await applications.read(db_session, user, application, duplicates=duplicates),
            call=call,
            business=snapshot,
            tax_id=masked_tax_id(snapshot),
            location=await _location(db_session, snapshot),
            legal_form=_label(LEGAL_FORM_LABELS, snapshot.get("legal_form")),
            green_level=_label(GREEN_LEVEL_LABELS, application.green_level),
            can_decide=user.has_role(Role.CENTRE_STAFF) or user.is_admin,
            can_see_history=may_read_trail(user, application.municipality_id),
            errors=errors or {},
            values=values or {},
            explain=explain,
            labels=labels,
            locale=current_locale.get(),
        )

    @post("/applications/{application_id:int}/eligibility", guards=centre_staff)
    async def decide(
        self,
        request: Request[Any, Any, Any],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        fields = {"eligible": data.get("eligible", ""), "reason": data.get("reason", "")}
        try:
            decision = parse_form(EligibilityDecision, fields)
            await screening.decide_eligibility(
                db_session, user, application_id, decision, settings=settings
            )
        except InvalidInput as exc:
            errors = {("reason" if k == "__root__" else k): v for k, v in exc.errors.items()}
            return await self._application_page(
                request,
                db_session,
                user,
                application_id,
                errors=errors,
                values=fields,
                status_code=422,
            )
        except Conflict as exc:
            return redirect_with_message(
                request, f"/centre/grants/applications/{application_id}", exc.detail, "error"
            )
        message = (
            _("The application is marked eligible; the applicant has been told.")
            if decision.eligible
            else _("The application is marked not eligible; the applicant sees your reason.")
        )
        return redirect_with_message(
            request, f"/centre/grants/applications/{application_id}", message
        )

    @get("/applications/{application_id:int}/files/{attachment_id:int}")
    async def file(
        self,
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        return await attachment_download(db_session, user, storage, application_id, attachment_id)

    @get("/applications/{application_id:int}/copy.pdf")
    async def copy(
        self, application_id: FromPath[int], user: Actor, db_session: DbSession, storage: Files
    ) -> Response[bytes]:
        return await copy_download(db_session, user, storage, application_id)

    # --- assisted filing --------------------------------------------------------------------

    @get("/assist", guards=centre_staff)
    async def assist_page(
        self, request: Request[Any, Any, Any], user: Actor, db_session: DbSession
    ) -> Template:
        return await self._assist(request, db_session, user)

    async def _assist(
        self,
        request: Request[Any, Any, Any],
        db_session: DbSession,
        user: Actor,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        entries = await overview.calls_with_counts(
            db_session, user, Role.CENTRE_STAFF, include_drafts=False
        )
        open_calls = [e.call for e in entries if explain.is_open(e.call)]
        clients = await overview.assistable_clients(db_session, user)
        return render(
            request,
            "grants/staff/assist.html",
            status_code=status_code,
            calls=open_calls,
            clients=clients,
            errors=errors or {},
            values=values or {},
            explain=explain,
        )

    @post("/assist", guards=centre_staff)
    async def assist(
        self, request: Request[Any, Any, Any], data: FormData, user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        values = {
            key: str(data.get(key, ""))
            for key in ("entrepreneur_id", "call_id", "consent", "consent_method", "consent_note")
        }
        errors: dict[str, str] = {}
        if not values["call_id"].isdigit():
            errors["call_id"] = _("Choose an open call.")
        try:
            draft = parse_form(
                AssistedDraft,
                {
                    "entrepreneur_id": values["entrepreneur_id"],
                    "consent": values["consent"] == "yes" or "",
                    "consent_method": values["consent_method"] or "in_person",
                    "consent_note": values["consent_note"],
                },
            )
        except InvalidInput as exc:
            errors |= exc.errors
        if not values["entrepreneur_id"].isdigit():
            errors["entrepreneur_id"] = _("Choose a client.")
        if "consent" in errors:
            errors["consent"] = _(
                "Record that the client agreed before you prepare an application."
            )
        if errors:
            return await self._assist(
                request, db_session, user, errors=errors, values=values, status_code=422
            )
        try:
            created = await applications.create_draft(
                db_session, user, int(values["call_id"]), draft
            )
        except (Conflict, NotFound) as exc:
            return await self._assist(
                request,
                db_session,
                user,
                errors={"entrepreneur_id": exc.detail},
                values=values,
                status_code=exc.status_code,
            )
        return redirect_with_message(
            request,
            f"/me/applications/{created.id}",
            _("The draft is ready. Fill it in with your client; only the client can submit it."),
        )


async def _location(db_session: DbSession, snapshot: dict[str, Any]) -> str:
    """Where the business was registered at submission: its community and KATOTTG code."""
    code = str(snapshot.get("katottg") or "")
    municipality_id = snapshot.get("municipality_id")
    found = (
        await db_session.get(Municipality, municipality_id)
        if isinstance(municipality_id, int)
        else None
    )
    if found is None:
        return code or "—"
    name = pick(found, "name")
    return f"{name} ({code})" if code else name


def _label(labels_: dict[str, str], key: Any) -> str:
    """A code's label in the reader's language ("" for none)."""
    msgid = labels_.get(str(key), "")
    return _(msgid) if msgid else ""


def _query(filters: screening.ScreeningFilters) -> str:
    """The filters as a query string, for export and paging links that keep them."""
    from urllib.parse import urlencode

    pairs = {
        "q": filters.q,
        "status": filters.status,
        "women_led": None if filters.women_led is None else str(filters.women_led).lower(),
        "green_level": filters.green_level,
        "category": filters.category,
        "duplicates": "true" if filters.duplicates else None,
    }
    return urlencode({key: value for key, value in pairs.items() if value})
