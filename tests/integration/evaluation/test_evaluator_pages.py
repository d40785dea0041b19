"""The evaluator's pages over HTTP: assignments by call, the declaration before anything of
the application, scores saved as they type, wrong numbers refused by the field, submission
that names what is missing, the final read-only sheet, blind review and someone else's
assignment."""

from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.core.roles import Role
from sme_hub.db import Database
from sme_hub.evaluation.models import Assignment, CriterionScore
from sme_hub.grants.models import GrantCall
from tests.factories import (
    Client,
    csrf_token,
    fetch_rows,
    field_error,
    login_page,
    make_user,
    post_form,
    text_of,
)
from tests.grants_setup import TAX_IDS, assign_whole_committee, evaluated_call, update_user

APPLICANTS = ["Олена Коваль", "Марія Шевчук", "Ірина Бондар"]
TITLE = "Сонячна сушарка для фруктів"


def visible(html: str) -> str:
    return text_of(html).replace("\xa0", " ")


async def assigned(client: Client, session: AsyncSession, *, blind: bool = True) -> dict[str, Any]:
    """`evaluated_call` with its committee named and evaluators assigned; the applicants
    have names of their own, and the first evaluator is logged in on the pages."""
    setup = await evaluated_call(client, session)
    call_id = setup["call_id"]
    if not blind:
        await session.execute(
            update(GrantCall).where(col(GrantCall.id) == call_id).values(blind_review=False)
        )
        await session.commit()
    for n, name in enumerate(APPLICANTS):
        await update_user(session, f"a{n}@example.org", full_name=name)
    await assign_whole_committee(client, setup)
    assert (await login_page(client, "eval0@example.org")).status_code == 303
    return setup


async def assignments_of(client: Client, evaluator: dict[str, Any]) -> list[dict[str, Any]]:
    response = await client.get("/api/v1/me/assignments", headers=evaluator["headers"])
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def first_of(client: Client, setup: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The logged-in evaluator's first assignment and its page."""
    first = (await assignments_of(client, setup["evaluators"][0]))[0]
    return first, f"/evaluator/assignments/{first['id']}"


async def declare_no_conflict(client: Client, page: str) -> None:
    answer = await post_form(
        client, f"{page}/declaration", {"has_conflict": "no"}, page=page, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == page


async def htmx_post(client: Client, path: str, data: dict[str, Any], page: str) -> Any:
    await client.get(page)
    headers = {"HX-Request": "true", "x-csrftoken": csrf_token(client)}
    return await client.post(path, data=data, headers=headers)


async def stored(db: Database, assignment_id: int) -> dict[str, tuple[Decimal, str]]:
    rows = await fetch_rows(db, CriterionScore, col(CriterionScore.assignment_id) == assignment_id)
    return {row.criterion_key: (row.score, row.comment) for row in rows}


async def status_of(db: Database, assignment_id: int) -> str:
    (row,) = await fetch_rows(db, Assignment, col(Assignment.id) == assignment_id)
    return str(row.status)


# --- the list and the declaration ---------------------------------------------------------


async def test_the_list_shows_the_assignments_by_call(
    client: Client, session: AsyncSession
) -> None:
    setup = await assigned(client, session)
    mine = await assignments_of(client, setup["evaluators"][0])
    assert mine
    listed = await client.get("/evaluator/assignments?lang=en")
    assert listed.status_code == 200
    text = visible(listed.text)
    assert "Small business grants 2027" in text
    assert 'href="/evaluator/assignments"' in listed.text  # the nav link of evaluators
    for a in mine:
        assert f'href="/evaluator/assignments/{a["id"]}"' in listed.text
        assert f"Application No. {a['application_id']}" in text
    assert "Declaration needed" in text and TITLE not in text
    for a in await assignments_of(client, setup["evaluators"][1]):
        assert f'href="/evaluator/assignments/{a["id"]}"' not in listed.text

    await make_user(session, Role.EVALUATOR, setup["municipality"].id, email="new@example.org")
    assert (await login_page(client, "new@example.org")).status_code == 303
    empty = visible((await client.get("/evaluator/assignments?lang=en")).text)
    assert "You have no applications to evaluate yet." in empty


async def test_the_application_is_hidden_until_no_conflict_is_declared(
    client: Client, session: AsyncSession
) -> None:
    setup = await assigned(client, session)
    _first, page = await first_of(client, setup)
    before = await client.get(f"{page}?lang=en")
    assert before.status_code == 200
    assert f'action="{page}/declaration"' in before.text
    for secret in (TITLE, "Купуємо сушарку", "Сонячні панелі", "Кав'ярні", "Impact"):
        assert secret not in before.text
    assert 'name="scores.impact"' not in before.text

    unanswered = await post_form(client, f"{page}/declaration?lang=en", {"note": ""}, page=page)
    assert unanswered.status_code == 422
    assert field_error(unanswered.text, "has_conflict") == (
        "Choose whether you have a conflict of interest."
    )
    bare = await post_form(
        client, f"{page}/declaration?lang=en", {"has_conflict": "yes", "note": " "}, page=page
    )
    assert bare.status_code == 422
    assert field_error(bare.text, "note") == "Say briefly what the conflict of interest is."
    assert TITLE not in bare.text

    await declare_no_conflict(client, page)
    after = await client.get(f"{page}?lang=en")
    text = visible(after.text)
    for shown in (TITLE, "Купуємо сушарку", "Сонячні панелі", "Кав'ярні", "Impact"):
        assert shown in text
    assert "Feasibility" in text and "Weight 2; at most 10 points." in text
    assert 'name="scores.impact" min="0" max="10" step="0.5"' in after.text
    assert 'name="scores.feasibility" min="0" max="5" step="0.5"' in after.text
    for field in ("scores.impact", "comments.impact", "scores.feasibility"):
        assert f'<label for="f-{field}">' in after.text and f'id="e-{field}"' in after.text
    assert 'aria-describedby="w-impact e-scores.impact"' in after.text
    assert 'aria-describedby="e-comments.impact"' in after.text
    assert f'hx-post="{page}/scores/autosave"' in after.text
    assert f'formaction="{page}/submit"' in after.text


async def test_a_conflict_takes_the_application_away(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await assigned(client, session)
    first, page = await first_of(client, setup)
    declared = await post_form(
        client,
        f"{page}/declaration",
        {"has_conflict": "yes", "note": "Сестра заявниці"},
        page=page,
        follow_redirects=False,
    )
    assert declared.status_code == 303
    assert await status_of(db, first["id"]) == "conflict"
    shown = await client.get(f"{page}?lang=en")
    text = visible(shown.text)
    assert "You declared a conflict of interest" in text and "Сестра заявниці" in text
    assert "another evaluator" in text
    assert TITLE not in text and 'name="scores.impact"' not in shown.text
    listed = visible((await client.get("/evaluator/assignments?lang=en")).text)
    assert "Conflict of interest" in listed

    again = await post_form(
        client, f"{page}/declaration?lang=en", {"has_conflict": "no"}, page=page
    )
    assert "can no longer change its declaration" in visible(again.text)
    assert await status_of(db, first["id"]) == "conflict"
    scored = await post_form(client, f"{page}/scores", {"scores.impact": "5"}, page=page)
    assert scored.status_code == 200 and await stored(db, first["id"]) == {}


# --- scores -------------------------------------------------------------------------------


async def test_autosave_keeps_the_valid_scores_and_marks_the_others(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await assigned(client, session)
    first, page = await first_of(client, setup)
    await declare_no_conflict(client, page)
    answer = await htmx_post(
        client,
        f"{page}/scores/autosave?lang=en",
        {"scores.impact": "7,5", "comments.impact": "Добрий вплив", "scores.feasibility": "6"},
        page,
    )
    assert answer.status_code == 200
    assert "Not saved: fix the marked fields." in answer.text
    assert "<html" not in answer.text  # a fragment, not the page
    assert field_error(answer.text, "scores.feasibility") == "A score is from 0 to 5, in halves."
    assert field_error(answer.text, "scores.impact") == ""
    assert 'hx-swap-oob="true"' in answer.text
    assert await stored(db, first["id"]) == {"impact": (Decimal("7.5"), "Добрий вплив")}

    fixed = await htmx_post(
        client,
        f"{page}/scores/autosave?lang=en",
        {"scores.impact": "8", "comments.impact": "", "scores.feasibility": "4.5"},
        page,
    )
    assert fixed.status_code == 200 and "Saved at" in fixed.text
    assert await stored(db, first["id"]) == {
        "impact": (Decimal("8.0"), ""),
        "feasibility": (Decimal("4.5"), ""),
    }
    page_now = await client.get(page)
    assert 'value="8"' in page_now.text and 'value="4.5"' in page_now.text


async def test_wrong_numbers_answer_422_by_the_field_and_change_nothing(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await assigned(client, session)
    first, page = await first_of(client, setup)
    await declare_no_conflict(client, page)
    kept = await post_form(
        client,
        f"{page}/scores",
        {"scores.impact": "8", "comments.impact": "Сильний вплив"},
        page=page,
        follow_redirects=False,
    )
    assert kept.status_code == 303
    before = await stored(db, first["id"])
    assert before == {"impact": (Decimal("8.0"), "Сильний вплив")}
    cases = {
        "10.5": "A score is from 0 to 10, in halves.",
        "-1": "A score is from 0 to 10, in halves.",
        "2.25": "A score is from 0 to 10, in halves.",
        "abc": "Enter a number, for example 7 or 7.5.",
        "NaN": "Enter a number, for example 7 or 7.5.",
        "": "A saved score can be changed but not removed: enter a score.",
    }
    for value, message in cases.items():
        answer = await post_form(
            client,
            f"{page}/scores?lang=en",
            {"scores.impact": value, "comments.impact": "Інше"},
            page=page,
        )
        assert answer.status_code == 422, value
        assert field_error(answer.text, "scores.impact") == message, value
        assert 'aria-invalid="true"' in answer.text and "Please fix these problems" in answer.text
        assert await stored(db, first["id"]) == before, value
    lonely = await post_form(
        client, f"{page}/scores?lang=en", {"comments.feasibility": "Без оцінки"}, page=page
    )
    assert lonely.status_code == 422
    assert "saved together with it" in field_error(lonely.text, "scores.feasibility")


async def test_submission_names_what_is_missing_then_the_scores_are_final(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await assigned(client, session)
    first, page = await first_of(client, setup)
    await declare_no_conflict(client, page)
    incomplete = await post_form(
        client,
        f"{page}/submit?lang=en",
        {"scores.impact": "9", "comments.impact": "Так"},
        page=page,
    )
    assert incomplete.status_code == 422
    assert field_error(incomplete.text, "scores.feasibility") == "Give a score for this criterion."
    assert await status_of(db, first["id"]) == "declared"
    assert await stored(db, first["id"]) == {"impact": (Decimal("9.0"), "Так")}  # the draft

    sheet = {"scores.impact": "9", "comments.impact": "Так", "scores.feasibility": "3.5"}
    asked = await post_form(client, f"{page}/submit", sheet, page=page)
    assert asked.status_code == 200 and "Submit your scores as final?" in text_of(asked.text)
    assert 'name="scores.feasibility" value="3.5"' in asked.text
    assert await status_of(db, first["id"]) == "declared"  # saved as a draft, not final
    assert (await stored(db, first["id"]))["feasibility"] == (Decimal("3.5"), "")
    done = await post_form(
        client,
        f"{page}/submit",
        {**sheet, "confirm": "yes"},
        page=page,
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == page
    assert await status_of(db, first["id"]) == "submitted"
    final = await client.get(f"{page}?lang=en")
    text = visible(final.text)
    assert "The scores are final." in text and "Your scores are submitted." in text
    assert "9 of 10" in text and "3.5 of 5" in text and TITLE in text
    assert 'id="scores-form"' not in final.text and 'type="number"' not in final.text

    late = await htmx_post(client, f"{page}/scores/autosave?lang=en", {"scores.impact": "1"}, page)
    assert "final" in late.text
    changed = await post_form(client, f"{page}/scores", {"scores.impact": "1"}, page=page)
    assert changed.status_code == 200  # back on the read-only page, told why
    assert (await stored(db, first["id"]))["impact"] == (Decimal("9.0"), "Так")


# --- who sees what --------------------------------------------------------------------------


def applicant_of(setup: dict[str, Any], application_id: int) -> int:
    return int(setup["applications"].index(application_id))


async def test_blind_review_hides_who_applied(client: Client, session: AsyncSession) -> None:
    setup = await assigned(client, session)
    first, page = await first_of(client, setup)
    await declare_no_conflict(client, page)
    n = applicant_of(setup, first["application_id"])
    html = (await client.get(f"{page}?lang=en")).text
    assert TITLE in html and "Blind review" in html
    for identity in (
        APPLICANTS[n],
        TAX_IDS[n],
        "Зелена майстерня",
        f"a{n}@example.org",
        "123 45 67",
        "Городоцька",
    ):
        assert identity not in html, identity


async def test_an_open_review_shows_who_applied(client: Client, session: AsyncSession) -> None:
    setup = await assigned(client, session, blind=False)
    first, page = await first_of(client, setup)
    hidden = (await client.get(page)).text
    assert all(name not in hidden for name in APPLICANTS)  # not before the declaration
    await declare_no_conflict(client, page)
    n = applicant_of(setup, first["application_id"])
    text = visible((await client.get(f"{page}?lang=en")).text)
    for identity in (
        APPLICANTS[n],
        TAX_IDS[n],
        "Зелена майстерня",
        f"a{n}@example.org",
        "+380 67 123 45 67",
        "Городоцька",
    ):
        assert identity in text, identity
    assert "Blind review" not in text


async def test_someone_elses_assignment_is_not_found(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await assigned(client, session)
    mine = {a["id"] for a in await assignments_of(client, setup["evaluators"][0])}
    theirs = [
        a["id"] for a in await assignments_of(client, setup["evaluators"][1]) if a["id"] not in mine
    ]
    assert theirs
    page = f"/evaluator/assignments/{theirs[0]}"
    assert (await client.get(page)).status_code == 404
    await client.get("/evaluator/assignments")
    token = csrf_token(client)
    for action, data in (
        ("declaration", {"has_conflict": "no"}),
        ("scores", {"scores.impact": "5"}),
        ("submit", {}),
    ):
        answer = await client.post(f"{page}/{action}", data={**data, "_csrf_token": token})
        assert answer.status_code == 404, action
    assert await status_of(db, theirs[0]) == "assigned"
    assert (await client.get("/evaluator/assignments/999999")).status_code == 404

    await make_user(session, Role.ENTREPRENEUR, email="nosy@example.org")
    assert (await login_page(client, "nosy@example.org")).status_code == 303
    assert (await client.get("/evaluator/assignments")).status_code == 403


async def test_pages_speak_english_and_ukrainian(client: Client, session: AsyncSession) -> None:
    setup = await assigned(client, session)
    first, page = await first_of(client, setup)
    english = await client.get(f"{page}?lang=en")
    assert english.status_code == 200 and english.headers["content-language"] == "en"
    assert f"Application No. {first['application_id']}" in visible(english.text)
    assert "Small business grants 2027" in visible(english.text)
    client.cookies.set("lang", "uk")
    ukrainian = await client.get(page)
    assert ukrainian.status_code == 200 and ukrainian.headers["content-language"] == "uk"
    text = visible(ukrainian.text)
    assert '<html lang="uk">' in ukrainian.text
    assert f"Заявка № {first['application_id']}" in text
    assert "Гранти для малого бізнесу 2027" in text and "Вийти" in text
    listed = await client.get("/evaluator/assignments?lang=uk")
    assert listed.status_code == 200 and "Гранти для малого бізнесу 2027" in visible(listed.text)
