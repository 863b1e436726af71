"""Authorization Code with PKCE: the verifier, its challenge, the state and the authorize URL.

A sign-in keeps ``verifier`` and ``state`` on the server side, sends the browser to
``authorize_url(...)`` and, when Spotify redirects back, checks the state and exchanges the
code with the verifier (``SpotifyAccounts.exchange_code``)::

    pkce = Pkce.new()
    state = new_state()
    url = authorize_url(ACCOUNTS, client_id="abc", redirect_uri="http://127.0.0.1:8000/auth/callback",
                        state=state, challenge=pkce.challenge)
    challenge_for(pkce.verifier) == pkce.challenge     # True: base64url(SHA-256(verifier))

Redirect URIs follow Spotify's rules (``check_redirect_uri``): HTTPS, or an explicit loopback
address over HTTP (``127.0.0.1`` or ``[::1]``); ``localhost`` is refused.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlencode, urlsplit

SCOPES: Final = (
    "user-read-private",
    "user-top-read",
    "playlist-modify-private",
    "playlist-modify-public",
    "ugc-image-upload",
)
"""What moodmix asks for: the profile, top items, saving playlists and their covers."""

_VERIFIER_BYTES: Final = 64
"""86 base64url characters: within RFC 7636's 43 to 128."""
_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "::1"})


def challenge_for(verifier: str) -> str:
    """``base64url(SHA-256(verifier))`` without padding: the S256 code challenge."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Pkce:
    """A fresh verifier (kept secret, out of ``repr``) and the challenge sent with the
    authorize request."""

    verifier: str = field(repr=False)
    challenge: str
    method: str = "S256"

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(_VERIFIER_BYTES)
        return cls(verifier, challenge_for(verifier))


def new_state() -> str:
    """An unguessable value that ties a callback to the sign-in that started it."""
    return secrets.token_urlsafe(24)


def check_redirect_uri(uri: str) -> str:
    """``uri`` if Spotify would accept it as a redirect URI; ``ValueError`` saying why not."""
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return uri
    if parts.scheme == "http":
        if parts.hostname in _LOOPBACK_HOSTS:
            return uri
        if parts.hostname == "localhost":
            raise ValueError(
                f"redirect URI {uri!r}: Spotify refuses 'localhost'; use http://127.0.0.1:PORT/..."
            )
    raise ValueError(
        f"redirect URI {uri!r} must be HTTPS, or HTTP on 127.0.0.1 or [::1] (a loopback address)"
    )


def authorize_url(
    accounts_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    challenge: str,
    scopes: tuple[str, ...] = SCOPES,
) -> str:
    """Where to send the browser to sign in (``GET {accounts_url}/authorize?...``)."""
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "redirect_uri": check_redirect_uri(redirect_uri),
            "state": state,
            "scope": " ".join(scopes),
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{accounts_url.rstrip('/')}/authorize?{query}"
