"""Centre staff run a course from the pages: programme, cohort, session, attendance, finish."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import Role
from sme_hub.training.models import Cohort, Enrolment, TrainingSession
from tests.factories import (
    TODAY,
    Client,
    login_page,
    make_centre,
    make_municipality,
    make_user,
    move_cohort_back,
    post_form,
    text_of,
    token_headers,
)


async def test_a_course_from_start_to_finish(client: Client, session: AsyncSession) -> None:
    lviv = await make_municipality(session)
    centre = await make_centre(session, lviv)
    await make_user(session, Role.CENTRE_STAFF, centre.id, email="staff@example.org")
    for name in ("anna", "bohdan"):
        await make_user(
            session, Role.ENTREPRENEUR, email=f"{name}@example.org", full_name=name.title()
        )
    await login_page(client, "staff@example.org")

    bad = await post_form(
        client, "/centre/training/programmes", {"title": "x"}, page="/centre/training"
    )
    assert bad.status_code == 422
    created = await post_form(
        client,
        "/centre/training/programmes",
        {
            "title": "Цифровий маркетинг",
            "topics": "marketing, online",
            "format": "online",
            "target_group": "all",
        },
        page="/centre/training",
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = text_of((await client.get("/centre/training")).text)
    assert "Цифровий маркетинг" in page

    programme_id = (await client.get("/api/v1/programmes")).json()["items"][0]["id"]
    cohort = await post_form(
        client,
        f"/centre/training/programmes/{programme_id}/cohorts",
        {
            "starts_on": str(TODAY + timedelta(days=3)),
            "ends_on": str(TODAY + timedelta(days=9)),
            "enrolment_deadline": str(TODAY + timedelta(days=2)),
            "capacity": "10",
            "reserved_women_seats": "",
            "place": "Онлайн",
            "open": "true",
        },
        page="/centre/training",
        follow_redirects=False,
    )
    assert cohort.status_code == 303
    cohort_id = await session.scalar(select(Cohort.id))
    added = await post_form(
        client,
        f"/centre/training/cohorts/{cohort_id}/sessions",
        {
            "date": str(TODAY + timedelta(days=3)),
            "time": "10:00",
            "topic": "Соцмережі",
            "duration_minutes": "90",
        },
        page=f"/centre/training/cohorts/{cohort_id}",
    )
    assert "Соцмережі" in text_of(added.text)
    session_id = await session.scalar(select(TrainingSession.id))

    for name in ("anna", "bohdan"):
        headers = await token_headers(client, f"{name}@example.org")
        assert (
            await client.post(f"/api/v1/cohorts/{cohort_id}/enrolments", headers=headers)
        ).status_code == 201
    anna = await session.scalar(select(Enrolment.id).order_by(Enrolment.id))

    sheet = await client.get(f"/centre/training/sessions/{session_id}/attendance")
    assert "Anna" in sheet.text and "Bohdan" in sheet.text
    saved = await client.post(
        f"/centre/training/sessions/{session_id}/attendance",
        data={"present": [str(anna)]},
        headers={"x-csrftoken": client.cookies["csrftoken"], "HX-Request": "true"},
    )
    assert saved.status_code == 200
    assert "<html" not in saved.text and "1" in text_of(saved.text)

    early = text_of((await client.get(f"/centre/training/cohorts/{cohort_id}")).text)
    first_day = TODAY + timedelta(days=3)
    assert f"Групу можна розпочати в її перший день, {first_day.day}" in early
    refused = await post_form(
        client,
        f"/centre/training/cohorts/{cohort_id}/start",
        {},
        page=f"/centre/training/cohorts/{cohort_id}",
    )
    assert "не раніше" in text_of(refused.text)
    assert await session.scalar(select(Cohort.status).where(Cohort.id == cohort_id)) == "open"
    await move_cohort_back(session, cohort_id, days=3)  # the day of its only session
    cohort_page = f"/centre/training/cohorts/{cohort_id}"
    await post_form(client, f"{cohort_page}/start", {}, page=cohort_page)
    asked = await post_form(client, f"{cohort_page}/finish", {}, page=cohort_page)
    assert "Так, завершити групу" in text_of(asked.text)
    assert await session.scalar(select(Cohort.status).where(Cohort.id == cohort_id)) == "running"
    await post_form(client, f"{cohort_page}/finish", {"confirm": "yes"}, page=cohort_page)
    statuses = dict((await session.execute(select(Enrolment.id, Enrolment.status))).all())
    assert statuses[anna] == "completed" and sorted(statuses.values()) == [
        "completed",
        "not_completed",
    ]
    wrong = await post_form(
        client,
        f"/centre/training/cohorts/{cohort_id}/open",
        {},
        page=f"/centre/training/cohorts/{cohort_id}",
    )
    assert "не можна змінити" in text_of(wrong.text)


async def test_other_centres_cohorts_are_not_found(client: Client, session: AsyncSession) -> None:
    lviv = await make_municipality(session)
    mine, theirs = await make_centre(session, lviv), await make_centre(session, lviv)
    await make_user(session, Role.CENTRE_STAFF, mine.id, email="me@example.org")
    await make_user(session, Role.CENTRE_STAFF, theirs.id, email="them@example.org")
    headers = await token_headers(client, "them@example.org")
    programme = await client.post("/api/v1/programmes", headers=headers, json={"title": "Їхній"})
    cohort = await client.post(
        f"/api/v1/programmes/{programme.json()['id']}/cohorts",
        headers=headers,
        json={
            "starts_on": str(TODAY),
            "ends_on": str(TODAY),
            "enrolment_deadline": str(TODAY),
            "capacity": 5,
        },
    )
    await login_page(client, "me@example.org")
    response = await client.get(f"/centre/training/cohorts/{cohort.json()['id']}")
    assert response.status_code == 404


async def test_forms_for_another_centres_cohort_or_programme_are_not_found(
    client: Client, session: AsyncSession
) -> None:
    """Staff of another municipality get 404 from the session and cohort forms, whatever
    they send: not a redirect or a form error that would tell the cohort exists."""
    lviv, kyiv = await make_municipality(session), await make_municipality(session)
    theirs = await make_centre(session, lviv)
    mine = await make_centre(session, kyiv)
    await make_user(session, Role.CENTRE_STAFF, theirs.id, email="them@example.org")
    await make_user(session, Role.CENTRE_STAFF, mine.id, email="me@example.org")
    headers = await token_headers(client, "them@example.org")
    programme = await client.post("/api/v1/programmes", headers=headers, json={"title": "Їхній"})
    programme_id = programme.json()["id"]
    cohort = await client.post(
        f"/api/v1/programmes/{programme_id}/cohorts",
        headers=headers,
        json={
            "starts_on": str(TODAY),
            "ends_on": str(TODAY),
            "enrolment_deadline": str(TODAY),
            "capacity": 5,
        },
    )
    cohort_id = cohort.json()["id"]
    await login_page(client, "me@example.org")
    valid = {"date": str(TODAY), "time": "10:00", "topic": "Соцмережі", "duration_minutes": "90"}
    for form in (valid, {"date": "", "time": "", "topic": ""}):
        added = await post_form(
            client,
            f"/centre/training/cohorts/{cohort_id}/sessions",
            form,
            page="/centre/training",
            follow_redirects=False,
        )
        assert added.status_code == 404, form
    created = await post_form(
        client,
        f"/centre/training/programmes/{programme_id}/cohorts",
        {"starts_on": "", "capacity": "many"},
        page="/centre/training",
        follow_redirects=False,
    )
    assert created.status_code == 404
    assert await session.scalar(select(func.count()).select_from(TrainingSession)) == 0
