"""The store keeps only what is really an edition of a source, and never loses one."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from relocate.errors import SourceError
from relocate.sources.store import Manifest, Store, cache_problem
from tests.conftest import DummySource
from tests.sources.test_store import FIXTURES, install

GOOD = FIXTURES / "dummy-2024.csv"
NEWER = FIXTURES / "dummy-2025.csv"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "cache")


def edit_manifest(folder: Path, **changes: object) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    "changes",
    [
        {"edition_date": "2025-13-45"},
        {"edition_date": 20251231},
        {"retrieved": "yesterday"},
        {"rows": "many"},
        {"rows": -3},
        {"rows": True},
        {"notes": {"communes": "three"}},
        {"warnings": "one"},
        {"departement": 32},
        {"files": "dummy-2025.csv"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_a_manifest_with_a_bad_field_is_not_an_edition(
    store: Store, changes: dict[str, object]
) -> None:
    source = DummySource()
    install(store, source, GOOD)
    install(store, source, NEWER)
    edit_manifest(store.source_dir("dummy") / "2025-12-31", **changes)
    assert [m.edition for m in store.editions("dummy")] == ["2024-12-31"]
    [reason] = store.ignored("dummy")
    assert reason.startswith("2025-12-31: unreadable manifest.json")
    loaded = store.load(source)
    assert loaded is not None and loaded.manifest.edition == "2024-12-31"


def test_manifest_from_json_checks_types() -> None:
    with pytest.raises(ValueError, match="not a JSON object"):
        Manifest.from_json("[]")


def test_an_edition_of_another_source_is_ignored(store: Store) -> None:
    source = DummySource()
    install(store, source, GOOD)
    # A folder of another source copied here, its manifest saying so.
    shutil.copytree(store.source_dir("dummy") / "2024-12-31", store.source_dir("other") / "x")
    edit_manifest(store.source_dir("other") / "x", source="dummy")
    assert store.editions("other") == []
    assert store.ignored("other") == ["x: the manifest is of source 'dummy', not 'other'"]


def test_a_table_without_the_source_columns_is_ignored(store: Store) -> None:
    source = DummySource()
    install(store, source, GOOD)
    folder = store.source_dir("dummy") / "2024-12-31"
    pd.DataFrame({"u": [1], "v": [2]}).to_parquet(folder / "table.parquet")
    assert store.editions("dummy", columns=("count",)) == []
    assert store.ignored("dummy", columns=("count",)) == [
        "2024-12-31: its table has no column 'count': not a dummy table, or one an earlier "
        "relocate made (import it again)"
    ]
    # Asked for no column, the store does not open the table.
    assert store.editions("dummy") != []


def test_an_edition_copied_under_another_name_is_ignored(store: Store) -> None:
    install(store, DummySource(), GOOD)
    root = store.source_dir("dummy")
    shutil.copytree(root / "2024-12-31", root / "2024-12-31-copy")
    assert [store.folder_of(m).name for m in store.editions("dummy")] == ["2024-12-31"]
    assert store.ignored("dummy") == [
        "2024-12-31-copy: its manifest names edition '2024-12-31', kept in another folder"
    ]


def test_a_file_where_the_source_folder_should_be(store: Store) -> None:
    store.cache_dir.mkdir(parents=True)
    (store.cache_dir / "dummy").write_text("not a folder", encoding="utf-8")
    assert store.editions("dummy") == []
    assert store.ignored("dummy") == [
        f"{store.cache_dir / 'dummy'} is a file, not a folder: move it away"
    ]
    with pytest.raises(SourceError) as info:
        store.staging("dummy")
    assert str(info.value) == (
        f"{store.cache_dir / 'dummy'} is not a folder: move that file away (relocate keeps "
        "editions there)"
    )


def test_edition_folders_are_readable_like_the_rest_of_the_cache(
    store: Store, tmp_path: Path
) -> None:
    read_only = tmp_path / "dummy-2024.csv"
    shutil.copyfile(GOOD, read_only)
    read_only.chmod(0o444)
    old = os.umask(0o022)
    try:
        manifest = install(store, DummySource(), read_only)
    finally:
        os.umask(old)
    folder = store.folder_of(manifest)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path.name


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_staging_folders_are_removed_but_not_live_ones(store: Store) -> None:
    root = store.source_dir("dummy")
    root.mkdir(parents=True)
    dead = root / f".staging-{dead_pid()}-abcd"
    old_style = root / ".staging-k2j3h4"
    replaced = root / ".replaced-x1y2"
    live = root / f".staging-{os.getppid()}-live"
    for folder in (dead, old_style, replaced, live):
        (folder / "edition").mkdir(parents=True)
    with store.lock("dummy"):
        removed = store.remove_stale("dummy")
    assert sorted(removed) == sorted([dead.name, old_style.name, replaced.name])
    assert live.exists() and not dead.exists() and not old_style.exists()


def test_the_lock_is_reentrant_and_excludes_another_store(tmp_path: Path) -> None:
    one, other = Store(tmp_path / "cache"), Store(tmp_path / "cache", lock_wait_s=0.2)
    with one.lock("dummy"), one.lock("dummy"):
        failures: list[str] = []

        def try_other() -> None:
            try:
                with other.lock("dummy"):
                    pass
            except SourceError as exc:
                failures.append(str(exc))

        thread = threading.Thread(target=try_other)
        thread.start()
        thread.join()
    assert len(failures) == 1
    assert failures[0].startswith(f"another relocate (process {os.getpid()}) has been importing")
    assert "wait for it to finish and try again" in failures[0]
    with other.lock("dummy"):  # free again
        pass


def test_concurrent_installs_of_one_source_lose_nothing(tmp_path: Path) -> None:
    source = DummySource()
    files = []
    for number in range(6):
        path = tmp_path / f"dummy-{number}.csv"
        path.write_text(
            f"code_insee;count;date\n99001;{number};2024-12-31\n99002;1;2024-12-31\n",
            encoding="utf-8",
        )
        files.append(path)
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            install(Store(tmp_path / "cache"), source, path)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(path,)) for path in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = Store(tmp_path / "cache")
    editions = sorted(m.edition for m in store.editions("dummy"))
    assert editions == ["2024-12-31", *(f"2024-12-31 #{n}" for n in range(2, 7))]
    assert not [p for p in store.source_dir("dummy").iterdir() if p.name.startswith(".replaced")]
    assert store.load(source) is not None


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (28, "no space left to write in"),
        (30, "is on a read-only file system: set RELOCATE_CACHE_DIR"),
        (13, "no permission to write in"),
    ],
)
def test_cache_problems_say_what_to_do(tmp_path: Path, code: int, said: str) -> None:
    message = cache_problem(OSError(code, os.strerror(code)), tmp_path)
    assert said in message
    assert str(tmp_path) in message


def test_a_manifest_of_an_earlier_relocate_is_read_with_its_defaults(store: Store) -> None:
    from relocate.sources.store import Manifest

    manifest = Manifest.from_json(
        json.dumps(
            {
                "source": "sncf",
                "edition": "retrieved 2026-12-01",
                "edition_date": "2026-12-01",
                "departement": None,
                "retrieved": "2026-12-01T10:00:00+00:00",
                "how": "imported",
                "files": [{"name": "a.csv", "sha256": "0", "bytes": 1, "origin": "a.csv"}],
                "rows": 1,
                "schema": 1,
            }
        )
    )
    assert manifest.dated_by == "content" and manifest.files[0].last_modified is None
    # Its name says it was dated by the day it was downloaded: its age is unknown.
    assert not manifest.age_known
