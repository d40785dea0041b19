"""The PDF copy of a submitted application (templates/grants/pdf/application.html)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.accounts.models import User
from sme_hub.core.pdf import render_pdf
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.grants import application_reads, submission_rules
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.schemas import CATEGORY_LABELS, SCREENING_LABELS
from sme_hub.organisations.models import Municipality

PDF_TEMPLATE = "grants/pdf/application.html"


async def parties(
    session: AsyncSession, application: Application, call: GrantCall
) -> dict[str, Any]:
    """Whom a document of an application names: the call, the applicant (`owner`), the
    municipality, and the business as it was at submission."""
    return {
        "call": call,
        "owner": await session.get(User, application.applicant_id),
        "municipality": await session.get(Municipality, application.municipality_id),
        "business": application.snapshot or {},
    }


async def application_pdf(
    session: AsyncSession, application: Application, call: GrantCall, *, locale: str
) -> bytes:
    """Render the copy in `locale`, off the event loop."""
    assert application.id is not None
    files = await application_reads.attachments_of(session, application.id)
    context: dict[str, Any] = {
        "application": application,
        **await parties(session, application, call),
        "attachments": files,
        "project_cost": submission_rules.project_cost(application_reads.content_of(application)),
        "screening_labels": SCREENING_LABELS,
        "category_labels": CATEGORY_LABELS,
        "legal_forms": LEGAL_FORM_LABELS,
        "locale": locale,
    }
    return await render_pdf(PDF_TEMPLATE, context, locale=locale)
