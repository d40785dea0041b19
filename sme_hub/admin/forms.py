"""Parsing the admin's forms: the one role of the user form, and its errors' field names."""

from typing import Any

from sme_hub.accounts.rules import ROLE_BINDING, Binding
from sme_hub.core.roles import Role


def grant_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """The one role of the admin's user form, with the organisation the role needs."""
    role = data.get("role", "")
    try:
        binding = ROLE_BINDING[Role(role)]
    except ValueError:
        return {"role": role}
    field = {
        Binding.MUNICIPALITY: "municipality_id",
        Binding.CENTRE: "centre_id",
        Binding.PARTNER: "partner_id",
    }.get(binding)
    grant: dict[str, Any] = {"role": role}
    if field and data.get(field):
        grant["organisation_id"] = data[field]
    if binding is Binding.OBLAST:
        grant["oblast"] = data.get("oblast", "")
    return grant


def user_from_form(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of an AdminUserCreate from the admin's user form (one role)."""
    fields = {k: data.get(k, "") for k in ("email", "full_name", "password", "locale")}
    return {**fields, "roles": [grant_from_form(data)]}


def user_form_errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors of the API's shape (`roles.0.organisation_id`) under the form's field names."""
    return {
        key.replace("roles.0.organisation_id", "organisation").replace("roles.0.", ""): message
        for key, message in errors.items()
    }
