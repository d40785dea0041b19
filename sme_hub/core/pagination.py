"""List paging for the API: `?limit=&offset=` in, `{"items", "total", ...}` out."""

from dataclasses import dataclass
from typing import Annotated

from litestar.params import QueryParameter


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


def provide_page_params(
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
    offset: Annotated[int, QueryParameter(name="offset", ge=0)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)
