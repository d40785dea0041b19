"""Who may apply to a call: the facts the eligibility rules need of a person, and what
stops them before they write a word (the call's page, the draft's start) — the same rules
the submission checks."""

from decimal import Decimal

from sqlalchemy import exists
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col, select

from sme_hub.accounts.models import User
from sme_hub.core.i18n import _, pick
from sme_hub.entrepreneurs import service as entrepreneurs
from sme_hub.entrepreneurs.models import BusinessProfile
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.grants import eligibility_rules, rules, submission_rules
from sme_hub.grants.models import Application, GrantCall
from sme_hub.organisations.models import Municipality
from sme_hub.training.models import Cohort, Enrolment, Programme


def call_rules(
    call: GrantCall,
) -> tuple[submission_rules.CallLimits, eligibility_rules.Eligibility]:
    limits = submission_rules.CallLimits(
        min_grant_kop=call.min_grant_kop,
        max_grant_kop=call.max_grant_kop,
        own_contribution_pct=Decimal(call.own_contribution_pct),
        questions=tuple(submission_rules.Question(q["key"], q["required"]) for q in call.questions),
    )
    e = call.eligibility
    eligibility = eligibility_rules.Eligibility(
        in_municipality=e.get("in_municipality", False),
        legal_forms=tuple(e.get("legal_forms", ())),
        min_business_age_months=e.get("min_business_age_months"),
        max_business_age_months=e.get("max_business_age_months"),
        excluded_kved=tuple(e.get("excluded_kved", ())),
        required_programme_id=e.get("required_programme_id"),
        max_employees=e.get("max_employees"),
        one_active_grant=e.get("one_active_grant", False),
    )
    return limits, eligibility


async def applicant_facts(
    session: AsyncSession,
    applicant_id: int,
    call: GrantCall,
    profile: BusinessProfile | None,
    *,
    other_than: int | None = None,
) -> eligibility_rules.Applicant:
    """What the eligibility rules need to know of the applicant (their grants but the
    application `other_than`), read in a few queries."""
    owner = await session.get(User, applicant_id)
    assert owner is not None
    municipality = await session.get(Municipality, call.municipality_id)
    assert municipality is not None
    if profile is None:
        return eligibility_rules.Applicant(
            email_confirmed=owner.email_confirmed_at is not None, has_profile=False
        )
    programme_id = call.eligibility.get("required_programme_id")
    programme_title, completed = "", False
    if programme_id is not None:
        programme = await session.get(Programme, programme_id)
        programme_title = programme.title if programme else ""
        completed = bool(
            await session.scalar(
                select(
                    exists().where(
                        col(Enrolment.user_id) == owner.id,
                        col(Enrolment.status) == "completed",
                        col(Enrolment.cohort_id) == col(Cohort.id),
                        col(Cohort.programme_id) == programme_id,
                    )
                )
            )
        )
    active_grant = bool(
        await session.scalar(
            select(
                exists().where(
                    col(Application.applicant_id) == owner.id,
                    col(Application.municipality_id) == call.municipality_id,
                    col(Application.id) != (other_than or 0),
                    col(Application.status).in_(rules.ACTIVE_GRANT_STATUSES),
                )
            )
        )
    )
    return eligibility_rules.Applicant(
        email_confirmed=owner.email_confirmed_at is not None,
        has_profile=True,
        in_municipality=profile.municipality_id == call.municipality_id,
        municipality_name=pick(municipality, "name", owner.locale),
        legal_form=profile.legal_form,
        registered_on=profile.registered_on,
        kved=profile.kved,
        employees_total=profile.employees_total,
        completed_programme=completed,
        programme_title=programme_title,
        has_active_grant=active_grant,
    )


def problem_text(problem: submission_rules.Problem) -> str:
    """A problem in the reader's language."""
    params = dict(problem.params)
    if "forms" in params:
        params["forms"] = ", ".join(_(LEGAL_FORM_LABELS[f]) for f in params["forms"].split(","))
    msgid: str = problem.message
    return _(msgid).format(**params)


def as_errors(problems: list[submission_rules.Problem]) -> dict[str, str]:
    """Problems keyed by field; two problems of one field are joined."""
    errors: dict[str, str] = {}
    for problem in problems:
        text = problem_text(problem)
        errors[problem.field] = (
            f"{errors[problem.field]} {text}" if problem.field in errors else text
        )
    return errors


async def blockers(
    session: AsyncSession, applicant_id: int, call: GrantCall
) -> list[submission_rules.Problem]:
    """What stops this person from applying to `call` whatever they write
    (eligibility_rules.blockers)."""
    profile = await entrepreneurs.get_profile(session, applicant_id)
    _limits, eligibility = call_rules(call)
    return eligibility_rules.blockers(
        eligibility, await applicant_facts(session, applicant_id, call, profile)
    )
