"""Benchmark: importing a large La Poste file, its wall time and peak memory.

Run from the repository root::

    .venv/bin/python benchmarks/bench_import.py            # about 200 MB, 1.1 million sites
    .venv/bin/python benchmarks/bench_import.py --mb 50    # a smaller file

It writes a synthetic file shaped like La Poste's ``laposte_poincont2.csv`` (the
published columns, ``;``-separated, real commune codes with positions near their
town halls) into a temporary folder, then imports it as ``relocate data import
laposte FILE`` does (:func:`relocate.sources.fetch.import_files`, the commune table
loaded, every check made), in a fresh process. It prints the wall time and the
process's peak resident memory (``ru_maxrss``), next to the peak of a process that
only loads the commune table (what any import starts with) and to the size in
memory of the rows kept (the table installed, ``memory_usage(deep=True)``).
Nothing is asserted: the numbers are for reading (see RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HEADER = (
    "#Identifiant_du_site;Libellé_du_site;Caractéristique_du_site;Site_Acores_de_rattachement;"
    "Adresse;Complément_d_adresse;Lieu_dit;Code_postal;Localité;Code_INSEE;Pays;Latitude;"
    "Longitude;Précision_du_géocodage;Numéro_de_téléphone;latlong"
)
KINDS = ("Bureau de Poste", "Agence postale communale", "Relais poste commerçant")
PRECISION = ("Géocodé au numéro", "Géocodé à la voie", "Géocodé à la commune")


def _peak_mb() -> float:
    """The process's peak resident memory in MB (ru_maxrss is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def write_file(path: Path, target_mb: float, cache: Path) -> int:
    """Write a La Poste-shaped file of about ``target_mb`` MB; return its number of rows."""
    from relocate.sources import load_communes  # lazy: the parent process stays light

    communes = load_communes(cache_dir=cache).communes
    located = communes.dropna(subset=["townhall_lon", "townhall_lat"])
    places = list(
        zip(
            located.index,
            located["name"],
            located["townhall_lon"].round(4),
            located["townhall_lat"].round(4),
            strict=True,
        )
    )
    rng = random.Random(20261201)
    target = int(target_mb * (1 << 20))
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        size = len(HEADER) + 1
        while size < target:
            code, name, lon, lat = places[rng.randrange(len(places))]
            lon += rng.uniform(-0.004, 0.004)
            lat += rng.uniform(-0.004, 0.004)
            upper = str(name).upper()
            line = (
                f"{rows:07d}X;{upper} {rows % 97};{KINDS[rows % 3]};{rows % 10000:05d}A;"
                f"{rows % 200} RUE DE LA POSTE;;;{code};{upper};{code};FRANCE;"
                f"{lat:.4f};{lon:.4f};{PRECISION[rows % 3]};3631;{lat:.4f},{lon:.4f}\n"
            )
            out.write(line)
            size += len(line.encode("utf-8"))
            rows += 1
    return rows


def _child(mode: str, cache: Path, file: Path | None) -> None:
    """Run in a fresh process: load the communes (baseline) or import the file; print JSON."""
    from relocate.sources import load_communes  # lazy: measured in the child only
    from relocate.sources.fetch import import_files
    from relocate.sources.opendata import ParseContext
    from relocate.sources.registry import OPEN_DATA
    from relocate.sources.store import Store

    start = time.perf_counter()
    communes = load_communes(cache_dir=cache)
    context = ParseContext(communes=communes, departement="32")
    result: dict[str, float] = {}
    if mode == "import":
        assert file is not None
        store = Store(cache)
        manifest = import_files(OPEN_DATA["laposte"], [file], store=store, context=context)
        result["seconds"] = time.perf_counter() - start
        result["peak_mb"] = _peak_mb()  # before the table is read back to be measured
        table = store.load_table(manifest)
        assert table is not None
        result["rows"] = manifest.rows
        result["kept_mb"] = table.memory_usage(deep=True).sum() / (1 << 20)
    result.setdefault("seconds", time.perf_counter() - start)
    result.setdefault("peak_mb", _peak_mb())
    print(json.dumps(result))


def _run(mode: str, cache: Path, file: Path | None = None) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", mode, "--cache", str(cache)]
    if file is not None:
        command += ["--file", str(file)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Write the file, import it in a fresh process, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the file written")
    parser.add_argument("--child", choices=("baseline", "import"), help=argparse.SUPPRESS)
    parser.add_argument("--cache", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.cache, args.file)
        return
    print(
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory(prefix="relocate-bench-import-") as folder:
        cache = Path(folder) / "cache"
        file = Path(folder) / "laposte_poincont2.csv"
        start = time.perf_counter()
        rows = write_file(file, args.mb, cache)
        size_mb = file.stat().st_size / (1 << 20)
        took = time.perf_counter() - start
        print(f"Wrote {file.name}: {size_mb:.0f} MB, {rows:,} sites ({took:.0f} s)")
        baseline = _run("baseline", cache)
        imported = _run("import", cache, file)
    extra = imported["peak_mb"] - baseline["peak_mb"]
    print(f"{'':34}{'wall (s)':>10}{'peak RSS (MB)':>16}")
    for label, run in (
        ("load the communes only", baseline),
        ("import laposte (communes + file)", imported),
    ):
        print(f"{label:34}{run['seconds']:>10.1f}{run['peak_mb']:>16.0f}")
    print(
        f"Rows kept: {int(imported['rows']):,}, {imported['kept_mb']:.0f} MB in memory; "
        f"the import's peak above the communes: {extra:.0f} MB, "
        f"{extra / imported['kept_mb']:.1f} x the rows kept ({extra / size_mb:.1f} x the file)"
    )


if __name__ == "__main__":
    main()
