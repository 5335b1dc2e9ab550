"""The soak (``make soak``) runs: every scenario with a few hundred calls, and its verdicts.

Heap growth over 150 calls says little, and nothing about speed is asserted; these tests keep
``bench/soak.py`` from rotting as jwtflow and the benchmark change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from bench import soak

pytestmark = pytest.mark.once

REPO = Path(__file__).resolve().parents[2]


def test_every_scenario_soaks_and_is_reported(tmp_path: Path) -> None:
    out = tmp_path / "soak.json"
    finished = subprocess.run(
        [sys.executable, "-m", "bench.soak", "--calls", "300", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert finished.stdout.startswith("Machine: ")
    rows = {line.split()[0]: line for line in finished.stdout.splitlines() if line.strip()}
    results = json.loads(out.read_text())["results"]
    assert [entry["id"] for entry in results] == list(soak.SCENARIOS)
    for entry in results:
        assert (entry["warmup"], entry["measured"]) == (150, 150)
        assert entry["seconds"] > 0
        assert rows[entry["id"]].endswith("flat"), rows[entry["id"]]
        assert f"{entry['id']}: top growing lines after 150 warm-up calls" in finished.stdout


def test_growth_past_the_limit_is_the_verdict_and_a_failure_is_reported() -> None:
    grows = {"id": "a", "warmup": 1, "measured": 1000, "seconds": 0.5, "growth_bytes": 2048}
    grows["top"] = [{"where": "leak.py:7", "bytes": 2048, "blocks": 1000}]
    failed = {"id": "b", "error": "Traceback ... ValueError: broken"}
    text = soak.report([grows, failed], limit_bytes=1024)
    assert "a                           1000       2048      2048.0    500.0  GROWS" in text
    assert "    2048 B  1000 blocks  leak.py:7" in text
    assert "b                      ERROR" in text
    assert "ValueError: broken" in text
    assert soak.report([grows], limit_bytes=4096).splitlines()[1].endswith("flat")


def test_options() -> None:
    assert soak.parse(["--calls", "300"]).warmup == 150
    assert soak.parse([]).warmup == soak.WARMUP_CALLS
    assert soak.main(["--only", "no-such-scenario"]) == 2
    with pytest.raises(SystemExit):
        soak.parse(["--calls", "1"])
