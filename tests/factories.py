"""Arranging data for tests through the real services, and logging in over HTTP."""

import re
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts import service as accounts
from sme_hub.accounts.models import User
from sme_hub.accounts.schemas import AdminUserCreate, GrantRequest
from sme_hub.core.auth import CurrentUser, Role
from sme_hub.organisations import service as organisations
from sme_hub.organisations.models import Municipality, SupportCentre
from sme_hub.organisations.schemas import CentreCreate, MunicipalityCreate

PASSWORD = "correct horse battery staple"
SYSTEM = CurrentUser(id=0, email="system", full_name="tests", locale="uk", email_confirmed=True)

Client = AsyncTestClient[Litestar]

_counter = 0


def _next() -> int:
    global _counter
    _counter += 1
    return _counter


async def make_municipality(session: AsyncSession, **fields: Any) -> Municipality:
    n = _next()
    data = {
        "name_uk": f"Громада {n}",
        "name_en": f"Community {n}",
        "katottg": f"UA{46060250000000000 + n:017d}",
        "oblast": "UA46000000000026241",
        **fields,
    }
    municipality = await organisations.create_municipality(
        session, SYSTEM, MunicipalityCreate(**data)
    )
    await session.commit()
    return municipality


async def make_centre(
    session: AsyncSession, municipality: Municipality, **fields: Any
) -> SupportCentre:
    assert municipality.id is not None
    data = {
        "municipality_id": municipality.id,
        "name": f"Центр {_next()}",
        "address": "вул. Тестова, 1",
        **fields,
    }
    centre = await organisations.create_centre(session, SYSTEM, CentreCreate(**data))
    await session.commit()
    return centre


async def make_user(
    session: AsyncSession,
    role: Role = Role.ENTREPRENEUR,
    organisation_id: int | None = None,
    *,
    email: str | None = None,
    oblast: str | None = None,
    full_name: str = "Тестова Особа",
) -> User:
    email = email or f"user{_next()}@example.org"
    user = await accounts.create_user(
        session,
        SYSTEM,
        AdminUserCreate(
            email=email,
            full_name=full_name,
            password=PASSWORD,
            roles=[GrantRequest(role=role, organisation_id=organisation_id, oblast=oblast)],
        ),
    )
    await session.commit()
    return user


async def token_headers(client: Client, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/v1/auth/token", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_token(client: Client) -> str:
    token = client.cookies.get("csrftoken")
    assert token, "GET a page first: it sets the CSRF cookie"
    return token


async def post_form(
    client: Client, path: str, data: dict[str, str], *, page: str | None = None, **kwargs: Any
) -> Any:
    """Submit a page form like a browser: fetch the page (CSRF cookie), post with the token."""
    await client.get(page or path)
    return await client.post(path, data={**data, "_csrf_token": csrf_token(client)}, **kwargs)


async def login_page(client: Client, email: str, password: str = PASSWORD) -> Any:
    return await post_form(
        client, "/login", {"email": email, "password": password}, follow_redirects=False
    )


def text_of(html: str) -> str:
    """Visible text, roughly: enough to assert on messages."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
