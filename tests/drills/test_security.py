"""Security checks against the running service: secrets are compared in constant time and
never logged, size limits hold, CORS is off unless configured, and nothing a user sends
makes the service fetch a URL of their choosing.

(API keys, the admin token's 401/403 answers and CORS when configured:
tests/integration/test_service_security.py.)
"""

from __future__ import annotations

import inspect
import io
import logging

import pytest
import structlog
from drillkit import DrillService

from moodmix.engine.playlist import MAX_PROMPT_CHARS
from moodmix.service import security
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

ADMIN = "adm1n-t0ken-Zq8vW2"
KEY = "cl1ent-k3y-Hj4pL9"


def test_secrets_are_compared_in_constant_time() -> None:
    source = inspect.getsource(security)
    assert source.count("hmac.compare_digest(") == 2  # API keys and the admin token
    assert " == expected" not in source
    assert "digest in self._digests" not in source
    key = security.ApiKeys([security.SecretStr(KEY)])
    assert key.identify(KEY) is not None
    assert key.identify(KEY[:-1]) is None
    assert key.identify(KEY + "x") is None
    assert not security.admin_allowed(security.SecretStr(ADMIN), ADMIN[:-1])
    assert security.admin_allowed(security.SecretStr(ADMIN), ADMIN)


async def test_no_secret_reaches_the_logs(
    drill_service: DrillService, catalog: Catalog, caplog: pytest.LogCaptureFixture
) -> None:
    # Every structlog event at debug into a buffer (loggers not cached, so none keeps the
    # buffer after the test), the standard library's records through caplog.
    saved = structlog.get_config()
    buffer = io.StringIO()
    structlog.configure(
        processors=[structlog.processors.add_log_level, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        logger_factory=structlog.PrintLoggerFactory(buffer),
        cache_logger_on_first_use=False,
    )
    caplog.set_level(logging.DEBUG)
    try:
        running = await drill_service(admin_token=ADMIN, api_keys=f"{KEY},other-key")
        key = {"X-API-Key": KEY}
        sid = catalog.track_spotify_ids()[0]
        answers = [
            await running.http.get(f"/v1/tracks/{sid}", headers=key),
            await running.http.get(f"/v1/tracks/{sid}", headers={"Authorization": f"Bearer {KEY}"}),
            await running.http.get("/v1/tracks/not-an-id", headers=key),
            await running.http.get("/system/status", headers={"X-API-Key": KEY + "-wrong"}),
            await running.http.post(
                "/system/cache/invalidate", headers={**key, "X-Admin-Token": ADMIN}
            ),
            await running.http.post(
                "/system/cache/invalidate", headers={**key, "X-Admin-Token": ADMIN + "-wrong"}
            ),
            await running.http.post("/v1/playlists", json={"prompt": "calm"}, headers=key),
        ]
        assert [a.status_code for a in answers][:6] == [200, 200, 422, 401, 200, 403]
        for answer in answers:
            assert KEY not in answer.text
            assert ADMIN not in answer.text
    finally:
        structlog.configure(**saved)
    logged = buffer.getvalue() + caplog.text
    assert logged  # the requests were logged at debug: the check below means something
    assert KEY not in logged
    assert ADMIN not in logged


async def test_bodies_and_prompts_over_their_limits_are_refused(
    drill_service: DrillService,
) -> None:
    running = await drill_service(max_body_bytes=4096)
    big = await running.http.post("/v1/playlists", json={"prompt": "calm " * 2000})
    assert big.status_code == 413
    assert "4096 bytes" in big.json()["message"]
    running = await drill_service()
    long = await running.http.post("/v1/playlists", json={"prompt": "c" * (MAX_PROMPT_CHARS + 1)})
    assert long.status_code == 422
    problem = long.json()["problems"][0]
    assert problem["field"] == "prompt"
    assert str(MAX_PROMPT_CHARS) in problem["message"]


async def test_cors_is_off_by_default(drill_service: DrillService) -> None:
    running = await drill_service()
    preflight = await running.http.options(
        "/v1/playlists",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    simple = await running.http.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_urls_in_a_request_are_never_fetched(
    drill_service: DrillService,
    simulator: SimulatorServer,
    make_simulator: object,
    catalog: Catalog,
) -> None:
    trap: SimulatorServer = await make_simulator()  # type: ignore[operator]
    running = await drill_service()
    assert running.settings.reccobeats_url == simulator.url
    sid = catalog.track_spotify_ids()[3]
    bait = [
        f"{trap.url}/v1/track/{sid}",
        f"https://open.spotify.com.evil.example/track/{sid}",
        f"https://open.spotify.com/track/{sid}?next={trap.url}",
    ]
    answers = [
        await running.http.post(
            "/v1/playlists", json={"prompt": f"calm {trap.url}", "seeds": [url]}
        )
        for url in bait
    ]
    answers.append(await running.http.get(f"/v1/tracks/{trap.url}/v1/track/{sid}"))
    answers.append(await running.http.get("/v1/tracks", params={"ids": f"{trap.url}/{sid}"}))
    for answer in answers:
        assert answer.status_code in (200, 202, 404, 422), answer.text
    accepted = [a.json()["id"] for a in answers[:3] if a.status_code in (200, 202)]
    for id in accepted:
        final = await running.until(id, lambda p: p["status"] in ("done", "failed"))
        assert final["status"] == "done" or final["error"]["message"], final
    assert trap.counters.total == 0
