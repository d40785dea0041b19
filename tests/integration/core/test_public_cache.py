"""The public cache (core/public_cache.py): anonymous visitors' lists are kept for a few
seconds, everyone else always gets a fresh answer, and nothing of one visitor's is kept."""

import asyncio
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.app import create_app
from sme_hub.config import ConfigurationError, Settings, load_settings
from sme_hub.core.public_cache import KeptAnswers, public_cache, shareable
from sme_hub.core.roles import Role
from tests.factories import login_page, make_user
from tests.grants_setup import officer_and_call, published_call

pytestmark = pytest.mark.usefixtures("fast_passwords")


def titles_in(page: str, *titles: str) -> list[str]:
    return [title for title in titles if title in page]


async def test_anonymous_lists_are_kept_and_people_logged_in_see_every_change(
    settings: Settings, session: AsyncSession
) -> None:
    app = create_app(replace(settings, public_cache_seconds=60))
    # One client (one event loop for the app's pool): the officer uses a bearer token only,
    # so its requests without one are an anonymous visitor's.
    async with AsyncTestClient(app=app) as visitor:
        world = await officer_and_call(visitor, session, title_uk="Перший конкурс")
        first_page = await visitor.get("/calls")
        first_json = await visitor.get("/api/v1/calls?status=published")
        assert titles_in(first_page.text, "Перший конкурс") == ["Перший конкурс"]

        await published_call(visitor, world["officer"], title_uk="Другий конкурс")

        # Anonymous: the kept answers, page and JSON alike.
        again = await visitor.get("/calls")
        assert again.text == first_page.text
        assert (await visitor.get("/api/v1/calls?status=published")).json() == first_json.json()
        # Another query is another answer, made fresh.
        fresh = await visitor.get("/calls?status=open")
        assert titles_in(fresh.text, "Перший конкурс", "Другий конкурс") == [
            "Перший конкурс",
            "Другий конкурс",
        ]
        # Another language is another answer too.
        english = await visitor.get("/calls?lang=en")
        assert english.text != first_page.text
        assert 'lang="en"' in english.text

        # A bearer token, however it is presented, is never served what was kept.
        as_officer = await visitor.get("/api/v1/calls?status=published", headers=world["officer"])
        assert len(as_officer.json()["items"]) == 2

        # A person logged in through the pages sees the change at once, with their own token.
        email = "reader@example.org"
        await make_user(session, Role.ENTREPRENEUR, email=email)
        visitor.cookies.clear()  # forget the English chosen above
        await login_page(visitor, email)
        page = await visitor.get("/calls")
        assert titles_in(page.text, "Перший конкурс", "Другий конкурс") == [
            "Перший конкурс",
            "Другий конкурс",
        ]
        assert "x-csrftoken" in page.text


async def test_a_kept_page_holds_nothing_of_the_visitor_it_was_made_for(
    settings: Settings,
) -> None:
    app = create_app(replace(settings, public_cache_seconds=60))
    async with AsyncTestClient(app=app) as client:
        made = await client.get("/calls")
        first_token = client.cookies.get("csrftoken")
        client.cookies.clear()  # a second visitor
        kept = await client.get("/calls")
        second_token = client.cookies.get("csrftoken")
    assert kept.text == made.text
    assert "x-csrftoken" not in kept.text  # no one's CSRF token in a shared page
    # The first visitor's cookies stay theirs (a page with a form sets the second one's own
    # CSRF cookie), and each header comes once.
    assert first_token and second_token != first_token
    assert not any(first_token in cookie for cookie in kept.headers.get_list("set-cookie"))
    for response in (made, kept):
        names = [name.lower() for name, _value in response.headers.multi_items()]
        duplicated = {name for name in names if names.count(name) > 1 and name != "set-cookie"}
        assert duplicated == set()
        cookies = [c.split("=", 1)[0] for c in response.headers.get_list("set-cookie")]
        assert len(cookies) == len(set(cookies))
    assert kept.headers["x-request-id"] != made.headers["x-request-id"]


async def test_nothing_is_kept_when_the_cache_is_off(
    settings: Settings, session: AsyncSession
) -> None:
    async with AsyncTestClient(app=create_app(settings)) as visitor:  # the tests' default: 0
        world = await officer_and_call(visitor, session, title_uk="Перший конкурс")
        await visitor.get("/calls")
        await published_call(visitor, world["officer"], title_uk="Другий конкурс")
        page = await visitor.get("/calls")
    assert titles_in(page.text, "Перший конкурс", "Другий конкурс") == [
        "Перший конкурс",
        "Другий конкурс",
    ]


def scope(**fields: Any) -> dict[str, Any]:
    return {"type": "http", "headers": [], "user": None, "session": {}, **fields}


def test_only_requests_without_anyone_in_them_are_shareable() -> None:
    assert shareable(scope())
    assert not shareable(scope(user=object()))
    assert not shareable(scope(session={"_flashes": [{"message": "Saved"}]}))
    assert not shareable(scope(headers=[(b"authorization", b"Bearer abc")]))


def answer(text: str) -> list[Any]:
    return [{"type": "http.response.body", "body": text.encode()}]


def test_kept_answers_stay_within_their_number_and_expire() -> None:
    kept = KeptAnswers(max_entries=3)
    for key in ("a", "b", "c"):
        kept.put(key, answer(key), until=100.0, now=0.0)
    kept.put("stale", answer("x"), until=1.0, now=0.0)  # full: the oldest ("a") goes
    assert kept.get("a", now=0.5) is None
    assert kept.get("b", now=0.5) == answer("b")
    kept.put("d", answer("d"), until=100.0, now=2.0)  # full again: the expired one goes first
    assert kept.get("b", now=2.0) == answer("b")
    assert kept.get("stale", now=2.0) is None
    kept.put("d", answer("again"), until=100.0, now=2.0)  # replacing a key drops no other
    assert len(kept) == 3
    assert kept.get("c", now=100.0) is None  # expired at its moment


def test_the_cache_lifetime_is_configurable() -> None:
    base = {"SME_HUB_SECRET_KEY": "x" * 40}
    assert load_settings(base).public_cache_seconds == 10
    assert load_settings({**base, "SME_HUB_PUBLIC_CACHE_SECONDS": "0"}).public_cache_seconds == 0
    for wrong in ("-1", "ten", "301"):
        with pytest.raises(ConfigurationError, match="SME_HUB_PUBLIC_CACHE_SECONDS"):
            load_settings({**base, "SME_HUB_PUBLIC_CACHE_SECONDS": wrong})


async def test_requests_for_an_answer_being_made_wait_for_it() -> None:
    """When a kept answer expires under load, one request makes it again and the others get
    that one, instead of all making it at once."""
    made = 0

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        nonlocal made
        made += 1
        await asyncio.sleep(0.05)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"the list"})

    state = SimpleNamespace(settings=SimpleNamespace(public_cache_seconds=10))
    state.kept_answers = KeptAnswers()
    app = SimpleNamespace(state=state)
    middleware = public_cache(inner)
    request = scope(method="GET", path="/calls", query_string=b"", litestar_app=app)

    async def get() -> bytes:
        body = b""

        async def send(message: Any) -> None:
            nonlocal body
            body += message.get("body", b"")

        await middleware(dict(request), None, send)
        return body

    answers = await asyncio.gather(*(get() for _ in range(20)))
    assert answers == [b"the list"] * 20
    assert made == 1
    assert state.kept_answers.in_making == {}
