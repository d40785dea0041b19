"""Attachments of an application (product.md §8): PDF, JPEG or PNG recognised by content,
at most 10 MB each and 10 per application; nothing is kept of a refused file; given only to
those who may read the application."""

import hashlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from sme_hub.config import Settings
from sme_hub.db import Database
from sme_hub.grants.models import Attachment
from tests.factories import Client, count_rows, fetch_rows
from tests.grants_setup import (
    TAX_IDS,
    applicant,
    application_body,
    draft,
    jpeg_bytes,
    officer_and_call,
    other_municipality,
    pdf_bytes,
    png_bytes,
)

MB = 1024 * 1024


pytestmark = pytest.mark.usefixtures("fast_passwords")


def stored_files(settings: Settings) -> set[Path]:
    root = Path(settings.data_dir) / "files"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def upload(
    client: Client, application_id: int, headers: dict[str, str], name: str, data: bytes
) -> Any:
    return await client.post(
        f"/api/v1/applications/{application_id}/attachments",
        headers=headers,
        files={"data": (name, data, "application/octet-stream")},
    )


async def test_pdf_png_and_jpeg_are_accepted_by_content(
    client: Client, session: AsyncSession, db: Database, settings: Settings
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena)
    files = {
        "plan.pdf": (pdf_bytes(), "application/pdf", ".pdf"),
        "photo.png": (png_bytes(), "image/png", ".png"),
        # A JPEG whose name says otherwise keeps its real type.
        "scan.pdf": (jpeg_bytes(), "image/jpeg", ".jpg"),
    }
    before = stored_files(settings)
    for name, (data, content_type, extension) in files.items():
        response = await upload(client, application_id, olena, name, data)
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["content_type"] == content_type
        assert body["size_bytes"] == len(data)
        assert body["sha256"] == hashlib.sha256(data).hexdigest()
        assert body["filename"].endswith(extension)
        got = await client.get(
            f"/api/v1/applications/{application_id}/attachments/{body['id']}", headers=olena
        )
        assert got.status_code == 200
        assert got.content == data
        assert got.headers["content-type"].startswith(content_type)
    assert len(stored_files(settings) - before) == 3
    listed = (await client.get(f"/api/v1/applications/{application_id}", headers=olena)).json()
    assert [a["filename"] for a in listed["attachments"]] == ["plan.pdf", "photo.png", "scan.jpg"]
    # A file name cannot climb out of the storage or break the header.
    odd = await upload(client, application_id, olena, '../../etc/"passwd".pdf', pdf_bytes())
    assert odd.status_code == 201
    assert "/" not in odd.json()["filename"] and '"' not in odd.json()["filename"]


async def test_refused_files_leave_nothing_behind(
    client: Client, session: AsyncSession, db: Database, settings: Settings
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena)
    before = stored_files(settings)
    refusals = {
        "text named .pdf": ("notes.pdf", b"Just some text, not a PDF at all.\n" * 20, 415),
        "png header with garbage": ("photo.png", png_bytes()[:16] + b"\x00garbage" * 100, 415),
        "truncated png": ("photo.png", png_bytes()[:-30], 415),
        "pdf without its end": ("plan.pdf", b"%PDF-1.4\n" + b"x" * 4000, 415),
        "html": ("page.pdf", b"<html><body>hi</body></html>", 415),
        "just over 10 MB": ("big.pdf", pdf_bytes(10 * MB + 1), 413),
        "far over 10 MB": ("huge.pdf", pdf_bytes(12 * MB), 413),
    }
    for case, (name, data, status) in refusals.items():
        response = await upload(client, application_id, olena, name, data)
        assert response.status_code == status, (case, response.status_code, response.text[:300])
    exactly = await upload(client, application_id, olena, "max.pdf", pdf_bytes(10 * MB))
    assert exactly.status_code == 201, exactly.text
    assert await count_rows(db, Attachment) == 1
    assert len(stored_files(settings) - before) == 1


async def test_at_most_ten_files(
    client: Client, session: AsyncSession, db: Database, settings: Settings
) -> None:
    setup = await officer_and_call(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    application_id = await draft(client, setup["call_id"], olena)
    ids = []
    for n in range(10):
        response = await upload(client, application_id, olena, f"doc{n}.pdf", pdf_bytes())
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    before = stored_files(settings)
    eleventh = await upload(client, application_id, olena, "doc10.pdf", pdf_bytes())
    assert eleventh.status_code == 409, eleventh.text
    assert await count_rows(db, Attachment) == 10
    assert stored_files(settings) == before
    # Removing one makes room again; its file is gone from the storage.
    (gone,) = await fetch_rows(db, Attachment, col(Attachment.id) == ids[0])
    removed = await client.delete(
        f"/api/v1/applications/{application_id}/attachments/{ids[0]}", headers=olena
    )
    assert removed.status_code == 204, removed.text
    assert not (Path(settings.data_dir) / "files" / gone.storage_key).exists()
    got = await client.get(
        f"/api/v1/applications/{application_id}/attachments/{ids[0]}", headers=olena
    )
    assert got.status_code == 404
    again = await upload(client, application_id, olena, "doc10.pdf", pdf_bytes())
    assert again.status_code == 201
    assert await count_rows(db, Attachment) == 10


async def test_files_are_given_only_to_those_who_may_read_the_application(
    client: Client, session: AsyncSession, db: Database
) -> None:
    setup = await officer_and_call(client, session)
    kyiv = await other_municipality(client, session)
    olena = await applicant(client, session, "olena@example.org", tax_id=TAX_IDS[0])
    taras = await applicant(client, session, "taras@example.org", tax_id=TAX_IDS[1])
    application_id = await draft(client, setup["call_id"], olena, **application_body())
    taras_draft = await draft(client, setup["call_id"], taras)
    data = pdf_bytes(2000)
    created = await upload(client, application_id, olena, "plan.pdf", data)
    attachment_id = created.json()["id"]
    url = f"/api/v1/applications/{application_id}/attachments/{attachment_id}"

    assert (await client.get(url, headers=olena)).content == data
    assert (await client.get(url)).status_code == 401
    for outsider in (taras, setup["staff"], setup["officer"], kyiv["staff"], kyiv["officer"]):
        # Drafts are the applicant's alone.
        assert (await client.get(url, headers=outsider)).status_code == 404
    # Another application's id in the path does not reach the file.
    wrong = f"/api/v1/applications/{taras_draft}/attachments/{attachment_id}"
    assert (await client.get(wrong, headers=taras)).status_code == 404
    assert (await client.delete(wrong, headers=taras)).status_code == 404
    assert (await client.delete(url, headers=taras)).status_code == 404
    assert (await upload(client, application_id, taras, "x.pdf", pdf_bytes())).status_code == 404

    submitted = await client.post(f"/api/v1/applications/{application_id}/submit", headers=olena)
    assert submitted.status_code == 200, submitted.text
    for staff in (setup["staff"], setup["officer"]):
        got = await client.get(url, headers=staff)
        assert got.status_code == 200 and got.content == data
    for outsider in (taras, kyiv["staff"], kyiv["officer"]):
        assert (await client.get(url, headers=outsider)).status_code == 404
        pdf = await client.get(f"/api/v1/applications/{application_id}/pdf", headers=outsider)
        assert pdf.status_code == 404

    # Submitted: the files are frozen.
    late = await upload(client, application_id, olena, "more.pdf", pdf_bytes())
    assert late.status_code == 409
    assert (await client.delete(url, headers=olena)).status_code == 409
    assert (await client.delete(url, headers=setup["staff"])).status_code == 409
    assert await count_rows(db, Attachment) == 1
