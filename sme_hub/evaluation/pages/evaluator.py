"""The evaluator's pages: assignments by call, the conflict declaration that comes before the
application, the score sheet that saves as they type, and submission of final scores."""

from typing import Any

from litestar import get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from sme_hub.core.deps import Actor, DbSession, FormData, Req
from sme_hub.core.errors import Conflict, Forbidden, InvalidInput
from sme_hub.core.i18n import _, format_datetime_kyiv, pick
from sme_hub.core.pages import (
    PagesController,
    confirmation,
    confirmed,
    redirect_with_message,
    render,
)
from sme_hub.core.roles import CurrentUser
from sme_hub.evaluation import committee as evaluation_committee
from sme_hub.evaluation import forms, review
from sme_hub.evaluation import scoring as evaluation_scoring
from sme_hub.evaluation.web import assignment_url, evaluators
from sme_hub.grants import calls, explain
from sme_hub.grants.models import GrantCall

TEMPLATES = "evaluation/evaluator"


class EvaluatorPagesController(PagesController):
    path = "/evaluator/assignments"
    guards = evaluators

    @get("/")
    async def assignments(self, request: Req, user: Actor, db_session: DbSession) -> Template:
        groups = await review.my_assignments_by_call(db_session, user)
        return render(
            request,
            f"{TEMPLATES}/assignments.html",
            groups=groups,
            call_title=_call_title,
            labels=review.ASSIGNMENT_STATUS_LABELS,
        )

    @get("/{assignment_id:int}")
    async def assignment(
        self, request: Req, assignment_id: FromPath[int], user: Actor, db_session: DbSession
    ) -> Template:
        return await _assignment_page(request, db_session, user, assignment_id)

    @post("/{assignment_id:int}/declaration")
    async def declare(
        self,
        request: Req,
        assignment_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        try:
            declaration = forms.read_declaration(data)
            await evaluation_committee.declare(db_session, user, assignment_id, declaration)
        except InvalidInput as exc:
            return await _assignment_page(
                request, db_session, user, assignment_id, data=data, errors=exc.errors
            )
        except Conflict as exc:
            return _back(request, assignment_id, exc.detail, "error")
        message = (
            _("You declared a conflict of interest: another evaluator will take this application.")
            if declaration.has_conflict
            else _("Thank you. The application is open for your scores.")
        )
        return _back(request, assignment_id, message)

    @post("/{assignment_id:int}/scores")
    async def save(
        self,
        request: Req,
        assignment_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Save without JavaScript: the valid scores are kept even when others are not."""
        try:
            errors, _criteria = await review.save_sheet(db_session, user, assignment_id, data)
        except (Conflict, Forbidden) as exc:
            return _back(request, assignment_id, exc.detail, "error")
        if not errors:
            return _back(request, assignment_id, _("Scores saved."))
        await db_session.commit()  # keep the valid part although the answer is a 422
        return await _assignment_page(
            request, db_session, user, assignment_id, data=data, errors=errors
        )

    @post("/{assignment_id:int}/scores/autosave", status_code=200)
    async def autosave(
        self,
        request: Req,
        assignment_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template:
        """While the evaluator types (htmx): save what is valid, mark the rest in place."""
        try:
            errors, criteria = await review.save_sheet(db_session, user, assignment_id, data)
        except (Conflict, Forbidden) as exc:  # e.g. submitted meanwhile in another tab
            return render(request, f"{TEMPLATES}/_autosave.html", refused=exc.detail)
        return render(
            request,
            f"{TEMPLATES}/_autosave.html",
            saved_at=format_datetime_kyiv(calls.now(), "HH:mm"),
            errors=errors,
            fields=[f"{part}.{c['key']}" for c in criteria for part in ("scores", "comments")],
        )

    @post("/{assignment_id:int}/submit")
    async def submit(
        self,
        request: Req,
        assignment_id: FromPath[int],
        data: FormData,
        user: Actor,
        db_session: DbSession,
    ) -> Template | Redirect:
        """Save what the form carries, then make the scores final; a refusal names every
        criterion to fix and submits nothing."""
        try:
            errors, _criteria = await review.save_sheet(db_session, user, assignment_id, data)
            if not errors and not confirmed(data):  # the scores are saved as a draft
                await evaluation_scoring.ready_to_submit(db_session, user, assignment_id)
                return confirmation(
                    request, **_submit_question(), cancel=assignment_url(assignment_id), data=data
                )
            if not errors:
                await evaluation_scoring.submit_scores(db_session, user, assignment_id)
        except (Conflict, Forbidden) as exc:
            return _back(request, assignment_id, exc.detail, "error")
        except InvalidInput as exc:
            errors = exc.errors
        if not errors:
            message = _("Your scores are submitted. Thank you for the evaluation.")
            return _back(request, assignment_id, message)
        await db_session.commit()  # the draft scores stay saved; nothing was submitted
        return await _assignment_page(
            request, db_session, user, assignment_id, data=data, errors=errors
        )


# --- helpers --------------------------------------------------------------------------------


def _back(request: Req, assignment_id: int, message: str, category: str = "success") -> Redirect:
    """To the assignment's page, with `message`."""
    return redirect_with_message(request, assignment_url(assignment_id), message, category)


def _call_title(call: GrantCall) -> str:
    return str(pick(call, "title"))


def _submit_question() -> dict[str, Any]:
    return {
        "title": _("Submit your scores as final?"),
        "consequences": [
            _("Your scores and comments become final and count in the ranking."),
            _("You can no longer change them, unless the officer reopens them."),
        ],
        "button": _("Yes, submit my scores"),
    }


async def _assignment_page(
    request: Req,
    db_session: DbSession,
    user: CurrentUser,
    assignment_id: int,
    *,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> Template:
    """The assignment's page; with `errors` it answers 422 showing what was posted."""
    view = await review.assignment_page(db_session, user, assignment_id, data=data, errors=errors)
    return render(
        request,
        f"{TEMPLATES}/assignment.html",
        status_code=422 if view["errors"] else 200,
        **view,
        labels=review.ASSIGNMENT_STATUS_LABELS,
        number=forms.score_text,
        points=explain.points_text,
    )
