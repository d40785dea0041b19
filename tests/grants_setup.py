"""Arranging grant calls and applications for tests, over the API as users would."""

import io
from datetime import UTC, datetime, timedelta
from typing import Any

from PIL import Image
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.accounts.models import User
from sme_hub.core.roles import Role
from sme_hub.grants.models import Application, GrantCall
from sme_hub.organisations.models import SupportCentre
from sme_hub.training.models import Cohort, Enrolment, Programme
from tests.factories import Client, make_centre, make_municipality, make_user, token_headers

LVIV = "UA46060250000025047"
KYIV = "UA80000000000093317"
IBAN = "UA213223130000026007233566001"
EDRPOUS = ["32855909", "32855914", "32855920", "32855935", "32855940", "32855955"]
# Valid EDRPOU codes (check digit included), one per test business.
TAX_IDS = [
    "32855909",
    "32855914",
    "32855921",
    "32855935",
    "32855940",
    "32855956",
    "32855961",
    "32855977",
    "32855982",
    "32855998",
    "32856001",
    "32856017",
    "32856022",
    "32856038",
    "32856043",
    "32856059",
    "32856064",
    "32856076",
    "32856085",
    "32856090",
]


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
            {
                "key": "impact",
                "name_uk": "Вплив",
                "name_en": "Impact",
                "weight": 2,
                "max_score": 10,
            },
            {
                "key": "feasibility",
                "name_uk": "Реалістичність",
                "name_en": "Feasibility",
                "weight": 1,
                "max_score": 5,
            },
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
    return await _community_with_call(client, session, lviv, **call_fields)


async def _community_with_call(
    client: Client, session: AsyncSession, municipality: Any, **call_fields: Any
) -> dict[str, Any]:
    """A centre, an officer and centre staff in `municipality`, and the call published."""
    centre = await make_centre(session, municipality)
    officer_email = f"officer{municipality.id}@example.org"
    staff_email = f"staff{municipality.id}@example.org"
    await make_user(session, Role.MUNICIPAL_OFFICER, municipality.id, email=officer_email)
    await make_user(session, Role.CENTRE_STAFF, centre.id, email=staff_email)
    officer = await token_headers(client, officer_email)
    call_id = await published_call(client, officer, **call_fields)
    return {
        "municipality": municipality,
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


# --- added for the grants test suite ------------------------------------------------------


async def other_municipality(client: Client, session: AsyncSession) -> dict[str, Any]:
    """Another community (Kyiv) with its own officer, centre staff and a published call."""
    kyiv = await make_municipality(session, katottg=KYIV, name_uk="Київ", name_en="Kyiv")
    return await _community_with_call(client, session, kyiv, eligibility={}, questions=[])


async def set_call_times(
    session: AsyncSession,
    call_id: int,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> None:
    """Move a call's dates directly in the database (the API refuses past dates)."""
    call = await session.get(GrantCall, call_id)
    assert call is not None
    await session.refresh(call)
    if opens_at is not None:
        call.opens_at = opens_at
    if closes_at is not None:
        call.closes_at = closes_at
    await session.commit()


async def submitted(client: Client, call_id: int, headers: dict[str, str], **fields: Any) -> int:
    """A complete application, submitted."""
    application_id = await draft(client, call_id, headers, **application_body(**fields))
    response = await client.post(f"/api/v1/applications/{application_id}/submit", headers=headers)
    assert response.status_code == 200, response.text
    return application_id


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 215, 0)).save(buffer, "JPEG")
    return buffer.getvalue()


async def programme_row(
    session: AsyncSession, centre: SupportCentre, *, completed_by: int | None = None
) -> int:
    """A training programme of `centre` (rows written directly) with one finished cohort;
    `completed_by` (a user id) has completed it."""
    assert centre.id is not None
    programme = Programme(
        centre_id=centre.id, municipality_id=centre.municipality_id, title="Основи бізнесу"
    )
    session.add(programme)
    await session.flush()
    assert programme.id is not None
    if completed_by is not None:
        await complete_programme(session, programme.id, completed_by)
    await session.commit()
    return programme.id


async def complete_programme(session: AsyncSession, programme_id: int, user_id: int) -> None:
    """A finished cohort of the programme in which `user_id` has a completed enrolment."""
    programme = await session.get(Programme, programme_id)
    assert programme is not None
    today = datetime.now(UTC).date()
    cohort = Cohort(
        programme_id=programme_id,
        centre_id=programme.centre_id,
        municipality_id=programme.municipality_id,
        starts_on=today - timedelta(days=60),
        ends_on=today - timedelta(days=30),
        enrolment_deadline=today - timedelta(days=61),
        capacity=10,
        enrolled_count=1,
        status="finished",
    )
    session.add(cohort)
    await session.flush()
    assert cohort.id is not None
    session.add(
        Enrolment(
            cohort_id=cohort.id,
            user_id=user_id,
            municipality_id=programme.municipality_id,
            status="completed",
        )
    )
    await session.commit()


async def user_id_of(session: AsyncSession, email: str) -> int:
    found = await session.scalar(select(User.id).where(col(User.email) == email))
    assert found is not None
    return int(found)


def now_plus(**delta: float) -> datetime:
    """Now (UTC) moved by `timedelta(**delta)`; negative values go back."""
    return datetime.now(UTC) + timedelta(**delta)


async def update_user(session: AsyncSession, email: str, **values: Any) -> None:
    """Change a user's row directly (e.g. `locale`, `email_confirmed_at=None`)."""
    await session.execute(update(User).where(col(User.email) == email).values(**values))
    await session.commit()


async def set_application(session: AsyncSession, application_id: int, **values: Any) -> None:
    """Change an application's row directly (e.g. `status="approved"`)."""
    await session.execute(
        update(Application).where(col(Application.id) == application_id).values(**values)
    )
    await session.commit()


async def published_call(client: Client, officer: dict[str, str], **fields: Any) -> int:
    """Another call of the officer's municipality, published."""
    created = await client.post("/api/v1/calls", headers=officer, json=call_body(**fields))
    assert created.status_code == 201, created.text
    call_id = int(created.json()["id"])
    published = await client.post(f"/api/v1/calls/{call_id}/publish", headers=officer)
    assert published.status_code == 200, published.text
    return call_id


def ua_iban(account: int) -> str:
    """A valid Ukrainian IBAN (check digits computed) for account number `account`."""
    bban = f"322313{account:019d}"
    check = 98 - int(bban + "301000") % 97  # "UA00" moved to the end, letters as numbers
    return f"UA{check:02d}{bban}"


async def evaluated_call(client: Client, session: AsyncSession) -> dict[str, Any]:
    """A closed call with two eligible applications and one not, and three evaluators."""
    setup = await officer_and_call(client, session, blind_review=True)
    lviv = setup["municipality"]
    evaluators = []
    for n in range(3):
        user = await make_user(session, Role.EVALUATOR, lviv.id, email=f"eval{n}@example.org")
        evaluators.append({"id": user.id, "headers": await token_headers(client, user.email)})
    applications = []
    for n in range(3):
        headers = await applicant(client, session, f"a{n}@example.org", tax_id=TAX_IDS[n])
        applications.append(await submitted(client, setup["call_id"], headers, iban=ua_iban(n + 1)))
    for application_id, eligible in zip(applications, (True, True, False), strict=True):
        decided = await client.post(
            f"/api/v1/applications/{application_id}/eligibility",
            headers=setup["staff"],
            json={"eligible": eligible, "reason": "" if eligible else "Не та громада, вибачте."},
        )
        assert decided.status_code == 200, decided.text
    await set_call_times(
        session, setup["call_id"], opens_at=now_plus(days=-5), closes_at=now_plus(seconds=-1)
    )
    return {**setup, "evaluators": evaluators, "applications": applications}


async def assign_whole_committee(client: Client, setup: dict[str, Any]) -> list[dict[str, Any]]:
    """Name all of `evaluated_call`'s evaluators the committee and assign them: the
    assignments made."""
    call_id, officer = setup["call_id"], setup["officer"]
    ids = [e["id"] for e in setup["evaluators"]]
    committee = await client.put(
        f"/api/v1/calls/{call_id}/committee", headers=officer, json={"evaluator_ids": ids}
    )
    assert committee.status_code == 200, committee.text
    assigned = await client.post(f"/api/v1/calls/{call_id}/assignments", headers=officer)
    assert assigned.status_code == 200, assigned.text
    result: list[dict[str, Any]] = assigned.json()
    return result


async def approved_grant(client: Client, session: AsyncSession, **decision: Any) -> dict[str, Any]:
    """A Lviv call in evaluation with one recommended application, approved over the API."""
    setup = await officer_and_call(client, session)
    grantee = await applicant(client, session, GRANTEE, tax_id=TAX_IDS[0])
    grant_id = await submitted(client, setup["call_id"], grantee)
    await set_application(session, grant_id, status="recommended", rank=1)
    await session.execute(
        update(GrantCall)
        .where(col(GrantCall.id) == setup["call_id"])
        .values(status="in_evaluation")
    )
    await session.commit()
    body = {"decision": "approved", "reference": "Рішення № 7 від 01.12.2026", **decision}
    response = await client.post(
        f"/api/v1/applications/{grant_id}/decision", headers=setup["officer"], json=body
    )
    assert response.status_code == 200, response.text
    return {**setup, "grantee": grantee, "grant_id": grant_id}


def report_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "interim",
        "period": "I квартал 2027",
        "jobs_created": 2,
        "women_employed": 2,
        "spending": [{"item": "Сушарка", "amount_kop": 6_000_000}],
        "environmental_results": "Сушарка працює на сонячній енергії.",
        "narrative": "Обладнання купили й встановили.",
    }
    body.update(overrides)
    return body


GRANTEE = "grantee@example.org"


EDRPOU = "32855961"
FEMALE_RNOKPP = "3000000008"  # ninth digit even: a woman (domain.md)


def profile(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "legal_form": "llc",
        "tax_id": EDRPOU,
        "name": "ТОВ «Зелена майстерня»",
        "kved": "62.01",
        "katottg": LVIV,
        "registered_on": "2020-03-15",
        "employees_total": 10,
        "employees_women": 6,
        "revenue_band": "1m_to_5m",
        "owners": [{"gender": "female", "share_pct": "60"}, {"gender": "male", "share_pct": "40"}],
        "leaders": [{"role": "head", "gender": "male"}],
        "green": {
            "answers": {
                "energy_efficiency": True,
                "renewable_energy": True,
                "waste_sorting": True,
                "green_product": True,
            }
        },
    }
    body.update(overrides)
    return body
