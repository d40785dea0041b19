"""The Jinja environment pages and emails share: templates folder, i18n, formatting helpers."""

from jinja2 import Environment, FileSystemLoader, select_autoescape

from sme_hub.config import TEMPLATES_DIR
from sme_hub.core.auth import role_label
from sme_hub.core.i18n import (
    current_locale,
    format_datetime_kyiv,
    format_day,
    format_money,
    gettext,
    lang_url,
    ngettext,
)


def translated_options(labels: dict[str, str]) -> list[tuple[str, str]]:
    """`{value: msgid}` as `(value, text)` pairs for a <select>, in the current language."""
    return [(value, gettext(msgid)) for value, msgid in labels.items()]


def jinja_environment() -> Environment:
    """A new environment; `.html` is autoescaped, `.txt` (email text, subjects) is not."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        auto_reload=False,
    )
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.globals.update(
        current_locale=current_locale.get,
        role_label=role_label,
        lang_url=lang_url,
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
