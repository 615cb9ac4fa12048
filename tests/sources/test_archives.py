"""Compressed files are read as streams, within a size limit (no bomb fills the disk or memory)."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from relocate.errors import SourceFormatError
from relocate.sources.bpe import BpeSource
from relocate.sources.dvf import DvfSource
from tests.conftest import empty_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DVF_2023 = FIXTURES / "dvf" / "dvf-2023-99.csv"


def test_a_dvf_gzip_bomb_stops_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DvfSource, "max_file_bytes", 1 << 20)
    header = DVF_2023.read_bytes().split(b"\n", 1)[0] + b"\n"
    path = tmp_path / "dvf-2024-99.csv.gz"
    with gzip.open(path, "wb") as out:
        out.write(header)
        for _ in range(40):
            out.write(b"0" * (1 << 20))  # 40 MB of zeros, 40 KB compressed
    assert path.stat().st_size < 200_000
    with pytest.raises(SourceFormatError) as info:
        DvfSource().parse([path], context=empty_context())
    assert str(info.value) == (
        "dvf-2024-99.csv.gz: more than 1 MiB once decompressed, far larger than a département's "
        "DVF: not the expected file (a compression bomb?)"
    )


def test_a_plain_dvf_file_over_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DvfSource, "max_file_bytes", 200)
    with pytest.raises(SourceFormatError, match=r"^dvf-2023-99\.csv: more than 200 bytes"):
        DvfSource().parse([DVF_2023], context=empty_context())


def test_a_truncated_gzip_is_one_line(tmp_path: Path) -> None:
    data = gzip.compress(DVF_2023.read_bytes())
    path = tmp_path / "32.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceFormatError, match=r"^32\.csv\.gz: not a readable gzip file"):
        DvfSource().parse([path], context=empty_context())


def test_a_bpe_zip_bomb_stops_at_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BpeSource, "max_file_bytes", 1 << 20)
    archive = tmp_path / "BPE24.zip"
    with (
        zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("BPE24.csv", "w") as member,
    ):
        member.write(b"DEPCOM;TYPEQU;AN;QUALITE_XY;LONGITUDE;LATITUDE\n")
        for _ in range(20):
            member.write(b"99001;A504;2024;B;0.5;43.6\n" * 40_000)
    assert archive.stat().st_size < 200_000
    with pytest.raises(SourceFormatError) as info:
        BpeSource().parse([archive], context=empty_context())
    assert str(info.value).startswith("BPE24.csv (in BPE24.zip): more than 1 MiB, far larger")


def test_a_damaged_zip_member_is_one_line(tmp_path: Path) -> None:
    archive = tmp_path / "BPE24.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(FIXTURES / "bpe" / "BPE24.csv", "BPE24.csv")
    data = bytearray(archive.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\x00" * 64
    archive.write_bytes(bytes(data))
    with pytest.raises(SourceFormatError, match=r"^BPE24\.zip: "):
        BpeSource().parse([archive], context=empty_context())
