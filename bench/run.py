"""Run the benchmark: ``python -m bench.run [--quick] [--only PATTERN] [--libs a,b] [--no-http]``.

Workers (one process per library and profile) time the in-process scenarios; rounds are
interleaved round-robin (round k of every library, scenario by scenario, before round k+1) so
machine noise hits every library alike. Then uvicorn serves each library for the HTTP rows.
Prints the machine line and one table; writes ``bench/results/latest.json`` and ``latest.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import keys, loadgen, machine, report
from bench.libs import LIBS, available
from bench.pool import WorkerProcess
from bench.redis_server import redis_url
from bench.scenarios import Scenario, all_scenarios, matches
from bench.scenarios import http as http_scenarios

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"


@dataclass(frozen=True)
class Plan:
    """How long to measure: rounds, seconds per batch, HTTP seconds and rounds."""

    rounds: int
    batch_seconds: float
    http_seconds: float
    http_rounds: int
    fixed_n: int | None = None


PLANS = {
    "full": Plan(rounds=7, batch_seconds=0.05, http_seconds=2, http_rounds=3),
    "quick": Plan(rounds=3, batch_seconds=0.015, http_seconds=1, http_rounds=1),
    "smoke": Plan(rounds=1, batch_seconds=0, http_seconds=1, http_rounds=1, fixed_n=1),
}


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, shorter batches")
    parser.add_argument("--smoke", action="store_true", help="every scenario once (tests)")
    parser.add_argument("--only", action="append", default=[], help="figure ids (glob/substring)")
    parser.add_argument("--libs", default=",".join(LIBS), help="comma-separated libraries")
    parser.add_argument("--no-http", action="store_true", help="skip the uvicorn rows")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts, e.g. 1")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    return parser.parse_args(argv)


def rotated(libs: list[str], round_number: int) -> list[str]:
    """The libraries in round-robin order, starting one later each round (no one always first)."""
    start = round_number % len(libs) if libs else 0
    return libs[start:] + libs[:start]


def _figure(figure_id: str, label: str, unit: str, better: str) -> dict[str, Any]:
    return {"id": figure_id, "label": label, "unit": unit, "better": better, "libs": {}}


@contextmanager
def workers(
    libs: list[str], profiles: set[str], env: dict[str, str], logs: Path
) -> Iterator[dict[tuple[str, str], WorkerProcess]]:
    """Start every (library, profile) worker at once; wait for each; stop them all at the end."""
    pool = {
        (lib, profile): WorkerProcess(lib, profile, env, REPO, logs / f"{lib}-{profile}.log")
        for lib in libs
        for profile in sorted(profiles)
    }
    try:
        for worker in pool.values():
            worker.wait_ready()
        yield pool
    finally:
        for worker in pool.values():
            worker.stop()


def _prepare(worker: WorkerProcess, scenario: Scenario, plan: Plan) -> dict[str, Any]:
    if not worker.ready:
        return {k: v for k, v in worker.status.items() if k in ("na", "error")}
    answer = worker.ask({"op": "prepare", "id": scenario.id})
    if not answer["ok"]:
        return {k: v for k, v in answer.items() if k in ("na", "error")}
    n = plan.fixed_n or max(1, min(200_000, round(plan.batch_seconds * 1e6 / answer["us"])))
    return {"n": n, "samples": []}


def micro(
    scenarios: list[Scenario],
    pool: dict[tuple[str, str], WorkerProcess],
    libs: list[str],
    plan: Plan,
) -> list[dict[str, Any]]:
    """Prepare every (scenario, library), then time them in interleaved rounds."""
    figures = []
    for scenario in scenarios:
        figure = _figure(scenario.id, scenario.label, "us", "lower")
        for lib in libs:
            figure["libs"][lib] = _prepare(pool[lib, scenario.profile], scenario, plan)
        figures.append(figure)
    for round_number in range(plan.rounds):
        for scenario, figure in zip(scenarios, figures, strict=True):
            for lib in rotated(libs, round_number):
                entry = figure["libs"][lib]
                if "n" in entry:
                    answer = pool[lib, scenario.profile].ask(
                        {"op": "run", "id": scenario.id, "n": entry["n"]}
                    )
                    entry["samples"].append(answer["us"])
    return figures


def http(
    libs: list[str],
    tokens: dict[str, str],
    ready: dict[str, dict[str, Any]],
    env: dict[str, str],
    plan: Plan,
    args: Any,
) -> list[dict[str, Any]]:
    """The uvicorn rows: per worker count and profile, every library's server up, rounds
    interleaved. ``ready`` maps "lib profile" to that worker's status (a library whose worker
    for the profile was not ready is reported, not served)."""
    counts = {int(w) for w in args.workers.split(",")}
    chosen = [
        f for f in http_scenarios.figures() if f.workers in counts and matches(f.id, args.only)
    ]
    figures = []
    for count in sorted(counts):
        for profile in dict.fromkeys(f.profile for f in chosen):
            group = [f for f in chosen if f.workers == count and f.profile == profile]
            status = {lib: ready.get(f"{lib} {profile}", {}) for lib in libs}
            served = [lib for lib in libs if lib in tokens and status[lib].get("ready")]
            if not group:
                continue
            with http_scenarios.servers(served, env, count, profile) as urls:
                figures += _load_rounds(group, libs, urls, tokens, plan, status)
    return figures


def _load_rounds(
    group: list[Any],
    libs: list[str],
    urls: dict[str, str],
    tokens: dict[str, str],
    plan: Plan,
    status: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    rps = {f.id: _figure(f.id, f.label, "req/s", "higher") for f in group}
    p99 = {f.id: _figure(f.id + ".p99", f.label + ", p99", "ms", "lower") for f in group}
    targets: dict[str, list[str]] = {}
    for figure in group:
        targets[figure.id] = [lib for lib in libs if (lib == "floor") or not figure.reference]
        for lib in libs:
            if lib not in targets[figure.id]:
                continue
            if lib not in urls:
                why = {k: v for k, v in status[lib].items() if k in ("na", "error")}
                rps[figure.id]["libs"][lib] = why or {"error": "no server (its worker failed)"}
                continue
            entry = _http_check(urls[lib], figure, tokens[lib])
            rps[figure.id]["libs"][lib] = entry
            p99[figure.id]["libs"][lib] = {**entry, "samples": []} if "samples" in entry else entry
    for round_number in range(plan.http_rounds):
        for figure in group:
            for lib in rotated(targets[figure.id], round_number):
                if "samples" in rps[figure.id]["libs"].get(lib, {}):
                    load = http_scenarios.load_once(
                        urls[lib], figure, tokens[lib], plan.http_seconds
                    )
                    rps[figure.id]["libs"][lib]["samples"].append(load.rps)
                    p99[figure.id]["libs"][lib]["samples"].append(load.p99_ms)
                    rps[figure.id]["libs"][lib]["failures"] = load.failures
    return [item for f in group for item in (rps[f.id], p99[f.id])]


def _http_check(base: str, figure: Any, token: str) -> dict[str, Any]:
    url = base + figure.path
    if not figure.protected:
        ok = http_scenarios.status(url, None) == 200
    else:
        ok = http_scenarios.status(url, token) == 200 and http_scenarios.status(url, None) == 401
    if ok:
        return {"samples": []}
    if http_scenarios.status(url, token) == 404:
        return {"na": "no such view"}
    return {"error": f"{url}: {http_scenarios.status(url, token)} with the token"}


def environment(workdir: Path, redis: str | None) -> dict[str, str]:
    """The environment of workers and servers: this checkout importable, its own settings."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(BENCH_DIR=str(workdir), BENCH_REDIS_URL=redis or "")  # workers use exactly this
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def measure(args: argparse.Namespace, plan: Plan, workdir: Path) -> dict[str, Any]:
    """Run the selected scenarios; return the results document."""
    libs = [lib for lib in args.libs.split(",") if lib in LIBS and available(lib)]
    scenarios = [s for s in all_scenarios() if matches(s.id, args.only)]
    with_http = not args.no_http and any(matches(f.id, args.only) for f in http_scenarios.figures())
    keys.generate(workdir)
    (workdir / "logs").mkdir()
    with redis_url(workdir) as redis:
        env = environment(workdir, redis)
        served_profiles = {f.profile for f in http_scenarios.figures() if matches(f.id, args.only)}
        profiles = {s.profile for s in scenarios} | (served_profiles if with_http else set())
        with workers(libs, profiles, env, workdir / "logs") as pool:
            figures = micro(scenarios, pool, libs, plan)
            tokens = {
                lib: pool[lib, "hs256"].ask({"op": "token"})["token"]
                for lib in libs
                if with_http and pool[lib, "hs256"].ready
            }
            features = {
                lib: w.status.get("features", {}) for (lib, p), w in pool.items() if p == "hs256"
            }
            ready = {f"{lib} {p}": w.status for (lib, p), w in pool.items()}
        if with_http:
            figures += http(libs, tokens, ready, env, plan, args)
    return {
        "machine": machine.describe(loadgen.name()),
        "plan": {
            "name": "smoke" if args.smoke else "quick" if args.quick else "full",
            **plan.__dict__,
        },
        "libs": libs,
        "redis": bool(redis),
        "features": features,
        "figures": figures,
    }


def render(results: dict[str, Any], markdown: bool = False) -> str:
    """The machine line, the table and the n/a notes."""
    header, body = report.rows(results["figures"], results["libs"])
    table = report.markdown_table(header, body) if markdown else report.text_table(header, body)
    lines = [f"Machine: {machine.line(results['machine'])}", "", table]
    notes = report.notes(results["figures"])
    if notes:
        lines += ["", "Not measured:", *(f"- {note}" for note in notes)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print, write the JSON and Markdown results; 1 if any cell is an error."""
    args = parse(argv)
    plan = PLANS["smoke" if args.smoke else "quick" if args.quick else "full"]
    workdir = Path(tempfile.mkdtemp(prefix="jwtflow-bench-"))
    try:
        results = measure(args, plan, workdir)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)
    print(render(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    args.out.with_suffix(".md").write_text(render(results, markdown=True) + "\n")
    errors = {
        entry["error"]
        for figure in results["figures"]
        for entry in figure["libs"].values()
        if "error" in entry
    }
    for error in sorted(errors):
        print(f"\nERROR {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
