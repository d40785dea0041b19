"""Certificates over HTTP: the PDF (API and pages), the public verification page, and the
progress of a cohort's certificate batch (an htmx fragment that polls itself)."""

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from sme_hub.config import Settings
from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, DbSession
from sme_hub.core.i18n import current_locale
from sme_hub.core.pages import render
from sme_hub.core.roles import Role
from sme_hub.training import certificates


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _pdf_response(
    request: Request[Any, Any, Any], user: Actor, db_session: DbSession, enrolment_id: int
) -> Response[bytes]:
    # The language: ?lang=, the remembered choice, the user's own, the browser's (middleware).
    locale = current_locale.get()
    pdf = await certificates.certificate_pdf(
        db_session, user, enrolment_id, locale, base_url=_settings(request).base_url
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="certificate-{enrolment_id}-{locale}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


class CertificateApiController(Controller):
    path = "/api/v1"
    tags = ["training"]

    @get(
        "/enrolments/{enrolment_id:int}/certificate.pdf",
        guards=[requires_login],
        media_type="application/pdf",
    )
    async def certificate(
        self,
        request: Request[Any, Any, Any],
        enrolment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Response[bytes]:
        """The certificate of a completed enrolment as a PDF (`?lang=en` for English): for
        its owner, staff of the cohort's centre and admins. 409 until completed."""
        return await _pdf_response(request, user, db_session, enrolment_id)


class CertificatePagesController(Controller):
    include_in_schema = False

    @get("/me/enrolments/{enrolment_id:int}/certificate.pdf", guards=[requires_login])
    async def certificate(
        self,
        request: Request[Any, Any, Any],
        enrolment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Response[bytes]:
        return await _pdf_response(request, user, db_session, enrolment_id)

    @get("/certificates/{code:str}")
    async def verify(
        self, request: Request[Any, Any, Any], code: FromPath[str], db_session: DbSession
    ) -> Template:
        """Public: anyone holding a certificate's code can check what it states."""
        details = await certificates.verify(db_session, code, base_url=_settings(request).base_url)
        return render(
            request,
            "training/certificate_verify.html",
            status_code=200 if details else 404,
            certificate=details,
            code=code[:40],
        )

    @get(
        "/centre/cohorts/{cohort_id:int}/certificates/progress",
        guards=[requires_role(Role.CENTRE_STAFF, Role.ADMIN)],
    )
    async def progress(
        self,
        request: Request[Any, Any, Any],
        cohort_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        """How far the cohort's certificate batch has come; polls itself while it runs."""
        batch = await certificates.batch_progress(db_session, user, cohort_id)
        return Template(
            template_name="training/_certificate_progress.html",
            context={"batch": batch, "cohort_id": cohort_id},
        )
