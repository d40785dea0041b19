"""The Jinja environment pages and emails share: templates folder, i18n, formatting helpers."""

from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from sme_hub.config import TEMPLATES_DIR
from sme_hub.core import navigation
from sme_hub.core.i18n import (
    current_locale,
    format_datetime_kyiv,
    format_day,
    format_money,
    gettext,
    ngettext,
    pick,
)
from sme_hub.core.locale_web import lang_url
from sme_hub.core.public_cache import public_cache
from sme_hub.core.roles import role_label
from sme_hub.core.workflow import status_label


def translated_options(labels: dict[str, str]) -> list[tuple[str, str]]:
    """`{value: msgid}` as `(value, text)` pairs for a <select>, in the current language."""
    return [(value, gettext(msgid)) for value, msgid in labels.items()]


class Translation(Markup):
    """A translated message in an autoescaped template: trusted text (ours) whose
    `.format(...)` escapes the values put into it. Markup's own `format` does the same through
    string.Formatter in pure Python, which cost more than the rest of a list row; messages
    use plain `{name}` fields (no format specs), so str.format on escaped values is enough."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> "Translation":
        escaped = {key: escape(value) for key, value in kwargs.items()}
        return Translation(str.format(self, *map(escape, args), **escaped))


def _finish(context: Context, text: str, variables: dict[str, Any]) -> str:
    """Jinja's newstyle gettext semantics (`%(name)s` variables, `%%`), minus the work when
    there is nothing to substitute."""
    if context.eval_ctx.autoescape:
        text = Translation(text)
    return text % variables if variables or "%" in text else text


@pass_context
def _template_gettext(context: Context, message: str, **variables: Any) -> str:
    return _finish(context, gettext(message), variables)


@pass_context
def _template_ngettext(
    context: Context, singular: str, plural: str, n: int, **variables: Any
) -> str:
    variables.setdefault("num", n)
    return _finish(context, ngettext(singular, plural, n), variables)


@pass_context
def _template_status_label(context: Context, workflow: str, state: str) -> str:
    """The label of a workflow's state (core/workflow.py), translated like `_()`."""
    return _finish(context, status_label(workflow, state), {})


def kept_for_everyone(request: Any) -> bool:
    """Whether the page's route may be answered from the public cache (core/public_cache.py),
    so that nothing of one visitor's may be in it."""
    return public_cache in (getattr(request.scope.get("route_handler"), "middleware", None) or ())


def jinja_environment() -> Environment:
    """A new environment; `.html` is autoescaped, `.txt` (email text, subjects) is not."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    # Newstyle gettext, installed directly: the extension would wrap these callables in its
    # own (slower) newstyle wrappers and route `_` through one more lookup.
    environment.newstyle_gettext = True  # type: ignore[attr-defined]
    environment.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
    environment.globals.update(
        current_locale=current_locale.get,
        pick=pick,
        role_label=role_label,
        status_label=_template_status_label,
        site_header=navigation.header,
        lang_url=lang_url,
        kept_for_everyone=kept_for_everyone,
        format_money=format_money,
        format_datetime=format_datetime_kyiv,
    )
    environment.filters.update(
        money=format_money,
        kyiv=format_datetime_kyiv,
        day=format_day,
        options=translated_options,
    )
    return environment
