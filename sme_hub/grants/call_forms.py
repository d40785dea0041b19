"""The officer's call form, into the API's shape (CallRules) and back: pure functions.

Criteria and questions are rows of repeated fields; their keys are kept in hidden fields and
new rows get the next free `c<n>` / `q<n>`. Amounts are typed in hryvnias, percentages as
people write them (`20` or `12,5`), times in Kyiv time (`<input type="datetime-local">`)."""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sme_hub.core.i18n import KYIV, N_, _, current_locale, format_datetime_kyiv, format_money
from sme_hub.core.money import hryvnias_text, parse_hryvnias
from sme_hub.grants.forms import values_of
from sme_hub.grants.models import GrantCall
from sme_hub.grants.rules import criterion_name

TEXTS = ("title_uk", "title_en", "description_uk", "description_en")
MONEY = {"budget": "budget_kop", "min_grant": "min_grant_kop", "max_grant": "max_grant_kop"}
GROUPS = ("veteran_owned", "idp_owned", "youth_owned")
BLANK_ROWS = 2  # empty rows offered for new criteria and questions (works without JavaScript)


def _number(text: str) -> Decimal | None:
    cleaned = text.strip().replace(",", ".").replace(" ", "")
    if not cleaned:
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(N_("Enter a number.")) from None


def _kyiv(text: str) -> str | None:
    """`2026-12-01T18:00` (Kyiv time) as an ISO moment with its offset."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(N_("Enter a date and time.")) from None
    return moment.replace(tzinfo=KYIV).isoformat()


def _free_key(prefix: str, taken: set[str]) -> str:
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    taken.add(f"{prefix}{n}")
    return f"{prefix}{n}"


def call_from_form(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields of CallRules from the form, and the problems met while reading them."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {key: str(data.get(key, "")).strip() for key in TEXTS}

    def read(key: str, target: str, parse: Any) -> Any:
        try:
            return parse(str(data.get(key, "")))
        except ValueError as exc:
            errors[target] = _(str(exc))
            return None

    for key, target in MONEY.items():
        fields[target] = read(key, target, parse_hryvnias)
    for key in ("own_contribution_pct", "threshold"):
        fields[key] = read(key, key, _number)
    fields["evaluators_per_application"] = str(data.get("evaluators_per_application", "")).strip()
    fields["opens_at"] = read("opens_at", "opens_at", _kyiv)
    fields["closes_at"] = read("closes_at", "closes_at", _kyiv)
    fields["blind_review"] = "blind_review" in data
    fields["criteria"] = _criteria(data)
    fields["questions"] = _questions(data)
    share = read("women_led_share_pct", "priorities.women_led_budget_share", _number)
    fields["priorities"] = {
        "women_led_bonus": read("women_led_bonus", "priorities.women_led_bonus", _number),
        "green_bonus": read("green_bonus", "priorities.green_bonus", _number),
        "women_led_budget_share": (share or Decimal(0)) / 100,
        "women_led_thresholds": {
            "ownership_pct": read(
                "ownership_pct", "priorities.women_led_thresholds.ownership_pct", _number
            ),
            "with_head_pct": read(
                "with_head_pct", "priorities.women_led_thresholds.with_head_pct", _number
            ),
        },
        "group_bonuses": {
            group: points
            for group in GROUPS
            if (points := read(f"bonus_{group}", f"priorities.group_bonuses.{group}", _number))
        },
    }
    fields["eligibility"] = {
        "in_municipality": "in_municipality" in data,
        "legal_forms": values_of(data, "legal_forms"),
        "min_business_age_months": str(data.get("min_business_age_months", "")).strip() or None,
        "max_business_age_months": str(data.get("max_business_age_months", "")).strip() or None,
        "excluded_kved": [
            c for c in str(data.get("excluded_kved", "")).replace(";", ",").split(",") if c.strip()
        ],
        "required_programme_id": str(data.get("required_programme_id", "")).strip() or None,
        "max_employees": str(data.get("max_employees", "")).strip() or None,
        "one_active_grant": "one_active_grant" in data,
    }
    for group in ("priorities", "priorities.women_led_thresholds"):
        section = (
            fields["priorities"]
            if group == "priorities"
            else fields["priorities"]["women_led_thresholds"]
        )
        for key in [k for k, v in section.items() if v is None]:
            del section[key]  # unreadable or empty: the default applies (and the error is shown)
    return fields, errors


def _criteria(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = values_of(data, "criterion_key")
    names = values_of(data, "criterion_name_uk")
    names_en = values_of(data, "criterion_name_en")
    descriptions = values_of(data, "criterion_description")
    weights = values_of(data, "criterion_weight")
    scores = values_of(data, "criterion_max")
    taken = {k for k in keys if k}
    rows = []
    for i, name in enumerate(names):
        weight = weights[i] if i < len(weights) else ""
        score = scores[i] if i < len(scores) else ""
        if not (name.strip() or weight.strip()):
            continue  # an empty row
        key = keys[i] if i < len(keys) and keys[i] else _free_key("c", taken)
        rows.append(
            {
                "key": key,
                "name_uk": name.strip(),
                "name_en": (names_en[i] if i < len(names_en) else "").strip(),
                "description": (descriptions[i] if i < len(descriptions) else "").strip(),
                "weight": weight.strip().replace(",", ".") or None,
                "max_score": score.strip() or None,
            }
        )
    return rows


def _questions(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    keys = values_of(data, "question_key")
    labels_uk = values_of(data, "question_label_uk")
    labels_en = values_of(data, "question_label_en")
    required = set(values_of(data, "question_required"))
    taken = {k for k in keys if k}
    rows = []
    for i, label in enumerate(labels_uk):
        label_en = labels_en[i] if i < len(labels_en) else ""
        if not (label.strip() or label_en.strip()):
            continue
        key = keys[i] if i < len(keys) and keys[i] else _free_key("q", taken)
        rows.append(
            {
                "key": key,
                "label_uk": label.strip(),
                "label_en": label_en.strip(),
                "required": str(i) in required,
            }
        )
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f").replace(".", ",")
    return str(value)


def _local(moment: datetime | None) -> str:
    return moment.astimezone(KYIV).strftime("%Y-%m-%dT%H:%M") if moment else ""


def form_values(call: GrantCall | None) -> dict[str, Any]:
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
    values: dict[str, Any] = {key: getattr(call, key) for key in TEXTS}
    values |= {
        "budget": hryvnias_text(call.budget_kop),
        "min_grant": hryvnias_text(call.min_grant_kop),
        "max_grant": hryvnias_text(call.max_grant_kop),
        "own_contribution_pct": _text(Decimal(call.own_contribution_pct)),
        "threshold": _text(Decimal(call.threshold)),
        "evaluators_per_application": str(call.evaluators_per_application),
        "opens_at": _local(call.opens_at),
        "closes_at": _local(call.closes_at),
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
    for group in GROUPS:
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
    values["legal_forms"] = values_of(data, "legal_forms")
    values["criteria"] = _criteria(data)
    values["questions"] = _questions(data)
    return values


def keep_unchanged_times(
    fields: dict[str, Any], data: Mapping[str, Any], call: GrantCall
) -> dict[str, Any]:
    """The fields without the opening and closing times the officer left as shown.

    A `datetime-local` input shows minutes only, so a time with seconds would otherwise
    "change" on every save and log a spurious amendment."""
    kept = dict(fields)
    for key in ("opens_at", "closes_at"):
        if str(data.get(key, "")).strip() == _local(getattr(call, key)):
            kept.pop(key, None)
    return kept


CHANGE_LABELS = {
    "title_uk": N_("Title in Ukrainian"),
    "title_en": N_("Title in English"),
    "description_uk": N_("Description in Ukrainian"),
    "description_en": N_("Description in English"),
    "budget_kop": N_("Budget"),
    "min_grant_kop": N_("Minimum grant"),
    "max_grant_kop": N_("Maximum grant"),
    "own_contribution_pct": N_("Own contribution, % of the project cost"),
    "opens_at": N_("Opens"),
    "closes_at": N_("Closes"),
    "threshold": N_("Quality threshold"),
    "evaluators_per_application": N_("Evaluators per application"),
    "blind_review": N_("Blind review"),
    "criteria": N_("Criteria"),
    "priorities": N_("Priorities"),
    "eligibility": N_("Who can apply"),
    "questions": N_("Questions of the application form"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


def _shown(key: str, value: Any) -> str:
    """One side of a logged change, as people read it."""
    if value is None or value == "":
        return "—"
    if key.endswith("_kop") and isinstance(value, int):
        return format_money(value)
    if key in ("opens_at", "closes_at") and isinstance(value, str):
        try:
            return format_datetime_kyiv(datetime.fromisoformat(value), "d MMMM y, HH:mm")
        except ValueError:
            return value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key == "criteria" and isinstance(value, list):
        return "; ".join(
            f"{criterion_name(c, current_locale.get())}"
            f" (×{c.get('weight', '')}, ≤ {c.get('max_score', '')})"
            for c in value
            if isinstance(c, dict)
        )
    if key == "questions" and isinstance(value, list):
        return "; ".join(str(q.get("label_uk", "")) for q in value if isinstance(q, dict))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def describe_changes(changes: Mapping[str, Any]) -> list[Change]:
    """A logged amendment's `changes` ({field: {before, after}}) with labels and values in
    the reader's language."""
    described = []
    for key, change in changes.items():
        label = CHANGE_LABELS.get(key)
        before = change.get("before") if isinstance(change, dict) else None
        after = change.get("after") if isinstance(change, dict) else change
        described.append(
            Change(_(label) if label else key, _shown(key, before), _shown(key, after))
        )
    return described
