"""Where jwtflow's time goes: ``python -m bench.profile [--calls N] [--only ID] [--profile P]``.

Profiles jwtflow's verify (HS256) and sync authenticate with cProfile in a worker-like process
and prints, per scenario, the share of time by area (PyJWT, jwtflow modules, Django ORM,
sqlite3, ...) and the functions with the most own time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.scenarios import Setup

#: (area, path fragments) in match order: the first fragment found in a function's file wins.
AREAS = (
    ("jwtflow codec", ("jwtflow/codec.py",)),
    ("jwtflow claims", ("jwtflow/claims.py",)),
    ("jwtflow other", ("jwtflow/",)),
    ("PyJWT", ("/jwt/",)),
    ("Django ORM + sqlite3", ("django/db/", "sqlite3")),
    ("DRF", ("rest_framework/",)),
    ("Django other", ("django/",)),
    ("asgiref", ("asgiref/",)),
    ("json, base64, hmac, re", ("json/", "base64", "hmac", "/re/", "re.py")),
)
DEFAULT_SCENARIOS = ("verify.hs256", "auth.sync")


def area(filename: str) -> str:
    """The area a function's file belongs to."""
    for name, fragments in AREAS:
        if any(fragment in filename for fragment in fragments):
            return name
    return "other"


def breakdown(stats: pstats.Stats) -> dict[str, float]:
    """Own time per area, as a share of the total; built-ins count for the area that called them."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _, _), (_, _, own, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename != "~" or not callers:
            totals[area(filename)] += own
            continue
        for (caller_file, _, _), (_, _, caller_own, _) in callers.items():
            totals[area(caller_file)] += caller_own
    grand = sum(totals.values()) or 1.0
    return {name: own / grand for name, own in sorted(totals.items(), key=lambda kv: -kv[1])}


def profile(setup: Setup, scenario_id: str, calls: int) -> None:
    """Profile ``calls`` calls of one jwtflow scenario and print the summary."""
    from bench.libs import load
    from bench.scenarios import by_id

    job = by_id()[scenario_id].make(load("jwtflow"), setup)
    job.once()
    per_call = job.measure(calls)
    profiler = cProfile.Profile()
    profiler.enable()
    job.measure(calls)
    profiler.disable()
    stats = pstats.Stats(profiler)
    print(f"\n## {scenario_id}: {per_call:.1f} µs per call unprofiled, {calls} calls profiled\n")
    for name, share in breakdown(stats).items():
        print(f"  {share:6.1%}  {name}")
    print()
    stats.sort_stats("tottime").print_stats(12)


def main(argv: list[str] | None = None) -> int:
    """Set up a throwaway jwtflow project and profile each scenario."""
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--only", action="append", default=[])
    parser.add_argument(
        "--profile", default="hs256", help="the settings profile: hs256, model, redis, usercache..."
    )
    args = parser.parse_args(argv)
    from bench import keys
    from bench.libs.base import Context
    from bench.worker import prepare_process

    workdir = Path(tempfile.mkdtemp(prefix="jwtflow-profile-"))
    try:
        keys.generate(workdir)
        os.environ.update(BENCH_LIB="jwtflow", BENCH_PROFILE=args.profile, BENCH_DIR=str(workdir))
        setup = prepare_process(Context.from_environ())
        for scenario_id in args.only or DEFAULT_SCENARIOS:
            profile(setup, scenario_id, args.calls)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
