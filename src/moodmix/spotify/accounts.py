"""Spotify's accounts service: the sign-in URL, code exchange and refresh (PKCE, no secret).

::

    accounts = SpotifyAccounts(client_id="abc")
    pkce, state = Pkce.new(), new_state()
    url = accounts.authorize_url(redirect_uri=CALLBACK, state=state, challenge=pkce.challenge)
    ...                                   # the browser comes back with ?code=...&state=...
    token = await accounts.exchange_code(code, redirect_uri=CALLBACK, verifier=pkce.verifier)
    token = await accounts.refresh(token.refresh_token)   # keeps the old refresh token if
                                                          # Spotify sends no new one

A refused exchange (wrong verifier or redirect, a used or expired code) is ``AuthError`` with
Spotify's code (``invalid_grant``); tokens never appear in errors or logs.
"""

from __future__ import annotations

from typing import Final

import httpx

from moodmix.closing import Closing
from moodmix.spotify._responses import accounts_error, parse
from moodmix.spotify.client import DEFAULT_TIMEOUT
from moodmix.spotify.errors import SpotifyUnavailable
from moodmix.spotify.models import Token
from moodmix.spotify.pkce import SCOPES, authorize_url, check_redirect_uri

DEFAULT_ACCOUNTS_URL: Final = "https://accounts.spotify.com"
_TOKEN: Final = "/api/token"


class SpotifyAccounts(Closing):
    """The accounts service for one app (``client_id``), over its own pool of connections."""

    def __init__(
        self,
        base_url: str = DEFAULT_ACCOUNTS_URL,
        *,
        client_id: str,
        timeout: httpx.Timeout | float | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not client_id.strip():
            raise ValueError("a Spotify client id is needed (MOODMIX_SPOTIFY_CLIENT_ID)")
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def authorize_url(
        self, *, redirect_uri: str, state: str, challenge: str, scopes: tuple[str, ...] = SCOPES
    ) -> str:
        """Where to send the browser to sign in."""
        return authorize_url(
            self.base_url,
            client_id=self.client_id,
            redirect_uri=redirect_uri,
            state=state,
            challenge=challenge,
            scopes=scopes,
        )

    async def exchange_code(self, code: str, *, redirect_uri: str, verifier: str) -> Token:
        """The tokens for a sign-in's ``code`` (single-use), proven by the PKCE ``verifier``."""
        if not code or not verifier:
            raise ValueError("a code and its verifier are needed")
        return await self._token(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": check_redirect_uri(redirect_uri),
                "client_id": self.client_id,
                "code_verifier": verifier,
            }
        )

    async def refresh(self, refresh_token: str) -> Token:
        """A new access token; the refresh token is kept when Spotify sends no new one."""
        if not refresh_token:
            raise ValueError("a refresh token is needed")
        token = await self._token(
            {
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": self.client_id,
            }
        )
        if token.refresh_token is None:
            token = token.model_copy(update={"refresh_token": refresh_token})
        return token

    async def _token(self, form: dict[str, str]) -> Token:
        try:
            response = await self._http.post(_TOKEN, data=form)
        except httpx.TimeoutException:
            raise SpotifyUnavailable(
                "Spotify's sign-in did not answer in time", endpoint=_TOKEN
            ) from None
        except httpx.TransportError as exc:
            raise SpotifyUnavailable(
                f"cannot reach Spotify's sign-in: {type(exc).__name__}", endpoint=_TOKEN
            ) from None
        error = accounts_error(response, _TOKEN)
        if error is not None:
            raise error
        return parse(Token, response, _TOKEN)
