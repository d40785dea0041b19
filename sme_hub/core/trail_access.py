"""Who reads the audit trail: the role check every feature may ask before it shows a "History"
link (the audit_trail feature, which reads every feature's tables, decides for real)."""

from sme_hub.core.roles import CurrentUser, Role

# api.md: "admin, officer (own tenant)". Centre staff screen applications but do not read
# the log: it holds other staff's reads of personal data and officers' decisions.
READERS = (Role.ADMIN, Role.MUNICIPAL_OFFICER)
OFFICER = Role.MUNICIPAL_OFFICER


def may_read(user: CurrentUser | None, municipality_id: int | None = None) -> bool:
    """Whether a "History" link is worth showing (the service decides for real)."""
    if user is None:
        return False
    if user.is_admin:
        return True
    own = user.municipality_ids(OFFICER)
    return bool(own) if municipality_id is None else municipality_id in own
