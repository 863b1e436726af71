"""The Spotify stand-in and client against the endpoint table of SPOTIFY.md (a copy of the
reference in tests/contract/): every call listed is routed by the stand-in, and the client
names every one of them."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

from moodmix.simulator.catalog import Catalog
from moodmix.simulator.spotify import SpotifyConfig, StandIn
from moodmix.simulator.spotify.app import build_app
from moodmix.spotify.client import ENDPOINTS

TABLE = Path(__file__).parents[1] / "contract" / "SPOTIFY.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|DELETE) ([^`]+)` \|", re.MULTILINE)


def listed() -> list[tuple[str, list[str]]]:
    """``(method, paths)`` per row; ``/v1/me/top/{artists,tracks}`` stands for two paths."""
    rows = []
    for method, path in ROW.findall(TABLE.read_text()):
        if match := re.search(r"\{([a-z]+),([a-z]+)\}", path):
            paths = [path.replace(match.group(0), leaf) for leaf in match.groups()]
        else:
            paths = [path]
        rows.append((method, paths))
    return rows


def concrete(path: str) -> str:
    return path.replace("{id}", "6mMR4XfAqs96VNh8OcDmrF")


def test_every_call_in_the_table_is_routed_and_called(catalog: Catalog) -> None:
    rows = listed()
    assert len(rows) == 8  # the table as the reference has it
    app = build_app(StandIn(SpotifyConfig(), catalog))
    routes = [(r.method, r.resource) for r in app.router.routes() if r.resource is not None]
    for method, paths in rows:
        for path in paths:
            matched = [
                resource
                for routed, resource in routes
                if routed == method and resource._match(concrete(path)) is not None
            ]
            assert matched, f"the stand-in does not route {method} {path}"
            assert path in ENDPOINTS, f"the client does not call {path}"


def test_an_unlisted_call_is_not_routed(catalog: Catalog) -> None:
    app = build_app(StandIn(SpotifyConfig(), catalog))
    paths = [
        r.resource.canonical for r in app.router.routes() if isinstance(r.resource, web.Resource)
    ]
    assert "/v1/artists" not in paths  # a several-ids batch call, removed for new apps
    assert "/v1/browse/new-releases" not in paths
