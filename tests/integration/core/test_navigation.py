"""Where signing in lands each role, the header's menus (one work menu, distinct links, the
current page), the home page's cards as links, and the favicon."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.roles import Role
from tests.factories import (
    PASSWORD,
    Client,
    login_page,
    make_centre,
    make_municipality,
    make_partner,
    make_user,
    post_form,
    totp_code,
)

OBLAST = "UA46000000000026241"  # the factories' municipalities are in it
LANDINGS = {
    Role.ENTREPRENEUR: "/me",
    Role.CENTRE_STAFF: "/centre/clients",
    Role.EVALUATOR: "/evaluator/assignments",
    Role.MUNICIPAL_OFFICER: "/municipality/calls",
    Role.PARTNER: "/partner/referrals",
    Role.REGIONAL_OBSERVER: "/reports",
    Role.ADMIN: "/admin",
}


pytestmark = pytest.mark.usefixtures("fast_passwords")


async def make_person(session: AsyncSession, role: Role, email: str) -> None:
    """A user of `role`, bound to the organisation the role needs."""
    municipality = await make_municipality(session)
    organisation: dict[Role, Any] = {
        Role.CENTRE_STAFF: (await make_centre(session, municipality)).id,
        Role.EVALUATOR: municipality.id,
        Role.MUNICIPAL_OFFICER: municipality.id,
        Role.PARTNER: (await make_partner(session)).id,
    }
    await make_user(
        session,
        role,
        organisation.get(role),
        email=email,
        oblast=OBLAST if role == Role.REGIONAL_OBSERVER else None,
    )


@dataclass
class Link:
    href: str
    text: str = ""
    current: bool = False
    nav: str | None = None  # the class of the <nav> it is in


@dataclass
class HeaderParser(HTMLParser):
    """The links of the page's <header>, with the <nav> each is in."""

    links: list[Link] = field(default_factory=list)
    navs: list[dict[str, str | None]] = field(default_factory=list)
    _in_header: bool = False
    _nav: str | None = None
    _link: Link | None = None
    _hidden: int = 0  # depth inside a visually hidden span

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "header":
            self._in_header = True
        elif self._in_header and tag == "nav":
            self._nav = found.get("class")
            self.navs.append(found)
        elif self._in_header and tag == "a":
            self._link = Link(
                str(found["href"]), current=found.get("aria-current") == "page", nav=self._nav
            )
        elif self._link and tag == "span" and found.get("class") == "visually-hidden":
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "header":
            self._in_header = False
        elif tag == "nav":
            self._nav = None
        elif tag == "a" and self._link:
            self._link.text = " ".join(self._link.text.split())
            self.links.append(self._link)
            self._link = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._link and not self._hidden:
            self._link.text += data


def header_of(page_html: str) -> HeaderParser:
    parser = HeaderParser()
    parser.feed(page_html)
    return parser


# --- landing after signing in ----------------------------------------------------------------


@pytest.mark.parametrize(("role", "landing"), LANDINGS.items())
async def test_each_role_lands_on_its_work_after_signing_in(
    client: Client, session: AsyncSession, role: Role, landing: str
) -> None:
    await make_person(session, role, "person@example.org")

    # Officers and admins answer the second step too (login_page does).
    response = await login_page(client, "person@example.org")

    assert response.status_code == 303, response.text
    assert response.headers["location"] == landing
    page = await client.get(landing)
    assert page.status_code == 200  # a page the role may open
    assert [link.href for link in header_of(page.text).links if link.current] == [landing]


async def test_a_new_entrepreneur_lands_on_the_cabinet_that_asks_for_the_business(
    client: Client, session: AsyncSession
) -> None:
    await make_user(session, email="olena@example.org")

    response = await login_page(client, "olena@example.org")

    assert response.headers["location"] == "/me"
    cabinet = await client.get("/me")
    assert 'href="/me/business/details"' in cabinet.text
    assert "Описати мій бізнес" in cabinet.text


@pytest.mark.parametrize("role", [Role.ENTREPRENEUR, Role.MUNICIPAL_OFFICER])
async def test_a_local_next_still_wins_over_the_landing(
    client: Client, session: AsyncSession, role: Role
) -> None:
    await make_person(session, role, "person@example.org")

    response = await login_page(client, "person@example.org", next="/courses")

    assert response.status_code == 303
    assert response.headers["location"] == "/courses"


async def test_a_foreign_next_is_ignored_at_the_second_step_too(
    client: Client, session: AsyncSession
) -> None:
    await make_person(session, Role.MUNICIPAL_OFFICER, "person@example.org")

    response = await login_page(client, "person@example.org", next="//evil.example.com/")

    assert response.headers["location"] == "/municipality/calls"


async def test_setting_up_two_factor_continues_to_the_landing(
    client: Client, session: AsyncSession
) -> None:
    municipality = await make_municipality(session)
    await make_user(
        session, Role.MUNICIPAL_OFFICER, municipality.id, email="o@example.org", two_factor=False
    )
    started = await post_form(
        client,
        "/login",
        {"email": "o@example.org", "password": PASSWORD},
        follow_redirects=False,
    )
    assert started.headers["location"] == "/login/two-factor/setup"
    page = await client.get("/login/two-factor/setup")
    secret = page.text.split('data-testid="totp-secret">', 1)[1].split("<", 1)[0]

    done = await post_form(
        client,
        "/login/two-factor/setup",
        {"code": totp_code(secret.replace(" ", ""))},
        page="/login/two-factor/setup",
    )

    assert done.status_code == 200
    assert 'href="/municipality/calls" role="button"' in done.text


# --- the header -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["uk", "en"])
async def test_the_officers_header_has_one_work_menu_of_distinct_links(
    client: Client, session: AsyncSession, lang: str
) -> None:
    await make_person(session, Role.MUNICIPAL_OFFICER, "person@example.org")
    await login_page(client, "person@example.org")

    page = await client.get(f"/municipality/calls?lang={lang}")

    header = header_of(page.text)
    work_navs = [nav for nav in header.navs if nav.get("class") == "work-nav"]
    assert len(work_navs) == 1
    assert work_navs[0].get("aria-labelledby")  # a landmark named by the menu's title
    work = [link for link in header.links if link.nav == "work-nav"]
    assert 4 <= len(work) <= 7
    texts = [link.text for link in header.links]
    assert len(texts) == len(set(texts)), texts
    public = [link for link in header.links if link.nav == "public-nav"]
    assert [link.href for link in public] == ["/courses", "/calls", "/partners", "/grants"]
    assert [link.href for link in header.links if link.current] == ["/municipality/calls"]
    assert [nav.get("aria-label") for nav in header.navs if nav.get("class") == "public-nav"]


async def test_the_current_page_is_the_closest_link_on_a_deeper_page(
    client: Client, session: AsyncSession
) -> None:
    await make_person(session, Role.MUNICIPAL_OFFICER, "person@example.org")
    await login_page(client, "person@example.org")

    page = await client.get("/municipality/grants")

    assert [link.href for link in header_of(page.text).links if link.current] == [
        "/municipality/grants"
    ]
    assert 'href="/municipality/grants" aria-current="page"' in page.text


async def test_the_menu_is_a_disclosure_that_works_without_script(client: Client) -> None:
    page = await client.get("/")

    assert '<details class="site-menu">' in page.text  # closed: CSS opens it on wide screens
    assert '<summary class="menu-toggle">' in page.text
    assert "Меню" in page.text.split('<summary class="menu-toggle">', 1)[1].split("</summary>")[0]


# --- the home page's cards --------------------------------------------------------------------


async def test_the_home_pages_cards_are_links(client: Client) -> None:
    page = await client.get("/")

    cards = page.text.split('class="grid cards"', 1)[1].split("</section>", 1)[0]
    for href, text in (("/courses", "Курси"), ("/calls", "Гранти"), ("/partners", "Партнери")):
        assert f'<a href="{href}" class="card-link">{text}</a>' in cards
        assert (await client.get(href)).status_code == 200


# --- the favicon ------------------------------------------------------------------------------


async def test_the_favicon_is_served_and_linked(client: Client) -> None:
    ico = await client.get("/favicon.ico")

    assert ico.status_code == 200
    assert ico.headers["content-type"].startswith("image/x-icon")
    assert ico.content.startswith(b"\x00\x00\x01\x00")  # an ICO directory
    assert "max-age" in ico.headers["cache-control"]
    page = await client.get("/")
    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page.text
    svg = await client.get("/static/img/favicon.svg")
    assert svg.status_code == 200 and svg.text.startswith("<svg")
