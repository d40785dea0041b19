"""Downloads of an application's files and its PDF copy, shared by the applicant's and the
staff pages."""

from litestar import Response, get
from litestar.params import FromPath

from sme_hub.core.deps import Actor, DbSession, Files
from sme_hub.core.pages import PagesController
from sme_hub.grants.web import (
    attachment_download,
    copy_download,
)


class ApplicationFilesController(PagesController):
    """Pages that show applications (`{path}/applications/{application_id}`): the
    application's files and the PDF copy made at submission, to download."""

    @get("/applications/{application_id:int}/files/{attachment_id:int}")
    async def file(
        self,
        application_id: FromPath[int],
        attachment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        storage: Files,
    ) -> Response[bytes]:
        return await attachment_download(db_session, user, storage, application_id, attachment_id)

    @get("/applications/{application_id:int}/copy.pdf")
    async def copy(
        self, application_id: FromPath[int], user: Actor, db_session: DbSession, storage: Files
    ) -> Response[bytes]:
        return await copy_download(db_session, user, storage, application_id)
