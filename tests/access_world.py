"""A seeded world for the access-control matrix: two municipalities, each with a centre, a
partner, a user of every role and one object of every kind a route's path can name."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.config import Settings
from sme_hub.core.roles import CurrentUser, Role
from sme_hub.core.storage import storage_for
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.entrepreneurs.schemas import BusinessProfileIn
from sme_hub.evaluation import committee as evaluation_committee
from sme_hub.evaluation import decisions, selection_rules
from sme_hub.evaluation.models import Assignment
from sme_hub.evaluation.schemas import DecisionIn
from sme_hub.grants import applications, attachments, calls
from sme_hub.grants.call_schemas import CallCreate
from sme_hub.grants.models import Application, GrantCall
from sme_hub.implementation import grants as implementation_grants
from sme_hub.implementation import reports as progress_reports
from sme_hub.implementation import tranches as grant_tranches
from sme_hub.implementation.models import Obligation, Tranche
from sme_hub.implementation.schemas import PaymentIn, ReportIn, SpendingLine
from sme_hub.partners import referrals as partner_referrals
from sme_hub.partners.schemas import ReferralIn
from sme_hub.training.certificates import certificate_code
from sme_hub.training.models import Cohort, Enrolment, Programme, TrainingSession
from tests.factories import make_centre, make_municipality, make_partner, make_user
from tests.grants_setup import KYIV, LVIV, TAX_IDS, application_body, call_body, pdf_bytes, profile

OBLASTS = {LVIV: "UA46000000000026241", KYIV: "UA80000000000093317"}
STAFF_ROLES = (
    Role.ENTREPRENEUR,
    Role.CENTRE_STAFF,
    Role.EVALUATOR,
    Role.MUNICIPAL_OFFICER,
    Role.PARTNER,
    Role.REGIONAL_OBSERVER,
)


@dataclass
class Tenant:
    """One municipality's people (email by role) and objects (id by path parameter)."""

    name: str
    emails: dict[Role, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)


def _acting(user_id: int, role: Role, **grant: Any) -> CurrentUser:
    return CurrentUser.acting(user_id, role, full_name="world", **grant)


async def _profile(session: AsyncSession, user: CurrentUser, katottg: str, tax_id: str) -> Any:
    return await entrepreneurs.save_profile(
        session, user, BusinessProfileIn(**profile(tax_id=tax_id, katottg=katottg))
    )


async def _application(
    session: AsyncSession, call: GrantCall, applicant: CurrentUser, status: str
) -> Application:
    assert call.id is not None
    application = Application(
        call_id=call.id, municipality_id=call.municipality_id, applicant_id=applicant.id
    )
    body = application_body(answers={})
    applications.apply_changes(application, body)
    found = await entrepreneurs.get_profile(session, applicant.id)
    assert found is not None
    application.snapshot = {**entrepreneurs.snapshot(found), "profile_id": found.id}
    application.green_level = found.green_level
    application.status = status
    if status != "draft":
        application.submitted_at = datetime.now(UTC) - timedelta(days=25)
    session.add(application)
    await session.flush()
    return application


async def build_tenant(
    session: AsyncSession, settings: Settings, katottg: str, name: str, n: int
) -> Tenant:
    """Everything of one municipality, through the real use cases where they exist (so the
    tranches, obligations and audit records are what the app makes), rows otherwise."""
    tenant = Tenant(name)
    municipality = await make_municipality(
        session, katottg=katottg, oblast=OBLASTS[katottg], name_uk=name, name_en=name
    )
    assert municipality.id is not None
    mid = municipality.id
    centre = await make_centre(session, municipality)
    partner = await make_partner(session, municipality_ids=[mid], services=["Менторство"])
    organisation = {
        Role.CENTRE_STAFF: centre.id,
        Role.EVALUATOR: mid,
        Role.MUNICIPAL_OFFICER: mid,
        Role.PARTNER: partner.id,
    }
    users: dict[Role, int] = {}
    for role in STAFF_ROLES:
        email = f"{role.value}.{n}@matrix.example.org"
        oblast = OBLASTS[katottg] if role is Role.REGIONAL_OBSERVER else None
        user = await make_user(session, role, organisation.get(role), email=email, oblast=oblast)
        assert user.id is not None
        tenant.emails[role], users[role] = email, user.id
    second = await make_user(session, Role.ENTREPRENEUR, email=f"second.{n}@matrix.example.org")
    assert second.id is not None

    owner = _acting(users[Role.ENTREPRENEUR], Role.ENTREPRENEUR)
    other = _acting(second.id, Role.ENTREPRENEUR)
    officer = _acting(users[Role.MUNICIPAL_OFFICER], Role.MUNICIPAL_OFFICER, municipality_id=mid)
    staff = _acting(
        users[Role.CENTRE_STAFF], Role.CENTRE_STAFF, municipality_id=mid, centre_id=centre.id
    )
    await _profile(session, owner, katottg, TAX_IDS[2 * n])
    await _profile(session, other, katottg, TAX_IDS[2 * n + 1])

    # An open call with the owner's submitted application (and its file).
    open_call = await calls.create_call(
        session, officer, CallCreate.model_validate(call_body(eligibility={}, questions=[]))
    )
    open_call.status, open_call.published_at = "published", datetime.now(UTC)
    submitted = await _application(session, open_call, owner, "draft")
    assert submitted.id is not None
    attachment = await attachments.add(
        session, owner, storage_for(settings), submitted.id, "plan.pdf", pdf_bytes()
    )
    submitted.status, submitted.submitted_at = "submitted", datetime.now(UTC)

    # A closed call in evaluation: the owner's application becomes a grant, the second one
    # waits for the committee's evaluator.
    evaluated = await calls.create_call(
        session, officer, CallCreate.model_validate(call_body(eligibility={}, questions=[]))
    )
    assert evaluated.id is not None
    now = datetime.now(UTC)
    evaluated.status, evaluated.published_at = "closed", now - timedelta(days=60)
    evaluated.opens_at, evaluated.closes_at = now - timedelta(days=60), now - timedelta(days=20)
    evaluated.closed_at = evaluated.closes_at
    evaluated.evaluators_per_application = 1  # the world has one evaluator per municipality
    grant = await _application(session, evaluated, owner, "eligible")
    waiting = await _application(session, evaluated, other, "eligible")
    await session.flush()
    await evaluation_committee.set_committee(
        session, officer, evaluated.id, [users[Role.EVALUATOR]]
    )
    await evaluation_committee.assign(session, officer, evaluated.id)
    assignment = await session.scalar(
        select(Assignment).where(col(Assignment.application_id) == waiting.id)
    )
    assert assignment is not None and grant.id is not None and waiting.id is not None
    grant_id, waiting_id, assignment_id = grant.id, waiting.id, assignment.id
    grant.status, evaluated.status = "recommended", "in_evaluation"
    # The explanation a recommendation stores: a criterion named in both languages, a bonus.
    grant.explanation = [
        {
            "message": selection_rules.MSG_CRITERION,
            "params": {
                "criterion": {"uk": "Вплив", "en": "Impact"},
                "mean": "8",
                "max": "10",
                "weight": "2",
            },
        },
        {"message": selection_rules.MSG_BONUS_GROUP["idp_owned"], "params": {"points": "5,00"}},
    ]
    await session.flush()
    await decisions.decide(
        session,
        officer,
        grant_id,
        # As an officer types it: the decision's title, number and date.
        DecisionIn(decision="approved", reference=f"Рішення виконкому № {n} від 1 грудня 2026 р."),
        settings=settings,
    )
    tranches = (
        await session.scalars(
            select(Tranche).where(col(Tranche.application_id) == grant_id).order_by(Tranche.number)
        )
    ).all()
    await grant_tranches.pay(
        session,
        officer,
        grant_id,
        tranches[0].id or 0,
        PaymentIn(paid_on=implementation_grants.today_in_kyiv()),
    )
    report = await progress_reports.submit_report(
        session,
        owner,
        grant_id,
        ReportIn(
            period="Q1 2027",
            jobs_created=1,
            women_employed=1,
            spending=[SpendingLine(item="Сушарка", amount_kop=100_000)],
        ),
    )
    assert report.id is not None
    await progress_reports.add_receipt(
        session, owner, storage_for(settings), report.id, "receipt.pdf", pdf_bytes()
    )
    obligation = await session.scalar(
        select(Obligation).where(col(Obligation.application_id) == grant_id).limit(1)
    )
    assert obligation is not None

    code = certificate_code()
    # Training: an open cohort the owner is enrolled in, and a finished one with a certificate.
    today = now.date()
    programme = Programme(centre_id=centre.id or 0, municipality_id=mid, title="Основи бізнесу")
    session.add(programme)
    await session.flush()
    cohorts = [
        Cohort(
            programme_id=programme.id or 0,
            centre_id=centre.id or 0,
            municipality_id=mid,
            starts_on=today + timedelta(days=start),
            ends_on=today + timedelta(days=start + 30),
            enrolment_deadline=today + timedelta(days=start - 1),
            capacity=10,
            enrolled_count=1,
            status=status,
        )
        for start, status in ((20, "open"), (-60, "finished"))
    ]
    session.add_all(cohorts)
    await session.flush()
    lesson = TrainingSession(
        cohort_id=cohorts[0].id or 0, starts_at=now + timedelta(days=20), topic="Маркетинг"
    )
    enrolments = [
        Enrolment(
            cohort_id=cohort.id or 0,
            user_id=owner.id,
            municipality_id=mid,
            status=status,
            certificate_code=code,
        )
        for cohort, status, code in (
            (cohorts[0], "enrolled", None),
            (cohorts[1], "completed", code),
        )
    ]
    session.add_all([lesson, *enrolments])
    await session.flush()

    referral = await partner_referrals.create_referral(
        session,
        staff,
        ReferralIn(entrepreneur_id=owner.id, partner_id=partner.id, service="Менторство"),
        settings=settings,
    )
    await session.commit()
    tenant.ids = {
        "municipality_id": mid,
        "katottg": katottg,
        "oblast": OBLASTS[katottg],
        "centre_id": centre.id,
        "partner_id": partner.id,
        "call_id": open_call.id,
        "evaluated_call_id": evaluated.id,
        "application_id": submitted.id,
        "attachment_id": attachment.id,
        "evaluated_application_id": waiting_id,
        "grant_id": grant_id,
        "award_id": grant_id,
        "tranche_id": tranches[1].id,
        "report_id": report.id,
        "index": 0,
        "obligation_id": obligation.id,
        "assignment_id": assignment_id,
        "programme_id": programme.id,
        "cohort_id": cohorts[0].id,
        "session_id": lesson.id,
        "enrolment_id": enrolments[0].id,
        "certificate_enrolment_id": enrolments[1].id,
        "code": code,
        "referral_id": referral.id,
        "user_id": owner.id,
    }
    return tenant
