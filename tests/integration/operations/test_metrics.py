"""GET /metrics: requests by route template and status class, latency, jobs by status, the
pool; open to loopback scrapers or the metrics token; summed over `serve`'s workers."""

import os
import signal
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.core.metrics import may_scrape
from sme_hub.db import Database
from tests.servers import health_status, running_server

TOKEN = "metrics-token-for-the-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """{(sample name, labels): value} of a text exposition (which must parse)."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(exposition: str, name: str, **labels: str) -> float:
    return samples(exposition).get((name, frozenset(labels.items())), 0.0)


@pytest.fixture(scope="module")
def token_app(settings: Settings) -> Litestar:
    return create_app(Settings(**{**settings.__dict__, "metrics_token": TOKEN}))


@pytest.fixture
async def token_client(token_app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=token_app) as test_client:
        yield test_client


def test_who_may_scrape() -> None:
    assert may_scrape("127.0.0.1", [], None)
    assert may_scrape("::1", [], None)
    assert not may_scrape("10.0.0.7", [], None)
    assert not may_scrape("testclient", [], None)
    # A reverse proxy on the same host connects from loopback, but says whom it forwards.
    assert not may_scrape("127.0.0.1", [(b"x-forwarded-for", b"203.0.113.9")], None)
    assert not may_scrape("127.0.0.1", [(b"X-Real-IP", b"203.0.113.9")], None)
    assert may_scrape("10.0.0.7", [(b"authorization", f"Bearer {TOKEN}".encode())], TOKEN)
    assert not may_scrape("10.0.0.7", [(b"authorization", b"Bearer wrong")], TOKEN)
    # A wrong token is refused even on loopback: it is somebody's mistake worth seeing.
    assert not may_scrape("127.0.0.1", [(b"authorization", b"Bearer wrong")], TOKEN)
    assert not may_scrape("10.0.0.7", [(b"authorization", f"Bearer {TOKEN}".encode())], None)


async def test_metrics_are_refused_without_the_token(
    token_client: AsyncTestClient[Litestar],
) -> None:
    refused = await token_client.get("/metrics")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Метрики видаються лише локальним з'єднанням або за токеном метрик."
    )
    wrong = await token_client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403


async def test_requests_are_counted_by_route_template_and_status_class(
    token_client: AsyncTestClient[Litestar],
) -> None:
    before = (await token_client.get("/metrics", headers=BEARER)).text
    for partner_id in (910001, 910002, 910003):
        assert (await token_client.get(f"/api/v1/partners/{partner_id}")).status_code == 404
    assert (await token_client.get("/api/v1/partners")).status_code == 200
    assert (await token_client.get("/no/such/page/4711")).status_code == 404
    response = await token_client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    after = response.text

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    one_partner = "/api/v1/partners/{partner_id}"
    assert delta("sme_hub_http_requests_total", method="GET", route=one_partner, status="4xx") == 3
    assert (
        delta("sme_hub_http_requests_total", method="GET", route="/api/v1/partners", status="2xx")
        == 1
    )
    assert delta("sme_hub_http_requests_total", method="GET", route="unmatched", status="4xx") == 1
    # Never the raw path (sample values are numbers, and may hold any digits).
    routes = {dict(labels).get("route", "") for _name, labels in samples(after)}
    assert not any("910001" in route or "4711" in route for route in routes)
    assert (
        delta("sme_hub_http_request_duration_seconds_count", method="GET", route=one_partner) == 3
    )
    # Every bucket of the histogram is there, up to +Inf.
    assert (
        delta(
            "sme_hub_http_request_duration_seconds_bucket",
            method="GET",
            route=one_partner,
            le="+Inf",
        )
        == 3
    )
    # The pool of this process: the scrape's own connection was given back.
    assert ("sme_hub_db_pool_connections", frozenset({("state", "in_use")})) in samples(after)


async def test_jobs_are_counted_by_status_at_scrape_time(
    token_client: AsyncTestClient[Litestar], db: Database
) -> None:
    async with db.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, status) VALUES "
                "('default', 'send_email', 'todo'), ('default', 'send_email', 'todo'), "
                "('default', 'generate_cohort_certificates', 'failed'), "
                "('reports', 'send_email', 'succeeded')"
            )
        )
    exposition = (await token_client.get("/metrics", headers=BEARER)).text
    assert value(exposition, "sme_hub_jobs", queue="default", status="todo") == 2
    assert value(exposition, "sme_hub_jobs", queue="default", status="failed") == 1
    assert value(exposition, "sme_hub_jobs", queue="reports", status="succeeded") == 1
    # Statuses with no job are there as 0, so an alert on them has a series to watch.
    assert ("sme_hub_jobs", frozenset({("queue", "default"), ("status", "doing")})) in samples(
        exposition
    )
    assert value(exposition, "sme_hub_jobs", queue="default", status="doing") == 0
    assert value(exposition, "sme_hub_jobs_stalled") == 0


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _pids(metrics_dir: Path, kind: str) -> set[str]:
    """The processes that wrote samples of `kind` (files are named `<kind>_<pid>.db`)."""
    return {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob(f"{kind}_*.db")}


def test_one_scrape_sums_every_server_worker(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`serve --workers 2`: a scrape reports the requests of every worker process, even of
    one that has died since (prometheus_client's multiprocess files under the data folder)."""
    monkeypatch.setenv("SME_HUB_METRICS_TOKEN", TOKEN)
    requests = 30
    with running_server(database_url, tmp_path, workers=2) as url:
        metrics_dir = tmp_path / "data" / "metrics"
        # Each worker writes its files once it has imported the app: wait for both.
        deadline = time.monotonic() + 30
        while len(_pids(metrics_dir, "gauge_livesum")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(_pids(metrics_dir, "gauge_livesum")) == 2
        with ThreadPoolExecutor(max_workers=5) as pool:
            statuses = list(pool.map(lambda _: _get(f"{url}/privacy")[0], range(requests)))
        assert statuses == [200] * requests
        # Granian hands the connections of an idle server to one worker mostly; end those
        # that served them, so the scrapes are answered by a process that served none.
        served = _pids(metrics_dir, "counter")
        for pid in served:
            os.kill(int(pid), signal.SIGKILL)
        deadline = time.monotonic() + 30
        while health_status(url) != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        totals = []
        for _ in range(4):
            status, exposition = _get(f"{url}/metrics")  # loopback: no token needed
            assert status == 200
            totals.append(
                value(
                    exposition,
                    "sme_hub_http_requests_total",
                    method="GET",
                    route="/privacy",
                    status="2xx",
                )
            )
        assert totals == [requests] * 4
        assert _pids(metrics_dir, "counter") - served, "the scrapes came from a new process"
        forwarded = _get(f"{url}/metrics", {"X-Forwarded-For": "203.0.113.9"})
        assert forwarded[0] == 403
        with_token = _get(f"{url}/metrics", {"X-Forwarded-For": "203.0.113.9", **BEARER})
        assert with_token[0] == 200 and "sme_hub_jobs" in with_token[1]


def test_serve_starts_with_an_empty_metrics_folder(database_url: str, tmp_path: Path) -> None:
    stale = tmp_path / "data" / "metrics" / "counter_999999.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a previous run")
    with running_server(database_url, tmp_path) as url:
        assert not stale.exists()
        assert _get(f"{url}/metrics")[0] == 200
