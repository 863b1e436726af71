"""Who is asking: optional API keys for clients, the admin token, and the client's identity.

::

    keys = ApiKeys(settings.api_keys)
    keys.required                       # False when MOODMIX_API_KEYS is empty
    keys.identify("s3cret")             # "key:1a2b3c4d5e6f" or None if not a known key
    admin_allowed(settings.admin_token, "t0ken")

Every comparison of a secret is constant-time and checks all keys, so timing tells nothing
about how much of a guess was right or which key it was close to.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from pydantic import SecretStr
from starlette.requests import Request

API_KEY_HEADER = "X-API-Key"
ADMIN_HEADER = "X-Admin-Token"


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


class ApiKeys:
    """The keys clients may present; none configured means none needed."""

    def __init__(self, keys: Sequence[SecretStr]) -> None:
        self._digests = [_digest(k.get_secret_value()) for k in keys if k.get_secret_value()]

    @property
    def required(self) -> bool:
        return bool(self._digests)

    def identify(self, presented: str | None) -> str | None:
        """The client id for a presented key, or ``None`` if it is not one of ours."""
        if presented is None:
            return None
        digest = _digest(presented)
        found = False
        for known in self._digests:
            found |= hmac.compare_digest(digest, known)
        return f"key:{digest.hex()[:12]}" if found else None


def presented_key(request: Request) -> str | None:
    """The key sent in ``X-API-Key`` or as ``Authorization: Bearer <key>``."""
    return request.headers.get(API_KEY_HEADER) or _bearer(request)


def presented_admin_token(request: Request) -> str | None:
    """The token sent in ``X-Admin-Token`` or as ``Authorization: Bearer <token>``."""
    return request.headers.get(ADMIN_HEADER) or _bearer(request)


def admin_allowed(expected: SecretStr | None, presented: str | None) -> bool:
    """Whether ``presented`` is the admin token (never, when none is configured)."""
    if expected is None or not expected.get_secret_value() or presented is None:
        return False
    return hmac.compare_digest(_digest(presented), _digest(expected.get_secret_value()))


def client_address(request: Request) -> str:
    """``ip:<address>`` of the peer, or of the client a proxy in ``MOODMIX_TRUSTED_PROXIES``
    names in ``X-Forwarded-For`` (uvicorn's proxy headers, set up by ``server.py``)."""
    host = request.client.host if request.client else "unknown"
    return f"ip:{host}"


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None
