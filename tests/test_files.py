"""Atomic writes: one file or several, all or none, never a half-written file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from relocate import _files
from relocate._files import atomic_path, atomic_paths, same_file, write_files
from relocate.errors import OutputError


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_atomic_paths_write_every_file_with_the_usual_mode(tmp_path: Path) -> None:
    targets = [tmp_path / "a.txt", tmp_path / "sub" / "b.csv"]
    with atomic_paths(targets) as (a, b):
        assert a.parent == tmp_path and b.parent == tmp_path / "sub"  # beside their targets
        a.write_text("one")
        b.write_text("two")
        assert not targets[0].exists()  # nothing is renamed before all are written
    assert targets[0].read_text() == "one"
    assert targets[1].read_text() == "two"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(targets[0].stat().st_mode) == 0o666 & ~umask
    assert names(tmp_path) == ["a.txt", "sub"]


def test_a_failing_body_writes_none_and_keeps_the_previous_files(tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("previous")
    new = tmp_path / "new.txt"
    with pytest.raises(RuntimeError, match="boom"), atomic_paths([old, new]) as (a, b):
        a.write_text("replacement")
        b.write_text("fresh")
        raise RuntimeError("boom")
    assert old.read_text() == "previous"
    assert names(tmp_path) == ["old.txt"]  # no temporary file left


def test_an_os_error_in_the_body_is_one_output_error_naming_the_files(tmp_path: Path) -> None:
    with (
        pytest.raises(OutputError, match=r"cannot write '.*a\.txt', '.*b\.txt': No space left"),
        atomic_paths([tmp_path / "a.txt", tmp_path / "b.txt"]),
    ):
        raise OSError(28, "No space left on device")
    assert names(tmp_path) == []


def test_a_failed_rename_puts_back_the_files_already_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = tmp_path / "1.txt", tmp_path / "2.txt", tmp_path / "3.txt"
    first.write_text("old 1")
    calls: list[Path] = []
    real_replace = os.replace

    def replace(src: os.PathLike[str], dst: os.PathLike[str]) -> None:
        if Path(dst) == third:
            raise OSError(5, "Input/output error")
        calls.append(Path(dst))
        real_replace(src, dst)

    monkeypatch.setattr(_files.os, "replace", replace)
    with pytest.raises(OutputError, match=r"3\.txt"):
        write_files({first: "new 1", second: "new 2", third: "new 3"})
    assert first in calls and second in calls  # the first two were replaced, then put back
    assert first.read_text() == "old 1"
    assert not second.exists()  # it did not exist before
    assert names(tmp_path) == ["1.txt"]  # no temporary file, no backup left


def test_a_folder_in_the_way_stops_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "b.txt").mkdir()
    with pytest.raises(OutputError, match=r"'.*b\.txt': it is a folder"):
        write_files({tmp_path / "a.txt": "one", tmp_path / "b.txt": "two"})
    assert names(tmp_path) == ["b.txt"]


def test_an_unwritable_folder_is_one_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError, match="choose a folder that exists and is writable"):
        write_files({tmp_path / "a.txt": "one", blocker / "b.txt": "two"})
    assert names(tmp_path) == ["blocker"]


def test_the_same_target_twice_is_a_mistake(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match="named twice"),
        atomic_paths([tmp_path / "a.txt", tmp_path / "." / "a.txt"]),
    ):
        pass


def test_write_files_writes_text_as_utf8_and_bytes_as_they_are(tmp_path: Path) -> None:
    written = write_files({tmp_path / "t.txt": "é\n", tmp_path / "b.bin": b"\x00\xff"})
    assert written == [tmp_path / "t.txt", tmp_path / "b.bin"]
    assert (tmp_path / "t.txt").read_bytes() == "é\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\xff"


def test_atomic_path_keeps_its_one_file_behaviour(tmp_path: Path) -> None:
    target = tmp_path / "map.html"
    target.write_text("sentinel")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half a map")
        raise RuntimeError("disk full")
    assert target.read_text() == "sentinel"
    assert names(tmp_path) == ["map.html"]
    with atomic_path(target) as tmp:
        tmp.write_text("whole map")
    assert target.read_text() == "whole map"


def test_same_file_sees_through_links_and_relative_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text("x")
    link = tmp_path / "link.toml"
    link.symlink_to(profile)
    hard = tmp_path / "hard.toml"
    os.link(profile, hard)
    monkeypatch.chdir(tmp_path)
    assert same_file(Path("p.toml"), profile)
    assert same_file(link, profile)
    assert same_file(hard, profile)
    assert same_file(Path("sub/../p.toml"), profile)
    assert not same_file(tmp_path / "other.toml", profile)
    assert same_file(tmp_path / "absent.txt", Path("absent.txt"))  # neither exists yet
