"""A base for what is used in ``async with`` and closed by ``aclose()``: the clients and the
gateway, so each says only how it closes::

    class Client(Closing):
        async def aclose(self) -> None:
            await self._http.aclose()

    async with Client() as client:     # aclose() on the way out, error or not
        ...
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Closing(ABC):
    """``async with`` gives the object itself and calls ``aclose()`` when the block ends."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @abstractmethod
    async def aclose(self) -> None:
        """Release what the object holds; it cannot be used afterwards."""
