"""The application form as the page sends it, into the API's shape (ApplicationIn), and
back: pure functions, no I/O."""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sme_hub.core.forms import field_errors
from sme_hub.core.i18n import _
from sme_hub.core.money import hryvnias_text, parse_hryvnias
from sme_hub.grants.models import Application
from sme_hub.grants.rules import SCREENING_QUESTIONS
from sme_hub.grants.schemas import ApplicationIn

TEXT_FIELDS = (
    "project_title",
    "summary",
    "description",
    "environmental_effect",
    "mitigation",
    "iban",
    "contact_phone",
    "business_address",
)
MONEY_FIELDS = ("requested_amount_kop", "own_contribution_kop")
COUNT_FIELDS = ("jobs_total", "jobs_women")


def values_of(data: Mapping[str, Any], key: str) -> list[str]:
    """Every value of a repeated form field (one value arrives as a plain string)."""
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def from_form(
    data: Mapping[str, Any], question_keys: list[str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The form's fields in ApplicationIn's shape, and the problems found while reading them
    (amounts that are not amounts). Only fields the form carries are included."""
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key in TEXT_FIELDS:
        if key in data:
            fields[key] = str(data[key]).strip()
    for key in MONEY_FIELDS:
        if key in data:
            try:
                fields[key] = parse_hryvnias(str(data[key]))
            except ValueError as exc:
                errors[key] = _(str(exc))
    for key in COUNT_FIELDS:
        if key in data:
            text = str(data[key]).strip()
            fields[key] = text or None
    if "line_item" in data or "line_amount" in data:
        fields["budget_lines"], line_errors = _budget_lines(data)
        errors.update(line_errors)
    screening = {
        key: {"yes": True, "no": False}.get(str(data[f"screening.{key}"]))
        for key in SCREENING_QUESTIONS
        if f"screening.{key}" in data
    }
    if screening:
        fields["screening"] = screening
    answers = {
        key: str(data[f"answer.{key}"]).strip() for key in question_keys if f"answer.{key}" in data
    }
    if answers:
        fields["answers"] = answers
    return fields, errors


def _budget_lines(data: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    lines: list[dict[str, Any]] = []
    errors: dict[str, str] = {}
    items, amounts = values_of(data, "line_item"), values_of(data, "line_amount")
    for index, (item, amount) in enumerate(zip(items, amounts, strict=False)):
        if not item.strip() and not amount.strip():
            continue  # an empty row of the editor
        try:
            kop = parse_hryvnias(amount)
        except ValueError as exc:
            errors[f"budget_lines.{index}"] = _(str(exc))
            continue
        if not item.strip() or kop is None:
            errors[f"budget_lines.{index}"] = _("Give each budget line an item and an amount.")
            continue
        lines.append({"item": item.strip(), "amount_kop": kop})
    return lines, errors


def validate_partly(fields: dict[str, Any]) -> tuple[ApplicationIn, dict[str, str]]:
    """The valid part of `fields` as an ApplicationIn, and the problems of the rest: a draft
    keeps what is right while the applicant fixes what is not."""
    try:
        return ApplicationIn.model_validate(fields), {}
    except ValidationError as exc:
        errors = field_errors(exc)
    bad = {key.split(".")[0] for key in errors}
    valid = ApplicationIn.model_validate({k: v for k, v in fields.items() if k not in bad})
    return valid, errors


def form_values(application: Application) -> dict[str, Any]:
    """What the form shows for a saved draft."""
    values: dict[str, Any] = {key: getattr(application, key) for key in TEXT_FIELDS}
    for key in MONEY_FIELDS:
        values[key] = hryvnias_text(getattr(application, key))
    for key in COUNT_FIELDS:
        value = getattr(application, key)
        values[key] = "" if value is None else str(value)
    values["budget_lines"] = [
        {"item": line["item"], "amount": hryvnias_text(line["amount_kop"])}
        for line in application.budget_lines
    ]
    values["screening"] = dict(application.screening)
    values["answers"] = dict(application.answers)
    return values


def shown_values(
    data: Mapping[str, Any], saved: dict[str, Any], question_keys: list[str]
) -> dict[str, Any]:
    """What the form re-shows after a save with errors: what was typed, over what was saved."""
    values = dict(saved)
    for key in (*TEXT_FIELDS, *MONEY_FIELDS, *COUNT_FIELDS):
        if key in data:
            values[key] = str(data[key])
    if "line_item" in data or "line_amount" in data:
        values["budget_lines"] = [
            {"item": item, "amount": amount}
            for item, amount in zip(
                values_of(data, "line_item"), values_of(data, "line_amount"), strict=False
            )
            if item.strip() or amount.strip()
        ]
    for key in SCREENING_QUESTIONS:
        if f"screening.{key}" in data:
            values["screening"][key] = {"yes": True, "no": False}.get(str(data[f"screening.{key}"]))
    for key in question_keys:
        if f"answer.{key}" in data:
            values["answers"][key] = str(data[f"answer.{key}"])
    return values
