"""What an evaluator reads of an assigned application: nothing before they declare no
conflict (`_read`, decided here only), and not who applied when the review is blind
(`grants.applications.sees_applicant`, the one rule pages, the API and files all ask)."""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core import audit
from sme_hub.core.errors import InvalidInput
from sme_hub.core.i18n import N_, current_locale, pick
from sme_hub.core.roles import CurrentUser
from sme_hub.entrepreneurs.rules import mask_rnokpp
from sme_hub.evaluation import committee as evaluation_committee
from sme_hub.evaluation import forms
from sme_hub.evaluation import scoring as evaluation_scoring
from sme_hub.evaluation.models import Assignment, CriterionScore
from sme_hub.evaluation.schemas import AssignmentRead, ScoresIn
from sme_hub.grants import application_reads, applications, submission_rules
from sme_hub.grants.models import Application, Attachment, GrantCall
from sme_hub.grants.rules import criterion_name

ASSIGNMENT_STATUS_LABELS = {
    "assigned": N_("Declaration needed"),
    "declared": N_("Scoring"),
    "conflict": N_("Conflict of interest"),
    "submitted": N_("Scores submitted"),
}


@dataclass(frozen=True)
class Applicant:
    """Who applied: left out entirely in a blind review."""

    name: str
    business_name: str
    tax_id: str
    email: str
    phone: str
    address: str


@dataclass(frozen=True)
class Project:
    """The application's content an evaluator judges (no payment details)."""

    application_id: int
    title: str
    summary: str
    description: str
    requested_amount_kop: int | None
    own_contribution_kop: int | None
    project_cost_kop: int | None
    budget_lines: list[dict[str, Any]]
    jobs_total: int | None
    jobs_women: int | None
    environmental_effect: str
    answers: dict[str, str]
    attachments: list[Attachment]


@dataclass(frozen=True)
class Review:
    assignment: AssignmentRead
    call: GrantCall
    conflict_note: str
    declared_at: datetime | None
    submitted_at: datetime | None
    project: Project | None
    applicant: Applicant | None


async def my_assignments(session: AsyncSession, user: CurrentUser) -> list[AssignmentRead]:
    rows = (
        await session.execute(
            select(Assignment, Application, GrantCall, col(User.full_name))
            .join(Application, col(Application.id) == col(Assignment.application_id))
            .join(GrantCall, col(GrantCall.id) == col(Assignment.call_id))
            .join(User, col(User.id) == col(Application.applicant_id))
            .where(col(Assignment.evaluator_id) == user.id)
            .order_by(col(Assignment.id))
        )
    ).all()
    scores = await _scores(session, [a.id for a, *_rest in rows if a.id is not None])
    return [_read(a, application, call, name, scores) for a, application, call, name in rows]


async def _scores(
    session: AsyncSession, assignment_ids: list[int]
) -> dict[int, list[CriterionScore]]:
    found: dict[int, list[CriterionScore]] = defaultdict(list)
    for row in await session.scalars(
        select(CriterionScore).where(col(CriterionScore.assignment_id).in_(assignment_ids))
    ):
        found[row.assignment_id].append(row)
    return found


def _read(
    assignment: Assignment,
    application: Application,
    call: GrantCall,
    applicant_name: str,
    scores: dict[int, list[CriterionScore]],
) -> AssignmentRead:
    """What an evaluator sees: nothing of the application before declaring no conflict;
    no applicant's name when the review is blind."""
    visible = assignment.status in ("declared", "submitted")
    mine = scores.get(assignment.id or 0, [])
    return AssignmentRead(
        id=assignment.id or 0,
        call_id=assignment.call_id,
        application_id=assignment.application_id,
        status=assignment.status,
        project_title=application.project_title if visible else None,
        applicant_name=applicant_name if visible and applications.sees_applicant(call) else None,
        scores={s.criterion_key: s.score for s in mine},
        comments={s.criterion_key: s.comment for s in mine if s.comment},
    )


async def my_assignments_by_call(
    session: AsyncSession, user: CurrentUser
) -> list[tuple[GrantCall, list[AssignmentRead]]]:
    """The evaluator's assignments (as the API shows them) under their calls, newest call
    first."""
    assignments = await my_assignments(session, user)
    grouped: dict[int, list[AssignmentRead]] = defaultdict(list)
    for assignment in assignments:
        grouped[assignment.call_id].append(assignment)
    found = await session.scalars(
        select(GrantCall)
        .where(col(GrantCall.id).in_(list(grouped)))
        .order_by(col(GrantCall.closes_at).desc(), col(GrantCall.id))
    )
    return [(call, grouped[call.id or 0]) for call in found]


async def review(session: AsyncSession, user: CurrentUser, assignment_id: int) -> Review:
    """One of the evaluator's assignments with what they may see of its application;
    another evaluator's is not found."""
    assignment = await evaluation_committee._my_assignment(session, user, assignment_id, lock=False)
    application, call, person = (
        await session.execute(
            select(Application, GrantCall, User)
            .join(GrantCall, col(GrantCall.id) == col(Application.call_id))
            .join(User, col(User.id) == col(Application.applicant_id))
            .where(col(Application.id) == assignment.application_id)
        )
    ).one()
    scores = await _scores(session, [assignment_id])
    shown = _read(assignment, application, call, person.full_name, scores)
    project = None
    if shown.project_title is not None:
        files = await application_reads.attachments_of(session, assignment.application_id)
        project = _project(application, files)
    return Review(
        assignment=shown,
        call=call,
        conflict_note=assignment.conflict_note,
        declared_at=assignment.declared_at,
        submitted_at=assignment.submitted_at,
        project=project,
        applicant=_applicant(application, person)
        if project and applications.sees_applicant(call)
        else None,
    )


async def record_opening(session: AsyncSession, user: CurrentUser, sheet: Review) -> None:
    """The evaluator opened the page of an application they may read (no conflict
    declared): logged as an access to personal data. Saving scores is not an opening."""
    if sheet.project is None:
        return
    await audit.record_access(
        session,
        user,
        "application",
        sheet.project.application_id,
        municipality_id=sheet.call.municipality_id,
        details={"as": "evaluator", "assignment_id": sheet.assignment.id},
    )


def _project(application: Application, files: list[Attachment]) -> Project:
    assert application.id is not None
    return Project(
        application_id=application.id,
        title=application.project_title,
        summary=application.summary,
        description=application.description,
        requested_amount_kop=application.requested_amount_kop,
        own_contribution_kop=application.own_contribution_kop,
        project_cost_kop=submission_rules.project_cost(application_reads.content_of(application)),
        budget_lines=list(application.budget_lines),
        jobs_total=application.jobs_total,
        jobs_women=application.jobs_women,
        environmental_effect=application.environmental_effect,
        answers=dict(application.answers),
        attachments=files,
    )


def _applicant(application: Application, person: User) -> Applicant:
    snapshot = application.snapshot or {}
    tax_id = str(snapshot.get("tax_id") or "")
    # A person's RNOKPP or passport is personal data: masked as it is for centre staff.
    if tax_id and snapshot.get("tax_id_kind") in ("rnokpp", "passport"):
        tax_id = mask_rnokpp(tax_id)
    return Applicant(
        name=person.full_name,
        business_name=str(snapshot.get("name") or ""),
        tax_id=tax_id,
        email=person.email,
        phone=application.contact_phone,
        address=application.business_address,
    )


async def save_sheet(
    session: AsyncSession, user: CurrentUser, assignment_id: int, data: Mapping[str, Any]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Save the readable, valid scores of a posted sheet; the problems of the others come
    back by field, with the call's criteria."""
    sheet = await review(session, user, assignment_id)
    found = forms.read_scores(data, sheet.call.criteria, sheet.assignment.scores)
    # Called even for an empty sheet: the service's refusal of a closed assignment is the
    # answer. It refuses a whole sheet for one wrong score, so the rest is tried again.
    for _attempt in range(2):
        try:
            await evaluation_scoring.save_scores(
                session,
                user,
                assignment_id,
                ScoresIn(scores=found.scores, comments=found.comments),
            )
            break
        except InvalidInput as exc:
            found.without(exc.errors)
    return found.errors, sheet.call.criteria


async def assignment_page(
    session: AsyncSession,
    user: CurrentUser,
    assignment_id: int,
    *,
    data: Mapping[str, Any] | None = None,
    errors: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """What the evaluator's page of an assignment shows (the declaration, the application
    with its score sheet, or the read-only outcome, by its state; the opening is logged),
    with what was posted and its problems in the order of the form."""
    sheet = await review(session, user, assignment_id)
    await record_opening(session, user, sheet)
    locale = current_locale.get()
    fields = {
        f"{part}.{c['key']}": criterion_name(c, locale)
        for c in sheet.call.criteria
        for part in ("scores", "comments")
    }
    order = [*fields, "has_conflict", "note"]
    problems = dict(
        sorted(
            (errors or {}).items(), key=lambda e: order.index(e[0]) if e[0] in order else len(order)
        )
    )
    return {
        "sheet": sheet,
        "call_title": pick(sheet.call, "title", locale),
        "questions": {q["key"]: pick(q, "label", locale) for q in sheet.call.questions},
        "values": forms.form_values(sheet.assignment.scores, sheet.assignment.comments, data),
        "declaration": {key: str((data or {}).get(key, "")) for key in ("has_conflict", "note")},
        "errors": problems,
        "summary": [
            (key, f"{fields[key]}: {message}" if key in fields else message)
            for key, message in problems.items()
        ],
    }
