"""The versioned cache: install, editions, load and folder_of, with the fixture source."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

import relocate.sources.store as store_module
from relocate.sources.opendata import OpenDataSource, Parsed
from relocate.sources.store import TABLE_SCHEMA, Installed, Manifest, Store
from tests.conftest import DummyDepartementSource, DummySource, empty_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "csv"


def install(
    store: Store,
    source: OpenDataSource,
    path: Path,
    *,
    departement: str = "99",
    how: str = "imported",
) -> Manifest:
    """Stage a copy of ``path``, parse it and install it, as fetch and import do."""
    staging = store.staging(source.key)
    staged = staging / path.name
    shutil.copyfile(path, staged)
    parsed = source.parse([staged], context=empty_context(departement))
    return store.install(
        source,
        staging=staging,
        files=[(staged, str(path))],
        parsed=parsed,
        how=how,
        departement=departement,
    )


def install_outcome(
    store: Store, source: OpenDataSource, path: Path, *, name: str | None = None
) -> Installed:
    """Stage a copy of ``path`` (under ``name``), parse it and put it in the store."""
    staging = store.staging(source.key)
    staged = staging / (name or path.name)
    shutil.copyfile(path, staged)
    parsed = source.parse([staged], context=empty_context())
    try:
        return store.put(
            source,
            staging=staging,
            files=[(staged, str(path))],
            parsed=parsed,
            how="imported",
            departement="99",
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def hidden_folders(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".") and p.is_dir())


def entries(folder: Path) -> list[str]:
    """The names in a folder, without the source's lock file."""
    return sorted(p.name for p in folder.iterdir() if p.name != ".lock")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "cache")


def test_install_creates_the_edition_folder_with_manifest_and_table(store: Store) -> None:
    source = DummySource()
    fixture = FIXTURES / "dummy-2024.csv"
    manifest = install(store, source, fixture, how="fetched")

    folder = store.cache_dir / "dummy" / "2024-12-31"
    assert folder.is_dir()
    assert sorted(p.name for p in folder.iterdir()) == [
        "dummy-2024.csv",
        "manifest.json",
        "table.parquet",
    ]
    assert store.folder_of(manifest) == folder
    # Nothing else in the source folder: the staging folder became the edition folder.
    assert entries(store.source_dir("dummy")) == ["2024-12-31"]

    written = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data = fixture.read_bytes()
    assert written["source"] == "dummy"
    assert written["edition"] == "2024-12-31"
    assert written["edition_date"] == "2024-12-31"
    assert written["departement"] is None
    assert written["how"] == "fetched"
    assert written["rows"] == 3
    assert written["schema"] == TABLE_SCHEMA
    assert written["notes"] == {"communes": 3}
    assert written["warnings"] == []
    assert written["files"] == [
        {
            "name": "dummy-2024.csv",
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "origin": str(fixture),
            "last_modified": None,  # an import: no server gave a date
        }
    ]
    assert written["dated_by"] == "content"
    # The kept copy is the file itself, byte for byte.
    assert (folder / "dummy-2024.csv").read_bytes() == data
    assert Manifest.from_json((folder / "manifest.json").read_text(encoding="utf-8")) == manifest
    assert manifest.date == date(2024, 12, 31)


def test_load_returns_the_installed_table_and_provenance(store: Store) -> None:
    source = DummySource()
    install(store, source, FIXTURES / "dummy-2024.csv")
    loaded = store.load(source)
    assert loaded is not None
    expected = pd.DataFrame(
        {"count": [12.0, 0.0, 7.5]},
        index=pd.Index(["99001", "99002", "99003"], name="insee"),
    )
    pd.testing.assert_frame_equal(loaded.table, expected)
    assert loaded.key == "dummy"
    assert loaded.manifest.edition == "2024-12-31"
    assert loaded.folder == store.cache_dir / "dummy" / "2024-12-31"
    assert loaded.info.edition == "2024-12-31"
    assert loaded.info.loaded_from == str(loaded.folder)
    assert loaded.info.publisher == "Fixture publisher"


def test_nothing_cached(store: Store) -> None:
    assert store.editions("dummy") == []
    assert store.load(DummySource()) is None


def test_editions_are_newest_first_whatever_the_install_order(store: Store) -> None:
    source = DummySource()
    install(store, source, FIXTURES / "dummy-2025.csv")
    install(store, source, FIXTURES / "dummy-2024.csv")  # installed last, but older
    assert [m.edition for m in store.editions("dummy")] == ["2025-12-31", "2024-12-31"]
    loaded = store.load(source)
    assert loaded is not None
    assert loaded.manifest.edition == "2025-12-31"
    assert loaded.table["count"].tolist() == [13.0, 1.0, 8.0]


def test_another_file_of_the_same_edition_gets_a_name_of_its_own(
    store: Store, tmp_path: Path
) -> None:
    source = DummySource()
    first = install(store, source, FIXTURES / "dummy-2024.csv")
    corrected = tmp_path / "dummy-2024-corrected.csv"
    corrected.write_text("code_insee;count;date\n99001;99;2024-12-31\n", encoding="utf-8")
    done = install_outcome(store, source, corrected)

    assert done.outcome == "renamed"
    assert done.manifest.edition == "2024-12-31 #2"
    root = store.source_dir("dummy")
    assert entries(root) == ["2024-12-31", "2024-12-31__2"]
    assert hidden_folders(root) == []
    # The first edition is untouched, file for file.
    folder = root / "2024-12-31"
    assert sorted(p.name for p in folder.iterdir()) == [
        "dummy-2024.csv",
        "manifest.json",
        "table.parquet",
    ]
    assert Manifest.from_json((folder / "manifest.json").read_text(encoding="utf-8")) == first
    # The later one, of the same date, is the one in use.
    assert [m.edition for m in store.editions("dummy")] == ["2024-12-31 #2", "2024-12-31"]
    loaded = store.load(source)
    assert loaded is not None
    assert loaded.table["count"].tolist() == [99.0]
    third = install_outcome(store, source, FIXTURES / "dummy-2024.csv", name="again.csv")
    assert third.manifest.edition == "2024-12-31 #3"


def test_the_same_files_again_change_nothing(store: Store) -> None:
    source = DummySource()
    first = install(store, source, FIXTURES / "dummy-2024.csv")
    before = {p.name: p.read_bytes() for p in (store.source_dir("dummy") / "2024-12-31").iterdir()}
    done = install_outcome(store, source, FIXTURES / "dummy-2024.csv")
    assert done.outcome == "unchanged"
    assert done.manifest == first
    assert entries(store.source_dir("dummy")) == ["2024-12-31"]
    after = {p.name: p.read_bytes() for p in (store.source_dir("dummy") / "2024-12-31").iterdir()}
    assert after == before


def test_a_failed_rename_leaves_the_cache_as_it_was(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = DummySource()
    install(store, source, FIXTURES / "dummy-2024.csv")
    folder = store.cache_dir / "dummy" / "2024-12-31"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def rename(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError("fixture: rename refused")

    monkeypatch.setattr(store_module.os, "rename", rename)
    newer = FIXTURES / "dummy-2025.csv"
    with pytest.raises(OSError, match="rename refused"):
        install(store, source, newer)
    monkeypatch.undo()

    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [m.edition for m in store.editions("dummy")] == ["2024-12-31"]


def _break_manifest(folder: Path, how: str) -> None:
    path = folder / "manifest.json"
    if how == "not-json":
        path.write_text("{not json", encoding="utf-8")
    elif how == "a-list":
        path.write_text("[]", encoding="utf-8")
    elif how == "missing-key":
        data = json.loads(path.read_text(encoding="utf-8"))
        del data["edition"]
        path.write_text(json.dumps(data), encoding="utf-8")
    elif how == "bad-file-record":
        data = json.loads(path.read_text(encoding="utf-8"))
        data["files"] = [{"name": "x"}]
        path.write_text(json.dumps(data), encoding="utf-8")
    elif how == "other-schema":
        data = json.loads(path.read_text(encoding="utf-8"))
        data["schema"] = TABLE_SCHEMA + 1
        path.write_text(json.dumps(data), encoding="utf-8")
    elif how == "no-manifest":
        path.unlink()
    elif how == "no-table":
        (folder / "table.parquet").unlink()
    elif how == "binary":
        path.write_bytes(b"\xff\xfe\x00garbage")
    else:  # pragma: no cover
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how",
    [
        "not-json",
        "a-list",
        "missing-key",
        "bad-file-record",
        "other-schema",
        "no-manifest",
        "no-table",
        "binary",
    ],
)
def test_an_unreadable_edition_is_ignored(store: Store, how: str) -> None:
    source = DummySource()
    install(store, source, FIXTURES / "dummy-2024.csv")
    install(store, source, FIXTURES / "dummy-2025.csv")
    _break_manifest(store.cache_dir / "dummy" / "2025-12-31", how)
    assert [m.edition for m in store.editions("dummy")] == ["2024-12-31"]
    loaded = store.load(source)
    assert loaded is not None
    assert loaded.manifest.edition == "2024-12-31"


def test_an_unreadable_table_falls_back_to_the_previous_edition(store: Store) -> None:
    source = DummySource()
    install(store, source, FIXTURES / "dummy-2024.csv")
    install(store, source, FIXTURES / "dummy-2025.csv")
    (store.cache_dir / "dummy" / "2025-12-31" / "table.parquet").write_bytes(b"not parquet")
    loaded = store.load(source)
    assert loaded is not None
    assert loaded.manifest.edition == "2024-12-31"


def test_hidden_folders_are_not_editions(store: Store) -> None:
    source = DummySource()
    install(store, source, FIXTURES / "dummy-2024.csv")
    # A staging folder left by a killed process, holding a complete-looking edition.
    leftover = store.source_dir("dummy") / ".staging-killed"
    shutil.copytree(store.cache_dir / "dummy" / "2024-12-31", leftover)
    assert [m.edition for m in store.editions("dummy")] == ["2024-12-31"]


def test_staging_is_a_new_hidden_folder_inside_the_source_folder(store: Store) -> None:
    first, second = store.staging("dummy"), store.staging("dummy")
    assert first != second
    for folder in (first, second):
        assert folder.parent == store.source_dir("dummy")
        assert folder.name.startswith(".staging-")
        assert list(folder.iterdir()) == []


def test_edition_names_are_made_safe_for_folders(store: Store) -> None:
    source = DummySource()
    staging = store.staging(source.key)
    table = pd.DataFrame({"count": [1.0]}, index=pd.Index(["99001"], name="insee"))
    parsed = Parsed(table=table, edition="2025 T2/../x", edition_date=date(2025, 6, 30))
    manifest = store.install(
        source, staging=staging, files=[], parsed=parsed, how="imported", departement=None
    )
    folder = store.folder_of(manifest)
    assert folder.parent == store.source_dir("dummy")
    assert folder.name == "2025_T2_.._x"
    assert (folder / "manifest.json").is_file()
    loaded = store.load(source)
    assert loaded is not None
    assert loaded.manifest.edition == "2025 T2/../x"


def test_national_source_ignores_the_departement(store: Store) -> None:
    source = DummySource()
    manifest = install(store, source, FIXTURES / "dummy-2024.csv", departement="32")
    assert manifest.departement is None
    assert store.folder_of(manifest).name == "2024-12-31"
    loaded = store.load(source, departement="31")
    assert loaded is not None
    assert loaded.manifest.edition == "2024-12-31"


def test_departement_editions_are_filtered_by_departement(store: Store) -> None:
    source = DummyDepartementSource()
    install(store, source, FIXTURES / "dep-99.csv", departement="99")
    install(store, source, FIXTURES / "dep-98.csv", departement="98")
    root = store.source_dir("dummy-dep")
    assert entries(root) == ["2024-12-31_d98", "2024-12-31_d99"]

    [only_99] = store.editions("dummy-dep", departement="99")
    assert only_99.departement == "99"
    assert store.folder_of(only_99) == root / "2024-12-31_d99"
    assert {m.departement for m in store.editions("dummy-dep")} == {"98", "99"}
    assert store.editions("dummy-dep", departement="32") == []

    loaded_98 = store.load(source, departement="98")
    assert loaded_98 is not None
    assert loaded_98.table.index.tolist() == ["98001", "98002"]
    loaded_99 = store.load(source, departement="99")
    assert loaded_99 is not None
    assert loaded_99.table.index.tolist() == ["99001", "99002"]
    assert store.load(source, departement="32") is None
