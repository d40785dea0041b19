"""The implementation pages' forms read into the API's schemas: a progress report with its
spending rows, a payment, an added tranche, a review. Each problem is keyed by the field
that shows it; the rules themselves stay in the schemas and the service."""

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from sme_hub.core.errors import InvalidInput
from sme_hub.core.forms import field_errors, parse_form
from sme_hub.core.i18n import _
from sme_hub.core.money import hryvnias_text, parse_hryvnias
from sme_hub.implementation.models import ProgressReport
from sme_hub.implementation.schemas import PaymentIn, ReportIn, ReviewIn, TrancheIn

# Enough rows for a typical report; "Add a line" gives more, with or without JavaScript.
BLANK_ROWS = 3
REPORT_TEXTS = ("kind", "period", "jobs_created", "women_employed")
REPORT_LONG_TEXTS = ("environmental_results", "narrative")

Row = dict[str, str]


def values_of(data: Mapping[str, Any], key: str) -> list[str]:
    """Every value of a repeated field (a single one arrives as a plain string)."""
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key, "")
    return str(value[-1] if isinstance(value, list) and value else value or "").strip()


def spending_rows(data: Mapping[str, Any]) -> list[Row]:
    """The spending rows exactly as typed, empty ones too: problems name rows by place."""
    items, amounts = values_of(data, "line_item"), values_of(data, "line_amount")
    return [{"item": i, "amount": a} for i, a in zip(items, amounts, strict=False)]


def padded(rows: list[Row], minimum: int = BLANK_ROWS) -> list[Row]:
    return rows + [{"item": "", "amount": ""} for _ in range(minimum - len(rows))]


def report_values(report: ProgressReport | None) -> dict[str, Any]:
    """A new report's empty form, or a stored report as its form shows it for correcting."""
    if report is None:
        values: dict[str, Any] = dict.fromkeys(REPORT_TEXTS + REPORT_LONG_TEXTS, "")
        return {**values, "kind": "interim", "rows": padded([])}
    rows = [
        {"item": str(line["item"]), "amount": hryvnias_text(int(line["amount_kop"]))}
        for line in report.spending
    ]
    return {
        "kind": report.kind,
        "period": report.period,
        "jobs_created": str(report.jobs_created),
        "women_employed": str(report.women_employed),
        "environmental_results": report.environmental_results,
        "narrative": report.narrative,
        "rows": padded(rows, len(rows) + 1),
    }


def typed_report_values(data: Mapping[str, Any], *, add_line: bool = False) -> dict[str, Any]:
    """What was typed, to show the form again (with one more empty row when asked)."""
    rows = spending_rows(data)
    if add_line:
        rows.append({"item": "", "amount": ""})
    values = {key: _text(data, key) for key in REPORT_TEXTS + REPORT_LONG_TEXTS}
    return {**values, "rows": padded(rows, 1)}


def read_report(data: Mapping[str, Any]) -> ReportIn:
    """The posted report, or InvalidInput naming every problem: `spending.<row>` for a row,
    the field's name otherwise."""
    errors: dict[str, str] = {}
    lines: list[dict[str, Any]] = []
    positions: list[int] = []  # the form row of each line: empty rows are skipped
    for index, row in enumerate(spending_rows(data)):
        item, amount = row["item"].strip(), row["amount"].strip()
        if not item and not amount:
            continue
        try:
            kop = parse_hryvnias(amount)
        except ValueError as exc:
            errors[f"spending.{index}"] = _(str(exc))
            continue
        if not item or kop is None:
            errors[f"spending.{index}"] = _("Give each spending line an item and an amount.")
            continue
        lines.append({"item": item, "amount_kop": kop})
        positions.append(index)
    fields: dict[str, Any] = {key: _text(data, key) for key in REPORT_TEXTS + REPORT_LONG_TEXTS}
    try:
        report = ReportIn.model_validate({**fields, "spending": lines})
    except ValidationError as exc:
        for key, message in field_errors(exc).items():
            errors.setdefault(_report_key(key, positions), message)
        raise InvalidInput(errors) from exc
    if errors:
        raise InvalidInput(errors)
    return report


def _report_key(key: str, positions: list[int]) -> str:
    parts = key.split(".")
    if parts[0] == "spending" and len(parts) > 1 and parts[1].isdigit():
        return f"spending.{positions[int(parts[1])]}"
    if key == "__root__":
        return "women_employed"  # the report's one rule across fields: women ≤ jobs
    return parts[0]


def read_payment(data: Mapping[str, Any]) -> PaymentIn:
    """An empty IBAN means the grantee's own (the service's default)."""
    return parse_form(
        PaymentIn, {"paid_on": _text(data, "paid_on"), "iban": _text(data, "iban") or None}
    )


def read_tranche(data: Mapping[str, Any]) -> TrancheIn:
    """An added tranche: the amount typed in hryvnias; paid at once when a day is given."""
    errors: dict[str, str] = {}
    amount: int | None = None
    try:
        amount = parse_hryvnias(_text(data, "amount"))
    except ValueError as exc:
        errors["amount_kop"] = _(str(exc))
    else:
        if amount is None:
            errors["amount_kop"] = _("This field is required.")
    fields = {
        "amount_kop": amount if amount is not None else 1,  # its problem is already noted
        "planned_on": _text(data, "planned_on"),
        "paid_on": _text(data, "paid_on") or None,
        "iban": _text(data, "iban") or None,
    }
    try:
        tranche = TrancheIn.model_validate(fields)
    except ValidationError as exc:
        raise InvalidInput({**field_errors(exc), **errors}) from exc
    if errors:
        raise InvalidInput(errors)
    return tranche


def read_review(data: Mapping[str, Any]) -> ReviewIn:
    fields = {"decision": _text(data, "decision"), "note": _text(data, "note")}
    try:
        return ReviewIn.model_validate(fields)
    except ValidationError as exc:
        # The one rule across fields — a returned report says why — belongs to the note.
        errors = {("note" if k == "__root__" else k): m for k, m in field_errors(exc).items()}
        raise InvalidInput(errors) from exc
