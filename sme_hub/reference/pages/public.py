"""Fragments for reference/_picker.html (anyone): the options matching what was typed."""

from typing import Any

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from sme_hub.core.deps import DbSession, Req
from sme_hub.core.pages import PagesController, render
from sme_hub.reference import service


def _options(request: Req, found: tuple[list[Any], int], q: str) -> Template:
    """The picker's options for what was typed (`found`: the options and how many match)."""
    items, total = found
    return render(request, "reference/_options.html", items=items, total=total, q=q)


class ReferencePagesController(PagesController):
    path = "/reference"

    @get("/kved/options")
    async def kved_options(
        self, request: Req, db_session: DbSession, q: FromQuery[str] = ""
    ) -> Template:
        return _options(request, await service.kved_options(db_session, q), q)

    @get("/communities/options")
    async def community_options(
        self, request: Req, db_session: DbSession, q: FromQuery[str] = ""
    ) -> Template:
        return _options(request, await service.community_options(db_session, q), q)
