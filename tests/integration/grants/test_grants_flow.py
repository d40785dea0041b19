"""The whole grant path over the API: call, draft, attachment, submit, PDF, screening."""

from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Client, pdf_text
from tests.grants_setup import applicant, application_body, draft, officer_and_call, pdf_bytes


async def test_apply_submit_and_screen(client: Client, session: AsyncSession) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id="32855909")
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    upload = await client.post(
        f"/api/v1/applications/{application_id}/attachments",
        headers=olena,
        files={"data": ("plan.pdf", pdf_bytes(), "application/pdf")},
    )
    assert upload.status_code == 201, upload.text
    submitted = await client.post(f"/api/v1/applications/{application_id}/submit", headers=olena)
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["women_led"] is True
    assert body["environmental_category"] == "C"
    pdf = await client.get(f"/api/v1/applications/{application_id}/pdf", headers=olena)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    copy = pdf_text(pdf.content)
    assert "Сонячна сушарка для фруктів" in copy  # the project
    assert "ТОВ «Зелена майстерня»" in copy  # the business, from the snapshot
    assert "80 000,00 грн" in copy
    listed = await client.get(
        f"/api/v1/calls/{setup['call_id']}/applications", headers=setup["staff"]
    )
    assert listed.status_code == 200, listed.text
    assert [row["id"] for row in listed.json()["items"]] == [application_id]
    decided = await client.post(
        f"/api/v1/applications/{application_id}/eligibility",
        headers=setup["staff"],
        json={"eligible": False, "reason": "Бізнес не зареєстровано в громаді."},
    )
    assert decided.status_code == 200, decided.text
    mine = await client.get(f"/api/v1/applications/{application_id}", headers=olena)
    assert mine.json()["status"] == "ineligible"
    assert mine.json()["eligibility_reason"] == "Бізнес не зареєстровано в громаді."
    assert [e["action"] for e in mine.json()["timeline"]] == [
        "created",
        "submit",
        "mark_ineligible",
    ]


async def test_the_grant_api_is_in_the_openapi_schema_with_its_errors(client: Client) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    paths = schema["paths"]
    submit = paths["/api/v1/applications/{application_id}/submit"]["post"]
    assert {"200", "401", "404", "409", "422"} <= set(submit["responses"])
    upload = paths["/api/v1/applications/{application_id}/attachments"]["post"]
    assert {"201", "413", "415"} <= set(upload["responses"])
    assert "multipart/form-data" in upload["requestBody"]["content"]
    create = paths["/api/v1/calls"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert "$ref" in body or "properties" in body
    for path in (
        "/api/v1/calls/{call_id}",
        "/api/v1/calls/{call_id}/amendments",
        "/api/v1/calls/{call_id}/applications",
        "/api/v1/me/applications",
        "/api/v1/applications/{application_id}/pdf",
        "/api/v1/applications/{application_id}/eligibility",
        "/api/v1/applications/{application_id}/withdraw",
    ):
        assert path in paths, path
