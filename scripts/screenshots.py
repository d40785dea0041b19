#!/usr/bin/env python3
"""Full-page screenshots of every page of a running SME Hub that has the demo data.

Start the app with `sme-hub serve --demo` (or scripts/run), then:

    .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 --out docs/screenshots

Uses Debian's Chromium (/usr/bin/chromium) through Playwright; it never downloads a browser.
Every shot gets a fresh browser profile, so no cookie or language choice leaks between them.

The entrepreneur's pages need the demo entrepreneur to have a business profile: if it has
none, the script describes one through the wizard first. Shots of a cabinet without a
business register a new entrepreneur each time (screenshots-…@example.org), so run the
script against a demo database only.
"""

import argparse
import re
import sys
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
from playwright.sync_api import Browser, Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from sme_hub.core.i18n import KYIV  # noqa: E402 - after the path is known
from sme_hub.demo import DEMO_PASSWORD, DEMO_TOTP_SECRETS  # noqa: E402 - after the path is known

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 390, "height": 844}

# The demo users `sme-hub serve --demo` creates (sme_hub/demo/people.py), one per role.
DEMO_USERS = {
    "admin": "admin@demo.sme-hub.org",
    "municipal_officer": "officer@demo.sme-hub.org",
    "centre_staff": "centre@demo.sme-hub.org",
    "evaluator": "evaluator@demo.sme-hub.org",
    "partner": "partner@demo.sme-hub.org",
    "entrepreneur": "entrepreneur@demo.sme-hub.org",
    "regional_observer": "observer@demo.sme-hub.org",
}
# A demo entrepreneur whose application to the demo call is submitted (sme_hub/demo/grants.py).
APPLICANT = "solar@demo.sme-hub.org"
# The demo entrepreneur holds a grant (one at a time): the farmer is free to apply.
DRAFTER = "farm@demo.sme-hub.org"
# A shot `as_role=NEW_ENTREPRENEUR` registers a new entrepreneur, who has no business yet.
NEW_ENTREPRENEUR = "new_entrepreneur"


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    as_role: str | None = None
    mobile: bool = False
    dark: bool = False
    expect_status: int = 200
    prepare: Callable[[Page], None] | None = None


def submit_invalid_registration(page: Page) -> None:
    """Fill the form the way people get it wrong: a typo in the email, a short password,
    no consent; keep the name so the page shows what is kept."""
    page.get_by_label("Прізвище, ім'я та по батькові").fill("Оксана Коваленко")
    page.get_by_label("Електронна пошта").fill("oksana.example.org")
    page.get_by_label("Пароль").fill("коротко")
    page.locator("main").get_by_role("button", name="Створити обліковий запис").click()
    page.wait_for_load_state()


def submit_empty_municipality(page: Page) -> None:
    page.get_by_role("button", name="Створити громаду").click()
    page.wait_for_load_state()


def open_menu(page: Page) -> None:
    """Open the header's menu (a <details>: on a phone it is closed until asked for)."""
    page.locator("header summary").click()


def tab_to(selector: str) -> Callable[[Page], None]:
    """Move the keyboard focus with Tab, as a person would, to show the focus ring."""

    def prepare(page: Page) -> None:
        target = page.locator(selector)
        for _ in range(30):
            page.keyboard.press("Tab")
            if target.evaluate("element => element === document.activeElement"):
                return
        raise SystemExit(f"Tab never reached {selector}")

    return prepare


def fill_business_details(page: Page) -> None:
    """Step 1 of the business profile, filled the way a person does, pickers included."""
    page.get_by_label("Організаційно-правова форма").select_option(value="fop")
    page.get_by_label("Назва бізнесу").fill("ФОП Наталія Підприємиця")
    page.get_by_label("Податковий номер", exact=True).fill("3000000008")
    choose_option(page, "Основний вид діяльності (КВЕД-2010)", "хліб", "10.71")
    choose_option(page, "Громада, де працює бізнес", "Львівська", "UA46060250000025047")
    page.get_by_label("Дата реєстрації").fill("2019-05-01")
    page.get_by_label("Усього працівників").fill("5")
    page.get_by_label("З них жінок").fill("4")


def choose_option(page: Page, label: str, typed: str, code: str) -> None:
    """Type into a reference picker and click the suggested option with `code`."""
    field = page.get_by_label(label)
    field.press_sequentially(typed, delay=50)
    page.locator(f'[data-picker] [data-code="{code}"]').click()


def type_into_kved_picker(page: Page) -> None:
    """Show the picker's options, as they drop down under the field while typing."""
    page.get_by_label("Основний вид діяльності (КВЕД-2010)").press_sequentially("хліб", delay=50)
    page.locator('[data-picker] [data-code="10.71"]').wait_for()


def submit_invalid_business_details(page: Page) -> None:
    """Mistakes people make: a wrong check digit, a code typed that does not exist, a date
    in the future, more women than employees; the name is kept to show what stays."""
    page.get_by_label("Організаційно-правова форма").select_option(value="fop")
    page.get_by_label("Назва бізнесу").fill("ФОП Наталія Підприємиця")
    page.get_by_label("Податковий номер", exact=True).fill("3000000009")
    page.get_by_label("Основний вид діяльності (КВЕД-2010)").fill("10.71")
    page.get_by_label("Громада, де працює бізнес").fill("UA46060250000025047")
    page.get_by_label("Дата реєстрації").fill("2035-01-01")
    page.get_by_label("Усього працівників").fill("3")
    page.get_by_label("З них жінок").fill("5")
    page.locator("main").get_by_role("button", name="Зберегти й продовжити").click()
    page.wait_for_load_state()


def submit_invalid_ownership(page: Page) -> None:
    page.get_by_label("Частка власника 1, %").fill("60")
    page.get_by_label("Частка власника 2, %").fill("30")
    page.locator("main").get_by_role("button", name="Зберегти й продовжити").click()
    page.wait_for_load_state()


def submit_wrong_password_for_deletion(page: Page) -> None:
    page.get_by_label("Ваш пароль для підтвердження").fill("не той пароль")
    page.locator("main").get_by_role("button", name="Остаточно видалити обліковий запис").click()
    page.wait_for_load_state()


def filter_clients(page: Page) -> None:
    page.get_by_label("Жіночий бізнес").select_option(label="так")
    page.wait_for_load_state("networkidle")


DEMO_PROGRAMME = "Фінансова грамотність для ФОП"


def open_first_cohort(page: Page) -> None:
    page.locator('main a[href^="/centre/training/cohorts/"]').first.click()
    page.wait_for_load_state()


def open_first_attendance(page: Page) -> None:
    open_first_cohort(page)
    page.locator('main a[href$="/attendance"]').first.click()
    page.wait_for_load_state()


def click_first(selector: str) -> Callable[[Page], None]:
    """Open the first link matching `selector` (ids differ between installations)."""

    def prepare(page: Page) -> None:
        page.locator(selector).first.click()
        page.wait_for_load_state()

    return prepare


def open_the_grant(page: Page) -> None:
    """From My applications to the grant: the awarded application is the one whose page
    links to it (the list is in order of the last change, which other shots move)."""
    links = page.locator("main a[href^='/me/applications/']")
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
        page.goto(page.url.split("/me/")[0] + str(href))
        grant = page.locator("main a[href^='/me/grants/']")
        if grant.count():
            grant.first.click()
            page.wait_for_load_state("networkidle")
            return
    raise SystemExit("the demo entrepreneur has no grant to show")


def click_through(*selectors: str) -> Callable[[Page], None]:
    """Follow a link matching each selector in turn (pages whose ids the demo decides)."""

    def prepare(page: Page) -> None:
        for selector in selectors:
            page.locator(selector).first.click()
            page.wait_for_load_state("networkidle")

    return prepare


def ask_to_close_a_call(page: Page) -> None:
    """Press "close the call now" on the first call that offers it: the confirmation page
    (nothing is closed until it is confirmed)."""
    links = page.locator("main a[href^='/municipality/calls/']:not([href$='/new'])")
    for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
        page.goto(page.url.split("/municipality/")[0] + str(href))
        close = page.locator("form[action$='/close'] button")
        if close.count():
            close.first.click()
            page.wait_for_load_state()
            return
    raise SystemExit("no call of the demo can be closed")


EVALUATION = "main a[href$='/evaluation']"


def try_smaller_budget(page: Page) -> None:
    click_through(EVALUATION, "main a[href$='/what-if']")(page)
    page.locator("#f-budget, input[name='budget']").first.fill("150000")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)


def open_my_draft(page: Page) -> None:
    """A demo entrepreneur's draft in the demo call, started from the call's page."""
    click_first("main article.call a")(page)
    apply = page.locator("main form[action$='/apply'] button")
    if apply.count():
        apply.click()
    else:
        page.locator("main a[href^='/me/applications/']").first.click()
    page.wait_for_load_state()


def submit_incomplete_draft(page: Page) -> None:
    page.locator("main button[formaction$='/submit']").click()
    page.wait_for_load_state()


def open_first_screened(page: Page) -> None:
    click_first("main a[href^='/centre/grants/calls/']")(page)
    click_first("main a[href^='/centre/grants/applications/']")(page)


def both(*shots: Shot) -> Iterable[Shot]:
    """Each shot on a desktop and on a 390 px phone (`mobile-` + name)."""
    for shot in shots:
        yield shot
        yield replace(shot, name=f"mobile-{shot.name}", mobile=True)


ENTREPRENEUR_SHOTS = [
    *both(
        Shot("me-no-business", "/me", as_role=NEW_ENTREPRENEUR),
        Shot("business-details-empty", "/me/business/details", as_role=NEW_ENTREPRENEUR),
        Shot(
            "business-details-picker",
            "/me/business/details",
            as_role=NEW_ENTREPRENEUR,
            prepare=type_into_kved_picker,
        ),
        Shot(
            "business-details-errors",
            "/me/business/details",
            as_role=NEW_ENTREPRENEUR,
            expect_status=422,
            prepare=submit_invalid_business_details,
        ),
        Shot("me", "/me", as_role="entrepreneur"),
        Shot("business-details", "/me/business/details", as_role="entrepreneur"),
        Shot("business-ownership", "/me/business/ownership", as_role="entrepreneur"),
        Shot(
            "business-ownership-errors",
            "/me/business/ownership",
            as_role="entrepreneur",
            expect_status=422,
            prepare=submit_invalid_ownership,
        ),
        Shot("business-green", "/me/business/green", as_role="entrepreneur"),
        Shot("business-overview", "/me/business", as_role="entrepreneur"),
        Shot("business-overview-en", "/me/business?lang=en", as_role="entrepreneur"),
        Shot("me-delete", "/me/delete", as_role="entrepreneur"),
        Shot("account", "/account", as_role="entrepreneur"),
        Shot(
            "me-delete-errors",
            "/me/delete",
            as_role=NEW_ENTREPRENEUR,  # no wrong password against the demo account
            expect_status=422,
            prepare=submit_wrong_password_for_deletion,
        ),
        Shot("privacy", "/privacy"),
        Shot("password-reset", "/password-reset"),
        Shot("centre-clients", "/centre/clients", as_role="centre_staff"),
        Shot(
            "centre-clients-women-led",
            "/centre/clients",
            as_role="centre_staff",
            prepare=filter_clients,
        ),
    ),
    Shot("business-overview-dark", "/me/business", as_role="entrepreneur", dark=True),
    Shot(
        "business-details-errors-dark",
        "/me/business/details",
        as_role=NEW_ENTREPRENEUR,
        expect_status=422,
        dark=True,
        prepare=submit_invalid_business_details,
    ),
]

TRAINING_SHOTS = [
    *both(
        Shot("courses", "/courses"),
        Shot("courses-as-entrepreneur", "/courses", as_role="entrepreneur"),
        Shot("me-courses", "/me", as_role="entrepreneur"),
        Shot("centre-training", "/centre/training", as_role="centre_staff"),
        Shot(
            "centre-training-cohort",
            "/centre/training",
            as_role="centre_staff",
            prepare=open_first_cohort,
        ),
        Shot(
            "centre-training-attendance",
            "/centre/training",
            as_role="centre_staff",
            prepare=open_first_attendance,
        ),
        Shot("certificate-unknown", "/certificates/NO-SUCH-CODE", expect_status=404),
    ),
]

GRANT_SHOTS = [
    *both(
        Shot("calls", "/calls"),
        Shot("call", "/calls", prepare=click_first("main article.call a")),
        Shot(
            "call-blocked",
            "/calls",
            as_role=NEW_ENTREPRENEUR,
            prepare=click_first("main article.call a"),
        ),
        Shot("application-draft", "/calls", as_role=DRAFTER, prepare=open_my_draft),
        Shot("me-applications", "/me/applications", as_role=APPLICANT),
        Shot(
            "application-submitted",
            "/me/applications",
            as_role=APPLICANT,
            prepare=click_first("main a[href^='/me/applications/']"),
        ),
        Shot("centre-grants", "/centre/grants", as_role="centre_staff"),
        Shot(
            "centre-grants-call",
            "/centre/grants",
            as_role="centre_staff",
            prepare=click_first("main a[href^='/centre/grants/calls/']"),
        ),
        Shot("municipality-calls", "/municipality/calls", as_role="municipal_officer"),
        Shot(
            "municipality-call",
            "/municipality/calls",
            as_role="municipal_officer",
            prepare=click_first("main a[href^='/municipality/calls/']:not([href$='/new'])"),
        ),
    ),
    Shot("call-en", "/calls?lang=en", prepare=click_first("main article.call a")),
    Shot(
        "centre-grants-application",
        "/centre/grants",
        as_role="centre_staff",
        prepare=open_first_screened,
    ),
    Shot("municipality-call-new", "/municipality/calls/new", as_role="municipal_officer"),
    Shot(
        "confirm-close-call",
        "/municipality/calls",
        as_role="municipal_officer",
        prepare=ask_to_close_a_call,
    ),
]

EVALUATION_SHOTS = [
    *both(
        Shot("evaluator-assignments", "/evaluator/assignments", as_role="evaluator"),
        Shot(
            "evaluator-score-sheet",
            "/evaluator/assignments",
            as_role="evaluator",
            prepare=click_through("main a[href^='/evaluator/assignments/']"),
        ),
        Shot(
            "evaluation-progress",
            "/municipality/calls",
            as_role="municipal_officer",
            prepare=click_through(EVALUATION),
        ),
        Shot(
            "evaluation-ranking",
            "/municipality/calls",
            as_role="municipal_officer",
            prepare=click_through(EVALUATION, "main a[href$='/ranking']"),
        ),
        Shot(
            "evaluation-what-if",
            "/municipality/calls",
            as_role="municipal_officer",
            prepare=try_smaller_budget,
        ),
        Shot(
            "evaluation-decision",
            "/municipality/calls",
            as_role="municipal_officer",
            prepare=click_through(
                EVALUATION,
                "main a[href$='/ranking']",
                "main td a[href*='/evaluation/applications/']",
            ),
        ),
        Shot("awarded-grants", "/municipality/grants", as_role="municipal_officer"),
        Shot(
            "awarded-grant",
            "/municipality/grants",
            as_role="municipal_officer",
            prepare=click_through("main a[href^='/municipality/grants/']"),
        ),
        Shot(
            "grantee-grant",
            "/me/applications",
            as_role="entrepreneur",
            prepare=open_the_grant,
        ),
    ),
]

PARTNER_SHOTS = [
    *both(
        Shot("partners", "/partners"),
        Shot(
            "partner",
            "/partners",
            as_role="entrepreneur",
            prepare=click_through("main a[href^='/partners/']"),
        ),
        Shot("me-referrals", "/me/referrals", as_role="entrepreneur"),
        Shot("partner-referrals", "/partner/referrals", as_role="partner"),
        Shot("centre-referrals", "/centre/referrals", as_role="centre_staff"),
        Shot("admin-partners", "/admin/partners", as_role="admin"),
    ),
    Shot("partners-en", "/partners?lang=en"),
    Shot(
        "admin-partner",
        "/admin/partners",
        as_role="admin",
        prepare=click_through("main a[href^='/admin/partners/']:not([href$='/new'])"),
    ),
]

REPORTING_SHOTS = [
    *both(
        Shot("dashboard", "/reports", as_role="municipal_officer"),
        Shot(
            "dashboard-call",
            "/reports",
            as_role="municipal_officer",
            prepare=click_first("main a[href^='/reports/calls/']"),
        ),
        Shot("dashboard-oblast", "/reports", as_role="regional_observer"),
        Shot("grants-register", "/grants"),
        Shot("open-data", "/open-data"),
    ),
    Shot("dashboard-en", "/reports?lang=en", as_role="municipal_officer"),
    Shot("dashboard-dark", "/reports", as_role="municipal_officer", dark=True),
    Shot("grants-register-en", "/grants?lang=en"),
    Shot(
        "audit-trail",
        "/municipality/calls",
        as_role="municipal_officer",
        prepare=click_through(
            "main a[href^='/municipality/calls/']:not([href$='/new'])",
            "main a[data-testid='history-link']",
        ),
    ),
]

SHOTS = [
    Shot("home-uk", "/?lang=uk"),
    Shot("home-en", "/?lang=en"),
    Shot("login", "/login"),
    Shot("register", "/register"),
    Shot("register-errors", "/register", expect_status=422, prepare=submit_invalid_registration),
    Shot("register-keyboard-focus", "/register", prepare=tab_to("#f-email")),
    Shot("header-keyboard-focus", "/", prepare=tab_to("header a[hreflang=en]")),
    Shot("admin", "/admin", as_role="admin"),
    Shot(
        "admin-errors",
        "/admin",
        as_role="admin",
        expect_status=422,
        prepare=submit_empty_municipality,
    ),
    Shot("error-404", "/no-such-page", expect_status=404),
    Shot("error-403", "/admin", as_role="entrepreneur", expect_status=403),
    *(Shot(f"home-as-{role.replace('_', '-')}", "/", as_role=role) for role in DEMO_USERS),
    Shot("home-dark-as-admin", "/", as_role="admin", dark=True),
    Shot(
        "register-errors-dark",
        "/register",
        expect_status=422,
        dark=True,
        prepare=submit_invalid_registration,
    ),
    Shot("mobile-home", "/", mobile=True),
    Shot("mobile-home-as-entrepreneur", "/", as_role="entrepreneur", mobile=True),
    Shot("mobile-home-as-admin", "/", as_role="admin", mobile=True),
    Shot(
        "mobile-menu-as-municipal-officer",
        "/municipality/calls",
        as_role="municipal_officer",
        mobile=True,
        prepare=open_menu,
    ),
    Shot("mobile-admin", "/admin", as_role="admin", mobile=True),
    Shot("mobile-register", "/register", mobile=True),
    Shot(
        "mobile-register-errors",
        "/register",
        mobile=True,
        expect_status=422,
        prepare=submit_invalid_registration,
    ),
    *ENTREPRENEUR_SHOTS,
    *TRAINING_SHOTS,
    *GRANT_SHOTS,
    *EVALUATION_SHOTS,
    *PARTNER_SHOTS,
    *REPORTING_SHOTS,
]


def log_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Електронна пошта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.locator("main").get_by_role("button", name="Увійти").click()
    if email in DEMO_TOTP_SECRETS:  # admins and officers: the second step with the app's code
        page.wait_for_url(f"{base_url}/login/two-factor")
        page.get_by_label("Код").fill(pyotp.TOTP(DEMO_TOTP_SECRETS[email]).now())
        page.locator("main").get_by_role("button", name="Підтвердити").click()
    # Each role lands on its own work (sme_hub/core/navigation.py), wherever that is.
    page.wait_for_url(lambda url: "/login" not in url)
    if page.get_by_test_id("current-user").count() != 1:
        raise SystemExit(f"could not log in as {email}: is the app running with --demo?")


def register_new_entrepreneur(page: Page, base_url: str, password: str) -> None:
    page.goto(f"{base_url}/register")
    email = f"screenshots-{uuid.uuid4().hex[:10]}@example.org"
    page.get_by_label("Прізвище, ім'я та по батькові").fill("Наталія Новенька")
    page.get_by_label("Електронна пошта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_label("Я погоджуюся на обробку моїх персональних даних").check()
    page.locator("main").get_by_role("button", name="Створити обліковий запис").click()
    # Registering does not sign in (a taken address gets the same answer): log in as told.
    page.wait_for_url(f"{base_url}/login")
    log_in(page, base_url, email, password)


def ensure_demo_business(browser: Browser, base_url: str, password: str) -> None:
    """Describe the demo entrepreneur's business through the wizard if it has none yet."""
    context = browser.new_context(locale="uk-UA", viewport=DESKTOP)
    try:
        page = context.new_page()
        log_in(page, base_url, DEMO_USERS["entrepreneur"], password)
        page.goto(f"{base_url}/me/business")
        if not page.url.endswith("/me/business/details"):
            return  # the overview: there is a profile
        main = page.locator("main")
        fill_business_details(page)
        main.get_by_role("button", name="Зберегти й продовжити").click()
        page.wait_for_url(f"{base_url}/me/business/ownership")
        page.get_by_label("Частка власника 1, %").fill("100")
        page.get_by_label("Посада керівника 1").select_option(value="head")
        main.get_by_role("button", name="Зберегти й продовжити").click()
        page.wait_for_url(f"{base_url}/me/business/green")
        for practice in ("energy_efficiency", "waste_sorting", "local_supply", "green_product"):
            page.locator(f'input[name="green"][value="{practice}"]').check()
        main.get_by_role("button", name="Зберегти", exact=True).click()
        page.wait_for_url(f"{base_url}/me/business")
    finally:
        context.close()


def ensure_demo_course(browser: Browser, base_url: str, password: str) -> None:
    """Give the demo centre a programme with an open cohort and a session, through the
    staff's forms, and enrol the demo entrepreneur, if the centre has no programme yet."""
    context = browser.new_context(locale="uk-UA", viewport=DESKTOP)
    try:
        page = context.new_page()
        log_in(page, base_url, DEMO_USERS["centre_staff"], password)
        page.goto(f"{base_url}/centre/training")
        main = page.locator("main")
        if main.locator('a[href^="/centre/training/cohorts/"]').count():
            return
        today = datetime.now(KYIV).date()
        form = main.locator("form[action='/centre/training/programmes']")
        form.get_by_label("Назва").fill(DEMO_PROGRAMME)
        form.get_by_label("Опис").fill("Облік доходів, податки та звітність ФОП без штрафів.")
        form.get_by_label("Теми через кому").fill("фінанси, податки")
        form.get_by_role("button", name="Створити програму").click()
        page.wait_for_load_state()
        cohort = main.locator("form[action$='/cohorts']").first
        main.get_by_text("Нова група").first.click()
        cohort.get_by_label("Перший день").fill((today + timedelta(days=14)).isoformat())
        cohort.get_by_label("Останній день").fill((today + timedelta(days=28)).isoformat())
        cohort.get_by_label("Запис до").fill((today + timedelta(days=10)).isoformat())
        cohort.get_by_label(re.compile(r"^Місця")).fill("12")
        cohort.get_by_label("Місце або посилання").fill("Центр підтримки бізнесу, зала 2")
        cohort.get_by_label("Одразу відкрити запис").check()
        cohort.get_by_role("button", name="Створити групу").click()
        page.wait_for_url(re.compile(r"/centre/training/cohorts/\d+$"))
        for days, topic in ((14, "Книга обліку доходів"), (21, "Єдиний податок і звітність")):
            sessions = main.locator("form[action$='/sessions']")
            sessions.get_by_label("Дата", exact=True).fill((today + timedelta(days)).isoformat())
            sessions.get_by_label("Час", exact=True).fill("10:00")
            sessions.get_by_label("Тема", exact=True).fill(topic)
            sessions.get_by_role("button", name="Додати заняття").click()
            page.wait_for_load_state()
        log_in(page, base_url, DEMO_USERS["entrepreneur"], password)
        page.goto(f"{base_url}/courses")
        course = main.locator("article.course", has_text=DEMO_PROGRAMME)
        course.get_by_role("button", name="Записатися").click()
        page.wait_for_url(f"{base_url}/me")
    finally:
        context.close()


# The cookies of each account's first login, reused by its later shots: a two-factor code
# works only once, and shots come faster than the app makes new codes.
LOGGED_IN: dict[str, Any] = {}


def take(browser: Browser, base_url: str, shot: Shot, out: Path, password: str) -> Path:
    email = DEMO_USERS.get(shot.as_role, shot.as_role) if shot.as_role else None
    remembered = LOGGED_IN.get(email or "")
    context = browser.new_context(
        locale="uk-UA",
        viewport=MOBILE if shot.mobile else DESKTOP,
        device_scale_factor=2 if shot.mobile else 1,
        is_mobile=shot.mobile,
        has_touch=shot.mobile,
        color_scheme="dark" if shot.dark else "light",
        storage_state=remembered,
    )
    try:
        page = context.new_page()
        if shot.as_role == NEW_ENTREPRENEUR:
            register_new_entrepreneur(page, base_url, password)
        elif email and remembered is None:
            log_in(page, base_url, email, password)
            LOGGED_IN[email] = context.storage_state()
        response = page.goto(f"{base_url}{shot.path}")
        if shot.prepare and shot.expect_status != 200:  # a form is submitted
            # The page's own POST, not htmx checking fields while they are typed.
            with page.expect_response(
                lambda r: r.request.method == "POST" and r.request.resource_type == "document"
            ) as posted:
                shot.prepare(page)
            response = posted.value
        elif shot.prepare:
            shot.prepare(page)
        status = response.status if response else None
        if status != shot.expect_status:
            raise SystemExit(
                f"{shot.name}: {shot.path} answered {status}, not {shot.expect_status}"
            )
        path = out / f"{shot.name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    finally:
        context.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    parser.add_argument("--password", default=DEMO_PASSWORD, help="of the demo users")
    parser.add_argument("--only", nargs="*", help="names of the shots to take (default: all)")
    args = parser.parse_args(argv)
    if not args.chromium.exists():
        raise SystemExit(f"Chromium not found at {args.chromium} (apt-get install chromium)")
    base_url = args.base_url.rstrip("/")
    args.out.mkdir(parents=True, exist_ok=True)
    shots = [s for s in SHOTS if not args.only or s.name in args.only]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(args.chromium), headless=True, args=CHROMIUM_ARGS
        )
        try:
            if any(s.as_role == "entrepreneur" and s.path.startswith("/me/") for s in shots):
                ensure_demo_business(browser, base_url, args.password)
            if any(s in TRAINING_SHOTS for s in shots):
                ensure_demo_course(browser, base_url, args.password)
            for shot in shots:
                path = take(browser, base_url, shot, args.out, args.password)
                print(path)
        finally:
            browser.close()


if __name__ == "__main__":
    main()
