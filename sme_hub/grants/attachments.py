"""Files of an application: PDF, JPEG or PNG recognised by their content (not their name),
at most 10 MB each and 10 per application; stored through the storage interface and given
only to those who may read the application."""

import hashlib
import io
import re
from typing import Any

import filetype
from PIL import Image
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core import audit
from sme_hub.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from sme_hub.core.i18n import _
from sme_hub.core.roles import CurrentUser
from sme_hub.core.storage import Storage, new_key
from sme_hub.grants import applications, documents
from sme_hub.grants.models import Application, Attachment, GrantCall

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 10
# The request limit leaves room for the multipart envelope around a 10 MB file; anything
# larger is refused by the server before it is read.
MAX_REQUEST_BYTES = MAX_BYTES + 256 * 1024
ACCEPTED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(data: bytes) -> str | None:
    """The accepted type `data` really is, or None: the magic bytes must say PDF, JPEG or PNG,
    and an image must also decode (a renamed or truncated file is refused)."""
    kind = filetype.guess(data[:8192])
    if kind is None or kind.mime not in ACCEPTED:
        return None
    if kind.mime == "application/pdf":
        return kind.mime if b"%%EOF" in data[-2048:] else None
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except Exception:  # any decoder error means "not a valid image"
        return None
    return str(kind.mime)


def clean_filename(name: str, content_type: str) -> str:
    """A display name safe in a header and on disk, with the extension of the real type."""
    stem = re.sub(r"[^\w.\- ]+", "_", name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]).strip(" ._")
    stem = stem.rsplit(".", 1)[0][:150] or "file"
    return stem + ACCEPTED[content_type]


def checked_upload(filename: str, data: bytes) -> tuple[str, str]:
    """The real type and a safe name of an uploaded file: 413 over 10 MB, 422 when empty,
    415 unless it is really a PDF, JPEG or PNG."""
    if len(data) > MAX_BYTES:
        raise TooLarge(
            _("A file may be at most 10 MB; this one is {size} MB.").format(
                size=f"{len(data) / 1024 / 1024:.1f}".replace(".", ",")
            )
        )
    if not data:
        raise InvalidInput({"file": _("The file is empty.")})
    content_type = sniff(data)
    if content_type is None:
        raise UnsupportedType(
            _("Only PDF, JPEG and PNG files are accepted, and this file is none of them.")
        )
    return content_type, clean_filename(filename, content_type)


async def add(
    session: AsyncSession,
    user: CurrentUser,
    storage: Storage,
    application_id: int,
    filename: str,
    data: bytes,
) -> Attachment:
    """Attach a file to a draft: 413 over 10 MB, 415 for another type, 409 past 10 files.
    Nothing is stored when a check fails."""
    application = await applications.editable_application(session, user, application_id)
    content_type, clean_name = checked_upload(filename, data)
    count = await session.scalar(
        select(func.count()).where(col(Attachment.application_id) == application_id)
    )
    if (count or 0) >= MAX_FILES:
        raise Conflict(_("An application may have at most 10 files: remove one first."))
    key = new_key(f"applications/{application_id}", ACCEPTED[content_type])
    attachment = Attachment(
        application_id=application_id,
        municipality_id=application.municipality_id,
        filename=clean_name,
        content_type=content_type,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        storage_key=key,
        uploaded_by=user.id,
    )
    # The file first: when the disk is full (507) nothing has reached the transaction, so
    # a page that shows the refusal does not list the file either.
    await storage.put(key, data)
    session.add(attachment)
    try:
        await session.flush()
    except Exception:
        await storage.delete(key)
        raise
    await audit.record(
        session,
        user,
        "application",
        application,
        "attachment_added",
        after={"attachment_id": attachment.id, "filename": attachment.filename},
    )
    return attachment


async def _attachment(session: AsyncSession, application_id: int, attachment_id: int) -> Attachment:
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None or attachment.application_id != application_id:
        raise NotFound()
    return attachment


async def remove(
    session: AsyncSession,
    user: CurrentUser,
    storage: Storage,
    application_id: int,
    attachment_id: int,
) -> None:
    application = await applications.editable_application(session, user, application_id)
    attachment = await _attachment(session, application_id, attachment_id)
    await session.delete(attachment)
    await session.flush()
    await audit.record(
        session,
        user,
        "application",
        application,
        "attachment_removed",
        before={"attachment_id": attachment_id, "filename": attachment.filename},
    )
    await storage.delete(attachment.storage_key)


async def content(
    session: AsyncSession,
    user: CurrentUser,
    storage: Storage,
    application_id: int,
    attachment_id: int,
) -> tuple[Attachment, bytes]:
    """A file for someone who may read its application; anyone else gets 404. Staff opening
    it is audited (personal data)."""
    application = await applications.get_application(session, user, application_id)
    attachment = await _attachment(session, application_id, attachment_id)
    await audit_access(
        session, user, application, "attachment_viewed", {"attachment_id": attachment.id}
    )
    return attachment, await storage.get(attachment.storage_key)


async def application_copy(
    session: AsyncSession, user: CurrentUser, storage: Storage, application_id: int
) -> bytes:
    """The PDF copy made at submission (409 before it is submitted). A submitted application
    whose copy is missing (e.g. imported ones) gets it made now and kept."""
    application = await applications.get_application(session, user, application_id)
    if application.status == "draft" or application.submitted_at is None:
        raise Conflict(_("The PDF copy is made when the application is submitted."))
    if not applications.can_read(user, application):  # an assigned evaluator
        call = await session.get(GrantCall, application.call_id)
        if not applications.sees_applicant(call):
            raise Forbidden(_("The review is blind: the PDF copy would show who applied."))
    await audit_access(session, user, application, "pdf_viewed")
    if application.pdf_key is None:
        call = await session.get(GrantCall, application.call_id)
        owner = await session.get(User, application.applicant_id)
        assert call is not None and owner is not None
        pdf = await documents.application_pdf(session, application, call, locale=owner.locale)
        application.pdf_key = new_key(f"applications/{application_id}", ".pdf")
        await storage.put(application.pdf_key, pdf)
        await session.flush()
        return pdf
    return await storage.get(application.pdf_key)


async def audit_access(
    session: AsyncSession,
    user: CurrentUser,
    application: Application,
    action: str = "viewed",
    details: dict[str, Any] | None = None,
) -> None:
    """Anyone but the applicant opening the application (staff, an evaluator) is logged."""
    await audit.record_access(
        session,
        user,
        "application",
        application,
        action,
        owner_id=application.applicant_id,
        details=details,
    )
