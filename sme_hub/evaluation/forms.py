"""The evaluation forms as posted by a browser, read into the services' shapes with a
message per field for what cannot be read: the evaluator's conflict declaration and score
sheet (`scores.<criterion>`, `comments.<criterion>`); the officer's committee, what-if
settings and decision."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sme_hub.core.errors import InvalidInput
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import N_, _
from sme_hub.core.money import parse_hryvnias
from sme_hub.evaluation.schemas import ConflictDeclaration, DecisionIn, WhatIf
from sme_hub.grants import forms as call_forms
from sme_hub.grants.forms import values_of

COMMENT_MAX = 2000  # criterion_score.comment
GROUPS = call_forms.GROUPS
POINTS = ("women_led_share_pct", "threshold", "women_led_bonus", "green_bonus")
WHAT_IF_FIELDS = ("budget", *POINTS, *(f"bonus_{group}" for group in GROUPS))
# A simulation writes nothing, but the sum is still formatted: keep it within what a
# municipality could plausibly hold (10^12 UAH) so no absurd number reaches the page.
MAX_BUDGET_KOP = 10**14
_POINTS_PATTERN = re.compile(r"\d{1,3}([.,]\d{1,2})?")
MSG_POINTS = N_("Enter a number from 0 to 100, with at most two decimals.")
# criterion_score.comment


def read_declaration(data: Mapping[str, Any]) -> ConflictDeclaration:
    """Yes or no, and for a conflict a note saying what it is (the officer reads it)."""
    answer = str(data.get("has_conflict", ""))
    note = str(data.get("note", "")).strip()
    errors: dict[str, str] = {}
    if answer not in ("yes", "no"):
        errors["has_conflict"] = _("Choose whether you have a conflict of interest.")
    elif answer == "yes" and not note:
        errors["note"] = _("Say briefly what the conflict of interest is.")
    try:
        declaration = parse_form(
            ConflictDeclaration, {"has_conflict": answer == "yes", "note": note}
        )
    except InvalidInput as exc:
        errors = exc.errors | errors
    if errors:
        raise InvalidInput(errors)
    return declaration


@dataclass
class ScoreSheet:
    """What could be read of a posted sheet; `errors` name the fields left out of it."""

    scores: dict[str, Decimal] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def without(self, failed: Mapping[str, str]) -> None:
        """Leave out the criteria the service refused, so the rest can still be saved."""
        self.errors |= failed
        for key in list(self.scores):
            if f"scores.{key}" in failed or f"comments.{key}" in failed:
                del self.scores[key]
                self.comments.pop(key, None)


def read_scores(
    data: Mapping[str, Any], criteria: list[dict[str, Any]], saved: Mapping[str, Decimal]
) -> ScoreSheet:
    """Numbers as people type them (`7`, `7.5`, `7,5`); the range and the halves are the
    service's to check. A comment is stored with its score, so one without a score waits."""
    sheet = ScoreSheet()
    for criterion in criteria:
        key = criterion["key"]
        raw = str(data.get(f"scores.{key}", "")).strip().replace(",", ".")
        comment = str(data.get(f"comments.{key}", "")).strip()
        if len(comment) > COMMENT_MAX:
            sheet.errors[f"comments.{key}"] = _(
                "The comment is too long: at most {n} characters."
            ).format(n=COMMENT_MAX)
            continue
        if not raw:
            if key in saved:
                # Blank would otherwise keep the saved score unseen, and submit it as final.
                sheet.errors[f"scores.{key}"] = _(
                    "A saved score can be changed but not removed: enter a score."
                )
            elif comment:
                sheet.errors[f"scores.{key}"] = _(
                    "Give a score too: the comment is saved together with it."
                )
            continue
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            sheet.errors[f"scores.{key}"] = _("Enter a number, for example 7 or 7.5.")
            continue
        sheet.scores[key] = value
        sheet.comments[key] = comment
    return sheet


def form_values(
    scores: Mapping[str, Decimal], comments: Mapping[str, str], data: Mapping[str, Any] | None
) -> dict[str, str]:
    """What the sheet's fields show: what was posted (also when wrong, to be corrected),
    else what is saved."""
    if data is not None:
        return {
            key: str(value)
            for key, value in data.items()
            if key.startswith(("scores.", "comments."))
        }
    values = {f"scores.{key}": score_text(value) for key, value in scores.items()}
    return values | {f"comments.{key}": text for key, text in comments.items()}


def score_text(value: Decimal) -> str:
    """`8.0` → `8`, `7.50` → `7.5`: as a number input shows it."""
    return format(value.normalize(), "f")


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


def read_decision(data: Mapping[str, Any]) -> DecisionIn:
    """The decision form as the service takes it; InvalidInput names each field to correct."""
    fields, errors = decision_from_form(data)
    if errors:
        raise InvalidInput(errors)
    return parse_form(DecisionIn, fields)
