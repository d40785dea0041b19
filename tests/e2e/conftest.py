"""Browser tests: the real server as a subprocess, driven by Debian's headless Chromium.

The server is started once per session with `sme-hub serve` on a free port against the test
database; every test gets a fresh browser context (cookies, storage) and empty tables."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from sme_hub.db import Database
from tests.conftest import IN_CI, empty_all_tables

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
START_TIMEOUT = 30.0
SECRET_KEY = "e2e-secret-key-that-is-long-enough-for-the-server-0123456789"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _health_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ask the server (and its worker processes, in its own group) to stop; then insist."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    # Granian's workers share the server's process group; leave none behind.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        reason = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)"
        if IN_CI:
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    return CHROMIUM


# Per module: the server's job worker must be gone before other tests empty the tables.
@pytest.fixture(scope="module")
def live_server(
    chromium_path: Path, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The base URL of a real `sme-hub serve` process on the test database."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SME_HUB_DATA_DIR": str(tmp_path_factory.mktemp("server-data")),
        "SME_HUB_SECRET_KEY": SECRET_KEY,
        "SME_HUB_ENV": "development",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        str(Path(sys.executable).parent / "sme-hub"),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while _health_status(url) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                why = (
                    f"exited with code {process.returncode}"
                    if process.poll() is not None
                    else f"did not answer GET /health with 200 within {START_TIMEOUT:.0f} s"
                )
                output = log_path.read_text(errors="replace")
                pytest.fail(f"the server {why}:\n{output}", pytrace=False)
            time.sleep(0.2)
        yield url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
async def browser(chromium_path: Path) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        await browser.close()


@pytest.fixture
async def context(browser: Browser, live_server: str) -> AsyncIterator[BrowserContext]:
    """A fresh profile per test: no cookies, Ukrainian browser language."""
    context = await browser.new_context(
        base_url=live_server, locale="uk-UA", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    yield context
    await context.close()


@pytest.fixture
async def page(context: BrowserContext) -> Page:
    return await context.new_page()


@pytest.fixture
def screenshot(page: Page) -> "Screenshotter":
    return Screenshotter(page)


class Screenshotter:
    """Full-page PNGs into test-artifacts/screenshots/ (git-ignored), named by step."""

    def __init__(self, page: Page) -> None:
        self.page = page
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async def __call__(self, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(autouse=True)
async def clean_tables(db: Database) -> AsyncIterator[None]:
    yield
    await empty_all_tables(db)
