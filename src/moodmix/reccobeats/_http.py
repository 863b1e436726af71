"""The httpx client the ReccoBeats client sends through, made cheaper per request: no cookie
jar, a read response's stream released, and request URLs parsed once.

    http = CookielessClient(base_url=url, http2=True, timeout=DEFAULT_TIMEOUT)
    response = await http.send(http.build_request("GET", absolute_url(url, "/v1/track?ids=a")))
"""

from __future__ import annotations

import functools
from typing import Final

import httpx


@functools.lru_cache(maxsize=512)
def absolute_url(base: str, target: str) -> httpx.URL:
    """``target`` (a path and query) on ``base``, parsed once: httpx checks every character of
    a URL it is given as text, twice when it joins it to the base, and a batch URL of 40 ids
    is long. A retry, a dedup leader's second try and a refresh ask the same URL again."""
    return httpx.URL(base.rstrip("/") + "/" + target.lstrip("/"))


class _NoCookies(httpx.Cookies):
    def extract_cookies(self, response: httpx.Response) -> None:
        """Keep nothing."""


_NO_COOKIES: Final = _NoCookies()
"""Empty for good: nothing adds to it (``extract_cookies`` keeps nothing, the setter ignores)."""


_READ: Final = httpx.ByteStream(b"")
"""What a response's stream is once its body has been read (it is never read again)."""


class CookielessClient(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` that keeps no cookies. ReccoBeats sets none, and httpx would
    otherwise build a ``urllib`` request from every response (parsing its URL again) to
    look for them: a tenth of the client's own work on a 429.

    Once a response's body is read, its stream is replaced by an empty one: httpx's stream
    refers back to its response (to time it when it closes), a cycle that left every
    response, its request and headers to the cyclic garbage collector."""

    async def send(
        self,
        request: httpx.Request,
        *,
        stream: bool = False,
        auth: httpx._types.AuthTypes | httpx._client.UseClientDefault | None = (
            httpx.USE_CLIENT_DEFAULT
        ),
        follow_redirects: bool | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> httpx.Response:
        response = await super().send(
            request, stream=stream, auth=auth, follow_redirects=follow_redirects
        )
        if not stream:
            response.stream = _READ
        return response

    @property
    def cookies(self) -> httpx.Cookies:
        return _NO_COOKIES

    @cookies.setter
    def cookies(self, cookies: object) -> None:
        """Ignored: this client sends and keeps no cookies."""
