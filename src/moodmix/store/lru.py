"""A least-recently-used mapping bounded by entry count.

``cachetools.LRUCache`` would do the same, but this is twenty lines on ``OrderedDict`` and
keeps the L1 hit path to one dict lookup and one ``move_to_end``, with no size callbacks::

    lru: LRU[str, int] = LRU(max_entries=2)
    lru.set("a", 1); lru.set("b", 2); lru.get("a"); lru.set("c", 3)
    list(lru.keys())   # ['a', 'c']: 'b' was least recently used
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``max_entries`` items; inserting one more drops the least recently used.

    ``get`` returns ``None`` for an absent key, so values themselves should not be ``None``.
    """

    __slots__ = ("_data", "_max_entries", "evictions")

    def __init__(self, max_entries: int) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be an integer >= 1, got {max_entries!r}")
        self._data: OrderedDict[K, V] = OrderedDict()
        self._max_entries = max_entries
        self.evictions = 0

    @property
    def max_entries(self) -> int:
        return self._max_entries

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: K) -> V | None:
        """The value for ``key`` (marking it most recently used), or ``None``."""
        value = self._data.get(key)
        if value is not None:
            self._data.move_to_end(key)
        return value

    def peek(self, key: K) -> V | None:
        """The value for ``key`` without touching its recency, or ``None``."""
        return self._data.get(key)

    def set(self, key: K, value: V) -> None:
        """Insert or replace ``key`` as most recently used, evicting beyond the bound."""
        data = self._data
        data[key] = value
        data.move_to_end(key)
        while len(data) > self._max_entries:
            data.popitem(last=False)
            self.evictions += 1

    def pop(self, key: K) -> V | None:
        """Remove ``key`` and return its value, or ``None`` if absent."""
        return self._data.pop(key, None)

    def remove_where(self, predicate: Callable[[K, V], bool]) -> int:
        """Remove every item for which ``predicate(key, value)`` holds; return how many."""
        doomed = [key for key, value in self._data.items() if predicate(key, value)]
        for key in doomed:
            del self._data[key]
        return len(doomed)

    def clear(self) -> int:
        """Remove everything; return how many items there were."""
        count = len(self._data)
        self._data.clear()
        return count

    def keys(self) -> Iterator[K]:
        """Keys from least to most recently used."""
        return iter(list(self._data))

    def items(self) -> Iterator[tuple[K, V]]:
        """Items from least to most recently used."""
        return iter(list(self._data.items()))
