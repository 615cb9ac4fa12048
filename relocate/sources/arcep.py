"""ARCEP "Ma connexion internet": premises per commune by wired speed class and best technology."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from relocate.declare import PERCENT, Feature, Text, from_table
from relocate.errors import SourceFormatError
from relocate.features.broadband import (
    best_tech_pct,
    fibre_share_pct,
    wired_1gbps_share_pct,
    wired_30mbps_share_pct,
    wired_100mbps_share_pct,
)
from relocate.sources._csv import (
    CsvSpec,
    TableRead,
    drop_duplicate_communes,
    insee_codes,
    numbers,
    read_checked_csv,
)
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed

__all__ = [
    "BASE_URL",
    "BEST_FILE",
    "BEST_TECHNOLOGIES",
    "TECHNO_FILE",
    "WIRED_FILE",
    "ArcepSource",
    "quarter_end",
    "quarter_of",
    "subset",
]

#: The ``last/`` alias always points at the newest quarterly edition (it redirects to
#: ``.../statistiques/<YYYY_Tq>/commune/``).
BASE_URL = "https://data.arcep.fr/fixe/maconnexioninternet/statistiques/last/commune"
#: Wired speed classes only (no satellite, no fixed 4G): cumulative thresholds.
WIRED_FILE = "commune_debit_filaire.csv"
#: Each premises counted once, under its best technology (at least 8 Mbit/s).
BEST_FILE = "commune_meilleure_techno_thd.csv"
#: Eligibility per technology; the columns overlap (a premises counts under each).
TECHNO_FILE = "commune_techno.csv"

#: Technology columns of the best-technology file, best first (``elig_<tech>``), with
#: their names. ``cu_30``/``cu_8``: copper at 30 Mbit/s or more / 8 to 30; ``thdr``/``hdr``:
#: fixed radio, very high / high speed; ``4gf``: fixed 4G; ``sat``: satellite.
BEST_TECHNOLOGIES: dict[str, Text] = {
    "ftth": Text(en="fibre to the home", fr="fibre jusqu’à l’abonné"),
    "coax": Text(en="cable", fr="câble"),
    "cu_30": Text(en="copper at 30 Mbit/s or more", fr="cuivre à 30\u00a0Mbit/s ou plus"),
    "thdr": Text(en="very-high-speed fixed radio", fr="très haut débit radio"),
    "cu_8": Text(en="copper at 8 to 30 Mbit/s", fr="cuivre de 8 à 30\u00a0Mbit/s"),
    "4gf": Text(en="fixed 4G", fr="4G fixe"),
    "hdr": Text(en="high-speed fixed radio", fr="haut débit radio"),
    "sat": Text(en="satellite", fr="satellite"),
}

_COMMON = ("code_insee", "nbr", "type", "date")
_WIRED_COLUMNS = ("elig_bhd8", "elig_thd30", "elig_thd100", "elig_thd1g")
_BEST_COLUMNS = ("nbr_elig_8", *(f"elig_{tech}" for tech in BEST_TECHNOLOGIES))
_TECHNO_COLUMNS = ("elig_ftth", "elig_cu")

_SPECS = {
    "wired": CsvSpec(sep=";", required=[*_COMMON, *_WIRED_COLUMNS]),
    "best": CsvSpec(sep=";", required=[*_COMMON, *_BEST_COLUMNS]),
    "techno": CsvSpec(sep=";", required=[*_COMMON, *_TECHNO_COLUMNS]),
}
_PUBLISHED_NAME = {"wired": WIRED_FILE, "best": BEST_FILE, "techno": TECHNO_FILE}
_HEADER_SEPARATORS = re.compile(r"[;,\t|]")

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FRENCH_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_YEAR_QUARTER = re.compile(r"^(\d{4})[-_ ]?T([1-4])$", re.IGNORECASE)
_QUARTER_YEAR = re.compile(r"^T([1-4])[-_ ]?(\d{4})$", re.IGNORECASE)
_QUARTER_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def quarter_of(text: str) -> tuple[int, int, bool] | None:
    """Read a quarter from a date or a quarter label.

    Parameters
    ----------
    text
        ``2025-06-30`` (how ARCEP writes the ``date`` column), ``30/06/2025``,
        ``2025-T2``, ``2025_T2``, ``T2 2025``...

    Returns
    -------
    tuple or None
        ``(year, quarter, exact)``, where ``exact`` is False for a date that is
        not the last day of its quarter; None if ``text`` is neither.
    """
    text = text.strip()
    day: date | None = None
    try:
        if match := _ISO_DATE.match(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
        elif match := _FRENCH_DATE.match(text):
            day = date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return None
    if day is not None:
        quarter = (day.month - 1) // 3 + 1
        return day.year, quarter, (day.month, day.day) == _QUARTER_END[quarter]
    if match := _YEAR_QUARTER.match(text):
        return int(match[1]), int(match[2]), True
    if match := _QUARTER_YEAR.match(text):
        return int(match[2]), int(match[1]), True
    return None


def quarter_end(year: int, quarter: int) -> date:
    """The last day of a quarter."""
    month, day = _QUARTER_END[quarter]
    return date(year, month, day)


def subset(table: TableRead, mask: pd.Series) -> TableRead:
    """The rows of ``mask``, each with its line number, sharing the table's warnings."""
    rows = mask.to_numpy(dtype=bool)
    assert table.lines is not None
    return TableRead(
        path=table.path,
        frame=table.frame[rows].reset_index(drop=True),
        lines=table.lines[rows],
        warnings=table.warnings,
    )


def _header_names(path: Path) -> list[str]:
    """The first line's column names, split on any usual separator (to recognise a file)."""
    try:
        with path.open("rb") as handle:
            first = handle.readline()
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    line = first.decode("utf-8-sig", errors="replace").strip()
    return [name.strip() for name in _HEADER_SEPARATORS.split(line)]


def _kind(path: Path) -> str:
    """Which of the three published files ``path`` is, from its name, else its header."""
    name = path.name.lower()
    if "meilleure_techno" in name:
        return "best"
    if "debit" in name:
        if "filaire" in name:
            return "wired"
        raise SourceFormatError(
            f"{path.name}: relocate reads the wired speed classes of {WIRED_FILE}; "
            "commune_debit.csv counts satellite (100 % of premises at 30 Mbit/s everywhere) "
            "and commune_debit_terrestre.csv counts fixed 4G"
        )
    if "techno" in name:
        return "techno"
    header = set(_header_names(path))
    if "nbr_elig_8" in header:
        return "best"
    if "elig_thd30" in header:
        raise SourceFormatError(
            f"{path.name}: speed classes, but the name does not say which variant "
            f"(wired, terrestrial or with satellite); keep the published name {WIRED_FILE}"
        )
    if "elig_cu" in header:
        return "techno"
    raise SourceFormatError(
        f"{path.name}: not one of the ARCEP commune files relocate reads "
        f"({WIRED_FILE}, {BEST_FILE}, {TECHNO_FILE})"
    )


@dataclass(frozen=True, kw_only=True)
class _FileTable:
    """One published file, read and checked: counts by commune, and its quarter."""

    path: Path
    counts: pd.DataFrame
    year: int
    quarter: int
    date_text: str


def _counts(table: TableRead, column: str) -> pd.Series:
    """A column of premises counts: whole numbers, none negative; NaN where the cell is empty."""
    values = numbers(table, column)
    bad = values.notna() & ((values < 0) | (values != np.floor(values)))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {table.frame[column].iloc[row]!r} is not a count "
            "of premises"
        )
    return values


def _count_empty_cells(table: TableRead, values: dict[str, pd.Series], keep: pd.Series) -> None:
    """Count the empty cells of the rows kept in a warning: a missing value for that commune.

    ARCEP states no meaning for an empty cell; it is read as unknown (never as zero),
    so the commune gets no value from that column.
    """
    empty = pd.DataFrame({c: v.isna() for c, v in values.items()})[keep.to_numpy()]
    cells = int(empty.to_numpy().sum())
    if not cells:
        return
    rows = empty.any(axis=1)
    first = int(np.flatnonzero(keep.to_numpy())[int(np.flatnonzero(rows.to_numpy())[0])])
    column = str(empty.columns[empty.loc[rows].iloc[0].to_numpy()][0])
    table.warnings.append(
        f"{table.path.name}: {cells} empty cells in {int(rows.sum())} communes (first at "
        f"{table.where(first, column).removeprefix(table.path.name + ', ')}) read as missing "
        "values: those communes get no value from those columns"
    )


def _read(path: Path, kind: str) -> tuple[_FileTable, list[str]]:
    """Read one file: rows of type ``all``, one per commune, one date for all rows."""
    table = read_checked_csv(path, replace(_SPECS[kind], max_bytes=ArcepSource.max_file_bytes))
    if table.frame.empty:
        raise SourceFormatError(f"{path.name}: no data row under the header")
    columns = _SPECS[kind].required[1:]
    codes = insee_codes(table, "code_insee")
    values = {column: _counts(table, column) for column in columns if column not in _COMMON[2:]}
    kinds = table.frame["type"].str.strip()
    is_all = kinds == "all"
    if not is_all.any():
        raise SourceFormatError(
            f"{path.name}: no row of type 'all' (found {', '.join(sorted(set(kinds))[:3])})"
        )
    if not is_all.all():
        table.warnings.append(
            f"{path.name}: {int((~is_all).sum())} rows of another type than 'all' were left out"
        )
    unique = drop_duplicate_communes(subset(table, is_all), codes[is_all], what="commune")
    keep = is_all.copy()
    keep[is_all] = unique.to_numpy()
    _count_empty_cells(table, values, keep)
    dates = table.frame["date"].str.strip()
    first = int(np.flatnonzero(keep.to_numpy())[0])
    other = keep & (dates != dates.iloc[first])
    if other.any():
        row = int(np.flatnonzero(other.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, 'date')}: {dates.iloc[row]!r}, but line "
            f"{table.line_of(first)} says {dates.iloc[first]!r}: one file is one edition"
        )
    quarter = quarter_of(dates.iloc[first])
    if quarter is None:
        raise SourceFormatError(
            f"{table.where(first, 'date')}: {dates.iloc[first]!r} is not a date (YYYY-MM-DD)"
        )
    year, q, exact = quarter
    if not exact:
        table.warnings.append(
            f"{path.name}: date {dates.iloc[first]!r} is not the end of a quarter; "
            f"read as {year}-T{q}"
        )
    counts = pd.DataFrame(
        {column: series[keep].to_numpy() for column, series in values.items()},
        index=pd.Index(codes[keep].to_numpy(), name="insee"),
    )
    file_table = _FileTable(
        path=path, counts=counts, year=year, quarter=q, date_text=dates.iloc[first]
    )
    return file_table, table.warnings


class ArcepSource(OpenDataSource):
    """ARCEP "Ma connexion internet" statistics per commune (national, quarterly).

    The standard table is indexed by ``insee`` (text, 5 characters) with float
    counts of premises (``locaux``: homes and business premises):

    ``premises``
        Premises in the commune (``nbr``).
    ``wired_8_premises``, ``wired_30_premises``, ``wired_100_premises``, ``wired_1g_premises``
        Premises eligible to a WIRED offer (fibre, cable, copper) of at least 8,
        30, 100 Mbit/s and 1 Gbit/s (``elig_bhd8`` ... ``elig_thd1g`` of
        ``commune_debit_filaire.csv``). Cumulative: each includes the next.
    ``ftth_premises``
        Premises eligible to fibre to the home: ``elig_ftth`` of the
        best-technology file. FttH is the best technology wherever it is
        available, so each FttH-eligible premises is counted there (and, when
        ``commune_techno.csv`` is given, a commune where its ``elig_ftth``
        disagrees is counted in a warning).
    ``best_<tech>_premises``
        Premises whose best technology is ``<tech>`` (see
        :data:`BEST_TECHNOLOGIES`); they partition ``best_total_premises``.
    ``best_total_premises``
        Premises with some offer of at least 8 Mbit/s (``nbr_elig_8``).
    ``copper_premises``
        Premises still eligible to copper (``elig_cu`` of ``commune_techno.csv``;
        NaN when that optional file is not given).

    ``commune_debit.csv`` is refused: it counts satellite, so it reports 100 %
    of premises at 30 Mbit/s everywhere.
    """

    key: ClassVar[str] = "arcep"
    name: ClassVar[str] = "Ma connexion internet: statistiques par commune"
    publisher: ClassVar[str] = "ARCEP"
    licence: ClassVar[str] = "Licence Ouverte v2.0"
    page_url: ClassVar[str] = "https://www.data.gouv.fr/datasets/ma-connexion-internet"
    file_format: ClassVar[str] = (
        f"CSV, ';'-separated, UTF-8: {WIRED_FILE} and {BEST_FILE} (and {TECHNO_FILE}), "
        "code_insee;nom_com;code_dep;code_reg;nbr;type;<counts>;date"
    )
    edition_rule: ClassVar[str] = (
        "the quarter of the 'date' column (2025-06-30 -> 2025-T2), the same in every file"
    )
    rhythm_days: ClassVar[int] = 92
    #: The data of 30 June 2026 came out on 14 September 2026 (data.gouv.fr).
    lag_days: ClassVar[int] = 76
    per_departement: ClassVar[bool] = False
    #: One row per commune of France (about 35,000): a new quarter changes a few (mergers).
    min_row_share: ClassVar[float] = 0.95
    #: Each commune file is a few MB.
    max_file_bytes: ClassVar[int] = 512 << 20
    table_columns: ClassVar[tuple[str, ...]] = ("insee", "premises", "ftth_premises")
    features: ClassVar[tuple[Feature, ...]] = ()  # set below the class

    def downloads(self, *, departement: str) -> list[Download]:
        """The wired-speed, best-technology and per-technology files of the latest edition."""
        del departement
        return [
            Download(url=f"{BASE_URL}/{name}", filename=name)
            for name in (WIRED_FILE, BEST_FILE, TECHNO_FILE)
        ]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Join the files, given in any order, into one table per commune.

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read; or when a
            required file is missing, given twice, or from another edition.
        """
        del context
        read: dict[str, _FileTable] = {}
        warnings: list[str] = []
        for path in files:
            kind = _kind(path)
            if kind in read:
                raise SourceFormatError(
                    f"{read[kind].path.name} and {path.name} are both "
                    f"{_PUBLISHED_NAME[kind]}: give each file once"
                )
            read[kind], file_warnings = _read(path, kind)
            warnings += file_warnings
        missing = [_PUBLISHED_NAME[k] for k in ("wired", "best") if k not in read]
        if missing:
            raise SourceFormatError(
                f"{' and '.join(missing)} missing: the ARCEP source needs {WIRED_FILE} and "
                f"{BEST_FILE} ({TECHNO_FILE} optional)"
            )
        first, *others = read.values()
        for other in others:
            if (other.year, other.quarter) != (first.year, first.quarter):
                raise SourceFormatError(
                    f"{first.path.name} is dated {first.date_text} but {other.path.name} "
                    f"{other.date_text}: the files come from different editions; "
                    "download them together"
                )
        table = _join(read, warnings)
        return Parsed(
            table=table,
            edition=f"{first.year}-T{first.quarter}",
            edition_date=quarter_end(first.year, first.quarter),
            warnings=tuple(warnings),
            notes={"communes": len(table)},
        )


def _join(read: dict[str, _FileTable], warnings: list[str]) -> pd.DataFrame:
    """One row per commune of the wired and best-technology files."""
    wired, best = read["wired"], read["best"]
    index = best.counts.index.union(wired.counts.index).rename("insee")
    only = index.difference(best.counts.index).size + index.difference(wired.counts.index).size
    if only:
        warnings.append(
            f"{only} communes are in only one of {wired.path.name} and {best.path.name} "
            "(their other columns are left empty)"
        )
    w = wired.counts.reindex(index)
    b = best.counts.reindex(index)
    differ = (w["nbr"] != b["nbr"]) & w["nbr"].notna() & b["nbr"].notna()
    if differ.any():
        warnings.append(
            f"{int(differ.sum())} communes have a different number of premises in "
            f"{wired.path.name} and {best.path.name}; the best-technology one is kept"
        )
    parts = b[[f"elig_{tech}" for tech in BEST_TECHNOLOGIES]].sum(axis=1, min_count=1)
    unbalanced = (parts != b["nbr_elig_8"]) & b["nbr_elig_8"].notna()
    if unbalanced.any():
        warnings.append(
            f"{best.path.name}: in {int(unbalanced.sum())} communes the technologies do not "
            "add up to nbr_elig_8"
        )
    table = pd.DataFrame(index=index)
    table["premises"] = b["nbr"].fillna(w["nbr"])
    table["wired_8_premises"] = w["elig_bhd8"]
    table["wired_30_premises"] = w["elig_thd30"]
    table["wired_100_premises"] = w["elig_thd100"]
    table["wired_1g_premises"] = w["elig_thd1g"]
    table["ftth_premises"] = b["elig_ftth"]
    for tech in BEST_TECHNOLOGIES:
        table[f"best_{tech}_premises"] = b[f"elig_{tech}"]
    table["best_total_premises"] = b["nbr_elig_8"]
    table["copper_premises"] = np.nan
    if "techno" in read:
        techno = read["techno"]
        t = techno.counts.reindex(index)
        table["copper_premises"] = t["elig_cu"]
        disagree = (t["elig_ftth"] != b["elig_ftth"]) & t["elig_ftth"].notna()
        disagree &= b["elig_ftth"].notna()
        if disagree.any():
            warnings.append(
                f"{int(disagree.sum())} communes have a different number of FttH-eligible "
                f"premises in {techno.path.name} and {best.path.name}; the latter is kept"
            )
    return table.astype(float).sort_index()


def _arcep_features() -> tuple[Feature, ...]:
    arcep = ("arcep",)
    features = [
        Feature(
            name="fibre_share_pct",
            unit=PERCENT,
            label=Text(en="Premises eligible to fibre", fr="Locaux éligibles à la fibre"),
            description=Text(
                en="Share of the commune's premises eligible to fibre to the home (FttH).",
                fr="Part des locaux de la commune éligibles à la fibre jusqu’à l’abonné (FttH).",
            ),
            sources=arcep,
            compute=from_table(fibre_share_pct, "arcep"),
        ),
        Feature(
            name="wired_30mbps_share_pct",
            unit=PERCENT,
            label=Text(
                en="Premises with wired 30 Mbit/s",
                fr="Locaux avec un accès filaire à 30\u00a0Mbit/s",
            ),
            description=Text(
                en="Share of premises eligible to a wired offer (fibre, cable, copper) "
                "of at least 30 Mbit/s; satellite and fixed 4G are not counted.",
                fr="Part des locaux éligibles à une offre filaire (fibre, câble, cuivre) "
                "d’au moins 30\u00a0Mbit/s ; le satellite et la 4G fixe ne comptent pas.",
            ),
            sources=arcep,
            compute=from_table(wired_30mbps_share_pct, "arcep"),
        ),
        Feature(
            name="wired_100mbps_share_pct",
            unit=PERCENT,
            label=Text(
                en="Premises with wired 100 Mbit/s",
                fr="Locaux avec un accès filaire à 100\u00a0Mbit/s",
            ),
            description=Text(
                en="Share of premises eligible to a wired offer of at least 100 Mbit/s.",
                fr="Part des locaux éligibles à une offre filaire d’au moins 100\u00a0Mbit/s.",
            ),
            sources=arcep,
            compute=from_table(wired_100mbps_share_pct, "arcep"),
        ),
        Feature(
            name="wired_1gbps_share_pct",
            unit=PERCENT,
            label=Text(
                en="Premises with wired 1 Gbit/s",
                fr="Locaux avec un accès filaire à 1\u00a0Gbit/s",
            ),
            description=Text(
                en="Share of premises eligible to a wired offer of at least 1 Gbit/s.",
                fr="Part des locaux éligibles à une offre filaire d’au moins 1\u00a0Gbit/s.",
            ),
            sources=arcep,
            compute=from_table(wired_1gbps_share_pct, "arcep"),
        ),
    ]
    for tech, name in BEST_TECHNOLOGIES.items():
        features.append(
            Feature(
                name=f"best_tech_{tech}_pct",
                unit=PERCENT,
                label=Text(
                    en=f"Best connection: {name.en}", fr=f"Meilleure connexion\u00a0: {name.fr}"
                ),
                description=Text(
                    en="Share of the premises served at 8 Mbit/s or more whose best "
                    f"available technology is {name.en}.",
                    fr="Part des locaux desservis à 8\u00a0Mbit/s ou plus dont la meilleure "
                    f"technologie disponible est {name.fr}.",
                ),
                sources=arcep,
                compute=from_table(best_tech_pct, "arcep", {"tech": tech}),
            )
        )
    return tuple(features)


ArcepSource.features = _arcep_features()
