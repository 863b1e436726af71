"""API keys, the admin token, request size limits, CORS, the per-client quota share and who
the client is behind a proxy."""

from __future__ import annotations

from typing import Any

from test_service_harness import MakeService, RunningService
from test_service_playlists import PROMPT, Gate, finished

pytest_plugins = ["test_service_harness"]


async def test_api_keys_when_configured(make_service: MakeService) -> None:
    running = await make_service(api_keys="k-one,k-two")
    missing = await running.http.get("/system/status")
    assert missing.status_code == 401
    assert missing.json()["error"] == "api_key_required"
    assert "X-API-Key" in missing.json()["message"]
    wrong = await running.http.get("/system/status", headers={"X-API-Key": "k-three"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "api_key_invalid"
    ok = await running.http.get("/system/status", headers={"X-API-Key": "k-two"})
    assert ok.status_code == 200, ok.text
    bearer = await running.http.get(
        "/system/cache/stats", headers={"Authorization": "Bearer k-one"}
    )
    assert bearer.status_code == 200
    assert (await running.http.get("/healthz")).status_code == 200
    assert (await running.http.get("/metrics")).status_code == 200


async def test_no_key_needed_by_default(service: RunningService) -> None:
    assert (await service.http.get("/system/status")).status_code == 200


async def test_cache_invalidation_needs_the_admin_token(make_service: MakeService) -> None:
    running = await make_service(admin_token="s3cret-admin")
    url = "/system/cache/invalidate"
    assert (await running.http.post(url, json={"kind": "track"})).status_code == 401
    wrong = await running.http.post(url, json={}, headers={"X-Admin-Token": "guess"})
    assert wrong.status_code == 403
    assert wrong.json()["error"] == "admin_token_invalid"
    ok = await running.http.post(
        url, json={"kind": "track"}, headers={"Authorization": "Bearer s3cret-admin"}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["invalidated"] == "track"
    everything = await running.http.post(url, headers={"X-Admin-Token": "s3cret-admin"})
    assert everything.json()["invalidated"] == "all"
    bad = await running.http.post(
        url, json={"kind": "tracks"}, headers={"X-Admin-Token": "s3cret-admin"}
    )
    assert bad.status_code == 422
    assert "kind must be one of" in bad.json()["message"]
    assert "features" in bad.json()["message"]


async def test_invalidation_is_off_without_an_admin_token(service: RunningService) -> None:
    r = await service.http.post("/system/cache/invalidate", headers={"X-Admin-Token": "x"})
    assert r.status_code == 403
    assert "MOODMIX_ADMIN_TOKEN" in r.json()["message"]


async def test_request_bodies_over_the_limit_are_refused(make_service: MakeService) -> None:
    running = await make_service(max_body_bytes=2048)
    r = await running.http.post("/v1/moods/analyze", json={"text": "x" * 5000})
    assert r.status_code == 413
    assert "2048 bytes" in r.json()["message"]


async def test_cors_is_off_by_default_and_on_when_configured(make_service: MakeService) -> None:
    origin = {"Origin": "https://app.example"}
    off = await make_service()
    assert (
        "access-control-allow-origin"
        not in (await off.http.get("/healthz", headers=origin)).headers
    )
    on = await make_service(cors_origins="https://app.example")
    r = await on.http.get("/healthz", headers=origin)
    assert r.headers["access-control-allow-origin"] == "https://app.example"
    assert "ETag" in r.headers["access-control-expose-headers"]
    other = await on.http.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_a_client_over_its_share_gets_429_with_retry_after(
    make_service: MakeService, catalog: Any
) -> None:
    # 60/min over a 60 s window, a 5 % share: 3 upstream requests per client once another
    # client uses the upstream too.
    running = await make_service(
        rate_per_min=60, burst=100, client_quota_share=0.05, api_keys="alice,bob"
    )
    ids = catalog.track_spotify_ids()
    bob = {"X-API-Key": "bob"}
    alice = {"X-API-Key": "alice"}
    assert (await running.http.get(f"/v1/tracks/{ids[0]}", headers=bob)).status_code == 200
    for n in range(1, 4):
        r = await running.http.get(f"/v1/tracks/{ids[n]}", headers=alice)
        assert r.status_code == 200, r.text
    refused = await running.http.get(f"/v1/tracks/{ids[10]}", headers=alice)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    body = refused.json()
    assert body["error"] == "quota_exceeded"
    assert "share" in body["message"]
    assert "3 upstream requests" in body["message"]
    # The other client is not refused.
    assert (await running.http.get(f"/v1/tracks/{ids[11]}", headers=bob)).status_code == 200


async def test_the_admin_token_is_checked_before_the_body_is_read(
    make_service: MakeService,
) -> None:
    running = await make_service(admin_token="s3cret-admin")
    url = "/system/cache/invalidate"
    json = {"Content-Type": "application/json"}

    async def post(headers: dict[str, str]) -> int:
        return (await running.http.post(url, content=b"{not json", headers=headers)).status_code

    assert await post(json) == 401
    assert await post({**json, "X-Admin-Token": "guess"}) == 403
    right = {**json, "X-Admin-Token": "s3cret-admin"}
    invalid = await running.http.post(url, content=b"{not json", headers=right)
    assert invalid.status_code == 422
    assert invalid.json()["problems"][0]["in"] == "body"
    extra = await running.http.post(url, json={"kind": "track", "x": 1}, headers=right)
    assert extra.status_code == 422
    assert extra.json()["problems"][0]["field"] == "x"


async def test_status_shows_urls_only_to_the_admin(make_service: MakeService) -> None:
    running = await make_service(admin_token="s3cret-admin")
    anyone = (await running.http.get("/system/status")).json()
    assert anyone["upstream"]["url"] is None
    assert anyone["database"]["url"] is None
    assert running.settings.database_url.split("///")[-1] not in str(anyone)
    admin = await running.http.get("/system/status", headers={"X-Admin-Token": "s3cret-admin"})
    assert admin.json()["upstream"]["url"] == running.settings.reccobeats_url
    assert admin.json()["database"]["url"]


async def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    make_service: MakeService,
) -> None:
    # One playlist in progress per client: whether the second request is refused says
    # whether X-Forwarded-For made it another client.
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    cases = [("untrusted", {}, 429), ("trusted", {"trusted_proxies": "127.0.0.1"}, 202)]
    for name, trusted, expected in cases:
        gate = Gate()
        running = await make_service(make=gate, client_max_jobs=1, **trusted)
        first = await running.http.post("/v1/playlists", json={"prompt": f"{PROMPT}, {name}"})
        assert first.status_code == 202, first.text
        second = await running.http.post(
            "/v1/playlists", json={"prompt": f"{PROMPT}, {name}, forwarded"}, headers=forwarded
        )
        assert second.status_code == expected, (name, second.text)
        gate.open()
        await running.until(first.json()["id"], finished)
