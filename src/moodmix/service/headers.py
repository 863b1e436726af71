"""Security headers on every answer, pages, JSON and static files alike (a 500 for an
unexpected exception is sent past this middleware, so ``errors`` adds ``DEFAULTS`` itself)::

    app.add_middleware(SecurityHeaders)  # DEFAULTS on every response

    # A page that needs a looser policy sends its own header, which is kept:
    relaxed = content_security_policy(style_src="'self' 'unsafe-inline'")
    return HTMLResponse(html, headers={"Content-Security-Policy": relaxed})

``POLICY`` lets a page run only the scripts and stylesheets the service itself serves: no
inline ``<script>``, event handler or ``style`` attribute, nothing from another host, and no
framing (``frame-ancestors 'none'``, and ``X-Frame-Options: DENY`` for browsers that predate
it). ``<script type="application/json">`` data blocks are not run, so the policy allows them.
``Referrer-Policy: no-referrer``: nothing in the service reads ``Referer``, and the pages link
out (to Spotify), which need not learn which moodmix page, or which host, a listener came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY: Final[Mapping[str, str]] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
"""The Content-Security-Policy's directives."""


def content_security_policy(**overrides: str) -> str:
    """``POLICY`` as a header value, with directives replaced (``style_src=`` is ``style-src``).

    >>> content_security_policy(img_src="'self'").split("; ")[3]
    "img-src 'self'"
    """
    replaced = {name.replace("_", "-"): value for name, value in overrides.items()}
    return "; ".join(f"{name} {value}" for name, value in {**POLICY, **replaced}.items())


DEFAULTS: Final[Mapping[str, str]] = {
    "Content-Security-Policy": content_security_policy(),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


class SecurityHeaders:
    """ASGI middleware adding ``headers`` to every HTTP response that does not set them."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str] = DEFAULTS) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
