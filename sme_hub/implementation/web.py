"""The implementation feature's guards, the grants export both the API and the officer's
pages offer, what every implementation page's template uses, and the files of a grant both
the grantee's and the officer's pages serve."""

from typing import Any, ClassVar

from litestar import Response, get
from litestar.params import FromPath

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor, DbSession, Files
from sme_hub.core.exports import Export
from sme_hub.core.pages import PagesController, file_response
from sme_hub.core.roles import Role
from sme_hub.grants import schemas as grant_labels
from sme_hub.grants.display import size_text
from sme_hub.implementation import agreement, exports
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation import schemas as labels
from sme_hub.implementation.grants import Viewer

officers = [requires_role(Role.MUNICIPAL_OFFICER, Role.ADMIN)]
signed_in = [requires_login]


async def grants_export(user: Actor) -> Export:
    """The grants `GET /grants` lists as CSV or XLSX (by the path), streamed."""
    return exports.grants_export(user)


def common_context() -> dict[str, Any]:
    """What every implementation page uses: status labels and file sizes."""
    return {"labels": labels, "grant_labels": grant_labels, "size": size_text}


class GrantFilesController(PagesController):
    """The pages of one grant as `viewer` sees them (path `.../{grant_id}`): the agreement
    and the receipts of its reports, to download."""

    viewer: ClassVar[Viewer]

    @get("/{grant_id:int}/agreement.pdf")
    async def agreement_pdf(
        self, grant_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        return file_response(*await agreement.download(db_session, user, grant_id, self.viewer))

    @get("/{grant_id:int}/reports/{report_id:int}/receipts/{index:int}")
    async def receipt(
        self,
        grant_id: FromPath[int],
        report_id: FromPath[int],
        index: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        found = await progress_reports.receipt_file(
            db_session, user, storage, report_id, index, grant_id=grant_id, viewer=self.viewer
        )
        return file_response(*found)
