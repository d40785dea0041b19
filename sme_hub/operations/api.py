"""GET /metrics in Prometheus's text format, for loopback scrapers or the metrics token (a
machine's route, outside /api/v1 and the API document, where scrapers expect it)."""

from litestar import Controller, Response, get

from sme_hub.core import metrics
from sme_hub.core.deps import Config, Db, Req
from sme_hub.core.errors import Forbidden
from sme_hub.core.i18n import _
from sme_hub.core.proxies import client_host


class MetricsController(Controller):
    @get("/metrics", include_in_schema=False)
    async def scrape(self, request: Req, db: Db, settings: Config) -> Response[bytes]:
        """Every worker process's request metrics, the job queue and this process's pool."""
        host = client_host(request.scope)  # the forwarded client behind a trusted proxy
        if not metrics.may_scrape(host, request.scope["headers"], settings.metrics_token):
            raise Forbidden(_("Metrics are served to local connections or with the metrics token."))
        metrics.record_pool(db.engine)
        families = await metrics.job_families(db.engine, settings.job_stalled_seconds)
        return Response(
            metrics.exposition(settings, families),
            media_type=metrics.CONTENT_TYPE,
            headers={"Cache-Control": "no-store"},
        )
