"""The officer's evaluation forms read into the services' shapes: the what-if settings
(checked field by field, with messages a person can act on) and a decision. Pure functions."""

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sme_hub.core.i18n import N_, _
from sme_hub.core.money import parse_hryvnias
from sme_hub.evaluation.service import WhatIf
from sme_hub.grants import display
from sme_hub.grants import forms as call_forms
from sme_hub.grants.forms import values_of
from sme_hub.grants.models import GrantCall

GROUPS = call_forms.GROUPS
POINTS = ("women_led_share_pct", "threshold", "women_led_bonus", "green_bonus")
WHAT_IF_FIELDS = ("budget", *POINTS, *(f"bonus_{group}" for group in GROUPS))
# A simulation writes nothing, but the sum is still formatted: keep it within what a
# municipality could plausibly hold (10^12 UAH) so no absurd number reaches the page.
MAX_BUDGET_KOP = 10**14
_POINTS_PATTERN = re.compile(r"\d{1,3}([.,]\d{1,2})?")
MSG_POINTS = N_("Enter a number from 0 to 100, with at most two decimals.")


def what_if_values(call: GrantCall) -> dict[str, str]:
    """The what-if form filled with the call's own settings (as the call form shows them)."""
    values = display.call_values(call)
    return {key: str(values.get(key) or "") for key in WHAT_IF_FIELDS}


def _budget(text: str) -> int:
    kop = parse_hryvnias(text)
    if kop is None:
        raise ValueError(N_("Enter the budget."))
    if kop <= 0:
        raise ValueError(N_("The budget must be more than zero."))
    if kop > MAX_BUDGET_KOP:
        raise ValueError(N_("The budget is too large."))
    return kop


def _points(text: str, *, required: bool = True) -> Decimal:
    """`12,5` → 12.5, from 0 to 100 (points or a percentage); an optional empty box is 0."""
    cleaned = re.sub(r"[\s\u00a0]", "", text)
    if not cleaned:
        if required:
            raise ValueError(N_("This field is required."))
        return Decimal(0)
    if not _POINTS_PATTERN.fullmatch(cleaned):
        raise ValueError(MSG_POINTS)
    value = Decimal(cleaned.replace(",", "."))
    if value > 100:
        raise ValueError(MSG_POINTS)
    return value


def read_what_if(values: Mapping[str, str]) -> tuple[WhatIf, dict[str, str]]:
    """The settings typed in the what-if form, and a message for each field that is not
    usable (keyed by the field's name). With any message the WhatIf is not to be run."""
    errors: dict[str, str] = {}

    def read(key: str, parse: Any, **options: Any) -> Any:
        try:
            return parse(str(values.get(key, "")), **options)
        except ValueError as exc:
            errors[key] = _(str(exc))
            return None

    budget = read("budget", _budget)
    share = read("women_led_share_pct", _points)
    groups = {group: read(f"bonus_{group}", _points, required=False) for group in GROUPS}
    what_if = WhatIf(
        budget_kop=budget,
        women_led_budget_share=None if share is None else share / 100,
        threshold=read("threshold", _points),
        women_led_bonus=read("women_led_bonus", _points),
        green_bonus=read("green_bonus", _points),
        group_bonuses={group: points for group, points in groups.items() if points is not None},
    )
    return what_if, errors


def decision_from_form(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields of DecisionIn from the decision form (the amount typed in hryvnias; an
    empty amount approves the request), and the problems met while reading them."""
    decision = str(data.get("decision", ""))
    fields: dict[str, Any] = {
        "decision": decision,
        "reference": str(data.get("reference", "")),
        "note": str(data.get("note", "")),
    }
    errors: dict[str, str] = {}
    if decision == "approved":
        try:
            fields["amount_kop"] = parse_hryvnias(str(data.get("amount", "")))
        except ValueError as exc:
            errors["amount_kop"] = _(str(exc))
    return fields, errors


def committee_from_form(data: Mapping[str, Any]) -> list[int]:
    """The ticked evaluators; anything that is not an id is dropped (the service checks
    that each is an evaluator of the municipality)."""
    return [int(v) for v in values_of(data, "evaluator_ids") if v.isdigit() and len(v) < 10]
