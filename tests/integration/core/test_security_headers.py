"""Security headers on every kind of response, cookie flags in production, and how uploaded
files are stored and served."""

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.app import create_app
from sme_hub.config import PACKAGE_DIR, Settings
from sme_hub.core.security import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY, HSTS
from tests.factories import Client, login_page, make_user, post_form
from tests.grants_setup import (
    TAX_IDS,
    applicant,
    draft,
    officer_and_call,
    pdf_bytes,
)

EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}


pytestmark = pytest.mark.usefixtures("fast_passwords")


def assert_security_headers(response: Any) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "unsafe-inline" not in response.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/login", 200),
        ("/api/v1/municipalities", 200),
        ("/static/css/app.css", 200),
        ("/static/js/htmx-2.0.11.min.js", 200),
        ("/no-such-page", 404),
        ("/api/v1/no-such-thing", 404),
        ("/me", 401),
    ],
)
async def test_every_response_carries_the_security_headers(
    client: Client, path: str, status: int
) -> None:
    response = await client.get(path, follow_redirects=False)
    assert response.status_code == status or (status == 401 and response.status_code in (302, 303))
    assert_security_headers(response)
    assert "strict-transport-security" not in response.headers  # development: plain HTTP


async def test_a_500_page_carries_them_too(settings: Settings) -> None:
    @get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("boom")

    app = create_app(settings)
    app.register(boom)
    async with AsyncTestClient(app=app) as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert_security_headers(response)


async def test_the_api_docs_page_alone_gets_the_relaxed_policy(client: Client) -> None:
    docs = await client.get("/schema")
    assert docs.status_code == 200
    assert docs.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in DOCS_CONTENT_SECURITY_POLICY.split("style-src")[0]
    schema = await client.get("/schema/openapi.json")
    assert schema.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_no_page_template_has_inline_scripts_or_styles() -> None:
    """What the CSP would block: style="" attributes, <style>, inline <script> code,
    on…= handlers and htmx's evaluated code (`hx-on`, `js:` values) in the templates of
    pages (emails and PDFs are not pages)."""
    offending = []
    root = PACKAGE_DIR.parent / "templates"
    for path in root.rglob("*.html"):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("emails/") or "/pdf/" in relative:
            continue
        text = path.read_text()
        markers = (' style="', "<style", " onclick=", " onload=", " onsubmit=", " onchange=")
        for marker in (*markers, "hx-on", "'js:", '"js:'):
            if marker in text:
                offending.append(f"{relative}: {marker.strip()}")
        for chunk in text.split("<script")[1:]:
            opening = chunk.partition(">")[0]
            if "src=" not in opening and 'type="application/json"' not in opening:
                offending.append(f"{relative}: inline <script>")
    assert offending == []


async def test_htmx_is_told_not_to_inject_its_indicator_style(client: Client) -> None:
    page = await client.get("/")
    config = '{"includeIndicatorStyles": false, "allowEval": false}'
    assert f"<meta name=\"htmx-config\" content='{config}'>" in page.text


# --- production: HSTS and cookie flags -------------------------------------------------------


@pytest.fixture
async def production(settings: Settings) -> Any:
    app: Litestar = create_app(replace(settings, env="production"))
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as client:
        yield client


async def test_production_adds_hsts(production: Client) -> None:
    for path in ("/", "/api/v1/municipalities", "/static/css/app.css", "/nowhere"):
        response = await production.get(path)
        assert response.headers["strict-transport-security"] == HSTS


def cookie_header(response: Any, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    return header.lower()


async def test_production_cookies_are_secure_httponly_and_samesite(
    production: Client, session: AsyncSession
) -> None:
    page = await production.get("/login?lang=en")
    for name in ("csrftoken", "lang"):
        header = cookie_header(page, name)
        assert "secure" in header and "httponly" in header and "samesite=lax" in header, header
    await make_user(session, email="petro@example.org")
    login = await post_form(
        production,
        "/login",
        {"email": "petro@example.org", "password": "correct horse battery staple"},
        follow_redirects=False,
    )
    assert login.status_code == 303
    header = cookie_header(login, "sme_session")
    assert "secure" in header and "httponly" in header and "samesite=lax" in header, header


async def test_development_cookies_are_httponly_too(client: Client, session: AsyncSession) -> None:
    page = await client.get("/login?lang=uk")
    for name in ("csrftoken", "lang"):
        header = cookie_header(page, name)
        assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    await make_user(session, email="petro@example.org")
    login = await login_page(client, "petro@example.org")
    assert "httponly" in cookie_header(login, "sme_session")


# --- uploads ---------------------------------------------------------------------------------


def is_inside(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder.resolve())


def stored_files(data_dir: Path) -> list[Path]:
    return [p.resolve() for p in (data_dir / "files").rglob("*") if p.is_file()]


async def test_uploads_live_outside_the_web_root_under_random_names_and_download_as_files(
    client: Client, session: AsyncSession, settings: Settings
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena)
    before = set(stored_files(Path(settings.data_dir)))  # other tests' files stay
    created = await client.post(
        f"/api/v1/applications/{application_id}/attachments",
        headers=olena,
        files={"data": ("<script>.pdf", pdf_bytes(), "text/html")},
    )
    assert created.status_code == 201, created.text
    [path] = set(stored_files(Path(settings.data_dir))) - before
    assert is_inside(path, Path(settings.data_dir))
    assert not is_inside(path, PACKAGE_DIR / "static")
    assert "script" not in path.name and len(path.stem) == 32  # a random hex name

    download = await client.get(
        f"/api/v1/applications/{application_id}/attachments/{created.json()['id']}",
        headers=olena,
    )
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-type"].startswith("application/pdf")  # by content


def test_every_download_of_an_uploaded_file_uses_the_attachment_response() -> None:
    """Receipts (implementation) and attachments (grants) are served by one function."""
    from sme_hub.core.pages import file_response
    from sme_hub.grants import web as grants_web
    from sme_hub.implementation import api
    from sme_hub.implementation.pages import files

    assert api.file_response is file_response
    assert files.file_response is file_response  # the grantee's and the officer's pages
    assert grants_web.file_response is file_response
    response = file_response(b"%PDF-", "application/pdf", "Чек №1.pdf")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="')
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
