"""The guards and dependency providers of grants, the file answers its API and pages share
(the pages' in one base controller) and the addresses of the pages
that show a call or an application."""

from typing import TypeAlias

from litestar import Response
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, DbSession
from sme_hub.core.errors import InvalidInput
from sme_hub.core.exports import Export
from sme_hub.core.i18n import _
from sme_hub.core.pages import file_response
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.storage import Storage
from sme_hub.grants import attachments, screening

logged_in = [requires_login]
entrepreneur_only = [requires_role(Role.ENTREPRENEUR)]
officer_only = [requires_role(Role.MUNICIPAL_OFFICER, Role.ADMIN)]
staff_only = [requires_role(Role.CENTRE_STAFF, Role.MUNICIPAL_OFFICER, Role.ADMIN)]
screeners = [requires_role(Role.CENTRE_STAFF, Role.ADMIN)]
PDF = "application/pdf"


def provide_screening_filters(
    q: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    women_led: FromQuery[str | None] = None,
    green_level: FromQuery[str | None] = None,
    category: FromQuery[str | None] = None,
    duplicates: FromQuery[str | None] = None,
) -> screening.ScreeningFilters:
    """The same filters for the API, the page and the exports; empty means "all"."""
    if (women_led or "") not in ("", "true", "false"):
        raise InvalidInput({"women_led": _("Choose yes or no.")})
    return screening.ScreeningFilters(
        q=q or None,
        status=status or None,
        women_led={"true": True, "false": False}.get(women_led or ""),
        green_level=green_level or None,
        category=category or None,
        duplicates=duplicates in ("true", "1", "on"),
    )


Filters: TypeAlias = NamedDependency[screening.ScreeningFilters]
screening_filters = {"filters": Provide(provide_screening_filters, sync_to_thread=False)}


async def call_applications_export(
    call_id: FromPath[int], user: Actor, db_session: DbSession, filters: Filters
) -> Export:
    """All the applications the filters find, as CSV or XLSX (by the path), streamed."""
    return await screening.applications_export(db_session, user, call_id, filters)


async def attachment_download(
    session: AsyncSession,
    user: CurrentUser,
    storage: Storage,
    application_id: int,
    attachment_id: int,
) -> Response[bytes]:
    """An application's file for those who may read the application (API and pages)."""
    found, body = await attachments.content(session, user, storage, application_id, attachment_id)
    return file_response(body, found.content_type, found.filename)


async def copy_download(
    session: AsyncSession, user: CurrentUser, storage: Storage, application_id: int
) -> Response[bytes]:
    """The PDF copy made at submission (API and pages)."""
    body = await attachments.application_copy(session, user, storage, application_id)
    return file_response(body, PDF, f"application-{application_id}.pdf")


def call_url(call_id: int) -> str:
    """The officer's page of a call."""
    return f"/municipality/calls/{call_id}"


def my_application_url(application_id: int) -> str:
    """The applicant's page of their application."""
    return f"/me/applications/{application_id}"


def staff_application_url(application_id: int) -> str:
    """Centre staff's page of an application."""
    return f"/centre/grants/applications/{application_id}"
