"""The audit trail over the API: `GET /api/v1/audit?object=type:id`, for admins and municipal
officers (their own municipalities only)."""

from typing import Annotated

from litestar import Controller, get
from litestar.exceptions import NotAuthorizedException
from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter

from sme_hub.audit_trail import service
from sme_hub.audit_trail.schemas import AuditEntryRead
from sme_hub.audit_trail.web import readers
from sme_hub.core.deps import Actor, DbSession, Page
from sme_hub.core.errors import Forbidden, InvalidInput, NotFound

Text = Annotated[str | None, QueryParameter(required=False)]


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
        query = service.parse_query(
            {**{k: v or "" for k, v in values.items()}, "until": until or ""}
        )
        items, total = await service.trail(
            db_session, user, query, limit=page.limit, offset=page.offset
        )
        return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)
