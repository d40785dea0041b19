"""List paging for the API: `?limit=&offset=` in, one page `{"items", "total", ...}` out,
each row read as its schema."""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from litestar.pagination import OffsetPagination
from litestar.params import QueryParameter
from pydantic import BaseModel

R = TypeVar("R", bound=BaseModel)


@dataclass(frozen=True)
class PageParams:
    limit: int
    offset: int


def provide_page_params(
    limit: Annotated[int, QueryParameter(name="limit", ge=1, le=500)] = 50,
    offset: Annotated[int, QueryParameter(name="offset", ge=0)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


def page_of(
    model: type[R], rows: Iterable[Any], total: int, page: PageParams
) -> OffsetPagination[R]:
    """The page `page` asked for of a list of `total` rows, each read as `model`."""
    items = [model.model_validate(row) for row in rows]
    return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)


async def listed(
    model: type[R],
    page: PageParams,
    fetch: Callable[..., Awaitable[tuple[Sequence[Any], int]]],
    *args: Any,
    **filters: Any,
) -> OffsetPagination[R]:
    """The page of a service's list `fetch(*args, **filters, limit=, offset=)`, as `model`."""
    rows, total = await fetch(*args, **filters, limit=page.limit, offset=page.offset)
    return page_of(model, rows, total, page)
