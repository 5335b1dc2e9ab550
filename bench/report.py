"""Statistics and the table: min/median/max per figure and library, and the ratios.

A ratio compares costs (time per call, or seconds per request for HTTP throughput), so every
ratio above 1 means jwtflow is faster: ``simplejwt/jwtflow`` and ``restflow/jwtflow`` are the
peer's cost over jwtflow's; ``jwtflow/floor`` is how many floors jwtflow spends.
"""

from __future__ import annotations

import statistics
from typing import Any

from bench.libs import LIBS

UNITS = {"us": "µs", "req/s": "req/s", "ms": "ms"}


def summary(samples: list[float]) -> dict[str, float]:
    """min, median and max of one library's samples of one figure."""
    return {"min": min(samples), "median": statistics.median(samples), "max": max(samples)}


def _cost(figure: dict[str, Any], lib: str) -> float | None:
    entry = figure["libs"].get(lib, {})
    if not entry.get("samples"):
        return None
    median = float(statistics.median(entry["samples"]))
    if figure["better"] == "higher":
        return 1 / median if median else None
    return median


def ratios(figure: dict[str, Any]) -> dict[str, float | None]:
    """``simplejwt/jwtflow``, ``restflow/jwtflow`` and ``jwtflow/floor`` on medians."""
    mine = _cost(figure, "jwtflow")
    found: dict[str, float | None] = {}
    for peer in ("simplejwt", "restflow"):
        theirs = _cost(figure, peer)
        found[f"{peer}/jwtflow"] = theirs / mine if mine and theirs else None
    floor = _cost(figure, "floor")
    found["jwtflow/floor"] = mine / floor if mine and floor else None
    return found


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cell(entry: dict[str, Any]) -> str:
    """``median (min-max)``, or ``n/a``/``error`` with nothing else."""
    if entry.get("samples"):
        stats = summary(entry["samples"])
        if len(entry["samples"]) == 1:
            return _number(stats["median"])
        low, high = _number(stats["min"]), _number(stats["max"])
        return f"{_number(stats['median'])} ({low}-{high})"
    if "error" in entry:
        return "error"
    return "n/a" if "na" in entry else ""


def rows(figures: list[dict[str, Any]], libs: list[str]) -> tuple[list[str], list[list[str]]]:
    """Header and body of the table (only the libraries that ran; ratios where possible)."""
    columns = [lib for lib in LIBS if lib in libs]
    ratio_names = [
        name
        for name in ("simplejwt/jwtflow", "restflow/jwtflow", "jwtflow/floor")
        if all(part in columns for part in name.split("/"))
    ]
    header = ["figure", "unit", *columns, *ratio_names]
    body = []
    for figure in figures:
        found = ratios(figure)
        body.append(
            [
                figure["label"],
                UNITS[figure["unit"]],
                *(cell(figure["libs"].get(lib, {})) for lib in columns),
                *(f"{found[name]:.2f}x" if found[name] else "" for name in ratio_names),
            ]
        )
    return header, body


def text_table(header: list[str], body: list[list[str]]) -> str:
    """A plain-text table with aligned columns (numbers right-aligned)."""
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]

    def render(row: list[str]) -> str:
        return "  ".join(
            value.ljust(widths[i]) if i < 2 else value.rjust(widths[i])
            for i, value in enumerate(row)
        )

    return "\n".join([render(header), "  ".join("-" * w for w in widths), *map(render, body)])


def markdown_table(header: list[str], body: list[list[str]]) -> str:
    """The same table in Markdown."""
    align = ["---", "---", *(["---:"] * (len(header) - 2))]
    lines = [header, align, *body]
    return "\n".join("| " + " | ".join(row) + " |" for row in lines)


def notes(figures: list[dict[str, Any]]) -> list[str]:
    """Why a cell is n/a or an error: ``lib, figure: reason`` (one line each, deduplicated)."""
    seen: dict[str, list[str]] = {}
    for figure in figures:
        for lib, entry in figure["libs"].items():
            reason = entry.get("na") or (entry.get("error", "").splitlines() or [""])[0]
            if reason:
                seen.setdefault(f"{lib}: {reason}", []).append(figure["id"])
    return [f"{what} ({', '.join(ids)})" for what, ids in seen.items()]
