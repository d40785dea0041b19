"""Browser tests: the real server as a subprocess, driven by Debian's headless Chromium.

The server is started once per module with `sme-hub serve` on a free port against the test
database; every test gets a fresh browser context (cookies, storage) and empty tables."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from sme_hub.config import Settings
from sme_hub.db import Database
from sme_hub.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from tests.conftest import IN_CI, empty_all_tables
from tests.servers import running_server, server_settings

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
def server_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server")


@pytest.fixture(scope="module")
def live_server(chromium_path: Path, database_url: str, server_dir: Path) -> Iterator[str]:
    """The base URL of a real `sme-hub serve` process on the test database."""
    with running_server(database_url, server_dir) as url:
        yield url


@pytest.fixture(scope="module")
def demo_settings(database_url: str, server_dir: Path) -> Settings:
    """The live server's settings, for seeding the demo into its database and storage."""
    return server_settings(database_url, server_dir)


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


async def log_in(
    page: Page, email: str, password: str = DEMO_PASSWORD, *, totp_secret: str | None = None
) -> None:
    """Log in through the form; a demo admin or officer (or whoever `totp_secret` is given
    for) also gives the code of their authenticator app at the second step."""
    totp_secret = totp_secret or DEMO_TOTP_SECRETS.get(email)
    await page.goto("/login")
    await page.get_by_label("Електронна пошта").fill(email)
    await page.get_by_label("Пароль").fill(password)
    await page.locator("main").get_by_role("button", name="Увійти").click()
    if totp_secret and await two_factor_asked(page):
        await page.get_by_label("Код").fill(pyotp.TOTP(totp_secret).now())
        await page.locator("main").get_by_role("button", name="Підтвердити").click()
    await expect(page.get_by_test_id("current-user")).to_be_visible()


async def two_factor_asked(page: Page) -> bool:
    """After the password: the second step's form, or (without two-factor) the signed-in page."""
    second = page.locator("main form[action='/login/two-factor']")
    await expect(second.or_(page.get_by_test_id("current-user"))).to_be_attached()
    return await second.count() > 0
