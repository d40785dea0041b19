"""Pure rules of who may apply to a call: the call's automatic eligibility rules checked
against the business (and what stops someone before they write a word), and the whole check a
submission must pass (grants/rules.py checks its content). Plain data in, plain data out."""

from dataclasses import dataclass
from datetime import date

from sme_hub.core.i18n import N_
from sme_hub.entrepreneurs.rules import kved_in
from sme_hub.grants.submission_rules import CallLimits, Content, Problem, content_problems


@dataclass(frozen=True)
class Eligibility:
    """A call's eligibility rules (product.md §7); each is off when None, False or empty."""

    in_municipality: bool = False
    legal_forms: tuple[str, ...] = ()
    min_business_age_months: int | None = None
    max_business_age_months: int | None = None
    excluded_kved: tuple[str, ...] = ()
    required_programme_id: int | None = None
    max_employees: int | None = None
    one_active_grant: bool = False


@dataclass(frozen=True)
class Applicant:
    """What is known of the applicant and their business when they submit."""

    email_confirmed: bool
    has_profile: bool
    in_municipality: bool = False
    municipality_name: str = ""
    legal_form: str = ""
    registered_on: date | None = None
    kved: str = ""
    employees_total: int = 0
    completed_programme: bool = False
    programme_title: str = ""
    has_active_grant: bool = False


MSG_EMAIL = N_("Confirm your email address before you apply: open the link we emailed you.")
MSG_NO_PROFILE = N_(
    "Describe your business first: the call's rules are checked against your business profile."
)
MSG_LOCATION = N_("Only businesses located in {municipality} may apply to this call.")
MSG_LEGAL_FORM = N_("This call accepts only these legal forms: {forms}.")
MSG_NO_REGISTRATION = N_(
    "Give the registration date of your business in its profile: this call limits business age."
)
MSG_TOO_YOUNG = N_("The business must be at least {months} months old; yours is {age}.")
MSG_TOO_OLD = N_("The business must be at most {months} months old; yours is {age}.")
MSG_KVED = N_("Businesses whose main activity is {kved} cannot apply to this call.")
MSG_PROGRAMME = N_("Complete the training programme “{programme}” before you apply.")
MSG_EMPLOYEES = N_("The business may have at most {max} employees; yours has {count}.")
MSG_ACTIVE_GRANT = N_(
    "You already have an active grant from this municipality, and this call allows one at a time."
)


def business_age_months(registered_on: date, today: date) -> int:
    """Whole months from registration to today."""
    months = (today.year - registered_on.year) * 12 + today.month - registered_on.month
    return months - (today.day < registered_on.day)


def blockers(rules: Eligibility, applicant: Applicant) -> list[Problem]:
    """What stops this person from applying to the call whatever they write, so they learn
    it before they start a draft (the call's page, the draft's start) and again on submit: an
    unconfirmed email, no business profile, an active grant where one at a time is allowed."""
    problems: list[Problem] = []
    if not applicant.email_confirmed:
        problems.append(Problem("email", MSG_EMAIL))
    if not applicant.has_profile:
        problems.append(Problem("business", MSG_NO_PROFILE))
    if rules.one_active_grant and applicant.has_active_grant:
        problems.append(Problem("grant", MSG_ACTIVE_GRANT))
    return problems


def eligibility_problems(rules: Eligibility, applicant: Applicant, today: date) -> list[Problem]:
    problems = blockers(rules, applicant)
    if not applicant.has_profile:
        return problems
    if rules.in_municipality and not applicant.in_municipality:
        problems.append(
            Problem("business.katottg", MSG_LOCATION, {"municipality": applicant.municipality_name})
        )
    if rules.legal_forms and applicant.legal_form not in rules.legal_forms:
        problems.append(
            Problem("business.legal_form", MSG_LEGAL_FORM, {"forms": ",".join(rules.legal_forms)})
        )
    if rules.min_business_age_months is not None or rules.max_business_age_months is not None:
        problems += _age_problems(rules, applicant.registered_on, today)
    if applicant.kved and any(kved_in(applicant.kved, p) for p in rules.excluded_kved):
        problems.append(Problem("business.kved", MSG_KVED, {"kved": applicant.kved}))
    if rules.required_programme_id is not None and not applicant.completed_programme:
        problems.append(
            Problem("training", MSG_PROGRAMME, {"programme": applicant.programme_title})
        )
    if rules.max_employees is not None and applicant.employees_total > rules.max_employees:
        problems.append(
            Problem(
                "business.employees_total",
                MSG_EMPLOYEES,
                {"max": str(rules.max_employees), "count": str(applicant.employees_total)},
            )
        )
    return problems


def _age_problems(rules: Eligibility, registered_on: date | None, today: date) -> list[Problem]:
    if registered_on is None:
        return [Problem("business.registered_on", MSG_NO_REGISTRATION)]
    age = business_age_months(registered_on, today)
    if rules.min_business_age_months is not None and age < rules.min_business_age_months:
        return [
            Problem(
                "business.registered_on",
                MSG_TOO_YOUNG,
                {"months": str(rules.min_business_age_months), "age": str(age)},
            )
        ]
    if rules.max_business_age_months is not None and age > rules.max_business_age_months:
        return [
            Problem(
                "business.registered_on",
                MSG_TOO_OLD,
                {"months": str(rules.max_business_age_months), "age": str(age)},
            )
        ]
    return []


def submission_problems(
    content: Content,
    limits: CallLimits,
    rules: Eligibility,
    applicant: Applicant,
    today: date,
) -> list[Problem]:
    """Every rule a submission fails, at once (an empty list: it may be submitted)."""
    return content_problems(content, limits) + eligibility_problems(rules, applicant, today)
