"""Listeners: sign-in with Spotify (PKCE), the sessions it opens, and their tokens.

::

    listeners = Listeners(db, accounts, spotify, Fernet(key))
    url, pending = listeners.start("http://127.0.0.1:8000/auth/callback")  # browser -> url
    session_cookie = await listeners.finish(pending, {"code": ..., "state": ...})
    me = await listeners.signed_in(session_cookie)           # SignedIn(id, display_name) or None
    token = await listeners.access_token(me)                 # refreshed when near its expiry
    await listeners.sign_out(session_cookie)

Nothing secret is kept in the clear: the PKCE verifier and state travel in an encrypted,
ten-minute cookie; refresh and access tokens are stored Fernet-encrypted; a session cookie
carries a random token whose SHA-256 is the row's id. Tokens are registered with the log
redactor the moment they arrive.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

import orjson
import redis.asyncio as aioredis
import structlog
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from moodmix.coordination import MemoryWindow, Window
from moodmix.coordination.redis_window import RedisWindow
from moodmix.logs import register_secrets
from moodmix.resilience.windowgate import WindowGate
from moodmix.service.db import Database
from moodmix.service.models import ListenerRow, SessionRow, utcnow
from moodmix.settings import Settings
from moodmix.spotify import (
    Pkce,
    SpotifyAccounts,
    SpotifyClient,
    SpotifyError,
    TimeRange,
    Token,
    User,
    new_state,
)
from moodmix.spotify.gateway import Spotify

SIGNIN_TTL_S: Final = 600
"""How long a browser has between /auth/login and the callback."""
SESSION_TTL: Final = timedelta(days=30)
SPOTIFY_WINDOW_S: Final = 30.0
"""Spotify counts an app's requests over a rolling 30 seconds."""
WINDOW_EDGE_S: Final = 1.0
"""The gate counts a window this much longer than Spotify's: a request is counted when it
leaves, Spotify counts it when it arrives, and the oldest of a window may have been slower
on its way than the newest (three instances sharing Redis drew a 429 in one run without it)."""
TOP_SEEDS: Final = 5
"""Top tracks one ``me:top`` seed stands for."""
TOP_TTL_S: Final = 3600.0
"""How long a listener's top tracks are kept before Spotify is asked again."""
REFRESH_MARGIN: Final = timedelta(seconds=60)
"""An access token this close to its expiry is refreshed before use."""
ACCOUNT_PREFIX: Final = "spotify:"
SESSION_COOKIE: Final = "moodmix_session"

log = structlog.get_logger(__name__)


class SignInFailed(Exception):
    """A sign-in that cannot finish; ``code`` says why in a word a page can show."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SignedIn:
    id: str
    display_name: str | None
    session_id: str

    @property
    def account(self) -> str:
        """Whose playlists this listener makes and sees."""
        return ACCOUNT_PREFIX + self.id


class Listeners:
    """The ``listeners`` and ``sessions`` tables, and the Spotify calls sign-in needs."""

    def __init__(
        self, db: Database, accounts: SpotifyAccounts, spotify: Spotify, fernet: Fernet
    ) -> None:
        self._db = db
        self._accounts = accounts
        self._spotify = spotify
        self._fernet = fernet
        self._tops: dict[tuple[str, str], tuple[float, list[str]]] = {}

    async def aclose(self) -> None:
        await self._accounts.aclose()
        await self._spotify.aclose()

    def start(self, redirect_uri: str) -> tuple[str, str]:
        """``(authorize URL, pending cookie)``: send the browser to the URL with the cookie."""
        pkce, state = Pkce.new(), new_state()
        url = self._accounts.authorize_url(
            redirect_uri=redirect_uri, state=state, challenge=pkce.challenge
        )
        pending = {"state": state, "verifier": pkce.verifier, "redirect_uri": redirect_uri}
        return url, self._fernet.encrypt(orjson.dumps(pending)).decode()

    async def finish(self, pending: str | None, query: Mapping[str, str]) -> str:
        """The session cookie for a callback's ``query``; ``SignInFailed`` if anything is off."""
        if not pending:
            raise SignInFailed("expired", "the sign-in took too long or began elsewhere")
        try:
            started = orjson.loads(self._fernet.decrypt(pending, ttl=SIGNIN_TTL_S))
        except (InvalidToken, orjson.JSONDecodeError):
            raise SignInFailed("expired", "the sign-in took too long or began elsewhere") from None
        if not hmac.compare_digest(str(query.get("state", "")), str(started["state"])):
            raise SignInFailed("state_mismatch", "this answer does not belong to this sign-in")
        if query.get("error"):
            raise SignInFailed("refused", "Spotify sign-in was cancelled")
        code = query.get("code")
        if not code:
            raise SignInFailed("no_code", "Spotify sent no code")
        try:
            token = await self._accounts.exchange_code(
                code, redirect_uri=started["redirect_uri"], verifier=started["verifier"]
            )
            register_secrets([token.access_token, token.refresh_token])
            access = token.access_token
            me = await self._spotify.call(lambda client: client.get_me(access))
        except SpotifyError as exc:
            raise SignInFailed("spotify_refused", exc.message) from None
        session_token = secrets.token_urlsafe(32)
        try:
            await self._remember(me, token, session_token)
        except IntegrityError:
            # The same listener's first sign-in on another instance added them meanwhile.
            await self._remember(me, token, session_token)
        return self._fernet.encrypt(session_token.encode()).decode()

    async def _remember(self, me: User, token: Token, session_token: str) -> None:
        """The listener (added, or updated with the new refresh token) and a new session."""
        now = utcnow()
        async with self._db.session() as session, session.begin():
            listener = await session.get(ListenerRow, me.id)
            if listener is None:
                listener = ListenerRow(id=me.id, created_at=now, scope="")
                session.add(listener)
            listener.display_name = me.display_name
            listener.scope = token.scope
            listener.refresh_token = self._seal(token.refresh_token)
            listener.updated_at = now
            session.add(
                SessionRow(
                    id=_digest(session_token),
                    listener_id=me.id,
                    access_token=self._seal(token.access_token) or "",
                    access_expires_at=now + timedelta(seconds=token.expires_in),
                    created_at=now,
                    expires_at=now + SESSION_TTL,
                )
            )

    async def signed_in(self, cookie: str | None) -> SignedIn | None:
        """Who a session cookie stands for, or ``None`` (absent, forged, ended or expired)."""
        token = self._open(cookie, SESSION_TTL)
        if token is None:
            return None
        query = (
            select(SessionRow, ListenerRow)
            .join(ListenerRow, ListenerRow.id == SessionRow.listener_id)
            .where(SessionRow.id == _digest(token))
        )
        async with self._db.session() as session:
            found = (await session.execute(query)).first()
        if found is None or found[0].expires_at <= utcnow():
            return None
        row, listener = found
        return SignedIn(listener.id, listener.display_name, row.id)

    async def newest_session(self, account: str) -> SignedIn | None:
        """``account``'s listener as their newest live session stands for them (what work
        they started acts through when its instance is gone), or ``None`` if signed out."""
        if not account.startswith(ACCOUNT_PREFIX):
            return None
        query = (
            select(SessionRow, ListenerRow)
            .join(ListenerRow, ListenerRow.id == SessionRow.listener_id)
            .where(SessionRow.listener_id == account.removeprefix(ACCOUNT_PREFIX))
            .where(SessionRow.expires_at > utcnow())
            .order_by(SessionRow.created_at.desc())
            .limit(1)
        )
        async with self._db.session() as session:
            found = (await session.execute(query)).first()
        if found is None:
            return None
        row, listener = found
        return SignedIn(listener.id, listener.display_name, row.id)

    @property
    def spotify(self) -> Spotify:
        return self._spotify

    async def access_token(self, who: SignedIn, *, refresh: bool = False) -> str:
        """A live access token for ``who``, refreshed first when it is about to expire (or
        with ``refresh``: Spotify said it was no longer good)."""
        async with self._db.session() as session:
            row = await session.get(SessionRow, who.session_id)
            listener = await session.get(ListenerRow, who.id)
        if row is None or listener is None:
            raise SignInFailed("signed_out", "sign in again")
        if not refresh and row.access_expires_at - REFRESH_MARGIN > utcnow():
            return self._unseal(row.access_token)
        if listener.refresh_token is None:
            raise SignInFailed("signed_out", "sign in again")
        token = await self._accounts.refresh(self._unseal(listener.refresh_token))
        register_secrets([token.access_token, token.refresh_token])
        now = utcnow()
        async with self._db.session() as session, session.begin():
            await session.execute(
                update(SessionRow)
                .where(SessionRow.id == row.id)
                .values(
                    access_token=self._seal(token.access_token),
                    access_expires_at=now + timedelta(seconds=token.expires_in),
                )
            )
            await session.execute(
                update(ListenerRow)
                .where(ListenerRow.id == listener.id)
                .values(refresh_token=self._seal(token.refresh_token), updated_at=now)
            )
        return token.access_token

    async def top_tracks(self, who: SignedIn, time_range: TimeRange = "medium_term") -> list[str]:
        """Spotify ids of ``who``'s ``TOP_SEEDS`` most played tracks over ``time_range``,
        asked once an hour per listener and range."""
        key = (who.id, time_range)
        kept = self._tops.get(key)
        if kept is not None and time.monotonic() - kept[0] < TOP_TTL_S:
            return kept[1]
        token = await self.access_token(who)
        page = await self._spotify.call(
            lambda client: client.get_top_tracks(token, time_range=time_range, limit=TOP_SEEDS)
        )
        ids = [track.id for track in page.items]
        self._tops[key] = (time.monotonic(), ids)
        return ids

    async def sign_out(self, cookie: str | None) -> None:
        """End the session; the listener's last session also forgets their refresh token."""
        token = self._open(cookie, SESSION_TTL)
        if token is None:
            return
        async with self._db.session() as session, session.begin():
            row = await session.get(SessionRow, _digest(token))
            if row is None:
                return
            await session.execute(delete(SessionRow).where(SessionRow.id == row.id))
            others = await session.scalar(
                select(SessionRow.id).where(SessionRow.listener_id == row.listener_id).limit(1)
            )
            if others is None:
                await session.execute(
                    update(ListenerRow)
                    .where(ListenerRow.id == row.listener_id)
                    .values(refresh_token=None, updated_at=utcnow())
                )

    def _open(self, cookie: str | None, ttl: timedelta) -> str | None:
        if not cookie:
            return None
        try:
            return self._fernet.decrypt(cookie, ttl=int(ttl.total_seconds())).decode()
        except (InvalidToken, UnicodeDecodeError):
            return None

    def _seal(self, value: str | None) -> str | None:
        return None if value is None else self._fernet.encrypt(value.encode()).decode()

    def _unseal(self, value: str) -> str:
        try:
            return self._fernet.decrypt(value).decode()
        except InvalidToken:
            raise SignInFailed(
                "signed_out", "the stored sign-in cannot be read; sign in again"
            ) from None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_listeners(settings: Settings, db: Database) -> Listeners | None:
    """Sign-in as ``settings`` set it up, or ``None`` without a Spotify client id."""
    if not settings.spotify_client_id:
        return None
    if settings.secret_key is None:
        key = Fernet.generate_key()
        log.warning("secret_key_unset", effect="sign-ins end when this instance stops")
    else:
        key = settings.secret_key.get_secret_value().encode()
    fernet = Fernet(key)  # the setting is checked on load
    accounts = SpotifyAccounts(settings.spotify_accounts_url, client_id=settings.spotify_client_id)
    client = SpotifyClient(settings.spotify_api_url, mode=settings.spotify_mode)
    window: Window = MemoryWindow()
    if settings.redis_url is not None:
        redis = aioredis.Redis.from_url(settings.redis_url)
        window = RedisWindow(redis, prefix=settings.redis_prefix, owns_client=True)
    gate = WindowGate(
        window,
        f"spotify:{settings.spotify_client_id}",
        limit=settings.spotify_window_limit,
        seconds=SPOTIFY_WINDOW_S + WINDOW_EDGE_S,
    )
    return Listeners(db, accounts, Spotify(client, gate), fernet)
