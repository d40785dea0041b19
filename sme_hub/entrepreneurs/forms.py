"""Parsing the business profile wizard's forms (details, ownership, green) into the fields of
their schemas, and what a step's form shows."""

from typing import Any

from pydantic import BaseModel

from sme_hub.entrepreneurs import rules
from sme_hub.entrepreneurs.schemas import BusinessDetails, GreenIn, Ownership


def _values(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def details_from_form(data: dict[str, Any]) -> dict[str, Any]:
    fields = {key: str(data.get(key, "")).strip() for key in BusinessDetails.model_fields}
    for optional in ("tax_id_kind", "tax_id", "registered_on", "revenue_band"):
        if not fields[optional]:
            fields[optional] = None  # type: ignore[assignment]
    for number in ("employees_total", "employees_women"):
        fields[number] = fields[number] or "0"
    return fields


def ownership_from_form(data: dict[str, Any]) -> dict[str, Any]:
    owners = [
        {"gender": gender, "share_pct": share.replace(",", ".").strip()}
        for gender, share in zip(
            _values(data, "owner_gender"), _values(data, "owner_share"), strict=False
        )
        if share.strip()
    ]
    leaders = [
        {"role": role, "gender": gender}
        for role, gender in zip(
            _values(data, "leader_role"), _values(data, "leader_gender"), strict=False
        )
        if role
    ]
    return {
        "owners": owners,
        "leaders": leaders,
        "declared_groups": _values(data, "declared_groups"),
    }


def green_from_form(data: dict[str, Any]) -> dict[str, Any]:
    checked = set(_values(data, "green"))
    return {"answers": {key: key in checked for key in rules.GREEN_QUESTIONS}}


# Each step: the schema its form fills, and how the form becomes the schema's fields.
STEPS: dict[str, tuple[type[BaseModel], Any]] = {
    "details": (BusinessDetails, details_from_form),
    "ownership": (Ownership, ownership_from_form),
    "green": (GreenIn, green_from_form),
}
NEXT_STEP = {
    "details": "/me/business/ownership",
    "ownership": "/me/business/green",
    "green": "/me/business",
}


def form_values(profile: Any, step: str) -> dict[str, Any]:
    """What a step's form shows for a saved profile."""
    if profile is None:
        return {}
    if step == "details":
        values = {key: getattr(profile, key) for key in BusinessDetails.model_fields}
        values["registered_on"] = profile.registered_on.isoformat() if profile.registered_on else ""
        return {k: ("" if v is None else v) for k, v in values.items()}
    if step == "ownership":
        return {
            "owners": profile.owners,
            "leaders": profile.leaders,
            "declared_groups": profile.declared_groups,
        }
    return {"green": [k for k, v in profile.green_answers.items() if v]}


def values_typed(step: str, data: dict[str, Any]) -> dict[str, Any]:
    """Re-show what the user typed after a failed save."""
    fields = STEPS[step][1](data)
    if step == "details":
        return {k: ("" if v is None else v) for k, v in fields.items()}
    if step == "ownership":
        return dict(fields)
    return {"green": [k for k, v in fields["answers"].items() if v]}
