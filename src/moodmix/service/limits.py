"""Request size limits, before any route reads a byte too many::

    app.add_middleware(BodyLimit, max_bytes=64 * 1024)

A declared ``Content-Length`` over the limit is refused at once. Any other body (chunked,
or of a length the server does not frame) is read here, up to one chunk past the limit,
before the app sees a byte of it, and handed on whole: an app or body parser never meets a
body that is too large, so none can turn it into another answer. Both answer ``413`` with
the limit in the message.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """ASGI middleware refusing request bodies larger than ``max_bytes``."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _framing(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)
            return
        if declared is not None and not chunked:
            # The server delivers no more than the declared length.
            await self.app(scope, receive, send)
            return
        first: Message | None = None
        parts: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                first = message
                break
            part = message.get("body", b"")
            size += len(part)
            if size > self.max_bytes:
                await self._refuse(send)
                return
            parts.append(part)
            if not message.get("more_body", False):
                break
        if first is None:
            first = {"type": "http.request", "body": b"".join(parts), "more_body": False}
        await self.app(scope, _replay(first, receive), send)

    async def _refuse(self, send: Send) -> None:
        body = orjson.dumps(
            {
                "error": "request_too_large",
                "message": f"the request body is larger than {self.max_bytes} bytes "
                "(MOODMIX_MAX_BODY_BYTES)",
                "limit": self.max_bytes,
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _replay(first: Message, receive: Receive) -> Receive:
    """``receive`` that answers ``first`` once, then whatever the server says next."""
    pending: list[Message] = [first]

    async def replayed() -> Message:
        if pending:
            return pending.pop()
        return await receive()

    return replayed


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared ``Content-Length`` (``None``: none or unreadable) and whether the body
    is sent with ``Transfer-Encoding``."""
    declared: int | None = None
    chunked = False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = None
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked
