"""The stand-in's accounts service: PKCE sign-in, single-use codes, expiring tokens, refresh.

::

    signin = SignIn(SignInConfig(client_id="moodmix", redirect_uris=("http://127.0.0.1:8000/cb",)))
    target = signin.authorize(query)      # the redirect back: ?code=...&state=... or ?error=...
    answer = signin.token(form)           # (200, {"access_token", ...}) or (400, {"error", ...})
    grant = signin.grant("Bearer abc")    # who a token stands for, or why not (an ApiError)

Codes live ``code_ttl_s`` and are good once, for the challenge and redirect they were made
for; access tokens live ``token_ttl_s``; a refresh gives a new access token and, every other
time, a new refresh token (the old one stays good), as Spotify may or may not send one.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Final
from urllib.parse import urlencode, urlsplit

from moodmix.clock import Clock, monotonic

Json = dict[str, Any]
_LOOPBACK: Final = frozenset({"127.0.0.1", "::1"})


@dataclass(frozen=True)
class SignInConfig:
    client_id: str = "moodmix-offline"
    redirect_uris: tuple[str, ...] = ()
    """Registered exactly; an explicit loopback address or HTTPS, never 'localhost'."""
    consent: str = "auto"
    """``auto``: the test user agrees at once; ``deny``: they refuse (``access_denied``)."""
    user: str = "listener-1"
    code_ttl_s: float = 60.0
    token_ttl_s: float = 3600.0


@dataclass(frozen=True)
class Grant:
    user: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float = 0.0


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    challenge: str
    expires_at: float


@dataclass
class SignIn:
    config: SignInConfig
    clock: Clock = monotonic
    _codes: dict[str, _Code] = field(default_factory=dict)
    _access: dict[str, Grant] = field(default_factory=dict)
    _refresh: dict[str, Grant] = field(default_factory=dict)
    _refreshes: int = 0

    def register(self, redirect_uri: str) -> None:
        """Add a redirect URI to the app (the dashboard step of a real app)."""
        _check_redirect(redirect_uri)
        if redirect_uri not in self.config.redirect_uris:
            uris = (*self.config.redirect_uris, redirect_uri)
            self.config = replace(self.config, redirect_uris=uris)

    def authorize(self, query: dict[str, str]) -> tuple[int, str | Json]:
        """``(302, location)`` back to the app, or ``(400, error)`` when the app itself is
        wrong (unknown client, unregistered redirect, no S256 challenge)."""
        redirect = query.get("redirect_uri", "")
        if query.get("client_id") != self.config.client_id:
            return 400, {"error": "invalid_client", "error_description": "Invalid client"}
        if redirect not in self.config.redirect_uris:
            return 400, {"error": "invalid_request", "error_description": "Invalid redirect URI"}
        if query.get("response_type") != "code":
            return 400, {"error": "unsupported_response_type", "error_description": "code only"}
        challenge = query.get("code_challenge", "")
        if query.get("code_challenge_method") != "S256" or not challenge:
            return 400, {"error": "invalid_request", "error_description": "S256 challenge needed"}
        state = query.get("state", "")
        if self.config.consent != "auto":
            return 302, _back(redirect, {"error": "access_denied", "state": state})
        code = secrets.token_urlsafe(32)
        scopes = frozenset(query.get("scope", "").split())
        grant = Grant(self.config.user, self.config.client_id, scopes)
        self._codes[code] = _Code(grant, redirect, challenge, self.clock() + self.config.code_ttl_s)
        return 302, _back(redirect, {"code": code, "state": state})

    def token(self, form: dict[str, str]) -> tuple[int, Json]:
        """The token endpoint: a code exchange or a refresh."""
        if form.get("client_id") != self.config.client_id:
            return 400, {"error": "invalid_client", "error_description": "Invalid client"}
        kind = form.get("grant_type")
        if kind == "authorization_code":
            return self._exchange(form)
        if kind == "refresh_token":
            return self._renew(form)
        return 400, {"error": "unsupported_grant_type", "error_description": str(kind)[:40]}

    def grant(self, authorization: str | None) -> Grant | str:
        """The grant behind an ``Authorization: Bearer`` header, or the 401 message."""
        if not authorization or not authorization.startswith("Bearer "):
            return "No token provided"
        grant = self._access.get(authorization[len("Bearer ") :])
        if grant is None:
            return "Invalid access token"
        if self.clock() >= grant.expires_at:
            return "The access token expired"
        return grant

    def revoke(self, refresh_token: str) -> None:
        """Forget a refresh token (sign-out)."""
        self._refresh.pop(refresh_token, None)

    def _exchange(self, form: dict[str, str]) -> tuple[int, Json]:
        code = self._codes.pop(form.get("code", ""), None)  # single use, even when refused
        if code is None or self.clock() >= code.expires_at:
            return 400, _invalid("Invalid authorization code")
        if form.get("redirect_uri") != code.redirect_uri:
            return 400, _invalid("Invalid redirect URI")
        if _challenge(form.get("code_verifier", "")) != code.challenge:
            return 400, _invalid("code_verifier was incorrect")
        refresh = secrets.token_urlsafe(48)
        self._refresh[refresh] = code.grant
        return 200, {**self._issue(code.grant), "refresh_token": refresh}

    def _renew(self, form: dict[str, str]) -> tuple[int, Json]:
        grant = self._refresh.get(form.get("refresh_token", ""))
        if grant is None:
            return 400, _invalid("Invalid refresh token")
        answer = self._issue(grant)
        self._refreshes += 1
        if self._refreshes % 2 == 0:  # sometimes a new refresh token, sometimes none
            refresh = secrets.token_urlsafe(48)
            self._refresh[refresh] = grant
            answer["refresh_token"] = refresh
        return 200, answer

    def _issue(self, grant: Grant) -> Json:
        access = secrets.token_urlsafe(48)
        expires_at = self.clock() + self.config.token_ttl_s
        self._access[access] = Grant(grant.user, grant.client_id, grant.scopes, expires_at)
        return {
            "access_token": access,
            "token_type": "Bearer",
            "scope": " ".join(sorted(grant.scopes)),
            "expires_in": int(self.config.token_ttl_s),
        }


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _invalid(description: str) -> Json:
    return {"error": "invalid_grant", "error_description": description}


def _back(redirect_uri: str, params: dict[str, str]) -> str:
    joiner = "&" if urlsplit(redirect_uri).query else "?"
    return redirect_uri + joiner + urlencode(params)


def _check_redirect(uri: str) -> None:
    parts = urlsplit(uri)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return
    raise ValueError(f"redirect URI {uri!r}: HTTPS, or HTTP on 127.0.0.1 or [::1] only")
