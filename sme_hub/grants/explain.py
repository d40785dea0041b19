"""A call's rules in plain words for the people deciding whether to apply."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sme_hub.core.i18n import N_, _, format_datetime_kyiv, ngettext
from sme_hub.entrepreneurs.schemas import LEGAL_FORM_LABELS
from sme_hub.grants.models import GrantCall
from sme_hub.grants.rules import call_window, shown_call_status

GROUP_LABELS = {
    "veteran_owned": N_("owned by a veteran"),
    "idp_owned": N_("owned by an internally displaced person"),
    "youth_owned": N_("owned by a person under 35"),
}


def points_text(value: Any) -> str:
    """A number as people write it here: `12.50` → `12,5`."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def eligibility_sentences(
    call: GrantCall, municipality_name: str, programme_title: str | None
) -> list[str]:
    """One sentence per rule the call applies, in the reader's language."""
    rules = call.eligibility
    sentences: list[str] = []
    if rules.get("in_municipality"):
        sentences.append(
            _("The business is located in {municipality}.").format(municipality=municipality_name)
        )
    if rules.get("legal_forms"):
        forms = ", ".join(_(LEGAL_FORM_LABELS[f]) for f in rules["legal_forms"])
        sentences.append(_("Its legal form is one of: {forms}.").format(forms=forms))
    low, high = rules.get("min_business_age_months"), rules.get("max_business_age_months")
    if low is not None and high is not None:
        sentences.append(
            _("It was registered between {low} and {high} months ago.").format(low=low, high=high)
        )
    elif low is not None:
        sentences.append(
            ngettext(
                "It was registered at least {n} month ago.",
                "It was registered at least {n} months ago.",
                low,
            ).format(n=low)
        )
    elif high is not None:
        sentences.append(
            ngettext(
                "It was registered at most {n} month ago.",
                "It was registered at most {n} months ago.",
                high,
            ).format(n=high)
        )
    if rules.get("excluded_kved"):
        sentences.append(
            _("Its main activity is not in these KVED codes: {codes}.").format(
                codes=", ".join(rules["excluded_kved"])
            )
        )
    if rules.get("required_programme_id") is not None:
        sentences.append(
            _("The applicant has completed the training programme “{programme}”.").format(
                programme=programme_title or "—"
            )
        )
    if rules.get("max_employees") is not None:
        sentences.append(_("It has at most {n} employees.").format(n=rules["max_employees"]))
    if rules.get("one_active_grant"):
        sentences.append(_("The applicant has no other active grant from this municipality."))
    sentences.append(_("The applicant has confirmed their email address."))
    sentences.append(
        _("The project is not of environmental category A (a protected area or hazardous waste).")
    )
    return sentences


def priority_sentences(call: GrantCall) -> list[str]:
    priorities = call.priorities
    sentences = [
        _("Women-led businesses get {points} bonus points.").format(
            points=points_text(priorities.get("women_led_bonus", 10))
        ),
        _(
            "Green businesses get {points} bonus points at the advanced level and half of "
            "them at the basic level."
        ).format(points=points_text(priorities.get("green_bonus", 10))),
    ]
    for group, points in (priorities.get("group_bonuses") or {}).items():
        if Decimal(str(points)) > 0:
            sentences.append(
                _("A business {group} gets {points} bonus points.").format(
                    group=_(GROUP_LABELS[group]), points=points_text(points)
                )
            )
    share = Decimal(str(priorities.get("women_led_budget_share", 0)))
    if share > 0:
        sentences.append(
            _("{pct} % of the budget is reserved for women-led businesses.").format(
                pct=points_text(share * 100)
            )
        )
    sentences.append(
        _("Bonuses never lift a project over the quality threshold of {threshold} points.").format(
            threshold=points_text(call.threshold)
        )
    )
    return sentences


def is_open(call: GrantCall) -> bool:
    """Whether the call takes applications now (by the server's clock)."""
    return call_window(call.status, call.opens_at, call.closes_at, datetime.now(UTC)) == "open"


def still_closes(call: GrantCall) -> bool:
    """Whether the closing time is ahead (a draft's or an open call's): "closes", not "closed"."""
    return shown_status(call) in ("draft", "published")


def closing_text(call: GrantCall) -> str:
    """`closes 17 November 2026, 18:00 (Kyiv time)`, or `closed on …` once it has."""
    time = format_datetime_kyiv(call.closes_at, "d MMMM y, HH:mm")
    if still_closes(call):
        return _("closes {time} (Kyiv time)").format(time=time)
    return _("closed on {time} (Kyiv time)").format(time=time)


def shown_status(call: GrantCall) -> str:
    """The call's status as people see it (closed from the closing time on)."""
    return shown_call_status(call.status, call.closes_at, datetime.now(UTC))
