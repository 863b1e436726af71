"""uvicorn as moodmix runs it: one ``uvicorn.Config`` built from ``Settings``.

::

    config = server_config(create_app(settings), settings, host="127.0.0.1", port=8000)
    uvicorn.Server(config).run()              # or, inside a loop: await ...serve()

Every connection-level limit comes from ``MOODMIX_*`` (docs/CONFIGURATION.md; what they
guard against: docs/SERVICE.md, "Limits"):

- uvicorn options: ``limit_concurrency`` (``MOODMIX_LIMIT_CONCURRENCY``: past it a request
  gets 503), ``timeout_keep_alive`` (``MOODMIX_KEEP_ALIVE_S``), proxy headers only from
  ``MOODMIX_TRUSTED_PROXIES`` (none by default, so no peer can set its own address with
  ``X-Forwarded-For``), and ``log_config=None``, so uvicorn's records go through the
  application's logging instead of handlers of uvicorn's own.
- ``HeadLimitedHttpTools``, uvicorn's httptools protocol plus ``MOODMIX_MAX_HEADER_BYTES``
  and ``MOODMIX_HEADER_TIMEOUT_S``. It exists because uvicorn has neither: with httptools a
  request head may grow without bound (httptools joins a header's pieces in memory until it
  ends) and take forever to arrive, since the keep-alive timer stops at a request's first
  byte and no timer runs before it. h11 has a size limit (``h11_max_incomplete_event_size``)
  but no time limit either, and its parsing costs 4.5 times the CPU (docs/SERVICE.md,
  "Limits"). The subclass counts a head's bytes and times it: a head over the limit gets
  431, one not complete in time 408 (or, if nothing was sent, a plain close), and the
  connection is closed.

Under the ``uvicorn`` command the same protocol (with the default limits) is
``--http moodmix.service.server:HeadLimitedHttpTools``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar, Final

import orjson
import uvicorn
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from moodmix.settings import Settings

logger: Final = logging.getLogger(__name__)


def _default(field: str) -> Any:
    return Settings.model_fields[field].default


class HeadLimitedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a size and a time limit for every request head.

    A head starts with the connection or with the first byte after the previous request's
    body; it must end within ``max_head_bytes`` bytes and ``head_timeout_s`` seconds.
    ``protocol_for(settings)`` makes a subclass with the limits of ``settings``.
    """

    max_head_bytes: ClassVar[int] = _default("max_header_bytes")
    head_timeout_s: ClassVar[float] = _default("header_timeout_s")

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._awaiting_head = True
        self._head_bytes = 0
        self._heads_seen = 0
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._awaiting_head:
            super().data_received(data)
            return
        room = self.max_head_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            super().data_received(data)
        else:
            # The head must end within the room left; what follows it (a body) is fed after.
            heads_seen = self._heads_seen
            if room > 0:
                super().data_received(data[:room])
            if self._heads_seen == heads_seen:
                self._refuse(
                    431,
                    "request_head_too_large",
                    f"the request line and headers are larger than {self.max_head_bytes} "
                    "bytes (MOODMIX_MAX_HEADER_BYTES)",
                )
                return
            if self.transport.is_closing():
                return
            super().data_received(data[room:])
        # A whole head usually comes in one piece and starts a request: no clock needed. The
        # clock runs only when what came is part of a head, or nothing a request can use.
        if (
            self._awaiting_head
            and self._head_timer is None
            and (self.cycle is None or self.cycle.response_complete)
            and not self.transport.is_closing()
        ):
            self._start_head_clock()

    def on_headers_complete(self) -> None:
        self._awaiting_head = False
        self._heads_seen += 1
        self._head_bytes = 0
        if self._head_timer is not None:
            self._stop_head_clock()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._awaiting_head = True
        super().on_message_complete()

    def _start_head_clock(self) -> None:
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)

    def _stop_head_clock(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        answering = self.cycle is not None and not self.cycle.response_complete
        if self._head_bytes and not answering:
            self._refuse(
                408,
                "request_head_timeout",
                f"the request line and headers did not arrive within {self.head_timeout_s:g} s "
                "(MOODMIX_HEADER_TIMEOUT_S)",
            )
        else:
            self.transport.close()

    def _refuse(self, status: int, error: str, message: str) -> None:
        logger.info("%s from %s: %s", error, self.client, message)
        body = orjson.dumps({"error": error, "message": message})
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            b"content-type: application/json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join([*head, body]))
        self.transport.close()


def protocol_for(settings: Settings) -> type[HeadLimitedHttpTools]:
    """``HeadLimitedHttpTools`` with the head limits of ``settings``."""

    class Limited(HeadLimitedHttpTools):
        max_head_bytes = settings.max_header_bytes
        head_timeout_s = settings.header_timeout_s

    return Limited


def server_config(app: Any, settings: Settings, *, host: str, port: int) -> uvicorn.Config:
    """How uvicorn serves ``app`` on ``host:port`` under ``settings``' limits."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(settings),
        lifespan="on",
        log_config=None,
        log_level=settings.log_level,
        limit_concurrency=settings.limit_concurrency,
        timeout_keep_alive=settings.keep_alive_s,
        timeout_graceful_shutdown=int(settings.shutdown_grace_s) + 1,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=list(settings.trusted_proxies),
    )
