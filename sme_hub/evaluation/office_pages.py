"""The municipal officer's evaluation pages of a call: progress (committee, assignments,
reopening score sheets), the ranking with its explanations and the stored recommendation,
the what-if simulation (which saves nothing) and the decision on one application."""

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlmodel import col, select

from sme_hub.core import audit
from sme_hub.core.deps import Actor, Config, DbSession, FormData, Page
from sme_hub.core.errors import Conflict, InvalidInput, NotFound
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _, format_money, ngettext
from sme_hub.core.money import hryvnias_text
from sme_hub.core.pages import confirmation, confirmed, redirect_with_message, render
from sme_hub.evaluation import committee as evaluation_committee
from sme_hub.evaluation import decisions, office_forms, progress, rules, service
from sme_hub.evaluation import scoring as evaluation_scoring
from sme_hub.evaluation.controllers import officers
from sme_hub.evaluation.results_report import bonuses, number
from sme_hub.evaluation.schemas import DecisionIn
from sme_hub.grants import calls, explain
from sme_hub.grants import schemas as labels
from sme_hub.grants.models import Application, GrantCall


def _base(call_id: int) -> str:
    return f"/municipality/calls/{call_id}/evaluation"


class EvaluationOfficePagesController(Controller):
    include_in_schema = False
    path = "/municipality/calls/{call_id:int}/evaluation"
    guards = officers

    @get("/")
    async def progress_page(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        page: Page,
    ) -> Template:
        return await _progress_page(request, db_session, user, call_id, page.limit, page.offset)

    @post("/committee")
    async def committee(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        try:
            chosen = await evaluation_committee.set_committee(
                db_session, user, call_id, office_forms.committee_from_form(data)
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
        return redirect_with_message(request, _base(call_id), message)

    @post("/assign")
    async def assign(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        """Idempotent: pressing it again only fills the places conflicts have freed."""
        try:
            assigned = await evaluation_committee.assign(db_session, user, call_id)
        except Conflict as exc:
            return redirect_with_message(request, _base(call_id), exc.detail, "error")
        message = _("Evaluators are assigned: {n} assignments in all.").format(n=len(assigned))
        return redirect_with_message(request, _base(call_id), message)

    @post("/reopen/{assignment_id:int}")
    async def reopen(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        assignment_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        try:
            assignment = await evaluation_scoring.reopen(db_session, user, assignment_id)
        except Conflict as exc:
            return redirect_with_message(request, _base(call_id), exc.detail, "error")
        if assignment.call_id != call_id:
            raise NotFound()  # another call's sheet: the 404 rolls the reopening back
        return redirect_with_message(
            request,
            _base(call_id),
            _("The score sheet is reopened: the evaluator can change it and submit it again."),
        )

    @get("/ranking")
    async def ranking(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
        page: Page,
    ) -> Template:
        call = await calls.managed_call(db_session, user, call_id)
        read = await service.ranking(
            db_session, user, call_id, limit=page.limit, offset=page.offset
        )
        ids = [item.application_id for item in read.items]
        return render(
            request,
            "evaluation/office/ranking.html",
            call=call,
            ranking=read,
            rows=await progress.rows_of(db_session, call_id, ids),
            decided=await progress.decided(db_session, call_id),
            **_context(),
        )

    @post("/recommendation")
    async def recommend(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Redirect:
        try:
            counts = await decisions.recommend(db_session, user, call_id)
        except Conflict as exc:
            return redirect_with_message(request, f"{_base(call_id)}/ranking", exc.detail, "error")
        message = _(
            "The recommendation is stored: {recommended} recommended, {reserve} on the reserve "
            "list, {not_selected} not selected."
        ).format(
            recommended=counts.get("recommended", 0),
            reserve=counts.get("reserve", 0),
            not_selected=counts.get("not_selected", 0),
        )
        return redirect_with_message(request, f"{_base(call_id)}/ranking", message)

    @get("/what-if")
    async def what_if(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        """The ranking and selection again with the settings typed in the form, beside the
        call's own; nothing is saved (a GET, and call_outcomes only reads)."""
        call = await calls.managed_call(db_session, user, call_id)
        own_values = office_forms.what_if_values(call)
        values = own_values | {
            key: str(request.query_params[key])
            for key in office_forms.WHAT_IF_FIELDS
            if key in request.query_params
        }
        tried, errors = office_forms.read_what_if(values)
        context: dict[str, Any] = {
            "call": call,
            "values": values,
            "own_values": own_values,
            "errors": errors,
            "fields": office_forms.WHAT_IF_FIELDS,
            "groups": office_forms.GROUPS,
        }
        if not errors:
            context |= await _simulation(db_session, call, tried)
        return render(
            request,
            "evaluation/office/what_if.html",
            fragment="evaluation/office/_what_if_result.html",
            status_code=422 if errors else 200,
            **context,
            **_context(),
        )

    @get("/applications/{application_id:int}")
    async def decision_page(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        application_id: FromPath[int],
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        _call, application = await _application(db_session, user, call_id, application_id)
        await audit.record_access(  # the officer reads the applicant's business and project
            db_session,
            user,
            object_type="application",
            object_id=application_id,
            municipality_id=application.municipality_id,
            owner_id=application.applicant_id,
            details={"as": "decision"},
        )
        return await _decision_page(request, db_session, user, call_id, application_id)

    @post("/applications/{application_id:int}")
    async def decide(
        self,
        request: Request[Any, Any, Any],
        call_id: FromPath[int],
        application_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
        settings: Config,
    ) -> Template | Redirect:
        await _check_in_call(db_session, call_id, application_id)
        fields, errors = office_forms.decision_from_form(data)
        page = f"{_base(call_id)}/applications/{application_id}"
        try:
            if errors:
                raise InvalidInput(errors)
            decision = parse_form(DecisionIn, fields)
            if not confirmed(data):
                await decisions.check_decision(db_session, user, application_id, decision)
                return confirmation(
                    request, **_decision_question(application_id, decision), cancel=page, data=data
                )
            decided = await decisions.decide(
                db_session, user, application_id, decision, settings=settings
            )
        except InvalidInput as exc:
            return await _decision_page(
                request,
                db_session,
                user,
                call_id,
                application_id,
                values=dict(data),
                errors={**exc.errors, **errors},
                status_code=422,
            )
        except Conflict as exc:
            return await _decision_page(
                request,
                db_session,
                user,
                call_id,
                application_id,
                values=dict(data),
                refused=exc.detail,
                status_code=409,
            )
        message = (
            _("The application is approved: {amount} awarded.").format(
                amount=format_money(decided.awarded_kop)
            )
            if decided.status == "approved"
            else _("The application is rejected.")
        )
        return redirect_with_message(request, page, message)


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
        "base_of": _base,
    }


async def _progress_page(
    request: Request[Any, Any, Any],
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


async def _simulation(
    db_session: DbSession, call: GrantCall, tried: service.WhatIf
) -> dict[str, Any]:
    """The call's own selection and the one with the settings tried, and what changes."""
    own = (await service.call_outcomes(db_session, call)).outcomes
    trial = (await service.call_outcomes(db_session, call, tried)).outcomes
    change = rules.compare(own, trial)
    recommended = rules.recommended_ids(trial)
    return {
        "trial": trial,
        "own": own,
        "recommended": recommended,
        "own_recommended": rules.recommended_ids(own),
        "change": change,
        "rows": await progress.rows_of(db_session, call.id or 0, [*recommended, *change.left]),
    }


async def _check_in_call(db_session: DbSession, call_id: int, application_id: int) -> None:
    """404 unless the application belongs to this call (decide() checks the tenancy). Only
    a column is read: decide() locks and loads the call and the application itself."""
    owner = await db_session.scalar(
        select(col(Application.call_id)).where(col(Application.id) == application_id)
    )
    if owner != call_id:
        raise NotFound()


async def _application(
    db_session: DbSession, user: Actor, call_id: int, application_id: int
) -> tuple[GrantCall, Application]:
    """The call (managed by the officer) and its application; another call's is not found."""
    call = await calls.managed_call(db_session, user, call_id)
    application = await db_session.get(Application, application_id)
    if application is None or application.call_id != call_id:
        raise NotFound()
    return call, application


async def _decision_page(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    user: Actor,
    call_id: int,
    application_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refused: str | None = None,
    status_code: int = 200,
) -> Template:
    call, application = await _application(db_session, user, call_id, application_id)
    # Other approvals may have been made since this request's first read of the call.
    await db_session.refresh(call)
    item = None
    if application.status in service.RANKED:  # not the ineligible or withdrawn
        found = await service.call_outcomes(db_session, call)
        item = service.ranking_item(found, call, application_id)
    rows = await progress.rows_of(db_session, call_id, [application_id])
    return render(
        request,
        "evaluation/office/decision.html",
        status_code=status_code,
        call=call,
        application=application,
        row=rows[application_id],
        item=item,
        decidable=application.status in decisions.DECIDABLE,
        values=values or {"amount": hryvnias_text(application.requested_amount_kop)},
        # The service names the amount in kopiykas; the form asks for it in hryvnias.
        errors={("amount" if k == "amount_kop" else k): v for k, v in (errors or {}).items()},
        refused=refused,
        remaining_kop=call.budget_kop - call.approved_kop,
        **_context(),
    )
