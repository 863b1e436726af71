"""A run as Rich tables (one per scenario, a row per profile), comparison lines, targets and JSON.

::

    render(run, Console())                  # tables, comparisons, targets
    Path("bench.json").write_bytes(json_bytes(run))
    as_json(run)["results"][0]["upstream_requests"]
"""

from __future__ import annotations

from typing import Any

import orjson
from rich.console import Console
from rich.table import Table

from moodmix.bench.claims import seed_claims
from moodmix.bench.comparison import compare
from moodmix.bench.lookups import BenchRun, ScenarioRun
from moodmix.bench.results import ProfileResult, Response
from moodmix.bench.targets import evaluate
from moodmix.bench.trace_stats import trace_stats

COLUMNS = (
    "profile",
    "lookups",
    "accepted",
    "429",
    "429 rate",
    "hit",
    "hit cold",
    "hit warm",
    "dedup",
    "batched",
    "quota",
    "demand > limit",
    "x bound",
    "mean ms",
    "p95 ms",
    "p99 ms",
    "hit p95",
    "miss p95",
    "timeouts",
    "unfinished",
    "rate/min",
)
WIDTH = 224
CLAIM_MARKS: dict[bool | None, str] = {
    True: "[green]holds[/green]",
    False: "[red]fails[/red]",
    None: "not measured",
}
"""Columns when the output is not a terminal (a file, a pipe, the docs)."""


def _row(r: ProfileResult, real_minutes: float) -> list[str]:
    empty = Response(0.0, 0.0, 0.0, 0.0, 0.0, 0)
    lat, hit, miss = (r.response_ms.get(name, empty) for name in ("all", "hit", "miss"))
    demand = f"{r.demand_estimate / real_minutes:,.0f}/min"
    return [
        r.profile,
        f"{r.logical_lookups:,}",
        f"{r.upstream_accepted:,}",
        f"{r.upstream_429:,}",
        f"{r.rate_429:.2%}",
        f"{r.cache_hit_rate:.1%}",
        f"{r.cache_hit_rate_cold:.1%}",
        f"{r.cache_hit_rate_warm:.1%}",
        f"{r.dedup_joins:,}",
        f"{r.saved_by_batching:,}",
        f"{r.quota_utilisation:.1%}",
        f"{'yes' if r.demand_exceeded_limit else 'no'} ({demand})",
        "invalid" if r.bound_ratio is None else f"{r.bound_ratio:.2f}",
        f"{lat.mean:,.0f}",
        f"{lat.p95:,.0f}",
        f"{lat.p99:,.0f}",
        f"{hit.p95:,.0f}",
        f"{miss.p95:,.0f}",
        f"{r.timeouts:,}",
        f"{r.sessions_unfinished:,}",
        "-" if r.learned_rate_per_min is None else f"{r.learned_rate_per_min:,.0f}",
    ]


def scenario_table(run: BenchRun, scenario_run: ScenarioRun) -> Table:
    config = run.config
    s = scenario_run.scenario
    real_min = config.duration_s * config.time_scale / 60
    bound = scenario_run.trace_bound.requests
    allowed = scenario_run.allowed_during_arrivals
    table = Table(
        title=(
            f"{s.name}: upstream limit {s.rate_per_min:g}/min, burst {config.upstream_burst} "
            f"({real_min:.0f} real min at x{config.time_scale:g}); trace bound {bound:,} requests "
            f"({bound / real_min:.0f}/min), the limit allowed {allowed:,.0f}"
        ),
        title_justify="left",
    )
    for name in COLUMNS:
        table.add_column(name, justify="left" if name == "profile" else "right")
    for result in scenario_run.results:
        table.add_row(*_row(result, real_min))
    return table


def comparison_line(scenario_run: ScenarioRun) -> str | None:
    profiles = {r.profile: r for r in scenario_run.results}
    if "legacy" not in profiles or "adaptive" not in profiles:
        return None
    c = compare(profiles["legacy"], profiles["adaptive"])

    def pct(x: float | None) -> str:
        return "n/a (legacy drew none)" if x is None else f"{x:.1%}"

    return (
        f"adaptive vs legacy ({scenario_run.scenario.name}): {pct(c.requests_reduction)} fewer "
        f"accepted upstream requests ({pct(c.per_lookup_reduction)} fewer per lookup served), "
        f"{pct(c.rate_limited_reduction)} fewer 429s"
    )


def render(run: BenchRun, console: Console) -> None:
    stats = run.trace_stats or trace_stats(run.trace)
    for text in stats.lines():
        console.print(text, highlight=False, markup=False)
    console.print()
    for scenario_run in run.scenarios:
        console.print(scenario_table(run, scenario_run))
        line = comparison_line(scenario_run)
        if line:
            console.print(line)
        orphans = scenario_run.orphans
        if orphans.tasks:
            raised = ", ".join(f"{name} x{n}" for name, n in orphans.errors.items()) or "nothing"
            console.print(
                f"[yellow]warning:[/yellow] {orphans.tasks} gateway tasks were still running "
                f"after the gateways closed; cancelling them raised {raised}"
            )
        if scenario_run.lane_wall_s:
            walls = ", ".join(f"{name} {s:,.0f}" for name, s in scenario_run.lane_wall_s.items())
            console.print(f"wall seconds per lane, each alone on one core: {walls}")
        console.print()
    l1 = run.l1_lookups_per_s
    if l1:
        console.print(
            f"L1 hits through the gateway: {l1.get('single', 0):,.0f} lookups/s one id a call, "
            f"{l1.get('batch_of_20', 0):,.0f} lookups/s in batches of 20 (one core)"
        )
    for scenario_run in run.scenarios:
        claims = seed_claims(scenario_run.results)
        if claims:
            console.print(f"the earlier backend's claims ({scenario_run.scenario.name}):")
        for claim in claims:
            shown = "not measured" if claim.measured is None else f"{claim.measured:.1%}"
            verdict = CLAIM_MARKS[claim.holds]
            console.print(
                f"  {verdict}  {claim.candidate}: {claim.claim} "
                f"(expected {claim.expected}): {shown}"
            )
    console.print("targets:")
    for check in evaluate(run):
        mark = "[green]met[/green]" if check.met else "[red]missed[/red]"
        console.print(f"  {mark}  {check.scenario}: {check.target}: {check.shown}")


def as_json(run: BenchRun) -> dict[str, Any]:
    config = run.config
    results = [r.as_json() for s in run.scenarios for r in s.results]
    comparisons = []
    for s in run.scenarios:
        profiles = {r.profile: r for r in s.results}
        if "legacy" in profiles and "adaptive" in profiles:
            comparisons.append(compare(profiles["legacy"], profiles["adaptive"]).as_json())
    return {
        "config": {
            "profiles": list(config.profiles),
            "scenarios": {s.name: s.rate_per_min for s in config.scenarios},
            "upstream_burst": config.upstream_burst,
            "users": config.users,
            "hours": config.hours,
            "zipf": config.zipf,
            "start_hour": config.start_hour,
            "duration_s": config.duration_s,
            "grace_s": config.grace,
            "time_scale": config.time_scale,
            "clock": config.clock,
            "seed": config.seed,
            "catalog_tracks": config.catalog_tracks,
            "simulator_latency_ms": config.simulator_latency_ms,
        },
        "machine": run.machine,
        "wall_s": round(run.wall_s, 2),
        "trace": {
            "sessions": len(run.trace.sessions),
            "logical_lookups": run.trace.logical_lookups,
            "recommendation_keys": run.trace.recommendation_keys,
            "real_world_s": config.workload().duration_s,
            "lower_bound": run.trace_bound.as_dict(),
            "bound_ttls_s": vars(run.bound_ttls),
        },
        "scenarios": [
            {
                "scenario": s.scenario.name,
                "upstream_rate_per_min": s.scenario.rate_per_min,
                "allowed_during_arrivals": round(s.allowed_during_arrivals, 1),
                "loop_lag_ms": s.loop_lag_ms,
                "orphan_tasks": s.orphans.tasks,
                "orphan_task_errors": s.orphans.errors,
                "lane_wall_s": s.lane_wall_s,
            }
            for s in run.scenarios
        ],
        "trace_stats": (run.trace_stats or trace_stats(run.trace)).as_json(),
        "results": results,
        "comparisons": comparisons,
        "l1_lookups_per_s": {k: round(v) for k, v in run.l1_lookups_per_s.items()},
        "targets": [c.as_json() for c in evaluate(run)],
        "seed_claims": [
            {"scenario": s.scenario.name, **claim.as_json()}
            for s in run.scenarios
            for claim in seed_claims(s.results)
        ],
    }


def json_bytes(run: BenchRun) -> bytes:
    return orjson.dumps(as_json(run), option=orjson.OPT_INDENT_2)
