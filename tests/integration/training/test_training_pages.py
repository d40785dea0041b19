"""Training pages: the public catalogue with filters, enrolling from it, "My courses",
cancelling and the calendar file."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import Role
from tests.factories import (
    TODAY,
    Client,
    login_page,
    make_user,
    post_form,
    text_of,
)
from tests.integration.training.test_training import new_cohort, staff_setup


async def test_catalogue_enrol_cancel_and_calendar(client: Client, session: AsyncSession) -> None:
    setup = await staff_setup(client, session)
    cohort_id = await new_cohort(client, setup, capacity=1, place="Львів, пл. Ринок, 1")
    await client.post(
        f"/api/v1/cohorts/{cohort_id}/sessions",
        headers=setup["staff"],
        json={"starts_at": f"{TODAY + timedelta(days=11)}T10:00:00+02:00", "topic": "Фінанси"},
    )

    public = text_of((await client.get("/courses")).text)
    assert "Основи бізнесу" in public and "Увійдіть, щоб записатися" in public
    assert "Основи бізнесу" in text_of((await client.get("/courses?topic=finance")).text)
    assert "Основи бізнесу" not in text_of((await client.get("/courses?format=online")).text)
    assert (await client.get("/courses?municipality_id=abc")).status_code == 200
    # A digit that is not ASCII ("²".isdigit() is true, int() refuses it) was a 500.
    superscript = text_of((await client.get("/courses?municipality_id=%C2%B2")).text)
    assert "Основи бізнесу" in superscript  # the filter that cannot be read is no filter

    await make_user(session, Role.ENTREPRENEUR, email="olha@example.org")
    await login_page(client, "olha@example.org")
    enrolled = await post_form(
        client, f"/courses/{cohort_id}/enrol", {}, page="/courses", follow_redirects=False
    )
    assert enrolled.status_code == 303 and enrolled.headers["location"] == "/me"
    cabinet = text_of((await client.get("/me")).text)
    assert "Основи бізнесу" in cabinet and "записано" in cabinet
    again = await post_form(client, f"/courses/{cohort_id}/enrol", {}, page="/courses")
    assert "Ви вже записані" in text_of(again.text)

    from sqlalchemy import select

    from sme_hub.training.models import Enrolment

    enrolment_id = await session.scalar(select(Enrolment.id))
    calendar = await client.get(f"/me/enrolments/{enrolment_id}/calendar.ics")
    assert calendar.status_code == 200
    assert calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in calendar.text and "Фінанси" in calendar.text

    cancel = f"/me/enrolments/{enrolment_id}/cancel"
    asked = await post_form(client, cancel, {}, page="/me")
    assert "Скасувати ваш запис?" in text_of(asked.text)
    assert await session.scalar(select(Enrolment.status)) == "enrolled"
    cancelled = await post_form(client, cancel, {"confirm": "yes"}, page="/me")
    assert "скасовано" in text_of(cancelled.text).lower()


async def test_someone_elses_calendar_is_not_found(client: Client, session: AsyncSession) -> None:
    await make_user(session, Role.ENTREPRENEUR, email="x@example.org")
    await login_page(client, "x@example.org")
    assert (await client.get("/me/enrolments/12345/calendar.ics")).status_code == 404
