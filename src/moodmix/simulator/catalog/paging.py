"""One page of a list in the API's paged shape; zero-based pages, totals always right.

::

    paged(range(45), page=2, size=20, render=str)
    # {"content": ["40", ..., "44"], "page": 2, "size": 20, "totalElements": 45, "totalPages": 3}
    paged(range(45), page=9, size=20, render=str)["content"]   # []: past the end
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def check_paging(page: int, size: int) -> None:
    """``ValueError`` unless ``page`` >= 0 and ``size`` >= 1 (both integers)."""
    if isinstance(page, bool) or not isinstance(page, int) or page < 0:
        raise ValueError(f"page must be an integer >= 0 (zero-based), got {page!r}")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be an integer >= 1, got {size!r}")


def paged(
    items: Sequence[T], *, page: int, size: int, render: Callable[[T], Any]
) -> dict[str, Any]:
    """Page ``page`` of ``items`` (``size`` a page), each rendered, with the totals."""
    check_paging(page, size)
    total = len(items)
    start = page * size
    return {
        "content": [render(item) for item in items[start : start + size]],
        "page": page,
        "size": size,
        "totalElements": total,
        "totalPages": -(-total // size),
    }
