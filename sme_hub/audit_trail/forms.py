"""Parsing the audit page's form: the object (`type` and `id`, or `object=type:id`) and the
filters, as plain strings."""

from collections.abc import Mapping

FIELDS = ("object", "actor", "action", "since", "until")


def parse_trail_form(params: Mapping[str, object]) -> dict[str, str]:
    """Every field of the form, stripped; `object` and `type`/`id` filled from each other."""
    values = {key: str(params.get(key) or "").strip() for key in (*FIELDS, "type", "id")}
    if values["type"] or values["id"]:
        values["object"] = f"{values['type']}:{values['id']}"
    elif values["object"]:
        values["type"], _sep, values["id"] = values["object"].partition(":")
    return values
