"""The view model of a list page filtered from its query string: one page of rows, the filters
as typed with what is wrong in them, and the query string the next pages keep."""

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode


def typed_filters(given: Mapping[str, str | None]) -> dict[str, str]:
    """The filters as the reader typed them (trimmed; a missing one empty)."""
    return {key: (value or "").strip() for key, value in given.items()}


def filtered_page(
    name: str,
    items: Sequence[Any],
    total: int,
    *,
    limit: int,
    offset: int,
    values: Mapping[str, str],
    errors: Mapping[str, str],
) -> dict[str, Any]:
    """`items` under `name`, with what the page's pager and filter form need."""
    return {
        name: items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "query": urlencode({k: v for k, v in values.items() if v} | {"limit": limit}),
        "values": values,
        "errors": errors,
    }
