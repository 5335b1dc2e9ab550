"""jwtflow's benchmark suite: jwtflow, its peers and a hand-written floor, side by side.

``python -m bench.run`` (or ``make bench``) runs it; ``docs/benchmarks.md`` explains the table.
"""
