"""The training feature's web helpers shared by the API and the pages: who may run training,
the catalogue's filters as the query gives them, and a certificate answered as a PDF."""

from typing import TypeAlias

from litestar import Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery

from sme_hub.config import Settings
from sme_hub.core.auth import requires_role
from sme_hub.core.deps import Actor, DbSession, Req
from sme_hub.core.i18n import current_locale
from sme_hub.core.roles import Role
from sme_hub.training import certificates

staff_only = [requires_role(Role.CENTRE_STAFF, Role.ADMIN)]


def provide_catalogue_query(
    topic: FromQuery[str | None] = None,
    format: FromQuery[str | None] = None,
    municipality_id: FromQuery[str | None] = None,
    target_group: FromQuery[str | None] = None,
) -> dict[str, str | None]:
    """The catalogue's filters as the query gives them."""
    return {
        "topic": topic,
        "format": format,
        "municipality_id": municipality_id,
        "target_group": target_group,
    }


CatalogueQuery: TypeAlias = NamedDependency[dict[str, str | None]]
catalogue_query = {"given": Provide(provide_catalogue_query, sync_to_thread=False)}


def app_settings(request: Req) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def certificate_response(
    request: Req, user: Actor, db_session: DbSession, enrolment_id: int
) -> Response[bytes]:
    """The certificate of an enrolment as a PDF, in the reader's language: ?lang=, the
    remembered choice, the user's own, the browser's (middleware)."""
    locale = current_locale.get()
    pdf = await certificates.certificate_pdf(
        db_session, user, enrolment_id, locale, base_url=app_settings(request).base_url
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="certificate-{enrolment_id}-{locale}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )
