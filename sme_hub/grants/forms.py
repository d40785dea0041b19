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
        lines, line_errors = budget_lines(data)
        if line_errors:  # keep the saved lines until every row reads well
            errors.update(line_errors)
        else:
            fields["budget_lines"] = lines
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


def budget_lines(data: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The editor's rows as budget lines (empty rows skipped), and the rows that do not read."""
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
    values = {**saved, "screening": dict(saved["screening"]), "answers": dict(saved["answers"])}
    for key in (*TEXT_FIELDS, *MONEY_FIELDS, *COUNT_FIELDS):
        if key in data:
            values[key] = str(data[key])
    if "line_item" in data or "line_amount" in data:
        values["budget_lines"] = typed_rows(data)
    for key in SCREENING_QUESTIONS:
        if f"screening.{key}" in data:
            values["screening"][key] = {"yes": True, "no": False}.get(str(data[f"screening.{key}"]))
    for key in question_keys:
        if f"answer.{key}" in data:
            values["answers"][key] = str(data[f"answer.{key}"])
    return values


def typed_rows(data: Mapping[str, Any]) -> list[dict[str, str]]:
    """The budget editor's rows exactly as typed (empty ones too: errors name rows by place)."""
    items, amounts = values_of(data, "line_item"), values_of(data, "line_amount")
    return [{"item": item, "amount": amount} for item, amount in zip(items, amounts, strict=False)]


def edit_rows(rows: list[dict[str, str]], action: str) -> list[dict[str, str]]:
    """The budget editor's buttons: `add` appends an empty row, `remove-<n>` drops row n."""
    if action == "add":
        return [*rows, {"item": "", "amount": ""}]
    if action.startswith("remove-") and action[7:].isdigit():
        index = int(action[7:])
        return [row for i, row in enumerate(rows) if i != index]
    return rows


def rows_as_form(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """Rows back in the form's shape (to read them like a posted form)."""
    return {
        "line_item": [row["item"] for row in rows],
        "line_amount": [row["amount"] for row in rows],
    }


def error_key(key: str) -> str:
    """Where a problem is shown: a budget line's part on its row (`budget_lines.0.item` →
    `budget_lines.0`), anything else on its own field."""
    parts = key.split(".")
    if parts[0] == "budget_lines" and len(parts) > 2:
        return ".".join(parts[:2])
    return key


def shown_errors(errors: Mapping[str, str]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, message in errors.items():
        shown.setdefault(error_key(key), message)
    return shown


def without(data: ApplicationIn, errors: Mapping[str, str]) -> ApplicationIn:
    """`data` less the fields the service refused (jobs are checked as a pair)."""
    bad = {key.split(".")[0] for key in errors}
    if "jobs_women" in bad:
        bad.add("jobs_total")
    kept = {k: v for k, v in data.model_dump(exclude_unset=True).items() if k not in bad}
    return ApplicationIn.model_validate(kept)


def form_order(question_keys: list[str], rows: int) -> list[str]:
    """The names of the form's fields in page order (each has `f-<name>` and `e-<name>`)."""
    return [
        "project_title",
        "summary",
        "description",
        *MONEY_FIELDS,
        "budget_lines",
        *(f"budget_lines.{i}" for i in range(rows)),
        *COUNT_FIELDS,
        "environmental_effect",
        "screening",
        *(f"screening.{key}" for key in SCREENING_QUESTIONS),
        "mitigation",
        *(f"answers.{key}" for key in question_keys),
        "iban",
        "contact_phone",
        "business_address",
        "file",
    ]


def field_ids(question_keys: list[str], rows: int) -> set[str]:
    return set(form_order(question_keys, rows))


def summary(
    errors: Mapping[str, str], order: list[str], labels: Mapping[str, str]
) -> list[tuple[str | None, str]]:
    """The problems for the list atop the form: those not tied to a field first (about the
    applicant or the whole form), then the fields' in page order, each with the field's id
    (None when it is not on the form) and its message, prefixed by the question it answers
    where the message alone would not say which."""
    place = {name: i for i, name in enumerate(order)}
    keys = sorted((k for k in errors if k != "__all__"), key=lambda k: place.get(k, -1))
    return [
        (
            key if key in place else None,
            f"{labels[key]} {errors[key]}" if key in labels else errors[key],
        )
        for key in keys
    ]


def size_text(size_bytes: int) -> str:
    """A file's size for people: `2,4 MB`, `180 KB`."""
    if size_bytes >= 1024 * 1024:
        return _("{n} MB").format(n=f"{size_bytes / 1024 / 1024:.1f}".replace(".", ","))
    return _("{n} KB").format(n=max(1, round(size_bytes / 1024)))
