"""ARCEP Observatoire HD/THD "Déploiements FttH par commune": FttH-connectable premises."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from relocate.declare import PERCENT, Feature, Text, from_table
from relocate.errors import SourceError, SourceFormatError
from relocate.features.broadband import ftth_deployed_share_pct
from relocate.sources._csv import (
    CsvSpec,
    TableRead,
    drop_duplicate_communes,
    insee_codes,
    numbers,
    read_checked_csv,
)
from relocate.sources.arcep import quarter_end, subset
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed

__all__ = ["COMMUNES_FILE", "FTTH_FILE", "ArcepDeploiementsSource"]

#: Locaux raccordables (and coverage class) per commune, one column per quarter.
FTTH_FILE = "ftthCommunes.csv"
#: Premises per commune: ``Logements`` and ``Établissements``.
COMMUNES_FILE = "communes.csv"

_CODE = "Code commune"
_FIELD = "Champ"
_HOUSING = "Logements"
_ESTABLISHMENTS = "Établissements"
#: Lines of titles above the header, as published.
_TITLE_LINES = 4
_CONNECTABLE = "locaux raccordables"
_CATEGORY = "catégorie"
#: A quarter column of ``ftthCommunes.csv``: ``T1 2018``.
_QUARTER_COLUMN = re.compile(r"^T([1-4])\s+(\d{4})$")
#: The operators column of ``communes.csv`` names its quarter: ``OI 2018 T1``.
_OPERATORS_COLUMN = re.compile(r"^OI\s+(\d{4})\s+T([1-4])$")
#: Spaces between digits: the thousands separators of the published numbers.
_THOUSANDS = re.compile(r"(?<=\d)[\s\u00a0\u202f]+(?=\d)")
_HEADER_SEPARATORS = re.compile(r"[,;\t|]")


def _header_line(path: Path, warnings: list[str]) -> int:
    """Number of title lines above the ``Code commune`` header (4 as published)."""
    try:
        with path.open("rb") as handle:
            head = b"".join(handle.readline(1 << 16) for _ in range(20))
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    lines = head.decode("utf-8-sig", errors="replace").splitlines()
    for number, line in enumerate(lines[:20]):
        first = _HEADER_SEPARATORS.split(line, maxsplit=1)[0].strip().strip('"')
        if first.casefold() == _CODE.casefold():
            if number != _TITLE_LINES:
                warnings.append(
                    f"{path.name}: the header is on line {number + 1}, not "
                    f"{_TITLE_LINES + 1} as published; read from there"
                )
            return number
    # Not found: read as published, so that the error names the line expected.
    return _TITLE_LINES


def _kind(path: Path) -> str:
    """``ftth`` or ``communes``, from the header, else from the file's name."""
    try:
        with path.open("rb") as handle:
            head = b"".join(handle.readline(1 << 16) for _ in range(20))
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    text = head.decode("utf-8-sig", errors="replace")
    for line in text.splitlines():
        cells = {cell.strip().strip('"') for cell in _HEADER_SEPARATORS.split(line)}
        if _CODE in cells and _FIELD in cells:
            return "ftth"
        if _CODE in cells and (_HOUSING in cells or "Nom commune" in cells):
            return "communes"
    name = path.name.casefold()
    if "ftth" in name:
        return "ftth"
    if "commune" in name:
        return "communes"
    raise SourceFormatError(
        f"{path.name}: neither {FTTH_FILE} ('Code commune,Champ,T1 2018...') nor "
        f"{COMMUNES_FILE} ('Code commune,...,Logements,Établissements...')"
    )


def _read(path: Path, required: list[str]) -> tuple[TableRead, int]:
    """Read a file of the observatoire (titles, a ``,``-separated header, rows); header line."""
    warnings: list[str] = []
    skip = _header_line(path, warnings)
    spec = CsvSpec(
        sep=",",
        required=required,
        skip_lines=skip,
        max_bytes=ArcepDeploiementsSource.max_file_bytes,
    )
    table = read_checked_csv(path, spec)
    table.warnings[:0] = warnings
    if table.frame.empty:
        raise SourceFormatError(f"{path.name}: no data row under the header")
    return table, skip + 1


def _counts(table: TableRead, column: str, *, dash_is_zero: bool) -> pd.Series:
    """A column of counts written ``1 349`` (spaces between thousands), ``-`` for zero."""
    frame = table.frame
    frame[column] = frame[column].astype(str).str.replace(_THOUSANDS, "", regex=True)
    values = numbers(table, column, na_values=("-",) if dash_is_zero else ())
    bad = values.notna() & ((values < 0) | (values != np.floor(values)))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {frame[column].iloc[row]!r} is not a count of premises"
        )
    return values.fillna(0.0)


def _ftth(path: Path) -> tuple[pd.DataFrame, tuple[int, int], list[str]]:
    """Connectable premises and coverage class at the latest quarter, by commune."""
    table, header_line = _read(path, [_CODE, _FIELD])
    quarters = {
        column: (int(match[2]), int(match[1]))
        for column in table.frame.columns
        if (match := _QUARTER_COLUMN.match(str(column).strip()))
    }
    if not quarters:
        raise SourceFormatError(
            f"{path.name}, line {header_line}: no quarter column "
            "('T1 2018'...) after 'Code commune,Champ'"
        )
    latest = max(quarters, key=lambda column: quarters[column])
    codes = insee_codes(table, _CODE)
    values = _counts(table, latest, dash_is_zero=False)
    field = table.frame[_FIELD].astype(str).str.strip().str.casefold()
    columns: dict[str, pd.Series] = {}
    for label, column in ((_CONNECTABLE, "ftth_connectable_premises"), (_CATEGORY, "class")):
        rows = field == label
        if not rows.any():
            raise SourceFormatError(
                f"{path.name}: no row with {label!r} in column {_FIELD!r} "
                "(expected 'Locaux Raccordables' and 'Catégorie' for each commune)"
            )
        keep = drop_duplicate_communes(subset(table, rows), codes[rows], what=f"{_FIELD} {label!r}")
        chosen = rows.copy()
        chosen[rows] = keep.to_numpy()
        columns[column] = pd.Series(values[chosen].to_numpy(), index=codes[chosen].to_numpy())
    other = ~field.isin([_CONNECTABLE, _CATEGORY])
    if other.any():
        table.warnings.append(
            f"{path.name}: {int(other.sum())} rows of another {_FIELD!r} than "
            "'Locaux Raccordables' and 'Catégorie' were left out"
        )
    frame = pd.DataFrame(
        {
            "ftth_connectable_premises": columns["ftth_connectable_premises"],
            "ftth_coverage_class": columns["class"],
        }
    )
    return frame, quarters[latest], table.warnings


def _communes(path: Path) -> tuple[pd.DataFrame, tuple[int, int] | None, list[str]]:
    """Homes and establishments by commune, and the quarter its operators column names."""
    table, _ = _read(path, [_CODE, _HOUSING, _ESTABLISHMENTS])
    codes = insee_codes(table, _CODE)
    housing = _counts(table, _HOUSING, dash_is_zero=True)
    establishments = _counts(table, _ESTABLISHMENTS, dash_is_zero=True)
    keep = drop_duplicate_communes(table, codes, what="commune")
    quarter = None
    for column in table.frame.columns:
        if match := _OPERATORS_COLUMN.match(str(column).strip()):
            quarter = (int(match[1]), int(match[2]))
    frame = pd.DataFrame(
        {
            "housing_units": housing[keep].to_numpy(),
            "establishments": establishments[keep].to_numpy(),
        },
        index=codes[keep].to_numpy(),
    )
    return frame, quarter, table.warnings


class ArcepDeploiementsSource(OpenDataSource):
    """ARCEP Observatoire du haut et très haut débit: FttH deployments per commune (old format).

    Two files, both with 4 title lines, then a ``,``-separated header:
    ``ftthCommunes.csv`` (``Code commune,Champ,T3 2017,T4 2017,T1 2018``, two
    rows per commune, ``Locaux Raccordables`` and ``Catégorie``) and
    ``communes.csv`` (``Logements``, ``Établissements``... written like
    ``1 349``, with a space, often a no-break one, between thousands, and
    ``-`` for zero).

    ``-`` is read as 0: the numbers are in a spreadsheet's accounting format
    (`` 81    ``), which writes zero as a dash; the yes/no columns hold ``1`` or
    ``-``; and five of the six communes with ``-`` homes in 2018 T1 are the
    uninhabited villages of Verdun "morts pour la France" (Bezonvaux...).

    The standard table is indexed by ``insee`` (text, 5 characters), floats:

    ``ftth_connectable_premises``
        Premises connectable to FttH (``Locaux Raccordables``) at the latest
        quarter column.
    ``ftth_coverage_class``
        ARCEP's coverage class at that quarter, as published (0; 5: under 10 %;
        10: 10-25 %; 25: 25-50 %; 50: 50-80 %; 80: 80 % or more).
    ``premises``
        ``housing_units`` + ``establishments``: the denominator ARCEP uses for
        its coverage rate (INSEE homes, and establishments with at least one
        employee). It underestimates premises, so connectable premises exceed
        it in some communes.
    ``housing_units``, ``establishments``
        ``Logements`` and ``Établissements`` of ``communes.csv``.
    """

    key: ClassVar[str] = "arcep-deploiements"
    name: ClassVar[str] = "Observatoire HD/THD: déploiements FttH par commune"
    publisher: ClassVar[str] = "ARCEP"
    licence: ClassVar[str] = "Licence Ouverte"
    # No official address of the CSV files themselves could be confirmed: this is
    # the dataset's page, where ARCEP publishes the quarterly deployment files.
    page_url: ClassVar[str] = (
        "https://www.data.gouv.fr/fr/datasets/le-marche-du-haut-et-tres-haut-debit-fixe-deploiements/"
    )
    file_format: ClassVar[str] = (
        f"CSV, ','-separated, UTF-8, 4 title lines: {FTTH_FILE} "
        "(Code commune,Champ,<quarters>) and "
        f"{COMMUNES_FILE} (Code commune,...,Logements,Établissements,...)"
    )
    edition_rule: ClassVar[str] = f"the latest quarter column of {FTTH_FILE} ('T1 2018' -> 2018-T1)"
    rhythm_days: ClassVar[int] = 92
    fetchable = False
    #: The observatoire of Q3 2018 came out on 6 December 2018.
    lag_days: ClassVar[int] = 67
    per_departement: ClassVar[bool] = False
    #: One row per commune of France (about 35,000).
    min_row_share: ClassVar[float] = 0.95
    #: Each file is a few MB.
    max_file_bytes: ClassVar[int] = 512 << 20
    table_columns: ClassVar[tuple[str, ...]] = ("insee", "ftth_connectable_premises", "premises")
    features: ClassVar[tuple[Feature, ...]] = (
        Feature(
            name="ftth_deployed_share_pct",
            unit=PERCENT,
            label=Text(
                en="Premises connectable to fibre (FttH observatoire)",
                fr="Locaux raccordables à la fibre (observatoire FttH)",
            ),
            description=Text(
                en="FttH-connectable premises per home or establishment in the ARCEP "
                "observatoire of FttH deployments, capped at 100.",
                fr="Locaux raccordables en FttH par logement ou établissement, dans "
                "l’observatoire ARCEP des déploiements FttH, plafonné à 100.",
            ),
            sources=("arcep-deploiements",),
            compute=from_table(ftth_deployed_share_pct, "arcep-deploiements"),
        ),
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """No official download address is known for these files.

        Raises
        ------
        SourceError
            Always, telling the user to import the two files.
        """
        del departement
        raise SourceError(
            f"no official download address is known for the old ARCEP files {FTTH_FILE} "
            f"and {COMMUNES_FILE}; get them yourself (dataset page {self.page_url}) and run "
            f"`relocate data import {self.key} {FTTH_FILE} {COMMUNES_FILE}`"
        )

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Join the two files, given in either order, into one table per commune.

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read; or when a
            file is missing, given twice, or from another quarter.
        """
        del context
        by_kind: dict[str, Path] = {}
        for path in files:
            kind = _kind(path)
            if kind in by_kind:
                raise SourceFormatError(
                    f"{by_kind[kind].name} and {path.name} are both "
                    f"{FTTH_FILE if kind == 'ftth' else COMMUNES_FILE} files: give each once"
                )
            by_kind[kind] = path
        missing = [
            name
            for kind, name in (("ftth", FTTH_FILE), ("communes", COMMUNES_FILE))
            if kind not in by_kind
        ]
        if missing:
            raise SourceFormatError(
                f"{' and '.join(missing)} missing: this source needs both {FTTH_FILE} "
                f"and {COMMUNES_FILE}"
            )
        ftth, (year, quarter), warnings = _ftth(by_kind["ftth"])
        communes, operators_quarter, more = _communes(by_kind["communes"])
        warnings = [*warnings, *more]
        if operators_quarter is not None and operators_quarter != (year, quarter):
            raise SourceFormatError(
                f"{by_kind['ftth'].name} ends at T{quarter} {year} but "
                f"{by_kind['communes'].name} is of T{operators_quarter[1]} "
                f"{operators_quarter[0]}: the files come from different editions"
            )
        index = ftth.index.union(communes.index)
        only = index.size - ftth.index.intersection(communes.index).size
        if only:
            warnings.append(
                f"{only} communes are in only one of {by_kind['ftth'].name} and "
                f"{by_kind['communes'].name} (their other columns are left empty)"
            )
        table = pd.concat([ftth.reindex(index), communes.reindex(index)], axis=1)
        table.insert(2, "premises", table["housing_units"] + table["establishments"])
        table.index.name = "insee"
        table = table.astype(float).sort_index()
        return Parsed(
            table=table,
            edition=f"{year}-T{quarter}",
            edition_date=quarter_end(year, quarter),
            warnings=tuple(warnings),
            notes={
                "communes": len(table),
                "with_ftth": int((table["ftth_connectable_premises"] > 0).sum()),
            },
        )
