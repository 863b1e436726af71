"""Starting and stopping the simulator: on the loop, in a thread, in the foreground, CLI."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from moodmix.cli import simulator as command_module
from moodmix.simulator import (
    SimulatorConfig,
    SimulatorServer,
    run_in_thread,
    serve_forever,
)
from moodmix.simulator.catalog import Catalog

SMALL: dict[str, Any] = {"port": 0, "tracks": 200, "artists": 20, "seed": 3}


async def test_server_builds_its_own_catalog_from_the_config() -> None:
    async with SimulatorServer(SimulatorConfig(**SMALL)) as sim:
        assert sim.url == f"http://127.0.0.1:{sim.port}"
        assert sim.catalog.n_tracks == 200
        async with httpx.AsyncClient(base_url=sim.url) as http:
            health = (await http.get("/_admin/healthz")).json()
    assert health["tracks"] == 200
    assert health["artists"] == 20


async def test_two_servers_share_a_catalog_on_different_ports(catalog: Catalog) -> None:
    config = SimulatorConfig(**SMALL)
    async with SimulatorServer(config, catalog) as one, SimulatorServer(config, catalog) as two:
        assert one.port != two.port
        assert one.catalog is two.catalog is catalog


async def test_stopped_server_refuses_connections(catalog: Catalog) -> None:
    sim = SimulatorServer(SimulatorConfig(**SMALL), catalog)
    await sim.start()
    url = sim.url
    await sim.stop()
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(url + "/_admin/healthz")


async def test_stop_lets_held_requests_go(catalog: Catalog) -> None:
    sim = SimulatorServer(SimulatorConfig(**SMALL, timeout_rate=1, timeout_hold_s=600), catalog)
    await sim.start()
    async with httpx.AsyncClient(base_url=sim.url, timeout=60) as http:
        held = asyncio.create_task(http.get(f"/v1/track/{catalog.track_ids()[0]}"))
        while sim.counters.faults["timeout"] == 0:  # noqa: ASYNC110 - counters have no event
            await asyncio.sleep(0.01)
        await sim.stop()
        response = await held
    assert response.status_code == 504


async def test_a_busy_port_is_an_error(catalog: Catalog) -> None:
    async with SimulatorServer(SimulatorConfig(**SMALL), catalog) as first:
        with pytest.raises(OSError, match=r"(?i)address already in use"):
            await SimulatorServer(SimulatorConfig(port=first.port), catalog).start()


def test_run_in_thread_serves_sync_callers(catalog: Catalog) -> None:
    with run_in_thread(SimulatorConfig(**SMALL), catalog) as sim:
        sid = catalog.track_spotify_ids()[0]
        response = httpx.get(f"{sim.url}/v1/track/{sid}")
        assert response.status_code == 200
        assert sim.counters.count("/v1/track/{id}", 200) == 1
        sim.call(sim.state.reset)
        assert sim.counters.total == 0
        url = sim.url
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_admin/healthz")


def test_run_in_thread_reports_why_it_could_not_start(catalog: Catalog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=r"(?i)address already in use"):
            run_in_thread(SimulatorConfig(port=port), catalog)


def test_serve_forever_stops_on_sigterm(catalog: Catalog) -> None:
    seen: list[str] = []

    def ready(server: SimulatorServer) -> None:
        seen.append(server.url)
        os.kill(os.getpid(), signal.SIGTERM)

    serve_forever(SimulatorConfig(**SMALL), catalog, on_ready=ready)
    assert len(seen) == 1
    with pytest.raises(httpx.ConnectError):
        httpx.get(seen[0] + "/_admin/healthz")


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(command_module.simulator)
    return app


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--rate", "lots"], "rate 'lots' is not COUNT/UNIT"),
        (["--burst", "0"], "burst: Input should be greater than or equal to 1"),
        (["--error-rate", "1.5"], "error_rate: Input should be less than or equal to 1"),
        (["--error-rate", "0.6", "--drop-rate", "0.6"], "at most 1"),
        (["--latency-ms", "50", "--latency-p99-ms", "5"], "latency_p99_ms"),
        (["--port", "70000"], "port: Input should be less than or equal to 65535"),
        (
            ["--rate-schedule", "0:80/min,600"],
            "--rate-schedule: rate schedule step 2 '600' is not OFFSET:RATE; expected",
        ),
        (
            ["--rate-schedule", "0:80/min,600:40/min,300:10/min"],
            "step 3 (300:10/min): offsets must increase strictly, and step 2 is at 600 s",
        ),
        (["--rate-schedule", "0:lots"], "step 1 '0:lots': rate 'lots' is not COUNT/UNIT"),
    ],
)
def test_cli_bad_values_exit_2_with_one_line(args: list[str], words: str) -> None:
    result = CliRunner().invoke(cli(), [*args, "--tracks", "100"])
    assert result.exit_code == 2
    assert words in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_prints_build_time_url_and_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    real = command_module.serve_forever
    started: list[SimulatorConfig] = []

    def serve_then_interrupt(
        config: SimulatorConfig, catalog: Catalog, *, on_ready: Callable[[SimulatorServer], None]
    ) -> None:
        started.append(config)

        def ready(server: SimulatorServer) -> None:
            on_ready(server)
            os.kill(os.getpid(), signal.SIGTERM)

        real(config.with_changes(), catalog, on_ready=ready)
        raise KeyboardInterrupt

    monkeypatch.setattr(command_module, "serve_forever", serve_then_interrupt)
    result = CliRunner().invoke(
        cli(),
        [
            *("--port", "0", "--tracks", "300", "--rate", "2/s", "--burst", "4", "--seed", "5"),
            *("--rate-schedule", "30:1/s, 90.5:40/min"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "300 tracks" in result.output
    assert "built in" in result.output
    assert "MOODMIX_RECCOBEATS_URL=http://127.0.0.1:" in result.output
    assert "simulator stopped" in result.output
    assert "rate 2/s per client then 30:60/min,90.5:40/min (s from now)" in result.output
    (config,) = started
    assert (config.rate_per_min, config.burst, config.seed, config.tracks) == (120, 4, 5, 300)
    assert config.rate_schedule == ((30, 60), (90.5, 40))
    assert config.artists == 30


def test_cli_reports_a_busy_port(catalog: Catalog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli(), ["--port", str(port), "--tracks", "100"])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
