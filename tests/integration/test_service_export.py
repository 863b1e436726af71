"""``GET /v1/playlists/{id}/export``: a finished playlist as M3U8, XSPF, JSPF, CSV or URIs,
with the right media type; not before it is made; not for another account."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import orjson
from test_service_harness import MakeService, RunningService
from test_service_playlists import PROMPT, Gate

pytest_plugins = ["test_service_harness"]

XSPF = "{http://xspf.org/ns/0/}"


async def made(service: RunningService) -> dict[str, object]:
    r = await service.http.post("/v1/playlists?wait=true", json={"prompt": PROMPT, "size": 12})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


async def test_every_format_lists_the_tracks_in_order(service: RunningService) -> None:
    body = await made(service)
    tracks = body["playlist"]["tracks"]  # type: ignore[index]
    uris = [f"spotify:track:{t['spotify_id']}" for t in tracks if t["spotify_id"]]
    assert len(uris) >= 10
    base = f"/v1/playlists/{body['id']}/export"

    r = await service.http.get(base, params={"format": "uris"})
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.text.splitlines() == uris
    assert r.headers["content-disposition"] == f'attachment; filename="moodmix-{body["id"]}.uris"'

    r = await service.http.get(base)  # m3u8 by default
    assert r.headers["content-type"].startswith("audio/x-mpegurl")
    lines = r.text.splitlines()
    assert lines[:2] == ["#EXTM3U", f"#PLAYLIST:{PROMPT}"]
    assert [line.rsplit("/", 1)[1] for line in lines[3::2]] == [u.rsplit(":", 1)[1] for u in uris]
    first = tracks[0]  # type: ignore[index]
    assert lines[2] == (
        f"#EXTINF:{round(first['duration_ms'] / 1000)},"
        f"{', '.join(first['artists'])} - {first['title']}"
    )

    r = await service.http.get(base, params={"format": "xspf"})
    assert r.headers["content-type"] == "application/xspf+xml"
    root = ET.fromstring(r.content)
    assert root.find(f"{XSPF}title").text == PROMPT  # type: ignore[union-attr]
    titles = [t.find(f"{XSPF}title").text for t in root.iter(f"{XSPF}track")]  # type: ignore[union-attr]
    assert titles == [t["title"] for t in tracks]  # type: ignore[index,union-attr]

    r = await service.http.get(base, params={"format": "jspf"})
    jspf = orjson.loads(r.content)["playlist"]
    assert [t["identifier"][0] for t in jspf["track"] if "identifier" in t] == uris

    r = await service.http.get(base, params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["title"] for row in rows] == [t["title"] for t in tracks]  # type: ignore[index,union-attr]
    assert rows[0]["position"] == "1"
    assert rows[0]["reason"] == first["reason"]


async def test_bad_format_unfinished_and_unknown(make_service: MakeService) -> None:
    gate = Gate()
    service = await make_service(make=gate)
    r = await service.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 12})
    id = r.json()["id"]
    await gate.entered.wait()
    r = await service.http.get(f"/v1/playlists/{id}/export", params={"format": "uris"})
    assert r.status_code == 409
    assert r.json()["error"] == "not_ready"
    gate.open()
    r = await service.http.get(f"/v1/playlists/{id}/export", params={"format": "mp3"})
    assert r.status_code == 422
    r = await service.http.get("/v1/playlists/nosuchplaylist/export")
    assert r.status_code == 404
