"""What a page's form came to, as a service says it (done; refused, with the page to show
again; or waiting for the confirmation of an irreversible action), and the answer a handler
gives to it: a redirect with a message, the page, or the confirmation page."""

from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.pages import confirmation, redirect_with_message, render
from sme_hub.core.refusals import refusal_errors


@dataclass
class PageResult:
    """Done (go to `url`, telling `message`), refused (the page again with `view`,
    answered with `status_code`), or to be confirmed first (`confirm`: the arguments of
    `core.pages.confirmation` but the request)."""

    url: str = ""
    message: str = ""
    category: str = "success"
    view: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200
    confirm: dict[str, Any] | None = None

    @property
    def done(self) -> bool:
        return bool(self.url)


def refusal(exc: InvalidInput | Conflict) -> tuple[dict[str, str], int]:
    """A refusal's messages by field (a conflict's for the whole form) and its status."""
    return refusal_errors(exc), exc.status_code


def respond(
    request: Request[Any, Any, Any],
    result: PageResult,
    template: str = "",
    *,
    fragment: str | None = None,
) -> Template | Redirect:
    """POST → redirect → GET when done; the confirmation page when one is wanted; else
    `template` (or its htmx `fragment`) again with what went wrong."""
    if result.confirm is not None:
        return confirmation(request, **result.confirm)
    if result.done:
        return redirect_with_message(request, result.url, result.message, result.category)
    return render(
        request, template, fragment=fragment, status_code=result.status_code, **result.view
    )
