"""Accessibility of every page in a real browser: axe-core (WCAG 2.2 AA rules) over every HTML
page each role can reach on the access matrix's seeded world, reflow at 320 CSS pixels
(WCAG 1.4.10), unique ids, and focus never hidden behind the application form's sticky action
bar (WCAG 2.4.11).

The pages come from the app's routes and the access matrix's RULES, with the path parameters
filled from the world, so a new page is audited without touching this file. Each role's pages
are audited in Ukrainian at 1280 px (all the rules) and 320 px (reflow and the rules the layout
decides); English once per page, as the first role that may open it (the same templates). The
public pages are audited anonymously and as an entrepreneur, not again as every staff role.
Failures list one line each: role, language, width, path, rule and element."""

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route
from sqlalchemy import update
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.app import create_app
from sme_hub.config import Settings
from sme_hub.core import crypto
from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.grants.models import GrantCall
from sme_hub.partners.models import Partner
from tests.access_world import Tenant, _acting, _application, build_tenant
from tests.conftest import IN_CI, empty_all_tables
from tests.e2e.conftest import SCREENSHOTS, log_in
from tests.factories import PASSWORD, TEST_TOTP_SECRET, make_partner, make_user
from tests.grants_setup import KYIV, LVIV
from tests.integration.core.test_access_matrix import (
    ANONYMOUS,
    ROLE_CODES,
    RULES,
    _fill,
    route_keys,
)
from tests.servers import SECRET_KEY

try:
    from axe_playwright_python.async_playwright import Axe
except ImportError:  # a developer without the dev extras; CI must have them
    if IN_CI:
        raise
    pytest.skip("needs axe-playwright-python (pip install -e '.[dev]')", allow_module_level=True)

pytestmark = pytest.mark.e2e

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 800}
# At 320 px, the rules whose outcome the layout decides (all the rules ran at full width): a
# table that now scrolls, targets that now crowd.
NARROW_RULES = ["scrollable-region-focusable", "target-size"]
# Downloads and data, not pages; the rest of the GET routes outside /api/ are audited.
NOT_PAGES = re.compile(r"\.(pdf|csv|xlsx|json|ics)$|^/(health|metrics)$|/files/|/receipts/")
# A caller's page list: every GET page its rule allows, on its own municipality's objects.
CALLERS = [ANONYMOUS, *(role.value for role in ROLE_CODES.values())]
# Where someone marked the same spot twice: markers that overlap at the map's zoom.
SAME_SPOT = ("49.841952", "24.031592")


@dataclass
class World:
    own: Tenant
    emails: dict[str, str]
    draft_id: int
    draft_email: str


@dataclass
class Findings:
    """Every problem of a run, one line each: caller, language, width, path, rule, where."""

    lines: list[str] = field(default_factory=list)

    def add(self, where: str, rule: str, detail: str) -> None:
        self.lines.append(f"{where}: {rule}: {detail}")

    def report(self) -> str:
        return f"{len(self.lines)} accessibility problems:\n" + "\n".join(self.lines)


# The tables are emptied once, after the module, not after each test: the world is shared.
@pytest.fixture(autouse=True)
def clean_tables() -> None:
    return None


@pytest.fixture(scope="module")
async def world(db: Database, settings: Settings, live_server: str) -> AsyncIterator[World]:
    async with db.sessionmaker() as session:
        own = await build_tenant(session, settings, LVIV, "Львівська громада", 0)
        await build_tenant(session, settings, KYIV, "Київська громада", 1)
        admin = await make_user(session, Role.ADMIN, email="admin@matrix.example.org")
        # A second partner at the first one's address: their markers overlap on the map.
        await session.execute(
            update(Partner)
            .where(col(Partner.id) == own.ids["partner_id"])
            .values(latitude=SAME_SPOT[0], longitude=SAME_SPOT[1])
        )
        await make_partner(
            session, name="Сусідній партнер", latitude=SAME_SPOT[0], longitude="24.031700"
        )
        # The server has its own secret key: the authenticators' secrets are sealed with it.
        await session.execute(
            update(User)
            .where(col(User.totp_enabled_at).is_not(None))
            .values(totp_secret=crypto.encrypt(SECRET_KEY, TEST_TOTP_SECRET))
        )
        # A draft of the second entrepreneur, to walk its form with the keyboard.
        second = await session.scalar(
            select(User).where(col(User.email) == "second.0@matrix.example.org")
        )
        call = await session.get(GrantCall, own.ids["call_id"])
        assert second is not None and second.id is not None and call is not None
        draft = await _application(session, call, _acting(second.id, Role.ENTREPRENEUR), "draft")
        assert draft.id is not None
        draft_id = draft.id
        await session.commit()
    emails = {role.value: own.emails[role] for role in ROLE_CODES.values() if role in own.emails}
    emails[Role.ADMIN.value] = admin.email
    yield World(own, emails, draft_id, "second.0@matrix.example.org")
    await empty_all_tables(db)


def page_paths(settings: Settings, world: World) -> Iterator[tuple[str, str]]:
    """(route, filled path) of every GET page of the app."""
    for key in route_keys(create_app(settings)):
        method, path = key.split(" ", 1)
        if method != "GET" or path.startswith("/api/") or NOT_PAGES.search(path):
            continue
        yield key, _fill(path, RULES[key], world.own)


async def open_context(browser: Browser, live_server: str) -> BrowserContext:
    context = await browser.new_context(base_url=live_server, locale="uk-UA", viewport=WIDE)
    context.set_default_timeout(15_000)

    async def offline(route: Route) -> None:  # map tiles: the test runs without a network
        await route.abort()

    await context.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), offline)
    return context


async def log_in_as(page: Page, caller: str, world: World) -> None:
    if caller != ANONYMOUS:
        await log_in(page, world.emails[caller], PASSWORD, totp_secret=TEST_TOTP_SECRET)


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


async def audit(
    page: Page, axe: Axe, where: str, findings: Findings, rules: list[str] | None = None
) -> None:
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    results = await axe.run(page, options={"runOnly": only, "resultTypes": ["violations"]})
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            findings.add(where, violation["id"], f"{target} ({violation['help']})")
    if rules:  # the narrow pass: the same document, its ids already counted
        return
    duplicates = await page.evaluate(
        """() => {
            const seen = new Map();
            for (const el of document.querySelectorAll("[id]")) {
              seen.set(el.id, (seen.get(el.id) || 0) + 1);
            }
            return [...seen].filter(([, n]) => n > 1).map(([id, n]) => `#${id} ×${n}`);
        }"""
    )
    for duplicate in duplicates:
        findings.add(where, "duplicate-id", duplicate)


async def reflow(page: Page, where: str, findings: Findings) -> None:
    """The page fits 320 CSS pixels, and what sticks out is named. Tables (which WCAG
    exempts) may scroll inside their own region, which must then be reachable by keyboard:
    focusable itself, as a named region, or holding the fields one tabs to."""
    problems = await page.evaluate(
        """() => {
            const one = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
              + [...el.classList].map((c) => "." + c).join("");
            const name = (el) => [el.parentElement?.parentElement, el.parentElement, el]
              .filter((e) => e && e !== document.body).map(one).join(" > ");
            const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
            const found = [];
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth > width) {
              const wide = [];
              for (const el of document.body.querySelectorAll("*")) {
                let box = el.parentElement, clipped = false;
                for (; box && box !== document.body; box = box.parentElement) {
                  if (scrolls(box)) { clipped = true; break; }
                }
                if (!clipped && el.getBoundingClientRect().right > width + 1
                    && !wide.some((w) => w.contains(el))) wide.push(el);
              }
              // Else something absolutely placed escapes its scrolling box: name all.
              if (!wide.length) {
                wide.push(...[...document.body.querySelectorAll("*")].filter(
                  (el) => el.getBoundingClientRect().right > width + 1));
              }
              found.push(["reflow-320", `page ${document.documentElement.scrollWidth} px wide: `
                + wide.slice(0, 5).map((el) => `${name(el)} (right edge `
                + `${Math.round(el.getBoundingClientRect().right)} px)`).join("; ")]);
            }
            const focusable = "a[href], button, input:not([type=hidden]), select, textarea";
            for (const table of document.querySelectorAll("main table")) {
              let box = table.parentElement;
              while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
              if (!box || box === document.body) continue;
              const named = box.hasAttribute("aria-label") || box.hasAttribute("aria-labelledby");
              const reachable = (box.tabIndex >= 0 && box.getAttribute("role") === "region"
                && named) || box.querySelector(focusable);
              if (!reachable) found.push(["table-scroll-region", `${name(box)}: a table's `
                + `scrolling box needs tabindex="0", role="region" and a name`]);
            }
            return found;
        }"""
    )
    for rule, detail in problems:
        findings.add(where, rule, detail)


@pytest.mark.parametrize("caller", CALLERS)
async def test_every_page_of_every_role_is_accessible(
    browser: Browser, live_server: str, world: World, settings: Settings, caller: str
) -> None:
    axe, findings = Axe(), Findings()
    context = await open_context(browser, live_server)
    try:
        wide = await context.new_page()
        await log_in_as(wide, caller, world)
        narrow = await context.new_page()
        await narrow.set_viewport_size(NARROW)
        seen: set[str] = set()
        for key, path in page_paths(settings, world):
            if not audited_for(key, path, caller):
                continue
            response = await wide.goto(with_lang(path, "uk"))
            assert response is not None
            body = await response.text()
            # Fragments for htmx and pages a redirect already led to are not audited again.
            if not body.lstrip().lower().startswith("<!doctype") or wide.url in seen:
                continue
            seen.add(wide.url)
            await audit(wide, axe, f"{caller} uk {path}", findings)
            if caller == first_caller(key):
                await wide.goto(with_lang(path, "en"))
                await audit(wide, axe, f"{caller} en {path}", findings)
            await narrow.goto(with_lang(path, "uk"))
            await audit(narrow, axe, f"{caller} uk 320px {path}", findings, NARROW_RULES)
            await reflow(narrow, f"{caller} uk 320px {path}", findings)
    finally:
        await context.close()
    assert not findings.lines, findings.report()


def audited_for(key: str, path: str, caller: str) -> bool:
    """A page anyone may open is audited anonymously and as an entrepreneur (who sees the
    calls' apply buttons), not again as every staff role, but the home page, which each role
    sees as its own start page."""
    rule = RULES[key]
    if rule.roles == "*" and path != "/":
        return caller in (ANONYMOUS, Role.ENTREPRENEUR.value)
    return rule.allows(caller)


def first_caller(key: str) -> str:
    return next(caller for caller in CALLERS if RULES[key].allows(caller))


async def test_focus_is_never_hidden_by_the_sticky_action_bar(
    browser: Browser, live_server: str, world: World
) -> None:
    """Tabbing through the application form, each focused control is fully above the
    sticky bar of Save/Submit (and within the window), at a desktop and a phone size."""
    context = await open_context(browser, live_server)
    try:
        page = await context.new_page()
        await log_in(page, world.draft_email, PASSWORD)
        hidden: list[str] = []
        visited: set[str] = set()
        for size in (WIDE, {"width": 390, "height": 700}):
            await page.set_viewport_size(size)
            await page.goto(f"/me/applications/{world.draft_id}")
            await page.locator("#f-project_title").focus()
            for _ in range(60):
                state = await page.evaluate(
                    """() => {
                        const el = document.activeElement;
                        if (!el || !el.closest("#application-form")) return null;
                        const box = el.getBoundingClientRect();
                        const bar = document.querySelector(".form-actions").getBoundingClientRect();
                        return {id: el.id || el.name, bottom: box.bottom, top: box.top,
                                barTop: bar.top, height: window.innerHeight};
                    }"""
                )
                if state is None:
                    break
                visited.add(state["id"])
                if state["bottom"] > state["barTop"] + 0.5 or state["top"] < 0:
                    hidden.append(f"{size['width']}px #{state['id']}: {state}")
                await page.keyboard.press("Tab")
            await page.screenshot(path=str(SCREENSHOTS / f"a11y-form-focus-{size['width']}.png"))
        assert len(visited) > 10, f"the walk reached only {sorted(visited)}"
        assert not hidden, "focused fields hidden by the sticky action bar:\n" + "\n".join(hidden)
    finally:
        await context.close()
