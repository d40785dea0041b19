"""The implementation feature's guards, the grants export both the API and the officer's
pages offer, what every implementation page's template uses, and the files of a grant both
the grantee's and the officer's pages serve."""

from typing import Any

from sme_hub.core.auth import requires_login, requires_role
from sme_hub.core.deps import Actor
from sme_hub.core.exports import Export
from sme_hub.core.roles import Role
from sme_hub.grants import schemas as grant_labels
from sme_hub.grants.display import size_text
from sme_hub.implementation import exports
from sme_hub.implementation import schemas as labels

officers = [requires_role(Role.MUNICIPAL_OFFICER, Role.ADMIN)]
signed_in = [requires_login]


async def grants_export(user: Actor) -> Export:
    """The grants `GET /grants` lists as CSV or XLSX (by the path), streamed."""
    return exports.grants_export(user)


def common_context() -> dict[str, Any]:
    """What every implementation page uses: status labels and file sizes."""
    return {"labels": labels, "grant_labels": grant_labels, "size": size_text}
