"""The machine line printed with the table: CPU, cores, load, Python and library versions."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

DISTRIBUTIONS = {
    "Django": "Django",
    "DRF": "djangorestframework",
    "PyJWT": "PyJWT",
    "cryptography": "cryptography",
    "simplejwt": "djangorestframework-simplejwt",
    "drf-restflow": "drf-restflow",
    "adrf": "adrf",
    "uvicorn": "uvicorn",
}


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, or the platform's processor string."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def versions() -> dict[str, str]:
    """Installed versions of the libraries that matter (missing ones left out)."""
    found = {}
    for label, distribution in DISTRIBUTIONS.items():
        try:
            found[label] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    return found


def jwtflow_version() -> str:
    """jwtflow's version plus the checkout's commit (``-dirty`` with local changes)."""
    version = metadata.version("jwtflow")
    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return version
    return f"{version} ({commit})"


def describe(loadgen: str) -> dict[str, str]:
    """Everything the machine line shows, as a dict for the JSON results."""
    load1, load5, _ = os.getloadavg()
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "load": f"{load1:.2f} {load5:.2f}",
        "python": platform.python_version(),
        "jwtflow": jwtflow_version(),
        "loadgen": loadgen,
        **versions(),
    }


def line(info: dict[str, str]) -> str:
    """One line: ``CPU, N cores (load a b), Python x, Django y, PyJWT z, ...``."""
    head = (
        f"{info['cpu']}, {info['cores']} cores (load avg {info['load']}), Python {info['python']}"
    )
    rest = [
        f"{key} {value}"
        for key, value in info.items()
        if key not in {"cpu", "cores", "load", "python"}
    ]
    return ", ".join([head, *rest])
