"""PDFs: a Jinja template (templates/<feature>/pdf/…) rendered to HTML, then to PDF by
WeasyPrint — always in a worker thread, never on the event loop.

WeasyPrint's layout is CPU work of a few tens of milliseconds per page; running it on the
event loop would stall every other request of the process meanwhile. The threads come from a
small pool of our own (`PDF_THREADS`), so a batch of certificates can never take all of the
default executor's threads, and each thread keeps its own font configuration and image cache
(WeasyPrint's objects are not shared between threads; fontconfig's lookups are the slow part,
so they are paid once per thread, not once per PDF).

WeasyPrint is imported on the first PDF a process makes, not at start-up: it costs ~27 MB of
memory per server worker (and parses its stylesheets), and most workers never make a PDF.

Only local resources are loaded: `data:` URIs (QR codes) and files under the templates
folder. Anything else (http, https, …) is refused, so a PDF never waits on the network and
user data in a template cannot make the server fetch a URL. Fonts are the system's
(DejaVu/Noto) through fontconfig.
"""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING, Any

import segno
from jinja2 import Environment

from sme_hub.config import TEMPLATES_DIR
from sme_hub.core.i18n import current_locale
from sme_hub.core.templating import jinja_environment

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

# Two threads: enough for a user's PDF beside a running batch; WeasyPrint mostly holds the GIL,
# so more threads would not make more PDFs per second, only slow the web requests down.
PDF_THREADS = 2

_executor = ThreadPoolExecutor(max_workers=PDF_THREADS, thread_name_prefix="pdf")
_local = threading.local()
_TEMPLATES_URL = TEMPLATES_DIR.as_uri() + "/"


class PdfResourceRefused(ValueError):
    """A template asked for a resource that is not local."""


def qr_code(data: str, *, color: str = "#1f2f4d") -> str:
    """A QR code of `data` as an SVG data URI, for an <img> (templates: `qr_code(url)`).
    Made while the template renders, so in the PDF thread too (it takes ~15 ms)."""
    uri: str = segno.make(data, error="m").svg_data_uri(scale=4, border=0, dark=color, nl=False)
    return uri


@cache
def _environment() -> Environment:
    environment = jinja_environment()
    environment.globals["qr_code"] = qr_code
    return environment


def _font_config() -> "FontConfiguration":
    from weasyprint.text.fonts import FontConfiguration

    config: FontConfiguration | None = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def _image_cache() -> dict[str, Any]:
    images: dict[str, Any] | None = getattr(_local, "images", None)
    if images is None:
        images = _local.images = {}
    return images


@cache
def _fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """WeasyPrint's fetcher limited to `data:` URIs and files under the templates folder."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:") or url.startswith(_TEMPLATES_URL):
                return super().fetch(url, headers)
            raise PdfResourceRefused(f"PDFs load local resources only, not {url[:80]}")

    return LocalOnlyFetcher


def _fetcher() -> Any:
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        fetcher = _local.fetcher = _fetcher_class()()
    return fetcher


def render_html(template_name: str, context: dict[str, Any], *, locale: str) -> str:
    """The template rendered in `locale` (its gettext and formatting follow the locale)."""
    token = current_locale.set(locale)
    try:
        return _environment().get_template(template_name).render(context)
    finally:
        current_locale.reset(token)


def render_pdf_sync(template_name: str, context: dict[str, Any], *, locale: str) -> bytes:
    """Blocking: HTML and PDF in the calling thread. Call `render_pdf` from async code."""
    from weasyprint import HTML

    html = render_html(template_name, context, locale=locale)
    document = HTML(string=html, base_url=_TEMPLATES_URL, url_fetcher=_fetcher())
    pdf: bytes = document.write_pdf(font_config=_font_config(), cache=_image_cache())
    return pdf


async def render_pdf(template_name: str, context: dict[str, Any], *, locale: str) -> bytes:
    """The PDF of `template_name` in `locale`, rendered in a PDF thread (off the event loop)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _executor, lambda: render_pdf_sync(template_name, context, locale=locale)
    )
