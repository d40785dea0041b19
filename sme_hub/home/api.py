"""The health check, for load balancers and monitors (outside /api/v1, where they ask it)."""

from litestar import Controller, Response, get

from sme_hub.core.deps import Db


class HealthController(Controller):
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
