"""A refused form's messages by field, for the page that shows the form again."""

from litestar.exceptions import HTTPException

from sme_hub.core.errors import InvalidInput


def refusal_errors(exc: HTTPException, field: str = "__all__") -> dict[str, str]:
    """An InvalidInput's own messages by field, else the refusal's detail on `field`."""
    if isinstance(exc, InvalidInput):
        return exc.errors
    return {field: str(exc.detail)}
