"""The grant agreement (templates/implementation/pdf/agreement.html), in Ukrainian: parties,
amounts, budget lines, the tranche schedule and the grantee's duties, all from stored data,
so the same grant always gives the same document."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core import audit
from sme_hub.core.pdf import render_pdf
from sme_hub.core.roles import CurrentUser
from sme_hub.grants import documents
from sme_hub.grants.models import Application
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import rules

AGREEMENT_TEMPLATE = "implementation/pdf/agreement.html"
AGREEMENT_LOCALE = "uk"


async def agreement_pdf(session: AsyncSession, grant: Application) -> bytes:
    """Rendered off the event loop (core.pdf)."""
    assert grant.id is not None
    call = await implementation_grants.call_of(session, grant)
    tranches, _reports, obligations = await implementation_grants.parts_of(session, grant.id)
    context: dict[str, Any] = {
        "grant": grant,
        **await documents.parties(session, grant, call),
        "tranches": tranches,
        "obligations": obligations,
        "obligation_texts": rules.OBLIGATION_TEXTS,
        "report_every_months": rules.REPORT_EVERY_MONTHS,
        "months": rules.IMPLEMENTATION_MONTHS,
        "locale": AGREEMENT_LOCALE,
    }
    return await render_pdf(AGREEMENT_TEMPLATE, context, locale=AGREEMENT_LOCALE)


async def download(
    session: AsyncSession, user: CurrentUser, grant_id: int, viewer: implementation_grants.Viewer
) -> tuple[bytes, str, str]:
    """The agreement of a grant `viewer` may see, to download (API and pages): its content,
    type and file name. An officer's download is logged, since it carries the grantee's
    personal data."""
    grant = await implementation_grants.grant_for(session, user, grant_id, viewer)
    await audit.record_access(
        session, user, "grant", grant, "agreement_downloaded", owner_id=grant.applicant_id
    )
    body = await agreement_pdf(session, grant)
    return body, "application/pdf", f"grant-agreement-{grant_id}.pdf"
