"""What a page's form came to, as a service says it (done, or refused with the page to show
again), and the answer a handler gives to it: a redirect with a message, or the page."""

from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from sme_hub.core.errors import Conflict, InvalidInput
from sme_hub.core.pages import redirect_with_message, render


@dataclass
class PageResult:
    """Done (go to `url`, telling `message`) or refused (the page again with `view`,
    answered with `status_code`)."""

    url: str = ""
    message: str = ""
    category: str = "success"
    view: dict[str, Any] = field(default_factory=dict)
    status_code: int = 200

    @property
    def done(self) -> bool:
        return bool(self.url)


def refusal(exc: InvalidInput | Conflict) -> tuple[dict[str, str], int]:
    """A refusal's messages by field (a conflict's for the whole form) and its status."""
    errors = exc.errors if isinstance(exc, InvalidInput) else {"__all__": exc.detail}
    return errors, exc.status_code


def respond(
    request: Request[Any, Any, Any], result: PageResult, template: str
) -> Template | Redirect:
    """POST → redirect → GET when done; else `template` again with what went wrong."""
    if result.done:
        return redirect_with_message(request, result.url, result.message, result.category)
    return render(request, template, status_code=result.status_code, **result.view)
