"""Sign-in with Spotify: ``/auth/login``, ``/auth/callback``, ``/auth/logout``, ``/v1/me``.

::

    GET  /auth/login      -> 302 to Spotify (a ten-minute encrypted cookie holds the PKCE state)
    GET  /auth/callback   -> state and PKCE checked, session cookie set, 302 to /
                             (on failure 302 to /?signin_error=<why>, no cookie)
    POST /auth/logout     -> 204: the session ends; the last one forgets the refresh token
    GET  /v1/me           -> {"id", "display_name"} signed in, else 401

The session cookie is HttpOnly, SameSite=Lax, Secure when served over HTTPS, and signed and
encrypted (Fernet): a forged or altered one is no session. Spotify refuses ``localhost`` in
redirect URIs, so a sign-in begun on ``localhost`` moves to ``127.0.0.1`` first.
"""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from moodmix.service.deps import ServiceDep, current_listener, listeners_of
from moodmix.service.errors import ServiceError
from moodmix.service.listeners import (
    SESSION_COOKIE,
    SESSION_TTL,
    SIGNIN_TTL_S,
    SignInFailed,
)

router = APIRouter(tags=["listeners"])

PENDING_COOKIE: Final = "moodmix_signin"
CALLBACK: Final = "/auth/callback"


def _redirect_uri(request: Request, service: ServiceDep) -> str:
    configured = service.settings.spotify_redirect_uri
    if configured:
        return configured
    return str(request.url.replace(path=CALLBACK, query="", fragment=""))


@router.get("/auth/login", summary="Sign in with Spotify", status_code=302)
async def login(request: Request, service: ServiceDep) -> Response:
    listeners = listeners_of(service)
    if request.url.hostname == "localhost" and not service.settings.spotify_redirect_uri:
        return RedirectResponse(str(request.url.replace(hostname="127.0.0.1")), status_code=302)
    url, pending = listeners.start(_redirect_uri(request, service))
    response = RedirectResponse(url, status_code=302)
    _set(response, request, PENDING_COOKIE, pending, SIGNIN_TTL_S, path="/auth")
    return response


@router.get(CALLBACK, summary="Where Spotify sends the browser back", status_code=302)
async def callback(request: Request, service: ServiceDep) -> Response:
    listeners = listeners_of(service)
    try:
        session = await listeners.finish(
            request.cookies.get(PENDING_COOKIE), dict(request.query_params)
        )
    except SignInFailed as exc:
        response = RedirectResponse(f"/?signin_error={exc.code}", status_code=302)
    else:
        response = RedirectResponse("/", status_code=302)
        _set(response, request, SESSION_COOKIE, session, int(SESSION_TTL.total_seconds()))
    response.delete_cookie(PENDING_COOKIE, path="/auth")
    return response


@router.post("/auth/logout", summary="Sign out", status_code=204)
async def logout(request: Request, service: ServiceDep) -> Response:
    await listeners_of(service).sign_out(request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/v1/me", summary="Who is signed in")
async def me(request: Request, service: ServiceDep) -> Response:
    listeners_of(service)
    who = await current_listener(request, service)
    if who is None:
        raise ServiceError(401, "signed_out", "nobody is signed in; GET /auth/login signs in")
    return JSONResponse(
        {"id": who.id, "display_name": who.display_name}, headers={"Cache-Control": "no-store"}
    )


def _set(
    response: Response, request: Request, name: str, value: str, max_age: int, path: str = "/"
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
