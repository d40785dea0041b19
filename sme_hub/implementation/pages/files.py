"""Downloads of a grant's agreement and receipts, shared by the grantee's and the officer's
pages."""

from typing import ClassVar

from litestar import Response, get
from litestar.params import FromPath

from sme_hub.core.deps import Actor, DbSession, Files
from sme_hub.core.pages import PagesController, file_response
from sme_hub.implementation import agreement
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation.grants import Viewer


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
