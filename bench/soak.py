"""Soak: many authentications per scenario under tracemalloc; the heap must stay flat.

``python -m bench.soak [--calls N] [--only NAME]`` (or ``make soak``) runs each scenario in a
fresh process set up as a benchmark worker is (:func:`bench.worker.prepare_process`: Django on
SQLite, the user, a token from jwtflow's login endpoint) with the call the benchmark times
(:mod:`bench.scenarios`). tracemalloc runs from before the warm-up; after the warm-up a snapshot
is taken, the remaining calls run (async ones on the same event loop), and a second snapshot
gives the net growth and the lines that grew most. jwtflow alone: no peers are needed.

The limit (``--limit-kib``, 64 KiB per scenario) is far below any per-call leak: one object kept
per call (a dict entry and a short str are ~100 bytes) over the default 95,000 measured calls is
~9 MiB, while 64 KiB allows what a warm process still allocates once and keeps (a cache filled on
first use, a grown buffer or free list) without hiding a leak of even one byte per call.
Exit status 1 when a scenario grows more than the limit, 2 when one fails to run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.scenarios import matches

REPO = Path(__file__).resolve().parent.parent
#: Soaked scenarios (benchmark ids): sync and async authenticate with the model store and
#: ACCESS_TOKEN_REVOCATION on, async authenticate with the user cache, the stateless user, and
#: token verify.
SCENARIOS = (
    "auth.sync.model",
    "auth.async.model",
    "auth.async.usercache",
    "auth.sync.stateless",
    "verify.hs256",
)
WARMUP_CALLS = 5000
LIMIT_KIB = 64
#: Lines of the top growth shown per scenario.
TOP_LINES = 5


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000, help="calls per scenario")
    parser.add_argument("--only", action="append", default=[], help="scenario ids (glob/substring)")
    parser.add_argument(
        "--warmup", type=int, default=WARMUP_CALLS, help="warm-up calls (at most half of --calls)"
    )
    parser.add_argument("--limit-kib", type=float, default=LIMIT_KIB, help="allowed net growth")
    parser.add_argument("--out", type=Path, help="also write the results as JSON")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.calls < 2:
        parser.error("--calls must be at least 2")
    args.warmup = max(1, min(args.warmup, args.calls // 2))
    return args


# --- the child: one scenario in its own process -------------------------------------------


def _growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> dict[str, Any]:
    # Left out: the snapshots' own lists (tracemalloc's file) and this loop's own locals.
    ignore = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
    stats = after.filter_traces(ignore).compare_to(before.filter_traces(ignore), "lineno")
    growing = sorted((s for s in stats if s.size_diff > 0), key=lambda s: -s.size_diff)
    return {
        "growth_bytes": sum(stat.size_diff for stat in stats),
        "top": [
            {
                "where": f"{stat.traceback[0].filename}:{stat.traceback[0].lineno}",
                "bytes": stat.size_diff,
                "blocks": stat.count_diff,
            }
            for stat in growing[:TOP_LINES]
        ],
    }


def _snapshot() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot()


def _sync_phases(call: Callable[[], Any], warmup: int, rest: int) -> dict[str, Any]:
    for _ in range(warmup):
        call()
    before = _snapshot()
    start = time.perf_counter()
    for _ in range(rest):
        call()
    elapsed = time.perf_counter() - start
    return {**_growth(before, _snapshot()), "seconds": elapsed}


async def _async_phases(acall: Callable[[], Any], warmup: int, rest: int) -> dict[str, Any]:
    # One event loop for both phases, as a server's: a new loop's own set-up is not growth.
    for _ in range(warmup):
        await acall()
    before = _snapshot()
    start = time.perf_counter()
    for _ in range(rest):
        await acall()
    elapsed = time.perf_counter() - start
    return {**_growth(before, _snapshot()), "seconds": elapsed}


def child(scenario_id: str, calls: int, warmup: int) -> dict[str, Any]:
    """Set up like a benchmark worker, then soak ``scenario_id``; return its figures."""
    from bench.libs import load
    from bench.libs.base import Context
    from bench.scenarios import by_id
    from bench.worker import prepare_process

    ctx = Context.from_environ()
    setup = prepare_process(ctx)
    job = by_id()[scenario_id].make(load(ctx.lib), setup)
    job.once()  # checks the result: a misconfigured scenario fails instead of soaking
    rest = calls - warmup
    tracemalloc.start()
    if job.acall is not None:
        figures = asyncio.run(_async_phases(job.acall, warmup, rest))
    else:
        assert job.call is not None
        figures = _sync_phases(job.call, warmup, rest)
    tracemalloc.stop()
    return {"id": scenario_id, "calls": calls, "warmup": warmup, "measured": rest, **figures}


# --- the parent: one process per scenario, the report ------------------------------------


def run_scenario(scenario_id: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Soak one scenario in a fresh process; its figures, or ``error``."""
    from bench import keys
    from bench.scenarios import by_id

    folder = workdir / scenario_id
    keys.generate(folder)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        BENCH_LIB="jwtflow",
        BENCH_PROFILE=by_id()[scenario_id].profile,
        BENCH_DIR=str(folder),
        BENCH_REDIS_URL="",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
    )
    result = folder / "result.json"
    command = [sys.executable, "-m", "bench.soak", "--child", scenario_id, "--result", str(result)]
    options = ["--calls", str(args.calls), "--warmup", str(args.warmup)]
    done = subprocess.run(
        [*command, *options], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0 or not result.exists():
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        return {"id": scenario_id, "error": tail or f"exit status {done.returncode}"}
    figures: dict[str, Any] = json.loads(result.read_text())
    return figures


def report(results: list[dict[str, Any]], limit_bytes: float) -> str:
    """The table (growth, growth per 1k calls, time per call, verdict) and the top lines."""
    lines = [
        f"{'scenario':<22} {'measured':>9} {'growth B':>10} {'B/1k calls':>11} "
        f"{'us/call':>8}  verdict",
    ]
    details = []
    for entry in results:
        if "error" in entry:
            lines.append(f"{entry['id']:<22} ERROR")
            details += [f"{entry['id']}: failed", entry["error"]]
            continue
        growth, measured = entry["growth_bytes"], entry["measured"]
        verdict = "flat" if growth <= limit_bytes else "GROWS"
        lines.append(
            f"{entry['id']:<22} {measured:>9} {growth:>10} {growth * 1000 / measured:>11.1f} "
            f"{entry['seconds'] * 1e6 / measured:>8.1f}  {verdict}"
        )
        details.append(f"{entry['id']}: top growing lines after {entry['warmup']} warm-up calls")
        details += [
            f"  {t['bytes']:>8} B {t['blocks']:>5} blocks  {t['where']}" for t in entry["top"]
        ]
        if not entry["top"]:
            details.append("  (none)")
    return "\n".join([*lines, "", *details])


def main(argv: list[str] | None = None) -> int:
    """Soak the selected scenarios and print the report; the exit status is the verdict."""
    args = parse(argv)
    if args.child:
        args.result.write_text(json.dumps(child(args.child, args.calls, args.warmup)))
        return 0
    from bench import machine

    selected = [s for s in SCENARIOS if matches(s, args.only)]
    if not selected:
        print(f"no scenario matches {args.only}; choose from {', '.join(SCENARIOS)}")
        return 2
    info = machine.describe("")
    info.pop("loadgen")
    print(f"Machine: {machine.line(info)}")
    print(
        f"Soak: {args.calls} calls per scenario, {args.warmup} of them warm-up; limit "
        f"{args.limit_kib:g} KiB net growth after the warm-up",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="jwtflow-soak-"))
    try:
        results = [run_scenario(scenario_id, args, workdir) for scenario_id in selected]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    limit = args.limit_kib * 1024
    print()
    print(report(results, limit))
    if args.out:
        args.out.write_text(json.dumps({"machine": info, "results": results}, indent=1))
    if any("error" in entry for entry in results):
        return 2
    return 1 if any(entry["growth_bytes"] > limit for entry in results) else 0


if __name__ == "__main__":
    sys.exit(main())
