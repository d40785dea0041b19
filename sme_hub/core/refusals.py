"""Refusals: the ones an API route answers, and a refused form's messages by field for the
page that shows the form again."""

from litestar.exceptions import HTTPException, NotAuthorizedException

from sme_hub.core.errors import Conflict, Forbidden, InvalidInput, NotFound

# What a route of the API may refuse with (its error responses in the schema).
ERRORS: list[type[HTTPException]] = [
    NotAuthorizedException,
    Forbidden,
    NotFound,
    Conflict,
    InvalidInput,
]


def refusal_errors(exc: HTTPException, field: str = "__all__") -> dict[str, str]:
    """An InvalidInput's own messages by field, else the refusal's detail on `field`."""
    if isinstance(exc, InvalidInput):
        return exc.errors
    return {field: str(exc.detail)}
