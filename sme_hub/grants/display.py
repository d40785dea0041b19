"""What the grant pages show, built from plain data: the forms' values and problems, the
budget editor's rows, the partners' rows, confirmations. No I/O."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from sme_hub.core.i18n import N_, _
from sme_hub.core.money import hryvnias_text
from sme_hub.entrepreneurs import rules as business_rules
from sme_hub.grants import forms
from sme_hub.grants.models import Application, GrantCall
from sme_hub.grants.rules import SCREENING_QUESTIONS

# --- the applicant's form ------------------------------------------------------------------


def application_values(application: Application) -> dict[str, Any]:
    """What the form shows for a saved draft."""
    values: dict[str, Any] = {key: getattr(application, key) for key in forms.TEXT_FIELDS}
    for key in forms.MONEY_FIELDS:
        values[key] = hryvnias_text(getattr(application, key))
    for key in forms.COUNT_FIELDS:
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
    for key in (*forms.TEXT_FIELDS, *forms.MONEY_FIELDS, *forms.COUNT_FIELDS):
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
    items, amounts = forms.values_of(data, "line_item"), forms.values_of(data, "line_amount")
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


def form_order(question_keys: list[str], rows: int) -> list[str]:
    """The names of the form's fields in page order (each has `f-<name>` and `e-<name>`)."""
    return [
        "project_title",
        "summary",
        "description",
        *forms.MONEY_FIELDS,
        "budget_lines",
        *(f"budget_lines.{i}" for i in range(rows)),
        *forms.COUNT_FIELDS,
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


# --- the officer's call form --------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    return str(value)


def call_values(call: GrantCall | None) -> dict[str, Any]:
    """What the form shows: a call's settings, or the defaults for a new call."""
    if call is None:
        return {
            "evaluators_per_application": "2",
            "threshold": "60",
            "own_contribution_pct": "0",
            "women_led_bonus": "10",
            "green_bonus": "10",
            "women_led_share_pct": "0",
            "ownership_pct": "51",
            "with_head_pct": "25",
            "in_municipality": True,
            "legal_forms": [],
            "criteria": [],
            "questions": [],
        }
    priorities, eligibility = call.priorities, call.eligibility
    thresholds = priorities.get("women_led_thresholds", {})
    values: dict[str, Any] = {key: getattr(call, key) for key in forms.TEXTS}
    values |= {
        "budget": hryvnias_text(call.budget_kop),
        "min_grant": hryvnias_text(call.min_grant_kop),
        "max_grant": hryvnias_text(call.max_grant_kop),
        "own_contribution_pct": _text(Decimal(call.own_contribution_pct)),
        "threshold": _text(Decimal(call.threshold)),
        "evaluators_per_application": str(call.evaluators_per_application),
        "opens_at": forms.local_time(call.opens_at),
        "closes_at": forms.local_time(call.closes_at),
        "blind_review": call.blind_review,
        "criteria": [
            {**c, "weight": _text(Decimal(str(c["weight"]))), "max_score": str(c["max_score"])}
            for c in call.criteria
        ],
        "questions": list(call.questions),
        "women_led_bonus": _text(Decimal(str(priorities.get("women_led_bonus", 10)))),
        "green_bonus": _text(Decimal(str(priorities.get("green_bonus", 10)))),
        "women_led_share_pct": _text(
            Decimal(str(priorities.get("women_led_budget_share", 0))) * 100
        ),
        "ownership_pct": _text(Decimal(str(thresholds.get("ownership_pct", 51)))),
        "with_head_pct": _text(Decimal(str(thresholds.get("with_head_pct", 25)))),
        "in_municipality": eligibility.get("in_municipality", False),
        "legal_forms": eligibility.get("legal_forms", []),
        "min_business_age_months": _text(eligibility.get("min_business_age_months")),
        "max_business_age_months": _text(eligibility.get("max_business_age_months")),
        "excluded_kved": ", ".join(eligibility.get("excluded_kved", [])),
        "required_programme_id": _text(eligibility.get("required_programme_id")),
        "max_employees": _text(eligibility.get("max_employees")),
        "one_active_grant": eligibility.get("one_active_grant", False),
    }
    for group in forms.GROUPS:
        points = (priorities.get("group_bonuses") or {}).get(group)
        values[f"bonus_{group}"] = _text(Decimal(str(points))) if points is not None else ""
    return values


def typed_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The form as typed, to show again with its errors."""
    values: dict[str, Any] = {
        key: str(value) for key, value in data.items() if not isinstance(value, list)
    }
    for flag in ("blind_review", "in_municipality", "one_active_grant"):
        values[flag] = flag in data
    values["legal_forms"] = forms.values_of(data, "legal_forms")
    values["criteria"] = forms.criteria_rows(data)
    values["questions"] = forms.question_rows(data)
    return values


def row_errors(errors: dict[str, str]) -> dict[str, str]:
    """Messages of criteria and question rows, keyed `criteria.0`, `questions.1`."""
    rows: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] in ("criteria", "questions") and len(parts) > 1 and parts[1].isdigit():
            row = f"{parts[0]}.{parts[1]}"
            rows[row] = f"{rows[row]} {message}" if row in rows else message
    return rows


CALL_QUESTIONS = {
    "publish": N_("Publish the call “{title}”?"),
    "close": N_("Close the call “{title}” now?"),
}


def call_confirmation(action: str, title: str) -> dict[str, Any]:
    """The question, its consequences and the button before publishing or closing a call."""
    shown = {"title": _(CALL_QUESTIONS[action]).format(title=title)}
    if action == "publish":
        return shown | {
            "consequences": [
                _("Everyone will see the call, and entrepreneurs can apply once it opens."),
                _("A published call cannot be taken back to a draft."),
            ],
            "button": _("Yes, publish the call"),
        }
    return shown | {
        "consequences": [
            _("No more applications will be accepted, even before the closing time."),
            _("Drafts not yet submitted can no longer be submitted."),
        ],
        "button": _("Yes, close the call"),
    }


def withdraw_confirmation(project_title: str | None) -> dict[str, Any]:
    """The question, its consequences and the button before withdrawing an application."""
    return {
        "title": _("Withdraw the application “{title}”?").format(
            title=project_title or _("without a title")
        ),
        "consequences": [
            _("It will no longer be considered in this call."),
            _(
                "A withdrawn application cannot be submitted again. You may start "
                "a new one while the call is open."
            ),
        ],
        "button": _("Yes, withdraw the application"),
    }


# --- partners and screening ----------------------------------------------------------------


@dataclass(frozen=True)
class PartnerChoice:
    partner: Any
    checked: bool
    service: str
    error: str = ""


def errors_by_partner(
    errors: dict[str, str], ticked: list[int]
) -> tuple[dict[int, str], list[str]]:
    """`partners.3.service` belongs to the fourth partner ticked; anything else is the
    form's."""
    by_partner: dict[int, str] = {}
    general: list[str] = []
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] == "partners" and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1])
            if n < len(ticked):
                by_partner[ticked[n]] = message
                continue
        general.append(message)
    return by_partner, general


def masked_tax_id(snapshot: dict[str, Any]) -> str:
    """A person's RNOKPP or passport is masked for staff; a company's EDRPOU is public."""
    tax_id = str(snapshot.get("tax_id") or "")
    if tax_id and snapshot.get("tax_id_kind") in ("rnokpp", "passport"):
        return business_rules.mask_rnokpp(tax_id)
    return tax_id or "—"


def label(labels: dict[str, str], key: Any) -> str:
    """A code's label in the reader's language ("" for none)."""
    msgid = labels.get(str(key), "")
    return _(msgid) if msgid else ""


def filters_query(filters: Any) -> str:
    """The screening filters as a query string, for export and paging links that keep them."""
    pairs = {
        "q": filters.q,
        "status": filters.status,
        "women_led": None if filters.women_led is None else str(filters.women_led).lower(),
        "green_level": filters.green_level,
        "category": filters.category,
        "duplicates": "true" if filters.duplicates else None,
    }
    return urlencode({key: value for key, value in pairs.items() if value})


def eligibility_errors(errors: Mapping[str, str]) -> dict[str, str]:
    """The form's problems; one about the whole decision is the reason's."""
    return {("reason" if k == "__root__" else k): v for k, v in errors.items()}
