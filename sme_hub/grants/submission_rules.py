"""Pure rules of what a submission says: its form (the required texts, the budget, the jobs,
the screening answers), checked against the call's limits; each problem reported on its field.
The business's eligibility is in eligibility_rules.py. Plain data in, plain data out."""

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from sme_hub.core.i18n import N_, format_money
from sme_hub.grants.rules import SCREENING_QUESTIONS, environmental_category


@dataclass(frozen=True)
class Problem:
    """One failed rule: the field it concerns, an English msgid with {named} placeholders
    and their values (translated where shown)."""

    field: str
    message: str
    params: dict[str, str] = dataclasses.field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Question:
    key: str
    required: bool


@dataclass(frozen=True)
class CallLimits:
    min_grant_kop: int
    max_grant_kop: int
    own_contribution_pct: Decimal
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Content:
    """What the applicant wrote (None or empty: not given)."""

    project_title: str = ""
    summary: str = ""
    description: str = ""
    requested_amount_kop: int | None = None
    own_contribution_kop: int | None = None
    budget_lines: tuple[tuple[str, int], ...] = ()
    jobs_total: int | None = None
    jobs_women: int | None = None
    environmental_effect: str = ""
    screening: Mapping[str, bool | None] = dataclasses.field(default_factory=dict)
    mitigation: str = ""
    answers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    iban: str = ""
    contact_phone: str = ""
    business_address: str = ""


REQUIRED_TEXT = {
    "project_title": N_("Give the project a title."),
    "summary": N_("Write a short summary of the project."),
    "description": N_("Describe the project."),
    "environmental_effect": N_("Describe the project's effect on the environment."),
    "iban": N_("Enter the IBAN of the account the grant would be paid to."),
    "contact_phone": N_("Enter a contact phone."),
    "business_address": N_("Enter the address where the project will be carried out."),
}
MSG_REQUESTED_MISSING = N_("Enter the amount you request.")
MSG_OWN_MISSING = N_("Enter your own contribution (0 if there is none).")
MSG_NO_BUDGET = N_("Add at least one budget line.")
MSG_JOBS_MISSING = N_("Enter how many jobs the project will create (0 if none).")
MSG_JOBS_WOMEN_MISSING = N_("Enter how many of the new jobs are for women (0 if none).")
MSG_JOBS_WOMEN_TOO_MANY = N_("Jobs for women cannot outnumber all new jobs.")
MSG_SCREENING_UNANSWERED = N_("Answer this screening question.")
MSG_MITIGATION = N_(
    "Describe how you will limit the environmental effects you marked (category B)."
)
MSG_ANSWER_MISSING = N_("Answer this question.")
MSG_BELOW_MIN = N_("The requested amount must be at least {min}.")
MSG_ABOVE_MAX = N_("The requested amount must be at most {max}.")
MSG_OWN_TOO_LOW = N_(
    "Your own contribution must be at least {pct} % of the project cost, that is {needed} "
    "of {cost}."
)
MSG_BUDGET_SUM = N_(
    "The budget lines add up to {total}, but the project costs {cost} (the requested amount "
    "plus your own contribution)."
)
MSG_CATEGORY_A = N_(
    "Projects of environmental category A (in or next to a protected area, or handling "
    "hazardous waste) cannot receive a small grant."
)


def project_cost(content: Content) -> int | None:
    if content.requested_amount_kop is None or content.own_contribution_kop is None:
        return None
    return content.requested_amount_kop + content.own_contribution_kop


def minimum_contribution(cost: int, pct: Decimal) -> int:
    """The least own contribution for a project of `cost`, in whole kopiykas (rounded up, so
    a contribution that meets it always meets the percentage)."""
    return int((Decimal(cost) * pct / 100).to_integral_value(rounding=ROUND_CEILING))


def content_problems(content: Content, limits: CallLimits) -> list[Problem]:
    """Missing parts and amounts outside the call's limits."""
    problems = [
        Problem(key, message)
        for key, message in REQUIRED_TEXT.items()
        if not str(getattr(content, key)).strip()
    ]
    requested, own = content.requested_amount_kop, content.own_contribution_kop
    if requested is None:
        problems.append(Problem("requested_amount_kop", MSG_REQUESTED_MISSING))
    elif requested < limits.min_grant_kop:
        problems.append(
            Problem(
                "requested_amount_kop", MSG_BELOW_MIN, {"min": format_money(limits.min_grant_kop)}
            )
        )
    elif requested > limits.max_grant_kop:
        problems.append(
            Problem(
                "requested_amount_kop", MSG_ABOVE_MAX, {"max": format_money(limits.max_grant_kop)}
            )
        )
    if own is None:
        problems.append(Problem("own_contribution_kop", MSG_OWN_MISSING))
    cost = project_cost(content)
    if cost is not None:
        needed = minimum_contribution(cost, limits.own_contribution_pct)
        if own is not None and own < needed:
            problems.append(
                Problem(
                    "own_contribution_kop",
                    MSG_OWN_TOO_LOW,
                    {
                        "pct": _pct(limits.own_contribution_pct),
                        "needed": format_money(needed),
                        "cost": format_money(cost),
                    },
                )
            )
    if not content.budget_lines:
        problems.append(Problem("budget_lines", MSG_NO_BUDGET))
    elif cost is not None:
        total = sum(amount for _item, amount in content.budget_lines)
        if total != cost:
            problems.append(
                Problem(
                    "budget_lines",
                    MSG_BUDGET_SUM,
                    {"total": format_money(total), "cost": format_money(cost)},
                )
            )
    if content.jobs_total is None:
        problems.append(Problem("jobs_total", MSG_JOBS_MISSING))
    if content.jobs_women is None:
        problems.append(Problem("jobs_women", MSG_JOBS_WOMEN_MISSING))
    elif content.jobs_total is not None and content.jobs_women > content.jobs_total:
        problems.append(Problem("jobs_women", MSG_JOBS_WOMEN_TOO_MANY))
    problems += [
        Problem(f"screening.{key}", MSG_SCREENING_UNANSWERED)
        for key in SCREENING_QUESTIONS
        if content.screening.get(key) is None
    ]
    category = environmental_category(content.screening)
    if category == "A":
        problems.append(Problem("screening", MSG_CATEGORY_A))
    if category == "B" and not content.mitigation.strip():
        problems.append(Problem("mitigation", MSG_MITIGATION))
    problems += [
        Problem(f"answers.{question.key}", MSG_ANSWER_MISSING)
        for question in limits.questions
        if question.required and not content.answers.get(question.key, "").strip()
    ]
    return problems


def _pct(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")
