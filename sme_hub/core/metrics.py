"""Prometheus metrics: requests by route template, latency, the job queue and the pool.

`serve` runs several worker processes; it exports PROMETHEUS_MULTIPROC_DIR (config.py) before
they start, so prometheus_client keeps each process's samples in files there and a scrape,
answered by any one worker, adds them all up. Without it (tests, one process) the default
registry is used as is.
"""

import hmac
import ipaddress
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from sme_hub.config import Settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Every status procrastinate knows, so a status with no job still shows as 0 (alerts on
# `failed > 0` need the series to exist).
JOB_STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborting", "aborted")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_FORWARDING_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")

REQUESTS = Counter(
    "sme_hub_http_requests",
    "HTTP requests answered, by method, route template and status class.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "sme_hub_http_request_duration_seconds",
    "Time from receiving a request to its last byte, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IN_PROGRESS = Gauge(
    "sme_hub_http_requests_in_progress",
    "Requests being answered now, all worker processes together.",
    multiprocess_mode="livesum",
)
POOL = Gauge(
    "sme_hub_db_pool_connections",
    "Database connections of the app's pools, by state (in use, idle, overflow).",
    ["state"],
    multiprocess_mode="livesum",
)


def route_label(scope: Any) -> str:
    """The route template (`/api/v1/calls/{call_id}`), never the raw path: one series per
    route. Paths no route matched share one label, so scanners can't grow the series."""
    template = scope.get("path_template")
    return str(template) if template else "unmatched"


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def record_pool(engine: AsyncEngine | None) -> None:
    """The pool's counters (attribute reads, no I/O) of this process."""
    pool: Any = getattr(engine, "pool", None)
    if pool is None or not hasattr(pool, "checkedout"):
        return
    POOL.labels("in_use").set(pool.checkedout())
    POOL.labels("idle").set(pool.checkedin())
    POOL.labels("overflow").set(max(pool.overflow(), 0))


def metrics_middleware(app: Any) -> Any:
    """Count and time every HTTP request. Installed around Litestar's router (app.py), so
    requests no route matched (404, 405) are counted too."""

    async def middleware(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: the app died under us
        recorded = False

        def record() -> None:
            nonlocal recorded
            recorded = True
            IN_PROGRESS.dec()
            method = scope.get("method", "GET")
            method = method if method in _METHODS else "other"
            route = route_label(scope)
            REQUESTS.labels(method, route, status_class(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
            database = getattr(getattr(scope.get("app"), "state", None), "db", None)
            record_pool(getattr(database, "engine", None))

        async def send_and_count(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Counted before the last byte leaves: a client holding the whole response
                # can rely on the request being in the next scrape.
                record()
            await send(message)

        IN_PROGRESS.inc()
        try:
            await app(scope, receive, send_and_count)
        finally:
            if not recorded:  # no response, or the client went away first
                record()

    return middleware


def may_scrape(
    client_host: str | None, headers: Iterable[tuple[bytes, bytes]], token: str | None
) -> bool:
    """/metrics for a bearer of the metrics token, or a loopback connection that no proxy
    forwarded (a reverse proxy on the same host connects from loopback too, but adds its
    forwarding headers)."""
    header_map = {name.lower(): value for name, value in headers}
    supplied = header_map.get(b"authorization", b"").decode("latin-1")
    if token and supplied.startswith("Bearer "):
        return hmac.compare_digest(supplied[len("Bearer ") :].encode(), token.encode())
    if any(name in header_map for name in _FORWARDING_HEADERS):
        return False
    try:
        return client_host is not None and ipaddress.ip_address(client_host).is_loopback
    except ValueError:
        return False


class _Collected(Collector):
    """Families read at scrape time (the job table), handed to a registry of their own."""

    def __init__(self, families: list[Metric]) -> None:
        self.families = families

    def collect(self) -> Iterator[Metric]:
        yield from self.families


async def job_families(engine: AsyncEngine, stalled_seconds: float) -> list[Metric]:
    """Jobs by queue and status, workers alive and jobs orphaned by a dead worker, read from
    procrastinate's tables in one round trip."""
    jobs = GaugeMetricFamily(
        "sme_hub_jobs", "Background jobs by queue and status.", labels=["queue", "status"]
    )
    workers = GaugeMetricFamily("sme_hub_job_workers", "Job workers whose heartbeat is recent.")
    stalled = GaugeMetricFamily(
        "sme_hub_jobs_stalled", "Jobs in 'doing' whose worker stopped sending heartbeats."
    )
    query = text(
        """
        SELECT 'jobs' AS kind, queue_name AS queue, status::text AS status, count(*) AS n
          FROM procrastinate_jobs GROUP BY queue_name, status
        UNION ALL
        SELECT 'workers', NULL, NULL, count(*) FROM procrastinate_workers
         WHERE last_heartbeat >= now() - make_interval(secs => :stalled)
        UNION ALL
        SELECT 'stalled', NULL, NULL, count(*) FROM procrastinate_jobs j
          LEFT JOIN procrastinate_workers w ON w.id = j.worker_id
         WHERE j.status = 'doing'
           AND (w.id IS NULL OR w.last_heartbeat < now() - make_interval(secs => :stalled))
        """
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(query, {"stalled": stalled_seconds})).all()
    counts: dict[tuple[str, str], int] = {}
    for kind, queue, status, n in rows:
        if kind == "jobs":
            counts[(queue, status)] = int(n)
        elif kind == "workers":
            workers.add_metric([], int(n))
        else:
            stalled.add_metric([], int(n))
    for queue in sorted({queue for queue, _status in counts} | {"default"}):
        for status in JOB_STATUSES:
            jobs.add_metric([queue, status], counts.get((queue, status), 0))
    return [jobs, workers, stalled]


def exposition(settings: Settings, families: list[Metric]) -> bytes:
    """The text format of every process's metrics plus the families read at scrape time."""
    if settings.metrics_dir is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(settings.metrics_dir))  # type: ignore[no-untyped-call]
        base = generate_latest(registry)
    else:
        base = generate_latest(REGISTRY)
    scraped = CollectorRegistry()
    scraped.register(_Collected(families))
    return base + generate_latest(scraped)


def process_exited(settings: Settings) -> None:
    """Drop this process's live gauges from the multiprocess files (its counters stay)."""
    if settings.metrics_dir is not None:
        multiprocess.mark_process_dead(os.getpid(), path=str(settings.metrics_dir))  # type: ignore[no-untyped-call]
