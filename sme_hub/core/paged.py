"""One page of an API list, each row read as its schema."""

from collections.abc import Iterable
from typing import Any, TypeVar

from litestar.pagination import OffsetPagination
from pydantic import BaseModel

from sme_hub.core.pagination import PageParams

R = TypeVar("R", bound=BaseModel)


def page_of(
    model: type[R], rows: Iterable[Any], total: int, page: PageParams
) -> OffsetPagination[R]:
    """The page `page` asked for of a list of `total` rows, each read as `model`."""
    items = [model.model_validate(row) for row in rows]
    return OffsetPagination(items=items, limit=page.limit, offset=page.offset, total=total)
