"""Evaluation over the API (api.md): committee and assignments (officers), conflict
declarations and scores (evaluators), the ranking, decisions and the results PDF
(officers)."""

from litestar import Controller, Response, get, post, put
from litestar.params import FromPath, JSONBody

from sme_hub.core.deps import Actor, Config, DbSession, Page
from sme_hub.core.pages import file_response
from sme_hub.core.refusals import ERRORS
from sme_hub.evaluation import committee as evaluation_committee
from sme_hub.evaluation import decisions, results_report, review, service
from sme_hub.evaluation import scoring as evaluation_scoring
from sme_hub.evaluation.models import Assignment
from sme_hub.evaluation.schemas import (
    AssignmentRead,
    CommitteeIn,
    CommitteeRead,
    ConflictDeclaration,
    DecisionIn,
    DecisionRead,
    RankingRead,
    ScoresIn,
)
from sme_hub.evaluation.web import evaluators, officers


class EvaluationApiController(Controller):
    path = "/api/v1"
    tags = ["evaluation"]

    @put("/calls/{call_id:int}/committee", guards=officers, raises=ERRORS)
    async def committee(
        self,
        call_id: FromPath[int],
        data: JSONBody[CommitteeIn],
        user: Actor,
        db_session: DbSession,
    ) -> CommitteeRead:
        """The call's evaluators: users with the evaluator role in its municipality."""
        chosen = await evaluation_committee.set_committee(
            db_session, user, call_id, data.evaluator_ids
        )
        return CommitteeRead(call_id=call_id, evaluator_ids=chosen)

    @post("/calls/{call_id:int}/assignments", guards=officers, status_code=200, raises=ERRORS)
    async def assign(
        self, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> list[dict[str, object]]:
        """Give each eligible application `evaluators_per_application` evaluators, balancing
        the load and replacing conflicts; running it again changes nothing."""
        rows = await evaluation_committee.assign(db_session, user, call_id)
        return [_row(a) for a in rows]

    @get("/me/assignments", guards=evaluators)
    async def mine(self, user: Actor, db_session: DbSession) -> list[AssignmentRead]:
        return await review.my_assignments(db_session, user)

    @post(
        "/assignments/{assignment_id:int}/conflict",
        guards=evaluators,
        status_code=200,
        raises=ERRORS,
    )
    async def conflict(
        self,
        assignment_id: FromPath[int],
        data: JSONBody[ConflictDeclaration],
        user: Actor,
        db_session: DbSession,
    ) -> dict[str, object]:
        """Declare before seeing the application; a conflict brings in a replacement."""
        return _row(await evaluation_committee.declare(db_session, user, assignment_id, data))

    @put("/assignments/{assignment_id:int}/scores", guards=evaluators, raises=ERRORS)
    async def scores(
        self,
        assignment_id: FromPath[int],
        data: JSONBody[ScoresIn],
        user: Actor,
        db_session: DbSession,
    ) -> dict[str, object]:
        """Save scores (0..max in halves) and comments as a draft."""
        return _row(await evaluation_scoring.save_scores(db_session, user, assignment_id, data))

    @post(
        "/assignments/{assignment_id:int}/submit", guards=evaluators, status_code=200, raises=ERRORS
    )
    async def submit(
        self, assignment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> dict[str, object]:
        """The scores become final (422 naming each criterion without a score)."""
        return _row(await evaluation_scoring.submit_scores(db_session, user, assignment_id))

    @post(
        "/assignments/{assignment_id:int}/reopen", guards=officers, status_code=200, raises=ERRORS
    )
    async def reopen(
        self, assignment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> dict[str, object]:
        """The officer reopens submitted scores (audited)."""
        return _row(await evaluation_scoring.reopen(db_session, user, assignment_id))

    @get("/calls/{call_id:int}/ranking", guards=officers, raises=ERRORS)
    async def ranking(
        self, call_id: FromPath[int], user: Actor, db_session: DbSession, page: Page
    ) -> RankingRead:
        """Scores, ranking, selection and each application's explanation (product.md §9):
        ranked applications first, then the others; `?limit=&offset=` pages the items."""
        return await service.ranking(
            db_session, user, call_id, limit=page.limit, offset=page.offset
        )


class DecisionApiController(Controller):
    path = "/api/v1"
    tags = ["evaluation"]
    guards = officers

    @post("/calls/{call_id:int}/recommendation", status_code=200, raises=ERRORS)
    async def recommend(
        self, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> dict[str, int]:
        """Store the selection on the applications: recommended, reserve, not selected."""
        return await decisions.recommend(db_session, user, call_id)

    @post("/applications/{application_id:int}/decision", status_code=200, raises=ERRORS)
    async def decide(
        self,
        application_id: FromPath[int],
        data: JSONBody[DecisionIn],
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> DecisionRead:
        """Approve (amount ≤ requested) or reject, with a decision reference; 409 with
        `extra.remaining_kop` when an approval would exceed the budget."""
        return await decisions.decision_read(
            db_session, user, application_id, data, settings=settings
        )


class CallResultsController(Controller):
    guards = officers

    @get("/api/v1/calls/{call_id:int}/results.pdf", tags=["evaluation"], raises=ERRORS)
    async def results_api(
        self, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        """The call, its ranking with the decisions and the totals, as a PDF (the caller's
        language: Ukrainian unless English); 409 before the call has a ranking."""
        return file_response(*await results_report.results_file(db_session, user, call_id))


def _row(assignment: Assignment) -> dict[str, object]:
    return {
        "id": assignment.id,
        "call_id": assignment.call_id,
        "application_id": assignment.application_id,
        "evaluator_id": assignment.evaluator_id,
        "status": assignment.status,
    }
