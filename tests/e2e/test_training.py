"""A centre runs a course from start to certificate, in a real browser: staff create a
programme, a cohort and a session; entrepreneurs enrol (the second one onto the waitlist)
and the first cancels, which promotes the second; staff mark attendance (htmx), start and
finish the cohort and watch the certificates being generated; the participant downloads
the PDF and anyone can verify it by its code."""

import re
from datetime import date, datetime, timedelta

import pytest
from playwright.async_api import Browser, BrowserContext, Locator, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.i18n import KYIV
from sme_hub.core.roles import Role
from sme_hub.training.models import Enrolment
from tests.e2e.conftest import SCREENSHOTS, Screenshotter
from tests.factories import PASSWORD, make_centre, make_municipality, make_user, move_cohort_back

pytestmark = pytest.mark.e2e

STAFF_NAME = "Ольга Наставниця"
FIRST_NAME = "Ірина Перша"
SECOND_NAME = "Богдана Друга"
PROGRAMME = "Основи бухгалтерії для ФОП"


def today_in_kyiv() -> date:
    return datetime.now(KYIV).date()


async def shoot(page: Page, name: str) -> None:
    """A full-page screenshot of another person's page (the fixture shoots the staff's)."""
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def log_in(page: Page, email: str, name: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Електронна пошта").fill(email)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.locator("main").get_by_role("button", name="Увійти").click()
    await expect(page.locator("header").get_by_test_id("current-user")).to_have_text(name)


async def new_context(browser: Browser, base_url: str) -> BrowserContext:
    context = await browser.new_context(
        base_url=base_url, locale="uk-UA", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    return context


async def enrol(page: Page) -> None:
    await page.locator("header").get_by_role("link", name="Курси").click()
    await expect(page).to_have_url(re.compile(r"/courses$"))
    course = page.locator("main article.course", has_text=PROGRAMME)
    await expect(course).to_be_visible()
    await course.get_by_role("button", name=re.compile("Записатися|Стати в чергу")).click()
    await expect(page).to_have_url(re.compile(r"/me$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Мій кабінет")


def my_course(page: Page) -> Locator:
    return page.locator("main .my-courses li", has_text=PROGRAMME)


async def test_a_course_from_enrolment_to_certificate(
    browser: Browser,
    live_server: str,
    page: Page,
    screenshot: Screenshotter,
    session: AsyncSession,
) -> None:
    municipality = await make_municipality(session)
    centre = await make_centre(session, municipality)
    staff = await make_user(
        session, Role.CENTRE_STAFF, centre.id, email="staff@example.org", full_name=STAFF_NAME
    )
    await make_user(session, email="first@example.org", full_name=FIRST_NAME)
    await make_user(session, email="second@example.org", full_name=SECOND_NAME)
    assert staff.id

    header = page.locator("header")
    main = page.locator("main")
    status = page.get_by_role("status")

    # Staff: a programme, a cohort of one seat open at once, a session.
    await log_in(page, "staff@example.org", STAFF_NAME)
    await header.get_by_role("link", name="Навчання").click()
    await expect(page).to_have_url(re.compile(r"/centre/training/?$"))
    await screenshot("30-training-staff-empty")
    new_programme = main.locator("article", has=page.get_by_role("heading", name="Нова програма"))
    await new_programme.get_by_label("Назва").fill(PROGRAMME)
    await new_programme.get_by_label("Опис").fill("Облік, податки й звітність без помилок.")
    await new_programme.get_by_label("Теми через кому").fill("бухгалтерія, податки")
    await new_programme.get_by_role("button", name="Створити програму").click()
    await expect(status).to_contain_text("Програму створено")
    programme = main.locator("article", has=page.get_by_role("heading", name=PROGRAMME))
    await programme.get_by_text("Нова група").click()
    today = today_in_kyiv()
    await programme.get_by_label("Перший день").fill((today + timedelta(days=3)).isoformat())
    await programme.get_by_label("Останній день").fill((today + timedelta(days=10)).isoformat())
    await programme.get_by_label("Запис до").fill((today + timedelta(days=2)).isoformat())
    await programme.get_by_label(re.compile(r"^Місця")).fill("1")
    await programme.get_by_label("Одразу відкрити запис").check()
    await screenshot("31-training-cohort-form")
    await programme.get_by_role("button", name="Створити групу").click()
    await expect(page).to_have_url(re.compile(r"/centre/training/cohorts/\d+$"))
    cohort_url = page.url
    await expect(page.get_by_role("heading", level=1)).to_have_text(PROGRAMME)
    sessions = main.locator("article", has=page.get_by_role("heading", name="Заняття"))
    await sessions.get_by_label("Дата", exact=True).fill((today + timedelta(days=3)).isoformat())
    await sessions.get_by_label("Час", exact=True).fill("10:00")
    await sessions.get_by_label("Тема", exact=True).fill("Книга обліку доходів")
    await page.get_by_role("button", name="Додати заняття").click()
    await expect(status).to_contain_text("Заняття додано")
    await expect(sessions).to_contain_text("Книга обліку доходів")
    await screenshot("32-training-cohort-with-session")

    # The first entrepreneur takes the only seat.
    first_context = await new_context(browser, live_server)
    second_context = await new_context(browser, live_server)
    try:
        first = await first_context.new_page()
        await log_in(first, "first@example.org", FIRST_NAME)
        await enrol(first)
        await expect(first.get_by_role("status")).to_contain_text("Вас записано")
        await expect(my_course(first)).to_contain_text("записано")
        await shoot(first, "33-training-first-enrolled")

        # The second gets the waitlist.
        second = await second_context.new_page()
        await log_in(second, "second@example.org", SECOND_NAME)
        await enrol(second)
        await expect(second.get_by_role("status")).to_contain_text("ви 1-й у списку очікування")
        await expect(my_course(second)).to_contain_text("№ 1")
        await shoot(second, "34-training-second-waitlisted")

        # The first cancels; the second moves up.
        await my_course(first).get_by_role("button", name="Скасувати запис").click()
        await first.get_by_role("button", name="Так, скасувати мій запис").click()
        await expect(first.get_by_role("status")).to_contain_text("Ваш запис скасовано")
        await shoot(first, "35-training-first-cancelled")
        await second.reload()
        await expect(my_course(second)).to_contain_text("записано")
        await shoot(second, "36-training-second-promoted")

        # Staff: attendance without a page reload, then start and finish.
        await page.goto(cohort_url)
        await sessions.get_by_role("link", name="Відвідування").click()
        await expect(page).to_have_url(re.compile(r"/attendance$"))
        await page.evaluate("window.__noReload = true")
        await page.get_by_label(SECOND_NAME).check()
        await page.get_by_role("button", name="Зберегти відвідування").click()
        await expect(status).to_have_text("Відвідування збережено: присутніх — 1.")
        assert await page.evaluate("window.__noReload === true")  # htmx swapped the form
        await expect(page.get_by_label(SECOND_NAME)).to_be_checked()
        await screenshot("37-training-attendance-saved")

        await page.goto(cohort_url)
        await expect(page.get_by_test_id("waiting-start")).to_contain_text("не раніше")
        await move_cohort_back(session, int(cohort_url.rsplit("/", 1)[1]), days=3)
        await page.goto(cohort_url)  # the day of its only session
        await page.get_by_role("button", name="Розпочати").click()
        await expect(status).to_have_text("Тепер група: триває.")
        await page.get_by_role("button", name="Завершити й визначити, хто пройшов навчання").click()
        await page.get_by_role("button", name="Так, завершити групу").click()
        progress = page.get_by_test_id("certificate-progress")
        await expect(progress).to_contain_text("Усі сертифікати готові.", timeout=30_000)
        await expect(page.get_by_test_id("certificate-progress-count")).to_have_text("1 з 1")
        await screenshot("38-training-certificates-ready")

        # The participant's certificate.
        await second.reload()
        link = my_course(second).get_by_role("link", name="Сертифікат (PDF)")
        await expect(link).to_be_visible()
        await shoot(second, "39-training-certificate-link")
        href = await link.get_attribute("href")
        assert href
        response = await second_context.request.get(href)
        assert response.status == 200
        assert response.headers["content-type"].startswith("application/pdf")
        pdf = await response.body()
        assert pdf.startswith(b"%PDF")
        (SCREENSHOTS / "39-training-certificate.pdf").write_bytes(pdf)

        # Anyone can verify it by its code.
        code = await session.scalar(
            select(Enrolment.certificate_code).where(Enrolment.certificate_code.is_not(None))
        )
        assert code
        await page.goto(f"/certificates/{code}")
        await expect(page.get_by_test_id("certificate-valid")).to_be_visible()
        await expect(page.get_by_test_id("certificate-name")).to_have_text(SECOND_NAME)
        await expect(page.get_by_test_id("certificate-programme")).to_have_text(PROGRAMME)
        await screenshot("40-training-certificate-verified")
    finally:
        await first_context.close()
        await second_context.close()
