"""The benchmark suite runs: every scenario once against jwtflow alone, tiny loop counts.

Speed is never asserted here; these tests only keep ``bench/`` from rotting as jwtflow changes
(a scenario that errors, or a feature jwtflow has but the suite does not measure, fails).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bench.scenarios import all_scenarios
from bench.scenarios.http import figures as http_figures

# The benchmark brings its own SQLite databases, so the PostgreSQL pass would only repeat it.
pytestmark = pytest.mark.once

REPO = Path(__file__).resolve().parents[2]
#: Scenario ids that need a jwtflow feature, by the feature flag the adapter reports.
NEEDS = {
    "access_token_revocation": (".model", ".cache", ".redis"),
    "redis_store": (".redis",),
    "stateless": (".stateless",),
    "user_cache": (".usercache",),
}


def run_bench(tmp_path: Path, *args: str) -> dict[str, Any]:
    """Run ``python -m bench.run --smoke`` for jwtflow; return its JSON results."""
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "bench.run", "--smoke", "--libs", "jwtflow", "--out", str(out)]
    finished = subprocess.run(
        [*command, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "Machine:" in finished.stdout
    results: dict[str, Any] = json.loads(out.read_text())
    assert out.with_suffix(".md").read_text().count("| jwtflow |") == 1
    return results


def measurable(figure_id: str, features: dict[str, bool], redis: bool) -> bool:
    """Whether this jwtflow has what ``figure_id`` needs (features, and Redis for its stores)."""
    if figure_id.endswith((".cache", ".redis")) and not redis:
        return False
    needed = [feature for feature, suffixes in NEEDS.items() if figure_id.endswith(suffixes)]
    return all(features.get(feature, False) for feature in needed)


def test_every_in_process_scenario_runs_for_jwtflow(tmp_path: Path) -> None:
    results = run_bench(tmp_path, "--no-http")
    features = results["features"]["jwtflow"]
    entries = {figure["id"]: figure["libs"]["jwtflow"] for figure in results["figures"]}
    assert list(entries) == [scenario.id for scenario in all_scenarios()]
    for figure_id, entry in entries.items():
        if measurable(figure_id, features, results["redis"]):
            assert len(entry.get("samples", [])) == 1, (figure_id, entry)
            assert entry["samples"][0] > 0
        else:
            assert entry.get("na"), (figure_id, entry)


@pytest.mark.e2e
def test_http_rows_run_over_uvicorn(tmp_path: Path) -> None:
    results = run_bench(tmp_path, "--only", "http.1w.*", "--workers", "1")
    expected = [f.id for f in http_figures() if f.workers == 1 and not f.reference]
    entries = {figure["id"]: figure["libs"] for figure in results["figures"]}
    for figure_id in expected:
        assert entries[figure_id]["jwtflow"]["samples"][0] > 0, entries[figure_id]
        assert entries[figure_id + ".p99"]["jwtflow"]["samples"][0] > 0
