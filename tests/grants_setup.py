"""Arranging grant calls and applications for tests, over the API as users would."""

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.auth import Role
from tests.factories import Client, make_centre, make_municipality, make_user, token_headers
from tests.integration.test_business_profile import profile

LVIV = "UA46060250000025047"
IBAN = "UA213223130000026007233566001"
EDRPOUS = ["32855909", "32855914", "32855920", "32855935", "32855940", "32855955"]


def call_body(**overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "title_uk": "Гранти для малого бізнесу 2027",
        "title_en": "Small business grants 2027",
        "description_uk": "Підтримка місцевих підприємців.",
        "description_en": "Support for local entrepreneurs.",
        "budget_kop": 100_000_000,
        "min_grant_kop": 1_000_000,
        "max_grant_kop": 20_000_000,
        "own_contribution_pct": 20,
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=30)).isoformat(),
        "threshold": 60,
        "criteria": [
            {"key": "impact", "name": "Вплив", "weight": 2, "max_score": 10},
            {"key": "feasibility", "name": "Реалістичність", "weight": 1, "max_score": 5},
        ],
        "eligibility": {"in_municipality": True},
        "questions": [{"key": "market", "label_uk": "Хто ваші клієнти?", "required": True}],
    }
    body.update(overrides)
    return body


def application_body(**overrides: Any) -> dict[str, Any]:
    """A complete application that passes every content rule of `call_body()`."""
    body: dict[str, Any] = {
        "project_title": "Сонячна сушарка для фруктів",
        "summary": "Сушимо місцеві фрукти сонячною енергією.",
        "description": "Купуємо сушарку і панелі, наймаємо двох працівниць.",
        "requested_amount_kop": 8_000_000,
        "own_contribution_kop": 2_000_000,
        "budget_lines": [
            {"item": "Сушарка", "amount_kop": 6_000_000},
            {"item": "Сонячні панелі", "amount_kop": 4_000_000},
        ],
        "jobs_total": 2,
        "jobs_women": 2,
        "environmental_effect": "Менше відходів фруктів, сонячна енергія.",
        "screening": {
            "protected_area": False,
            "hazardous_waste": False,
            "new_construction": False,
            "emissions_or_discharges": False,
            "noise_or_traffic": False,
        },
        "answers": {"market": "Кав'ярні та магазини Львова."},
        "iban": IBAN,
        "contact_phone": "+380 67 123 45 67",
        "business_address": "Львів, вул. Городоцька, 10",
    }
    body.update(overrides)
    return body


async def officer_and_call(
    client: Client, session: AsyncSession, **call_fields: Any
) -> dict[str, Any]:
    """Lviv with a centre, an officer, centre staff, and a published call."""
    lviv = await make_municipality(session, katottg=LVIV, name_uk="Львівська громада")
    centre = await make_centre(session, lviv)
    officer_email = f"officer{lviv.id}@example.org"
    staff_email = f"staff{lviv.id}@example.org"
    await make_user(session, Role.MUNICIPAL_OFFICER, lviv.id, email=officer_email)
    await make_user(session, Role.CENTRE_STAFF, centre.id, email=staff_email)
    officer = await token_headers(client, officer_email)
    created = await client.post("/api/v1/calls", headers=officer, json=call_body(**call_fields))
    assert created.status_code == 201, created.text
    call_id = created.json()["id"]
    published = await client.post(f"/api/v1/calls/{call_id}/publish", headers=officer)
    assert published.status_code == 200, published.text
    return {
        "municipality": lviv,
        "centre": centre,
        "officer": officer,
        "staff": await token_headers(client, staff_email),
        "call_id": call_id,
    }


async def applicant(
    client: Client, session: AsyncSession, email: str, *, tax_id: str, **profile_fields: Any
) -> dict[str, str]:
    """An entrepreneur with a Lviv business profile."""
    await make_user(session, Role.ENTREPRENEUR, email=email)
    headers = await token_headers(client, email)
    saved = await client.put(
        "/api/v1/me/business", headers=headers, json=profile(tax_id=tax_id, **profile_fields)
    )
    assert saved.status_code == 200, saved.text
    return headers


async def draft(client: Client, call_id: int, headers: dict[str, str], **fields: Any) -> int:
    created = await client.post(f"/api/v1/calls/{call_id}/applications", headers=headers)
    assert created.status_code == 201, created.text
    application_id = int(created.json()["id"])
    if fields:
        patched = await client.patch(
            f"/api/v1/applications/{application_id}", headers=headers, json=fields
        )
        assert patched.status_code == 200, patched.text
    return application_id


def pdf_bytes(size: int = 0) -> bytes:
    """A small valid PDF, padded (inside a comment) to about `size` bytes."""
    body = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
    padding = b"%" + b"x" * max(size - len(body) - 20, 0) + b"\n"
    return body + padding + b"trailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 87, 183)).save(buffer, "PNG")
    return buffer.getvalue()
