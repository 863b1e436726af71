"""FastAPI dependencies: the running service, who the client is, and whether it may go on.

::

    @router.get("/v1/things")
    async def things(service: ServiceDep, client: ClientDep) -> ...       # API key checked
    async def mine(service: ServiceDep, account: AccountDep) -> ...       # whose playlists
    @router.post("/v1/costly")
    async def costly(service: ServiceDep, client: QuotaClientDep) -> ...  # and its quota share
    @router.post("/system/admin-thing", dependencies=[Depends(require_admin)])

The dependencies are coroutines although none of them awaits anything: FastAPI runs a plain
function dependency in its thread pool, a thread hop per dependency per request that cost a
warm request more than everything else it does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from moodmix.service.errors import ServiceError
from moodmix.service.listeners import SESSION_COOKIE, Listeners, SignedIn
from moodmix.service.models import PUBLIC
from moodmix.service.runtime import Service
from moodmix.service.security import (
    API_KEY_HEADER,
    admin_allowed,
    client_address,
    presented_admin_token,
    presented_key,
)


async def get_service(request: Request) -> Service:
    service = getattr(request.app.state, "service", None)
    if not isinstance(service, Service):
        raise ServiceError(503, "starting", "the service is starting; try again", retry_after=1)
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


async def client_id(request: Request, service: ServiceDep) -> str:
    """The client's identity: its API key's id when keys are on, else its address."""
    if not service.api_keys.required:
        return client_address(request)
    presented = presented_key(request)
    identity = service.api_keys.identify(presented)
    if identity is None:
        said = "an unknown API key" if presented else "no API key"
        raise ServiceError(
            401,
            "api_key_invalid" if presented else "api_key_required",
            f"this service needs an API key and got {said}; send it as {API_KEY_HEADER}: "
            "<key> or Authorization: Bearer <key>",
            headers={"WWW-Authenticate": 'Bearer realm="moodmix"'},
        )
    return identity


ClientDep = Annotated[str, Depends(client_id)]


def listeners_of(service: Service) -> Listeners:
    """Sign-in with Spotify, or a 404 ``signin_off`` where it is not set up."""
    if service.listeners is None:
        raise ServiceError(
            404,
            "signin_off",
            "sign-in with Spotify is not set up here (MOODMIX_SPOTIFY_CLIENT_ID)",
        )
    return service.listeners


async def current_listener(request: Request, service: Service) -> SignedIn | None:
    """The listener the request's session cookie stands for, or ``None``; looked up once
    per request (the account dependency and the route both ask)."""
    if hasattr(request.state, "listener"):
        known: SignedIn | None = request.state.listener
        return known
    cookie = request.cookies.get(SESSION_COOKIE)
    who = None
    if service.listeners is not None and cookie:
        who = await service.listeners.signed_in(cookie)
    request.state.listener = who
    return who


async def account_id(request: Request, service: ServiceDep, client: ClientDep) -> str:
    """Whose playlists the client sees and makes: a signed-in listener's (``spotify:<id>``),
    else its API key's, or ``public`` where the service needs no key (one open space: anyone
    who can reach it sees every playlist that belongs to no listener)."""
    who = await current_listener(request, service)
    if who is not None:
        return who.account
    return client if service.api_keys.required else PUBLIC


AccountDep = Annotated[str, Depends(account_id)]


def check_quota(service: Service, client: str) -> None:
    """Raise 429 ``quota_exceeded`` if ``client`` used more than its share of the upstream
    quota (for routes that first see whether an answer costs anything)."""
    refusal = service.quota.check(client)
    if refusal is not None:
        service.metrics.quota_refusals.labels(reason="share").inc()
        raise ServiceError(429, "quota_exceeded", refusal.reason, retry_after=refusal.retry_after)


async def within_quota(service: ServiceDep, client: ClientDep) -> str:
    """The client, if it has not used more than its share of the upstream quota."""
    check_quota(service, client)
    return client


QuotaClientDep = Annotated[str, Depends(within_quota)]


def is_admin(request: Request, service: Service) -> bool:
    """Whether the request carries the admin token (never, when none is configured)."""
    return admin_allowed(service.settings.admin_token, presented_admin_token(request))


async def require_admin(request: Request, service: ServiceDep) -> None:
    """Pass only with the admin token (``MOODMIX_ADMIN_TOKEN``), compared in constant time."""
    expected = service.settings.admin_token
    if expected is None or not expected.get_secret_value():
        raise ServiceError(
            403,
            "admin_disabled",
            "admin endpoints are off: no admin token is configured (MOODMIX_ADMIN_TOKEN)",
        )
    presented = presented_admin_token(request)
    if presented is None:
        raise ServiceError(
            401,
            "admin_token_required",
            "send the admin token as X-Admin-Token: <token> or Authorization: Bearer <token>",
            headers={"WWW-Authenticate": 'Bearer realm="moodmix-admin"'},
        )
    if not admin_allowed(expected, presented):
        raise ServiceError(403, "admin_token_invalid", "the admin token is wrong")
