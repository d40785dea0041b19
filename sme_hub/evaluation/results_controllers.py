"""The printable results of a call for its officer: the page's download and its API twin."""

from litestar import Controller, Response, get
from litestar.params import FromPath

from sme_hub.core.deps import Actor, DbSession
from sme_hub.core.pages import file_response
from sme_hub.evaluation import results_report
from sme_hub.evaluation.controllers import ERRORS, officers


async def _download(db_session: DbSession, user: Actor, call_id: int) -> Response[bytes]:
    body = await results_report.results_pdf(db_session, user, call_id)
    return file_response(body, "application/pdf", f"call-{call_id}-results.pdf")


class CallResultsController(Controller):
    guards = officers

    @get("/api/v1/calls/{call_id:int}/results.pdf", tags=["evaluation"], raises=ERRORS)
    async def results_api(
        self, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        """The call, its ranking with the decisions and the totals, as a PDF (the caller's
        language: Ukrainian unless English); 409 before the call has a ranking."""
        return await _download(db_session, user, call_id)

    @get("/municipality/calls/{call_id:int}/results.pdf", include_in_schema=False)
    async def results_page(
        self, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        return await _download(db_session, user, call_id)
