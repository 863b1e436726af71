"""The load-generating process of ``moodmix bench --workload service``: HTTP clients only.

It runs apart from the service (its own process, its own event loop, uvloop when installed),
so the service's figures are not shared with the work of making the load. The bench starts
it with a JSON spec on stdin and reads one JSON result from stdout::

    $ echo '{"phase": "warm", "url": "http://127.0.0.1:8000", "clients": 50,
             "duration_s": 10, "asks": [{"prompt": "..."}], "expect_ids": ["..."]}' \\
        | python -m moodmix.bench.service.load
    {"phase": "warm", "requests": 4210, "rps": 421.0, "latency_ms": {...}, ...}

- ``warm``: ``clients`` connections, each posting ``/v1/playlists?wait=true`` with the asks
  in turn, back to back, for ``duration_s``; latency per request, answers by status, and how
  many were not the playlist already made (``expect_ids``).
- ``cold``: one client per ask (its own API key from ``keys``), all at once: ``POST`` (202),
  then the job's Server-Sent Events to the end; per client, whether it saw progress and a
  ``waiting`` event with its ``wait_s``, and how long the playlist took.

aiohttp, not httpx, for the clients: it costs less CPU per request, and the machine's CPU is
what the warm phase measures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import aiohttp
import orjson

from moodmix.bench.results import percentiles

Json = dict[str, Any]


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def warm(spec: Json) -> Json:
    url = spec["url"].rstrip("/") + "/v1/playlists?wait=true"
    asks: list[Json] = spec["asks"]
    expect: list[str | None] = spec.get("expect_ids") or [None] * len(asks)
    clients = int(spec["clients"])
    duration_s = float(spec["duration_s"])
    bodies = [json.dumps(a).encode() for a in asks]
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    not_cached = 0
    headers = {"Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=120)
    cpu_before = _cpu_s()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        deadline = started + duration_s

        async def client(n: int) -> None:
            nonlocal not_cached
            i = n
            while time.perf_counter() < deadline:
                which = i % len(bodies)
                i += 1
                sent = time.perf_counter()
                try:
                    async with http.post(url, data=bodies[which], headers=headers) as r:
                        body = await r.read()
                        status = r.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    statuses[type(exc).__name__] += 1
                    continue
                latencies.append((time.perf_counter() - sent) * 1_000)
                statuses[str(status)] += 1
                wanted = expect[which]
                if status == 200 and wanted is not None and orjson.loads(body)["id"] != wanted:
                    not_cached += 1

        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    ok = statuses.get("200", 0)
    return {
        "phase": "warm",
        "clients": clients,
        "duration_s": round(elapsed, 3),
        "requests": len(latencies),
        "ok": ok,
        "rps": round(ok / elapsed, 1) if elapsed > 0 else 0.0,
        "errors": sum(n for s, n in statuses.items() if s != "200"),
        "statuses": dict(statuses),
        "not_cached": not_cached,
        "latency_ms": _latency(latencies),
        "load_cpu_s": round(_cpu_s() - cpu_before, 2),
    }


async def _follow(http: aiohttp.ClientSession, base: str, ask: Json, key: str | None) -> Json:
    """One cold client: post, then follow the events to the end."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["X-API-Key"] = key
    out: Json = {
        "prompt": ask.get("prompt"),
        "status": "unsent",
        "progress_events": 0,
        "stages": [],
        "wait_events": 0,
        "first_wait_s": None,
        "max_wait_s": None,
        "reconnects": 0,
        "tracks": None,
        "error": None,
    }
    started = time.perf_counter()
    try:
        async with http.post(f"{base}/v1/playlists", data=json.dumps(ask), headers=headers) as r:
            answer = await r.json()
            out["post_status"] = r.status
            out["post_ms"] = round((time.perf_counter() - started) * 1_000, 1)
        if r.status not in (200, 202):
            out["status"] = f"http {r.status}"
            out["error"] = answer.get("message")
            return out
        events = f"{base}{answer['links']['events']}"
        final = answer if answer.get("status") in ("done", "failed") else None
        while final is None:
            final = await _read_events(http, events, headers, out)
            if final is None:
                out["reconnects"] += 1
                if out["reconnects"] > 20:
                    out["status"] = "stream lost"
                    return out
                await asyncio.sleep(0.2)
        out["status"] = final.get("status", "unknown")
        tracks = (final.get("playlist") or {}).get("tracks")
        out["tracks"] = len(tracks) if isinstance(tracks, list) else None
        if final.get("error"):
            out["error"] = final["error"].get("message")
    except (aiohttp.ClientError, TimeoutError, ValueError, KeyError) as exc:
        out["status"] = "error"
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        out["seconds"] = round(time.perf_counter() - started, 3)
    return out


async def _read_events(
    http: aiohttp.ClientSession, url: str, headers: dict[str, str], out: Json
) -> Json | None:
    """Read one SSE connection; the final resource, or ``None`` if the stream ended early."""
    kind, data = "message", []
    async with http.get(url, headers=headers) as r:
        if r.status != 200:
            raise aiohttp.ClientResponseError(
                r.request_info, (), status=r.status, message=f"events answered {r.status}"
            )
        async for raw in r.content:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event:"):
                kind = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").strip())
            elif not line and data:
                event = json.loads("\n".join(data))
                kind, data, seen = "message", [], kind
                if seen in ("done", "failed"):
                    return dict(event)
                if seen == "progress":
                    out["progress_events"] += 1
                    stage = event.get("stage")
                    if stage and (not out["stages"] or out["stages"][-1] != stage):
                        out["stages"].append(stage)
                    wait_s = event.get("wait_s")
                    if stage == "waiting" and isinstance(wait_s, int | float):
                        out["wait_events"] += 1
                        if out["first_wait_s"] is None:
                            out["first_wait_s"] = wait_s
                        out["max_wait_s"] = max(out["max_wait_s"] or 0, wait_s)
                if seen == "interrupted":
                    return None
    return None


async def cold(spec: Json) -> Json:
    base = spec["url"].rstrip("/")
    asks: list[Json] = spec["asks"]
    keys: list[str] = spec.get("keys") or []
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=float(spec.get("timeout_s", 600)), sock_read=None)
    cpu_before = _cpu_s()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        clients = await asyncio.gather(
            *(
                _follow(http, base, ask, keys[i % len(keys)] if keys else None)
                for i, ask in enumerate(asks)
            )
        )
        elapsed = time.perf_counter() - started
    done = [c for c in clients if c["status"] == "done"]
    return {
        "phase": "cold",
        "clients": len(clients),
        "done": len(done),
        "failed": sum(c["status"] == "failed" for c in clients),
        "other": dict(Counter(c["status"] for c in clients if c["status"] not in ("done",))),
        "saw_progress": sum(c["progress_events"] > 0 for c in clients),
        "saw_wait": sum(c["wait_events"] > 0 for c in clients),
        "first_wait_s": _latency([c["first_wait_s"] for c in clients if c["first_wait_s"]]),
        "max_wait_s": _latency([c["max_wait_s"] for c in clients if c["max_wait_s"]]),
        "completion_s": _latency([c["seconds"] for c in done]),
        "wall_s": round(elapsed, 2),
        "load_cpu_s": round(_cpu_s() - cpu_before, 2),
        "per_client": clients,
    }


def _latency(values: list[float]) -> Json:
    lat = percentiles(values)
    return {k: round(v, 2) for k, v in asdict(lat).items()}


async def run(spec: Json) -> Json:
    if spec.get("phase") == "warm":
        return await warm(spec)
    if spec.get("phase") == "cold":
        return await cold(spec)
    raise ValueError(f"phase must be warm or cold, got {spec.get('phase')!r}")


def main() -> None:
    spec = json.loads(sys.stdin.read())
    factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    with contextlib.suppress(ImportError):  # uvloop comes with uvicorn[standard]
        import uvloop

        factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        result = runner.run(run(spec))
    sys.stdout.write(json.dumps(result))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
