"""``moodmix refine``, ``undo``, ``redo``, ``replace``, ``remove``, ``extend``, ``versions``
against a real moodmix service on a loopback port."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import typer
from test_service_harness import MakeService, RunningService
from typer.testing import CliRunner, Result

from moodmix.cli import revise
from moodmix.cli.app import app as moodmix_app

pytest_plugins = ["test_service_harness"]


COMMANDS = ("refine", "undo", "redo", "replace", "remove", "pin", "move", "extend", "versions")


def commands() -> typer.Typer:
    """The commands alone (``moodmix``'s own setup would reconfigure the suite's logging)."""
    cli = typer.Typer()
    for name in COMMANDS:
        cli.command(name)(getattr(revise, name))
    return cli


async def moodmix(*args: str, env: dict[str, str] | None = None) -> Result:
    """The command run in a thread, so the service in this event loop can answer it."""
    return await asyncio.to_thread(CliRunner().invoke, commands(), list(args), env=env)


def test_moodmix_has_the_commands() -> None:
    result = CliRunner().invoke(moodmix_app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.stdout


async def made(service: RunningService, **headers: str) -> dict[str, Any]:
    r = await service.http.post(
        "/v1/playlists?wait=true",
        json={"prompt": "rainy Sunday, mellow acoustic", "size": 8},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_each_command_changes_the_playlist_and_prints_it(service: RunningService) -> None:
    first = await made(service)
    id, url = first["id"], service.url
    tracks = [t["id"] for t in first["playlist"]["tracks"]]

    lead = first["playlist"]["tracks"][0]["artists"][0]
    refined = await moodmix("refine", id, "more upbeat", "--exclude-artist", lead, "--url", url)
    assert refined.exit_code == 0, refined.output
    now = await service.playlist(id)
    assert all(lead not in t["artists"] for t in now["playlist"]["tracks"])
    assert "Version 2" in refined.stdout
    assert "refined: " in refined.stdout
    assert "energy up" in refined.stdout

    shown = (await service.playlist(id))["playlist"]["tracks"]
    gone = shown[0]["id"]
    removed = await moodmix("remove", id, gone, "--url", url, "--json")
    assert removed.exit_code == 0, removed.output
    body = json.loads(removed.stdout)
    assert body["version"] == 3
    assert gone not in [t["id"] for t in body["playlist"]["tracks"]]

    swapped = shown[1]["id"]
    replaced = await moodmix("replace", id, swapped, "--url", url)
    assert replaced.exit_code == 0, replaced.output
    assert "Version 4" in replaced.stdout
    assert "replaced " in replaced.stdout

    extended = await moodmix("extend", id, "3", "--url", url, "--json")
    assert extended.exit_code == 0, extended.output
    assert len(json.loads(extended.stdout)["playlist"]["tracks"]) == 10

    back = await moodmix("undo", id, "--url", url, "--json")
    assert json.loads(back.stdout)["version"] == 4
    again = await moodmix("redo", id, "--url", url, "--json")
    assert json.loads(again.stdout)["version"] == 5

    listed = await moodmix("versions", id, "--url", url)
    assert listed.exit_code == 0, listed.output
    assert "made from the prompt" in listed.stdout
    assert "added 3" in listed.stdout
    assert len(tracks) == 8


async def test_pin_and_move_change_the_playlist(service: RunningService) -> None:
    first = await made(service)
    id, url = first["id"], service.url
    last = first["playlist"]["tracks"][-1]["id"]
    moved = await moodmix("move", id, last, "1", "--url", url, "--json")
    assert moved.exit_code == 0, moved.output
    assert json.loads(moved.stdout)["playlist"]["tracks"][0]["id"] == last
    pinned = await moodmix("pin", id, last, "--url", url, "--json")
    assert pinned.exit_code == 0, pinned.output
    assert json.loads(pinned.stdout)["playlist"]["tracks"][0]["pinned"] is True
    unpinned = await moodmix("pin", id, last, "--off", "--url", url, "--json")
    assert json.loads(unpinned.stdout)["playlist"]["tracks"][0]["pinned"] is False
    outside = await moodmix("move", id, last, "99", "--url", url)
    assert outside.exit_code == 1
    assert "outside the playlist" in outside.output


async def test_refusals_are_said_plainly(service: RunningService) -> None:
    first = await made(service)
    env = {"MOODMIX_URL": service.url}
    unread = await moodmix("refine", first["id"], "qwzx vbnm", env=env)
    assert unread.exit_code == 1
    assert "could not read a change" in unread.output
    unknown = await moodmix("remove", first["id"], "not-in-it", env=env)
    assert unknown.exit_code == 1
    assert "not in this playlist" in unknown.output
    nothing = await moodmix("undo", first["id"], env=env)
    assert nothing.exit_code == 1
    assert "nothing to undo" in nothing.output
    assert (await service.playlist(first["id"]))["version"] == 1


async def test_an_api_key_is_sent_when_the_service_needs_one(make_service: MakeService) -> None:
    key = "key-of-listener-a"
    service = await make_service(api_keys=key)
    first = await made(service, **{"X-API-Key": key})
    without = await moodmix("versions", first["id"], "--url", service.url)
    assert without.exit_code == 1, without.output
    listed = await moodmix(
        "versions", first["id"], "--url", service.url, "--json", env={"MOODMIX_API_KEY": key}
    )
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout)["current"] == 1


async def test_no_service_is_said_with_how_to_start_one() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    result = await moodmix("undo", "abc", "--url", url)
    assert result.exit_code == 1
    assert f"cannot reach moodmix at {url}" in result.output
    assert "moodmix serve --offline" in result.output
