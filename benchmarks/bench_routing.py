"""Benchmark: drive times on a synthetic 200,000-node road graph, scipy against networkx.

Run from the repository root::

    .venv/bin/python benchmarks/bench_routing.py

What it measures (see benchmarks/RESULTS.md for recorded numbers and targets):

1. ``RoadNetwork.from_edges`` on the directed edges table of a synthetic road
   graph: a perturbed 450 x 450 grid (202,500 nodes) around lon 0.5, lat 43.6,
   with random speeds, 10 % one-way edges and a few parallel edges (fixed seed).
2. All 460 x 10 village-to-destination drive times through the real feature
   path: ten ``drive_min_to`` calls (each one Dijkstra on the transposed graph,
   plus snapping the villages). Target: < 2 s.
3. The networkx reference, per pair: ``nx.shortest_path_length(G, village_node,
   dest_node, weight="time")`` on a sample of pairs (default 50), timed and
   EXTRAPOLATED linearly to the 4,600 pairs; its values are checked against
   scipy's. Target: speed-up >= 20x. Building the networkx graph is not timed.
4. For context (no target): networkx used as well as it can be, one
   single-source Dijkstra per destination on the reversed graph (one timed, x10).
5. One ``isochrones`` call (30/45/60 min), for information.

Targets are reported as PASS/FAIL; the script never fails on a timing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import statistics
import sys
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from relocate.features._geodesy import geodesic_km
from relocate.features.roads import RoadNetwork, drive_min_to, isochrones

SEED = 20261130
TARGET_ALL_TIMES_S = 2.0
TARGET_RATIO = 20.0


def synthetic_edges(side: int, rng: np.random.Generator) -> pd.DataFrame:
    """The directed edges table (``osm`` source format) of a perturbed ``side`` x ``side`` grid."""
    step_lon, step_lat = 0.004, 0.003  # about 320 m x 330 m
    col, row = np.meshgrid(np.arange(side), np.arange(side))
    ids = (row * side + col).ravel().astype(np.int64) + 1_000_000_000  # OSM-like ids
    lon = (0.5 - side * step_lon / 2 + col * step_lon).ravel()
    lat = (43.6 - side * step_lat / 2 + row * step_lat).ravel()
    lon = lon + rng.uniform(-0.35, 0.35, lon.shape) * step_lon
    lat = lat + rng.uniform(-0.35, 0.35, lat.shape) * step_lat
    index = np.arange(side * side).reshape(side, side)
    a = np.concatenate([index[:, :-1].ravel(), index[:-1, :].ravel()])
    b = np.concatenate([index[:, 1:].ravel(), index[1:, :].ravel()])
    speeds = rng.choice([30.0, 50.0, 70.0, 80.0, 90.0, 110.0], size=len(a))
    length = geodesic_km(lon[a], lat[a], lon[b], lat[b]) * 1000.0 * rng.uniform(1.0, 1.3, len(a))
    oneway = rng.random(len(a)) < 0.10
    flip = oneway & (rng.random(len(a)) < 0.5)
    a, b = np.where(flip, b, a), np.where(flip, a, b)
    # Two-way roads give both directions; one-way streets only theirs.
    u = np.concatenate([a, b[~oneway]])
    v = np.concatenate([b, a[~oneway]])
    length = np.concatenate([length, length[~oneway]])
    speed = np.concatenate([speeds, speeds[~oneway]])
    flags = np.concatenate([oneway, oneway[~oneway]])
    # A few parallel edges (a slower service road beside the main one).
    extra = rng.choice(len(u), size=len(u) // 100, replace=False)
    u, v = np.concatenate([u, u[extra]]), np.concatenate([v, v[extra]])
    length = np.concatenate([length, length[extra] * 1.05])
    speed = np.concatenate([speed, np.full(len(extra), 30.0)])
    flags = np.concatenate([flags, flags[extra]])
    return pd.DataFrame(
        {
            "u": ids[u],
            "v": ids[v],
            "u_lon": lon[u],
            "u_lat": lat[u],
            "v_lon": lon[v],
            "v_lat": lat[v],
            "length_m": length,
            "speed_kph": speed,
            "travel_time_s": length / (speed / 3.6),
            "highway": "synthetic",
            "oneway": flags,
        }
    )


def random_points(edges: pd.DataFrame, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    lon = rng.uniform(edges["u_lon"].min() + 0.02, edges["u_lon"].max() - 0.02, n)
    lat = rng.uniform(edges["u_lat"].min() + 0.02, edges["u_lat"].max() - 0.02, n)
    return lon, lat


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=450, help="grid side (nodes = side^2)")
    parser.add_argument("--villages", type=int, default=460)
    parser.add_argument("--destinations", type=int, default=10)
    parser.add_argument("--pairs", type=int, default=50, help="pairs timed with networkx")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)

    print(
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()};"
        + "".join(
            f" {p} {importlib.metadata.version(p)}"
            for p in ("numpy", "scipy", "scikit-learn", "networkx")
        )
    )
    t0 = time.perf_counter()
    edges = synthetic_edges(args.side, rng)
    print(f"synthetic edges table: {len(edges):,} rows ({time.perf_counter() - t0:.1f} s, untimed)")

    build = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        network = RoadNetwork.from_edges(edges)
        build.append(time.perf_counter() - t0)
    print(
        f"RoadNetwork.from_edges: {network.n_nodes:,} nodes, {network.time_s.nnz:,} edges;"
        f" median {statistics.median(build):.3f} s (min {min(build):.3f} s) of {args.repeats}"
    )

    v_lon, v_lat = random_points(edges, args.villages, rng)
    d_lon, d_lat = random_points(edges, args.destinations, rng)
    villages = gpd.GeoDataFrame(
        {"townhall_lon": v_lon, "townhall_lat": v_lat},
        geometry=gpd.points_from_xy(v_lon, v_lat),
        crs="EPSG:4326",
        index=pd.Index([f"{99000 + i:05d}" for i in range(args.villages)], name="insee"),
    )

    runs = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        table = pd.concat(
            [
                drive_min_to(villages, network=network, lon=x, lat=y, name=f"d{j}")
                for j, (x, y) in enumerate(zip(d_lon, d_lat, strict=True))
            ],
            axis=1,
        )
        runs.append(time.perf_counter() - t0)
    n_pairs = args.villages * args.destinations
    scipy_s = statistics.median(runs)
    verdict = "PASS" if scipy_s < TARGET_ALL_TIMES_S else "FAIL"
    print(
        f"all {args.villages} x {args.destinations} = {n_pairs:,} drive times (scipy):"
        f" median {scipy_s:.3f} s (min {min(runs):.3f} s) of {args.repeats};"
        f" target < {TARGET_ALL_TIMES_S:g} s: {verdict}"
    )
    print(f"  unreachable pairs: {int(table.isna().sum().sum())}")

    # networkx reference on the same reduced graph (parallel edges already at their minimum).
    t0 = time.perf_counter()
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(
        zip(
            network.edge_u.tolist(),
            network.edge_v.tolist(),
            network.edge_time_s.tolist(),
            strict=True,
        ),
        weight="time",
    )
    print(f"networkx DiGraph built in {time.perf_counter() - t0:.1f} s (untimed)")
    v_nodes, _ = network.snap(v_lon, v_lat)
    d_nodes, _ = network.snap(d_lon, d_lat)
    sample = [
        (int(rng.integers(args.villages)), int(rng.integers(args.destinations)))
        for _ in range(args.pairs)
    ]
    nx_values = []
    t0 = time.perf_counter()
    for i, j in sample:
        try:
            seconds = nx.shortest_path_length(
                graph, int(v_nodes[i]), int(d_nodes[j]), weight="time"
            )
        except nx.NetworkXNoPath:
            seconds = np.inf
        nx_values.append(seconds)
    nx_sample_s = time.perf_counter() - t0
    nx_all_s = nx_sample_s / args.pairs * n_pairs
    ours = np.array([table.iloc[i, j] * 60.0 for i, j in sample])
    theirs = np.array(nx_values, dtype=float)
    same = np.allclose(np.nan_to_num(ours, nan=np.inf), theirs, rtol=1e-9, atol=1e-6)
    ratio = nx_all_s / scipy_s
    print(
        f"networkx per pair: {args.pairs} pairs in {nx_sample_s:.2f} s"
        f" ({nx_sample_s / args.pairs * 1000:.0f} ms/pair),"
        f" EXTRAPOLATED to {n_pairs:,} pairs: {nx_all_s:.0f} s"
    )
    print(f"  sampled values equal scipy's: {same}")
    print(
        f"speed-up of scipy over networkx (extrapolated): {ratio:.0f}x;"
        f" target >= {TARGET_RATIO:g}x: {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )

    # For context: the fairer networkx use, one single-source Dijkstra per destination.
    t0 = time.perf_counter()
    reference = nx.single_source_dijkstra_path_length(
        graph.reverse(copy=False), int(d_nodes[0]), weight="time"
    )
    one_s = time.perf_counter() - t0
    column = table.iloc[:, 0].to_numpy() * 60.0
    same_one = all(
        np.isclose(column[i], reference.get(int(n), np.inf), rtol=1e-9, atol=1e-6)
        for i, n in enumerate(v_nodes)
    )
    print(
        f"networkx one Dijkstra per destination (context, no target): {one_s:.2f} s for one,"
        f" x{args.destinations} = {one_s * args.destinations:.1f} s"
        f" ({one_s * args.destinations / scipy_s:.0f}x scipy); values equal: {same_one}"
    )
    same = same and same_one

    t0 = time.perf_counter()
    areas = isochrones(network, lon=float(d_lon[0]), lat=float(d_lat[0]), minutes=(30, 45, 60))
    km2 = areas.to_crs("EPSG:2154").area / 1e6
    print(
        f"isochrones 30/45/60 min: {time.perf_counter() - t0:.2f} s"
        f" (areas {', '.join(f'{a:,.0f}' for a in km2)} km2; no target)"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
