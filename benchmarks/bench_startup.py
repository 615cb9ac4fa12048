"""Benchmark: how fast the command line answers, next to a bare Python started in the same run.

Run from the repository root::

    .venv/bin/python benchmarks/bench_startup.py        # or: make bench

Each command runs in a fresh process, as a user types it; the wall time of each run
is measured, and the median of ``--repeats`` runs (after one untimed warm-up) is
printed next to the median of ``python -c pass`` measured in the same run, and the
ratio between them. Targets (from the catalogue issue): ``relocate --version`` and
``relocate --help`` under 0.3 s, ``relocate explain VILLAGE`` on a warm cache under
1.5 s. The cache is a temporary folder, filled by the warm-up run. The script
prints PASS/FAIL against the targets but never fails on a timing.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELOCATE = Path(sys.executable).with_name("relocate")

#: (label, command, target in seconds or None)
COMMANDS: list[tuple[str, list[str], float | None]] = [
    ("python -c pass (reference)", [sys.executable, "-c", "pass"], None),
    ("relocate --version", [str(RELOCATE), "--version"], 0.3),
    ("relocate --help", [str(RELOCATE), "--help"], 0.3),
    ("relocate explain Lectoure -p family (warm cache)",
     [str(RELOCATE), "explain", "Lectoure", "-p", "family"], 1.5),
]  # fmt: skip


def _time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    """Time each command and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each command")
    args = parser.parse_args()
    if not RELOCATE.exists():
        sys.exit(f"{RELOCATE} not found: run `make setup` first")
    print(
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="relocate-bench-") as cache:
        env = {**os.environ, "RELOCATE_CACHE_DIR": cache}
        rows = []
        for label, command, target in COMMANDS:
            _time(command, env)  # warm-up: fills the cache, loads the files into memory
            runs = [_time(command, env) for _ in range(args.repeats)]
            rows.append((label, statistics.median(runs), min(runs), target))
    reference = rows[0][1]
    print(f"\n{'command':<52} {'median':>8} {'min':>8} {'× python':>9}  target")
    for label, median, fastest, target in rows:
        verdict = (
            "" if target is None else f"< {target:g} s {'PASS' if median < target else 'FAIL'}"
        )
        print(
            f"{label:<52} {median:>7.3f}s {fastest:>7.3f}s {median / reference:>8.1f}×  {verdict}"
        )


if __name__ == "__main__":
    main()
