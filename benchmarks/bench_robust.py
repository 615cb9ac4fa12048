"""Benchmark: how sure each rank is (SMAA-2), for the Gers and for all of France.

Run from the repository root::

    .venv/bin/python benchmarks/bench_robust.py

What it measures (recorded in benchmarks/RESULTS.md):

1. ``relocate.scoring.robust.robustness`` with 10,000 weight draws for the 458
   villages of the Gers (the real built-in data, ``load_territory(Settings())``)
   and a 10-criterion profile whose every weight is a range: median of
   ``--repeats`` runs after one warm-up (target: < 1 s).
2. In the same run, the plain way: one ``Profile.with_weights`` and one
   ``score()`` per draw, timed on ``--loop-draws`` draws (the first draws of the
   same stream) and **extrapolated** linearly to every draw; the ratio of the two.
   The loop's ranks are checked against the sampler's for those draws, and the
   fixed-weight ranks against ``score()``'s.
3. The same on all 34,875 communes of France (the feature table of
   ``bench_scoring.py``, read from its parquet cache): 1,000 draws (target:
   < 10 s), with the peak memory of the call (``tracemalloc``, which sees numpy's
   allocations, in a separate run) and the process's peak resident size.

Targets are reported as PASS/FAIL; the script never fails on a timing.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scoring import load_france, machine, verdict

import relocate
from relocate.scoring import Profile, parse_profile, score
from relocate.scoring.robust import WeightSpace, robustness, sample_ranks
from relocate.settings import default_cache_dir

TARGET_GERS_S = 1.0
TARGET_FRANCE_S = 10.0
SEED = 20261201

#: (criterion, weight, better, full, zero, (low, high) of the weight's range)
CRITERIA: list[tuple[str, float, str, float, float, tuple[float, float]]] = [
    ("drive_min_TLS", 4, "lower", 30, 120, (3, 5)),
    ("drive_min_AGF", 1, "lower", 20, 90, (0.5, 2)),
    ("drive_min_airport", 2, "lower", 20, 90, (1, 3)),
    ("drive_min_town", 2, "lower", 5, 25, (1, 3)),
    ("drive_min_prefecture", 1, "lower", 15, 60, (0.5, 1.5)),
    ("dist_km_town", 1, "lower", 3, 20, (0.5, 1.5)),
    ("dist_km_prefecture", 1, "lower", 10, 50, (0.5, 1.5)),
    ("population", 1, "higher", 800, 80, (0.5, 2)),
    ("density_per_km2", 1, "higher", 60, 5, (0.5, 2)),
    ("townhall_hours_per_week", 1, "higher", 15, 3, (0.5, 2)),
]


def bench_profile() -> tuple[Profile, WeightSpace]:
    data = {
        "name": "Benchmark: ten criteria, every weight a range",
        "criteria": {
            name: {"weight": weight, "better": better, "full": full, "zero": zero}
            for name, weight, better, full, zero, _ in CRITERIA
        },
    }
    profile = parse_profile(data, origin="bench_robust")
    ranges = {name: bounds for name, *_, bounds in CRITERIA}
    return profile, WeightSpace.from_profile(profile, ranges=ranges)


def timings(fn: Callable[[], object], *, repeats: int) -> list[float]:
    """Wall times of ``repeats`` calls of ``fn`` after one untimed warm-up."""
    fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def loop_over_score(
    features: pd.DataFrame, profile: Profile, space: WeightSpace, draws: int
) -> tuple[float, int]:
    """Time ``draws`` plain (with_weights + score) rankings; count rank mismatches.

    The draws are the first ``draws`` of the sampler's stream, so that its ranks
    can be compared with the loop's.
    """
    parts = list(sample_ranks(features, profile, space=space, samples=draws, seed=SEED))
    weights = np.vstack([p.weights for p in parts])
    sampled = np.vstack([p.ranks for p in parts]).astype(float)
    codes = parts[0].codes
    start = time.perf_counter()
    ranks = []
    for row in weights:
        # Scaled to a largest weight of 50, within a profile's bounds (scores do not change).
        scaled = row * (50.0 / row.max())
        drawn = profile.with_weights(dict(zip(space.names, scaled.tolist(), strict=True)))
        ranks.append(score(features, drawn).table["rank"])
    elapsed = time.perf_counter() - start
    loop = np.vstack([r.astype(float).reindex(codes).to_numpy() for r in ranks])
    return elapsed, int((loop != sampled).sum())


def fixed_mismatches(features: pd.DataFrame, profile: Profile) -> int:
    """Villages whose certain rank (fixed weights) differs from score()'s."""
    table = robustness(features, profile, samples=1).table
    rank = score(features, profile).table["rank"].astype(float).reindex(table.index)
    return int((table["rank_p50"].fillna(-1) != rank.fillna(-1)).sum())


def peak_memory(fn: Callable[[], object]) -> float:
    """Peak bytes allocated (numpy included) during one call of ``fn``, in MB."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run(
    label: str,
    features: pd.DataFrame,
    *,
    samples: int,
    target: float,
    repeats: int,
    loop_draws: int,
) -> dict[str, Any]:
    profile, space = bench_profile()
    times = timings(
        lambda: robustness(features, profile, space=space, samples=samples, seed=SEED),
        repeats=repeats,
    )
    result = robustness(features, profile, space=space, samples=samples, seed=SEED)
    loop_s, mismatches = loop_over_score(features, profile, space, loop_draws)
    per_draw = loop_s / loop_draws
    med = statistics.median(times)
    row = {
        "label": label,
        "villages": len(features),
        "criteria": len(result.criteria),
        "samples": samples,
        "median_s": med,
        "min_s": min(times),
        "runs": times,
        "loop_draws": loop_draws,
        "loop_s": loop_s,
        "loop_extrapolated_s": per_draw * samples,
        "ratio": per_draw * samples / med,
        "loop_mismatches": mismatches,
        "fixed_mismatches": fixed_mismatches(features, profile),
        "peak_mb": peak_memory(
            lambda: robustness(features, profile, space=space, samples=samples, seed=SEED)
        ),
        "target": target,
        "most_sensitive": result.most_sensitive,
        "top": result.table.head(3),
    }
    print(f"\n== {label}: {len(features)} villages x {row['criteria']} criteria, {samples} draws")
    print(f"robustness(): median {med:.3f} s   min {min(times):.3f} s   "
          f"({', '.join(f'{t:.3f}' for t in times)})  target < {target:g} s: "
          f"{verdict(med < target)}")  # fmt: skip
    print(f"loop over score(): {loop_s:.2f} s for {loop_draws} draws "
          f"({per_draw * 1e3:.1f} ms a draw), extrapolated to {samples}: "
          f"{per_draw * samples:.1f} s   ratio {row['ratio']:.0f}x")  # fmt: skip
    print(f"ranks of the {loop_draws} draws, sampler vs loop: {mismatches} cells differ; "
          f"fixed weights vs score(): {row['fixed_mismatches']} villages differ")  # fmt: skip
    print(f"peak memory of the call (tracemalloc): {row['peak_mb']:.1f} MB")
    print(f"weight that moves the ranking most: {row['most_sensitive']}")
    print(row["top"].to_string())
    return row


def markdown(rows: list[dict[str, Any]], max_rss_mb: float) -> str:
    lines = [
        "| measurement | result | target | verdict |",
        "|---|---|---|---|",
    ]
    for r in rows:
        lines += [
            f"| {r['label']}: `robustness()`, {r['villages']:,} villages x {r['criteria']} "
            f"criteria, {r['samples']:,} draws, median of {len(r['runs'])} (min) "
            f"| {r['median_s']:.3f} s ({r['min_s']:.3f} s) | < {r['target']:g} s "
            f"| {verdict(r['median_s'] < r['target'])} |",
            f"| {r['label']}: loop over `score()`, {r['loop_draws']} draws timed "
            f"| {r['loop_s']:.2f} s ({r['loop_s'] / r['loop_draws'] * 1e3:.1f} ms a draw) | | |",
            f"| {r['label']}: the loop **extrapolated** to {r['samples']:,} draws "
            f"| {r['loop_extrapolated_s']:.1f} s (**{r['ratio']:.0f}x** slower) | | |",
            f"| {r['label']}: peak memory of the call (tracemalloc) "
            f"| {r['peak_mb']:.1f} MB | bounded | |",
            f"| {r['label']}: ranks sampler vs loop ({r['loop_draws']} draws); fixed weights "
            f"vs `score()` | {r['loop_mismatches']} and {r['fixed_mismatches']} differ | 0 | "
            f"{verdict(r['loop_mismatches'] == 0 and r['fixed_mismatches'] == 0)} |",
        ]
    lines.append(f"| process peak resident size (whole script) | {max_rss_mb:.0f} MB | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed robustness() runs")
    parser.add_argument("--loop-draws", type=int, default=100, help="draws of the score() loop")
    parser.add_argument("--skip-france", action="store_true", help="only the Gers")
    parser.add_argument("--markdown", action="store_true", help="print a RESULTS.md table")
    args = parser.parse_args(argv)

    print("== machine")
    print(machine())
    start = time.perf_counter()
    territory = relocate.load_territory(relocate.Settings())
    print(f"Gers loaded in {time.perf_counter() - start:.1f} s")
    rows = [
        run("Gers", territory.features, samples=10_000, target=TARGET_GERS_S,
            repeats=args.repeats, loop_draws=args.loop_draws)
    ]  # fmt: skip
    if not args.skip_france:
        features, _, how = load_france(default_cache_dir())
        print(f"\nFrance: {len(features)} communes ({how})")
        rows.append(
            run("France", features, samples=1_000, target=TARGET_FRANCE_S,
                repeats=args.repeats, loop_draws=args.loop_draws)
        )  # fmt: skip
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak resident size: {max_rss_mb:.0f} MB")
    if args.markdown:
        print()
        print(markdown(rows, max_rss_mb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
