"""The municipal officer's evaluation pages of a call: progress (committee, assignments,
reopening score sheets), the ranking with its explanations and the stored recommendation,
the what-if simulation (which saves nothing) and the decision on one application."""

from typing import Any

from litestar import Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page, Req
from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.i18n import _, format_money, ngettext
from sme_hub.core.money import hryvnias_text
from sme_hub.core.pages import (
    confirmation,
    confirmed,
    file_response,
    redirect_after,
    redirect_with_message,
    render,
)
from sme_hub.evaluation import committee as evaluation_committee
from sme_hub.evaluation import decisions, forms, progress, results_report, service
from sme_hub.evaluation import scoring as evaluation_scoring
from sme_hub.evaluation.results_report import bonuses, number
from sme_hub.evaluation.schemas import DecisionIn
from sme_hub.evaluation.web import OfficerPages, evaluation_url
from sme_hub.grants import explain
from sme_hub.grants import schemas as labels
from sme_hub.grants.models import Application


class EvaluationOfficePagesController(OfficerPages):
    path = "/municipality/calls/{call_id:int}/evaluation"

    @get("/")
    async def progress_page(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession, page: Page
    ) -> Template:
        return await _progress_page(request, db_session, user, call_id, page.limit, page.offset)

    @post("/committee")
    async def committee(
        self,
        request: Req,
        call_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        try:
            chosen = await evaluation_committee.set_committee(
                db_session, user, call_id, forms.committee_from_form(data)
            )
        except InvalidInput as exc:
            return await _progress_page(
                request, db_session, user, call_id, errors=exc.errors, status_code=422
            )
        message = ngettext(
            "The committee is saved: {n} evaluator.",
            "The committee is saved: {n} evaluators.",
            len(chosen),
        ).format(n=len(chosen))
        return redirect_with_message(request, evaluation_url(call_id), message)

    @post("/assign")
    async def assign(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        """Idempotent: pressing it again only fills the places conflicts have freed."""
        assigned = evaluation_committee.assign(db_session, user, call_id)
        message = _("Evaluators are assigned: {n} assignments in all.")
        return await redirect_after(
            request, assigned, evaluation_url(call_id), lambda rows: message.format(n=len(rows))
        )

    @post("/reopen/{assignment_id:int}")
    async def reopen(
        self,
        request: Req,
        call_id: FromPath[int],
        assignment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        reopened = evaluation_scoring.reopen_in_call(db_session, user, call_id, assignment_id)
        message = _("The score sheet is reopened: the evaluator can change it and submit it again.")
        return await redirect_after(request, reopened, evaluation_url(call_id), message)

    @get("/ranking")
    async def ranking(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession, page: Page
    ) -> Template:
        view = await service.ranking_page(
            db_session, user, call_id, limit=page.limit, offset=page.offset
        )
        return render(request, "evaluation/office/ranking.html", **view, **_context())

    @post("/recommendation")
    async def recommend(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template | Redirect:
        counts = decisions.recommend(db_session, user, call_id)
        page = f"{evaluation_url(call_id)}/ranking"
        return await redirect_after(request, counts, page, _recommended_message)

    @get("/what-if")
    async def what_if(
        self, request: Req, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        """The ranking and selection again with the settings typed in the form, beside the
        call's own; nothing is saved (a GET, and call_outcomes only reads)."""
        typed = {key: str(request.query_params[key]) for key in request.query_params}
        view = await service.what_if(db_session, user, call_id, typed)
        return render(
            request,
            "evaluation/office/what_if.html",
            fragment="evaluation/office/_what_if_result.html",
            status_code=422 if view["errors"] else 200,
            **view,
            **_context(),
        )

    @get("/applications/{application_id:int}")
    async def decision_page(
        self,
        request: Req,
        call_id: FromPath[int],
        application_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        view = await decisions.open_decision_page(db_session, user, call_id, application_id)
        return _decision_page(request, view)

    @post("/applications/{application_id:int}")
    async def decide(
        self,
        request: Req,
        call_id: FromPath[int],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        page = f"{evaluation_url(call_id)}/applications/{application_id}"
        try:
            decision = forms.read_decision(data)
            if not confirmed(data):
                await decisions.check_decision_in_call(
                    db_session, user, call_id, application_id, decision
                )
                question = _decision_question(application_id, decision)
                return confirmation(request, **question, cancel=page, data=data)
            decided = await decisions.decide_in_call(
                db_session, user, call_id, application_id, decision, settings=settings
            )
        except (InvalidInput, Conflict) as exc:
            view = await decisions.decision_page(db_session, user, call_id, application_id)
            return _decision_page(request, view, data=data, refusal=exc)
        return redirect_with_message(request, page, _decided_message(decided))


def _recommended_message(counts: dict[str, int]) -> str:
    return _(
        "The recommendation is stored: {recommended} recommended, {reserve} on the reserve "
        "list, {not_selected} not selected."
    ).format(
        recommended=counts.get("recommended", 0),
        reserve=counts.get("reserve", 0),
        not_selected=counts.get("not_selected", 0),
    )


def _decided_message(decided: Application) -> str:
    if decided.status == "approved":
        amount = format_money(decided.awarded_kop)
        return _("The application is approved: {amount} awarded.").format(amount=amount)
    return _("The application is rejected.")


def _decision_question(application_id: int, decision: DecisionIn) -> dict[str, Any]:
    """What the confirmation of a decision says (a decision is final: it is emailed to the
    applicant and an approval starts the grant)."""
    if decision.decision == "approved":
        amount = (
            format_money(decision.amount_kop) if decision.amount_kop else _("the requested amount")
        )
        return {
            "title": _("Approve application No. {n} and award {amount}?").format(
                n=application_id, amount=amount
            ),
            "consequences": [
                _("The grant is awarded under decision {reference}.").format(
                    reference=decision.reference
                ),
                _("The applicant is emailed the decision."),
            ],
            "button": _("Yes, approve"),
        }
    return {
        "title": _("Reject application No. {n}?").format(n=application_id),
        "consequences": [
            _("The application is rejected under decision {reference}.").format(
                reference=decision.reference
            ),
            _("The applicant is emailed the decision."),
        ],
        "button": _("Yes, reject"),
    }


def _context() -> dict[str, Any]:
    return {
        "explain": explain,
        "labels": labels,
        "assignment_labels": progress.ASSIGNMENT_STATUS_LABELS,
        "number": number,
        "bonuses": bonuses,
        "base_of": evaluation_url,
    }


async def _progress_page(
    request: Req,
    db_session: DbSession,
    user: Actor,
    call_id: int,
    limit: int = 50,
    offset: int = 0,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Template:
    found = await progress.progress(db_session, user, call_id, limit=limit, offset=offset)
    return render(
        request,
        "evaluation/office/progress.html",
        status_code=status_code,
        call=found.call,
        progress=found,
        errors=errors or {},
        limit=limit,
        offset=offset,
        **_context(),
    )


def _decision_page(
    request: Req,
    view: dict[str, Any],
    *,
    data: dict[str, Any] | None = None,
    refusal: InvalidInput | Conflict | None = None,
) -> Template:
    """The decision page; after a refusal (422 by field, 409 as a whole) with what was typed."""
    application = view["application"]
    errors = refusal.errors if isinstance(refusal, InvalidInput) else {}
    return render(
        request,
        "evaluation/office/decision.html",
        status_code=refusal.status_code if refusal else 200,
        **view,
        values=dict(data)
        if data is not None
        else {"amount": hryvnias_text(application.requested_amount_kop)},
        # The service names the amount in kopiykas; the form asks for it in hryvnias.
        errors={("amount" if k == "amount_kop" else k): v for k, v in errors.items()},
        refused=refusal.detail if isinstance(refusal, Conflict) else None,
        **_context(),
    )


class CallResultsPagesController(OfficerPages):
    @get("/municipality/calls/{call_id:int}/results.pdf")
    async def results_page(
        self, call_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Response[bytes]:
        return file_response(*await results_report.results_file(db_session, user, call_id))
