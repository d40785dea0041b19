"""The public home page and the health check."""

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.response import Template

from sme_hub.core.deps import Db, DbSession
from sme_hub.core.pages import render
from sme_hub.core.public_cache import public_cache
from sme_hub.organisations import service as organisations


class HomeController(Controller):
    @get("/", include_in_schema=False, middleware=[public_cache])
    async def home(self, request: Request[Any, Any, Any], db_session: DbSession) -> Template:
        municipalities, total = await organisations.list_municipalities(db_session, limit=12)
        return render(
            request, "home/index.html", municipalities=municipalities, municipality_count=total
        )

    @get("/health", tags=["health"])
    async def health(self, db: Db) -> Response[dict[str, str]]:
        """Liveness and database reachability (503 when the database is down)."""
        database_ok = await db.ping()
        return Response(
            {
                "status": "ok" if database_ok else "degraded",
                "database": "ok" if database_ok else "unavailable",
            },
            status_code=200 if database_ok else 503,
        )
