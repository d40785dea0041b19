"""The grant forms as the pages send them, read into the API's shapes: pure functions, no I/O.

In the call form, criteria and questions are rows of repeated fields whose keys are kept in
hidden fields (new rows get the next free `c<n>` / `q<n>`); amounts are typed in hryvnias,
percentages as people write them (`20` or `12,5`), times in Kyiv time."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from sme_hub.core.errors import InvalidInput
from sme_hub.core.forms import field_errors, parse_form
from sme_hub.core.i18n import KYIV, N_, _
from sme_hub.core.money import parse_hryvnias
from sme_hub.grants.call_schemas import CallCreate, CallUpdate
from sme_hub.grants.rules import SCREENING_QUESTIONS
from sme_hub.grants.schemas import ApplicationIn, AssistedDraft, EligibilityDecision
from sme_hub.partners.schemas import CallPartnersIn

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


def without(data: ApplicationIn, errors: Mapping[str, str]) -> ApplicationIn:
    """`data` less the fields the service refused (jobs are checked as a pair)."""
    bad = {key.split(".")[0] for key in errors}
    if "jobs_women" in bad:
        bad.add("jobs_total")
    kept = {k: v for k, v in data.model_dump(exclude_unset=True).items() if k not in bad}
    return ApplicationIn.model_validate(kept)


# --- the officer's call form --------------------------------------------------------------

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
    fields["criteria"] = criteria_rows(data)
    fields["questions"] = question_rows(data)
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


def criteria_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
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


def question_rows(data: Mapping[str, Any]) -> list[dict[str, Any]]:
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


def local_time(moment: datetime | None) -> str:
    """A moment as a `datetime-local` input shows it (Kyiv time, minutes)."""
    return moment.astimezone(KYIV).strftime("%Y-%m-%dT%H:%M") if moment else ""


def keep_unchanged_times(
    fields: dict[str, Any], data: Mapping[str, Any], call: Any
) -> dict[str, Any]:
    """The fields without the opening and closing times the officer left as shown.

    A `datetime-local` input shows minutes only, so a time with seconds would otherwise
    "change" on every save and log a spurious amendment."""
    kept = dict(fields)
    for key in ("opens_at", "closes_at"):
        if str(data.get(key, "")).strip() == local_time(getattr(call, key)):
            kept.pop(key, None)
    return kept


def parse_call(data: Mapping[str, Any]) -> tuple[CallCreate | None, dict[str, str]]:
    """A new call from the officer's form, or the problems."""
    fields, errors = call_from_form(data)
    return _validated(CallCreate, fields, errors)


def parse_call_changes(
    data: Mapping[str, Any], call: Any
) -> tuple[CallUpdate | None, dict[str, str]]:
    """The changes to a call: to a draft as they are, to a published call as an amendment
    with its reason."""
    fields, errors = call_from_form(data)
    fields = keep_unchanged_times(fields, data, call)
    if call.status != "draft":
        fields["amendment_reason"] = str(data.get("amendment_reason", "")).strip()
    return _validated(CallUpdate, fields, errors)


def _validated(
    model: Any, fields: dict[str, Any], errors: dict[str, str]
) -> tuple[Any, dict[str, str]]:
    if errors:
        return None, errors
    try:
        return parse_form(model, fields), {}
    except InvalidInput as exc:
        return None, exc.errors


# --- partners, assisted filing, eligibility -----------------------------------------------


def _ticked(data: Mapping[str, Any]) -> list[int]:
    value = data.get("partner_id", [])
    values = value if isinstance(value, list) else [value]
    return list(dict.fromkeys(int(v) for v in values if str(v).isdigit()))


def posted_partners(data: Mapping[str, Any]) -> dict[int, str]:
    """The ticked partners, in the order shown, and the service chosen for each."""
    return {pid: str(data.get(f"service_{pid}", "")).strip() for pid in _ticked(data)}


def partners_in(chosen: dict[int, str]) -> CallPartnersIn:
    items = [{"partner_id": pid, "service": service} for pid, service in chosen.items()]
    return parse_form(CallPartnersIn, {"partners": items})


ASSIST_FIELDS = ("entrepreneur_id", "call_id", "consent", "consent_method", "consent_note")


def assist_values(data: Mapping[str, Any]) -> dict[str, str]:
    """The assisted-filing form as typed."""
    return {key: str(data.get(key, "")) for key in ASSIST_FIELDS}


def parse_assisted_draft(
    data: Mapping[str, Any],
) -> tuple[tuple[int, AssistedDraft] | None, dict[str, str]]:
    """The call chosen and the draft for a consenting client, or the problems."""
    values = assist_values(data)
    errors: dict[str, str] = {}
    if not values["call_id"].isdigit():
        errors["call_id"] = _("Choose an open call.")
    draft = None
    try:
        draft = parse_form(
            AssistedDraft,
            {
                "entrepreneur_id": values["entrepreneur_id"],
                "consent": values["consent"] == "yes" or "",
                "consent_method": values["consent_method"] or "in_person",
                "consent_note": values["consent_note"],
            },
        )
    except InvalidInput as exc:
        errors |= exc.errors
    if not values["entrepreneur_id"].isdigit():
        errors["entrepreneur_id"] = _("Choose a client.")
    if "consent" in errors:
        errors["consent"] = _("Record that the client agreed before you prepare an application.")
    if errors or draft is None:
        return None, errors
    return (int(values["call_id"]), draft), {}


def eligibility_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {"eligible": data.get("eligible", ""), "reason": data.get("reason", "")}


def parse_eligibility(data: Mapping[str, Any]) -> tuple[EligibilityDecision | None, dict[str, str]]:
    """The decision, or the problems."""
    decision, errors = _validated(EligibilityDecision, eligibility_values(data), {})
    return decision, errors
