"""Benchmark: importing a road network of the real size, and building its routing graph.

Run from the repository root::

    .venv/bin/python benchmarks/bench_osm_import.py              # about 2 million nodes
    .venv/bin/python benchmarks/bench_osm_import.py --nodes 500000

The road network around the Gers (its communes' hull and 60 km around it, about
38,000 km² with Toulouse, Agen, Tarbes, Pau and Montauban) has two to four million
unsimplified nodes. This writes a synthetic one of about ``--nodes`` nodes as an
``.osm.pbf`` file (pyosmium), over the bounding box of that area: a grid of roads
every ``spacing`` metres (Lambert-93), a node every 60 m along each road, a little
wiggle between crossings, the grid's lines of every class from motorway to
residential (some one-way, some with a ``maxspeed``), ways of five cells, footways
and private roads among them. Then, in a fresh process, it imports the file for
département 32 as ``relocate data import osm FILE`` does
(:func:`relocate.sources.fetch.import_files`: read, clipped to every road within
15 km and the major roads within 60 km, simplified, checked, installed in a
temporary cache), and builds the routing graph from the installed table
(:meth:`relocate.features.roads.RoadNetwork.from_edges`). It prints the wall time
of each step and the process's peak resident memory (``ru_maxrss``). Targets: under
3 minutes and 4 GB in all, on a 2-core machine. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
#: Metres between two nodes along a road.
STEP_M = 60.0
#: Cells a way spans.
WAY_CELLS = 5


def _peak_mb() -> float:
    """The process's peak resident memory in MB (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def _class_of(line: int) -> dict[str, str]:
    """The tags of the roads of one grid line."""
    if line % 60 == 0:
        return {"highway": "motorway", "oneway": "yes", "maxspeed": "130"}
    if line % 30 == 0:
        return {"highway": "trunk", "maxspeed": "110"}
    if line % 10 == 0:
        return {"highway": "primary"}
    if line % 5 == 0:
        return {"highway": "secondary", "maxspeed": "80"}
    if line % 97 == 0:
        return {"highway": "footway"}
    if line % 89 == 0:
        return {"highway": "residential", "access": "private"}
    return {"highway": ("tertiary", "unclassified", "residential")[line % 3]}


def write_network(path: Path, nodes_wanted: int, cache: Path) -> dict[str, float]:
    """Write the synthetic network as PBF; return its size (nodes, ways, spacing)."""
    import numpy as np  # lazy: the parent process stays light
    import osmium
    from pyproj import Transformer

    from relocate.sources import load_communes
    from relocate.sources.opendata import ParseContext
    from relocate.sources.osm import road_areas

    context = ParseContext(communes=load_communes(cache_dir=cache), departement="32")
    west, south, east, north = road_areas(context).major_lambert.bounds
    width, height = east - west, north - south
    # Grid lines both ways, every `spacing` m: about 2 * area / spacing / STEP_M nodes.
    spacing = max(STEP_M * 2, round(2 * width * height / (nodes_wanted * STEP_M) / STEP_M) * STEP_M)
    per_cell = int(spacing / STEP_M)
    nx, ny = int(width // spacing) + 1, int(height // spacing) + 1
    to_wgs84 = Transformer.from_crs(2154, 4326, always_xy=True)
    crossing = np.arange(nx * ny, dtype=np.int64).reshape(nx, ny) + 1
    next_id = int(crossing.max()) + 1
    ways: list[tuple[list[int], dict[str, str]]] = []
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    ids: list[np.ndarray] = []
    gx, gy = np.meshgrid(
        west + spacing * np.arange(nx), south + spacing * np.arange(ny), indexing="ij"
    )
    xs.append(gx.ravel())
    ys.append(gy.ravel())
    ids.append(crossing.ravel())
    along = np.arange(1, per_cell) * STEP_M
    wiggle = 12.0 * np.sin(np.arange(1, per_cell) * 0.9)
    for direction, count, other in (("x", ny, nx), ("y", nx, ny)):
        for line in range(count):
            tags = _class_of(line)
            refs: list[int] = []
            for cell in range(other - 1):
                start = crossing[cell, line] if direction == "x" else crossing[line, cell]
                refs.append(int(start))
                inner = np.arange(next_id, next_id + per_cell - 1, dtype=np.int64)
                next_id += per_cell - 1
                if direction == "x":
                    xs.append(west + cell * spacing + along)
                    ys.append(south + line * spacing + wiggle)
                else:
                    xs.append(west + line * spacing + wiggle)
                    ys.append(south + cell * spacing + along)
                ids.append(inner)
                refs.extend(int(i) for i in inner)
                if (cell + 1) % WAY_CELLS == 0 or cell == other - 2:
                    end = crossing[cell + 1, line] if direction == "x" else crossing[line, cell + 1]
                    ways.append(([*refs, int(end)], tags))
                    refs = []
    x, y, node_ids = np.concatenate(xs), np.concatenate(ys), np.concatenate(ids)
    order = np.argsort(node_ids)
    lon, lat = to_wgs84.transform(x[order], y[order])
    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2026-11-30T21:00:00Z")
    with osmium.SimpleWriter(str(path), header=header) as writer:
        for node_id, a, b in zip(node_ids[order].tolist(), lon.tolist(), lat.tolist(), strict=True):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=(a, b)))
        for number, (refs, tags) in enumerate(ways, start=1):
            writer.add_way(osmium.osm.mutable.Way(id=number, nodes=refs, tags=tags))
    return {"nodes": float(len(node_ids)), "ways": float(len(ways)), "spacing_m": spacing}


def child(pbf: Path, cache: Path, buffer_km: float) -> None:
    """Import the file and build the graph, in this (fresh) process; print the numbers as JSON."""
    started = time.perf_counter()
    from relocate.features.roads import RoadNetwork
    from relocate.sources import load_communes
    from relocate.sources.fetch import import_files
    from relocate.sources.opendata import ParseContext
    from relocate.sources.registry import OPEN_DATA
    from relocate.sources.store import Store

    context = ParseContext(
        communes=load_communes(cache_dir=cache), departement="32", roads_buffer_m=buffer_km * 1000
    )
    ready = time.perf_counter()
    store = Store(cache)
    manifest = import_files(OPEN_DATA["osm"], [pbf], store=store, context=context)
    imported = time.perf_counter()
    table = store.load(OPEN_DATA["osm"], departement="32").table  # type: ignore[union-attr]
    network = RoadNetwork.from_edges(table)
    built = time.perf_counter()
    print(
        json.dumps(
            {
                "communes_s": ready - started,
                "import_s": imported - ready,
                "graph_s": built - imported,
                "total_s": built - started,
                "peak_mb": _peak_mb(),
                "edges": manifest.rows,
                "graph_nodes": network.n_nodes,
                "notes": manifest.notes,
                "warnings": list(manifest.warnings),
            }
        )
    )


def reference(pbf: Path, cache: Path) -> None:
    """The reference, in a fresh process: the communes, then pyosmium reading every way.

    Each way is read with its nodes' positions, and nothing is done with them.
    """
    import osmium

    from relocate.sources import load_communes

    load_communes(cache_dir=cache)
    ready = time.perf_counter()
    nodes = 0
    for way in (
        osmium.FileProcessor(str(pbf))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
    ):
        nodes += len(way.nodes)
    done = time.perf_counter()
    print(json.dumps({"read_s": done - ready, "peak_mb": _peak_mb(), "way_nodes": nodes}))


def _run(*args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=REPO
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main() -> None:
    """Write the network, run the import in a fresh process, print the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2_000_000, help="nodes in the file")
    parser.add_argument(
        "--roads-buffer-km",
        type=float,
        default=15.0,
        help="keep every road within this distance (60: every road of the file's area)",
    )
    parser.add_argument("--child", nargs=2, metavar=("PBF", "CACHE"), help=argparse.SUPPRESS)
    parser.add_argument("--reference", nargs=2, metavar=("PBF", "CACHE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.roads_buffer_km)
        return
    if args.reference:
        reference(Path(args.reference[0]), Path(args.reference[1]))
        return
    with tempfile.TemporaryDirectory(prefix="relocate-bench-osm-") as tmp:
        cache = Path(tmp) / "cache"
        pbf = Path(tmp) / "synthetic-roads.osm.pbf"
        written = time.perf_counter()
        size = write_network(pbf, args.nodes, cache)
        written = time.perf_counter() - written
        base = _run("--reference", str(pbf), str(cache))
        result = _run(
            "--child", str(pbf), str(cache), "--roads-buffer-km", str(args.roads_buffer_km)
        )
        mb = pbf.stat().st_size / (1 << 20)
    machine = f"{platform.platform()}, {platform.processor() or '?'}"
    print(f"machine: {machine}, Python {platform.python_version()}")
    print(
        f"file: {size['nodes']:,.0f} nodes, {size['ways']:,.0f} ways, a road every "
        f"{size['spacing_m']:.0f} m, {mb:.0f} MB PBF, written in {written:.0f} s"
    )
    print(f"every road kept within {args.roads_buffer_km:g} km, major roads within 60 km")
    print(f"load communes: {result['communes_s']:.1f} s")
    print(
        f"import (read, clip, simplify, install): {result['import_s']:.1f} s, "
        f"{result['edges']:,} edges, notes {result['notes']}"
    )
    graph = f"{result['graph_s']:.1f} s, {result['graph_nodes']:,} nodes"
    print(f"graph build (RoadNetwork.from_edges): {graph}")
    total, peak = result["total_s"], result["peak_mb"]
    print(f"total: {total:.1f} s (target < 180 s: {'PASS' if total < 180 else 'FAIL'})")
    print(f"peak memory: {peak:,.0f} MB (target < 4096 MB: {'PASS' if peak < 4096 else 'FAIL'})")
    print(
        f"reference, same file, same run: pyosmium reading every way with its nodes' "
        f"positions ({base['way_nodes']:,} way nodes) after loading the communes: "
        f"{base['read_s']:.1f} s, peak {base['peak_mb']:,.0f} MB"
    )
    print(
        f"ratio: import {result['import_s'] / base['read_s']:.1f} x the plain read, "
        f"peak memory {peak / base['peak_mb']:.2f} x"
    )
    for warning in result["warnings"]:
        print(f"warning: {warning}")


if __name__ == "__main__":
    main()
