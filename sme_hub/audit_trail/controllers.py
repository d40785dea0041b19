"""The audit trail over the API (`GET /api/v1/audit?object=type:id`) and the staff page
`/audit`, both for admins and municipal officers (their own municipalities only)."""

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get
from litestar.exceptions import NotAuthorizedException
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter
from litestar.response import Template

from sme_hub.audit_trail import rules, service
from sme_hub.audit_trail.rules import TrailQuery
from sme_hub.audit_trail.schemas import AuditEntryRead
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, Page
from sme_hub.core.errors import Forbidden, InvalidInput, NotFound
from sme_hub.core.i18n import _
from sme_hub.core.pages import render

readers = [requires_role(*service.READERS)]
Text = Annotated[str | None, QueryParameter(required=False)]
FIELDS = ("object", "actor", "action", "since", "until")


def _query(values: dict[str, str]) -> TrailQuery:
    """The query, or 422 naming every field that is wrong (in the reader's language)."""
    query, errors = rules.parse_query(values)
    if query is None:
        raise InvalidInput({key: _(message) for key, message in errors.items()})
    return query


class AuditApiController(Controller):
    path = "/api/v1"
    tags = ["audit"]

    @get(
        "/audit",
        guards=readers,
        raises=[NotAuthorizedException, Forbidden, NotFound, InvalidInput],
    )
    async def audit(
        self,
        user: Actor,
        db_session: DbSession,
        page: Page,
        object_: Annotated[str | None, QueryParameter(name="object", required=False)] = None,
        actor: Text = None,
        action: Text = None,
        since: Text = None,
        until: Text = None,
    ) -> OffsetPagination[AuditEntryRead]:
        """The entries of one object, newest first: `object=application:12` (also
        `grant_call` or `call`, `grant` — with its application's entries —, `user`, `cohort`,
        `enrolment`, `referral`, `partner`, …, and `audit_trail:<object>` for who read a
        history), filtered by `actor` (user id), `action`, `since`/`until` (dates, Kyiv
        time). Admins see all; an officer only entries of their municipalities, and another
        municipality's object is 404. Reading is logged."""
        values = {"object": object_, "actor": actor, "action": action, "since": since}
        query = _query({**{k: v or "" for k, v in values.items()}, "until": until or ""})
        items, total = await service.trail(
            db_session, user, query, limit=page.limit, offset=page.offset
        )
        return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)


def action_text(action: str) -> str:
    """The action in words, or its key made readable when it has no label yet."""
    label = rules.action_label_key(action)
    return _(label) if label else rules.readable_key(action)


def _row(item: AuditEntryRead) -> dict[str, Any]:
    return {
        "entry": item,
        "action": action_text(item.action),
        "object": _(rules.OBJECT_LABELS.get(item.object_type, item.object_type)),
        "changes": rules.changes(item.before, item.after),
    }


class AuditPagesController(Controller):
    include_in_schema = False
    guards = readers

    @get("/audit")
    async def page(
        self,
        request: Request[Any, Any, Any],
        user: Actor,
        db_session: DbSession,
        page: Page,
    ) -> Template:
        """Pick an object (`type` and `id`, or `object=type:id`) and filters; without one
        the form alone."""
        params = request.query_params
        values = {key: str(params.get(key) or "").strip() for key in (*FIELDS, "type", "id")}
        if values["type"] or values["id"]:
            values["object"] = f"{values['type']}:{values['id']}"
        elif values["object"]:
            values["type"], _sep, values["id"] = values["object"].partition(":")
        context: dict[str, Any] = {
            "values": values,
            "errors": {},
            "rows": [],
            "total": 0,
            "limit": page.limit,
            "offset": page.offset,
            "actions": [],
            "types": [(key, _(label)) for key, label in rules.OBJECT_LABELS.items()],
            "asked": bool(values["object"]),
        }
        if not values["object"]:
            return render(request, "audit_trail/audit.html", **context)
        try:
            query = _query(values)
        except InvalidInput as exc:
            context["errors"] = exc.errors
            return render(request, "audit_trail/audit.html", status_code=422, **context)
        items, total = await service.trail(
            db_session, user, query, limit=page.limit, offset=page.offset
        )
        kept = {key: values[key] for key in ("type", "id", "actor", "action", "since", "until")}
        context |= {
            "rows": [_row(item) for item in items],
            "total": total,
            "actions": await service.actions_of(db_session, user, query.object),
            "action_text": action_text,
            "object_label": _(rules.OBJECT_LABELS[query.object.type]),
            "object": query.object,
            "query": urlencode({k: v for k, v in kept.items() if v}) + "&",
        }
        return render(request, "audit_trail/audit.html", **context)
