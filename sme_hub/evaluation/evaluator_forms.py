"""The evaluator's forms as posted by a browser: the conflict declaration and the score
sheet (`scores.<criterion>`, `comments.<criterion>`), read into the service's shapes with a
message per field for what cannot be read."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sme_hub.core.errors import InvalidInput
from sme_hub.core.forms import parse_form
from sme_hub.core.i18n import _
from sme_hub.evaluation.schemas import ConflictDeclaration

COMMENT_MAX = 2000  # criterion_score.comment


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
