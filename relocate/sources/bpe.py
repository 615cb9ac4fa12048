"""INSEE's Base permanente des équipements (BPE): the facilities relocate scores, as points."""

from __future__ import annotations

import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import BinaryIO, ClassVar

import numpy as np
import pandas as pd
from pyproj import Transformer

from relocate.declare import Noun, ServiceKind
from relocate.errors import SourceFormatError
from relocate.sources._crs import metric_epsg
from relocate.sources._csv import (
    MAX_FILE_BYTES,
    CsvSpec,
    TableRead,
    check_range,
    numbers,
    optional_insee_codes,
    read_checked_csv,
    rows_of,
    size_text,
    text_or_none,
)
from relocate.sources.laposte import POST_OFFICE, POSTAL_AGENCY, POSTAL_RELAY
from relocate.sources.opendata import (
    POINT_COLUMNS,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    edition_of_option,
    outside_their_commune,
    refuse_swapped_positions,
)

__all__ = [
    "EDITION_KINDS",
    "KINDS_FROM_2023",
    "KINDS_UNTIL_2022",
    "LAST_KNOWN_EDITION",
    "QUALITY",
    "BpeSource",
    "kinds_for_edition",
]

_DEPCOM = "DEPCOM"
_TYPEQU = "TYPEQU"
_YEAR = "AN"
_QUALITY = "QUALITE_XY"
_LON = "LONGITUDE"
_LAT = "LATITUDE"
_X = "LAMBERT_X"
_Y = "LAMBERT_Y"
_EPSG = "EPSG"
_NAME = "NOMRS"

#: Both layouts are ``;``-separated with a header line; UTF-8 is expected (a file that is not
#: is read as Windows-1252 with a warning). Only the columns relocate reads are kept; those
#: each layout needs are checked once the header is known.
SPEC = CsvSpec(
    sep=";",
    required=[_DEPCOM, _TYPEQU],
    usecols=[_DEPCOM, _TYPEQU, _YEAR, _QUALITY, _LON, _LAT, _X, _Y, _EPSG, _NAME],
)

# --- the kinds of facility relocate scores ----------------------------------------------

#: A railway station as the BPE lists it (E107-E109), besides SNCF's own list.
TRAIN_STATION = ServiceKind(
    key="train_station",
    noun=Noun(
        en="railway station (BPE)",
        en_plural="railway stations (BPE)",
        fr="gare (BPE)",
        fr_plural="gares (BPE)",
        feminine=True,
    ),
)
#: A general practitioner.
GP = ServiceKind(
    key="gp",
    noun=Noun(
        en="general practitioner",
        en_plural="general practitioners",
        fr="médecin généraliste",
        fr_plural="médecins généralistes",
        feminine=False,
    ),
)
#: A pharmacy.
PHARMACY = ServiceKind(
    key="pharmacy",
    noun=Noun(
        en="pharmacy",
        en_plural="pharmacies",
        fr="pharmacie",
        fr_plural="pharmacies",
        feminine=True,
    ),
)
#: A nursery school (école maternelle).
NURSERY_SCHOOL = ServiceKind(
    key="nursery_school",
    noun=Noun(
        en="nursery school",
        en_plural="nursery schools",
        fr="école maternelle",
        fr_plural="écoles maternelles",
        feminine=True,
    ),
)
#: A primary school (école élémentaire or primaire).
PRIMARY_SCHOOL = ServiceKind(
    key="primary_school",
    noun=Noun(
        en="primary school",
        en_plural="primary schools",
        fr="école élémentaire",
        fr_plural="écoles élémentaires",
        feminine=True,
    ),
)
#: A collège (lower secondary school).
COLLEGE = ServiceKind(
    key="college",
    noun=Noun(
        en="collège",
        en_plural="collèges",
        fr="collège",
        fr_plural="collèges",
        feminine=False,
    ),
)
#: A lycée (upper secondary school).
LYCEE = ServiceKind(
    key="lycee",
    noun=Noun(
        en="lycée",
        en_plural="lycées",
        fr="lycée",
        fr_plural="lycées",
        feminine=False,
    ),
)
#: A supermarket or a hypermarket.
SUPERMARKET = ServiceKind(
    key="supermarket",
    noun=Noun(
        en="supermarket or hypermarket",
        en_plural="supermarkets and hypermarkets",
        fr="supermarché ou hypermarché",
        fr_plural="supermarchés et hypermarchés",
        feminine=False,
    ),
)
#: A bakery.
BAKERY = ServiceKind(
    key="bakery",
    noun=Noun(
        en="bakery",
        en_plural="bakeries",
        fr="boulangerie",
        fr_plural="boulangeries",
        feminine=True,
    ),
)

# --- TYPEQU -> kind, per edition ------------------------------------------------------------

_POST_AND_STATIONS = {
    "A206": "post_office",  # Bureau de poste
    "A207": "postal_relay",  # Relais poste
    "A208": "postal_agency",  # Agence postale
    "E107": "train_station",  # Gare de voyageurs d'intérêt national
    "E108": "train_station",  # Gare de voyageurs d'intérêt régional
    "E109": "train_station",  # Gare de voyageurs d'intérêt local
    "C201": "college",  # Collège
    "C301": "lycee",  # Lycée d'enseignement général et/ou technologique
    "C302": "lycee",  # Lycée d'enseignement professionnel
    "C303": "lycee",  # Lycée d'enseignement technique et/ou professionnel agricole
}

#: The nomenclature of BPE 2021 and earlier (``bpeYY_ensemble_xy`` files).
KINDS_UNTIL_2022: dict[str, str] = {
    **_POST_AND_STATIONS,
    "B101": "supermarket",  # Hypermarché
    "B102": "supermarket",  # Supermarché
    "B203": "bakery",  # Boulangerie
    "C101": "nursery_school",  # École maternelle
    "C102": "nursery_school",  # École maternelle de regroupement pédagogique dispersé
    "C104": "primary_school",  # École élémentaire
    "C105": "primary_school",  # École élémentaire de regroupement pédagogique dispersé
    "D201": "gp",  # Médecin omnipraticien
    "D301": "pharmacy",  # Pharmacie
}

#: The nomenclature of BPE 2023 and later (checked on the BPE 2024 and 2025 type lists).
KINDS_FROM_2023: dict[str, str] = {
    **_POST_AND_STATIONS,
    "B104": "supermarket",  # Hypermarché et grand magasin
    "B105": "supermarket",  # Supermarché et magasin multi-commerce
    "B207": "bakery",  # Boulangerie-pâtisserie
    "C107": "nursery_school",  # École maternelle
    "C108": "primary_school",  # École primaire (maternelle and élémentaire classes)
    "C109": "primary_school",  # École élémentaire
    "D265": "gp",  # Médecin généraliste
    "D307": "pharmacy",  # Pharmacie
}

#: Edition (the year the BPE describes, at 1 January) -> its TYPEQU -> kind table. The
#: 2023 nomenclature was checked on the BPE 2024 and 2025 type lists; BPE 2026 is read with
#: it too (INSEE kept these codes from 2023 to 2025), and the file must bear it out: a kind
#: none of whose codes it has is read from the other nomenclature's only if those are
#: there, with a warning (the change happened over the 2022 and 2023 editions). An
#: edition before the table uses the old nomenclature; one after it is refused
#: (:func:`kinds_for_edition`): its codes may mean other things.
EDITION_KINDS: dict[int, dict[str, str]] = {
    **{year: KINDS_UNTIL_2022 for year in range(2016, 2023)},
    **{year: KINDS_FROM_2023 for year in range(2023, 2027)},
}
#: The newest edition whose nomenclature relocate knows.
LAST_KNOWN_EDITION = max(EDITION_KINDS)
#: The oldest edition a fetch looks for (``BPE25.zip``): newer names are tried first.
_OLDEST_FETCHED = 2025

_ALL_CODES = sorted({*KINDS_UNTIL_2022, *KINDS_FROM_2023})

#: ``QUALITE_XY`` (case-insensitive) -> what the position is worth. Editions up to 2022 write
#: labels; later ones write codes (``B``, ``A``, ``M``, ``_U`` indeterminate, ``_Z`` none).
QUALITY: dict[str, str] = {
    "bonne": "good",
    "b": "good",
    "acceptable": "good",
    "a": "good",
    "mauvaise": "bad",
    "m": "bad",
    "non géolocalisé": "none",
    "non geolocalise": "none",
    "_z": "none",
    "indéterminée": "unknown",
    "indeterminee": "unknown",
    "_u": "unknown",
    "": "unknown",
}

#: A position of a facility of metropolitan France outside this box is not one (swapped or
#: misprojected coordinates): lon min, lat min, lon max, lat max.
_METROPOLE = (-5.8, 41.0, 10.0, 51.5)


def kinds_for_edition(year: int) -> tuple[dict[str, str], dict[str, str]]:
    """The TYPEQU -> kind table of an edition, and the other nomenclature's table.

    Raises
    ------
    SourceFormatError
        For an edition after :data:`LAST_KNOWN_EDITION`: its nomenclature cannot be
        established (INSEE renumbers facility types from time to time), so its codes
        are not mapped.
    """
    known = sorted(EDITION_KINDS)
    if year > known[-1]:
        raise SourceFormatError(
            f"BPE {year}: relocate knows the facility codes (TYPEQU) of the editions "
            f"{known[0]} to {known[-1]}, not this one's: they cannot be mapped to services "
            f"without checking INSEE's list of types for {year}; update relocate, or "
            f"import BPE {known[-1]} (BPE{known[-1] % 100:02d}.zip)"
        )
    nearest = max(year, known[0])
    table = EDITION_KINDS[nearest]
    other = KINDS_FROM_2023 if table is KINDS_UNTIL_2022 else KINDS_UNTIL_2022
    return table, other


# --- reading a file of 2.5 million rows, keeping the few it needs ---------------------------

_CODE_FIELD = re.compile(
    rb'(?:^|[;,\t|])"?(?:' + b"|".join(c.encode() for c in _ALL_CODES) + rb')"?(?=[;,\t|\r\n]|$)'
)
_CODE_BYTES = frozenset(c.encode() for c in _ALL_CODES)
#: Lines kept after the header when it has no TYPEQU column (enough to name the problem).
_SAMPLE_LINES = 50


def _typequ_field(header: bytes) -> tuple[bytes, int] | None:
    """The separator and the position of the TYPEQU column in a header line, if it has one."""
    for sep in (b";", b",", b"\t", b"|"):
        names = [name.strip().strip(b'"') for name in header.rstrip(b"\r\n").split(sep)]
        if b"TYPEQU" in names:
            return sep, names.index(b"TYPEQU")
    return None


def _prefilter(
    lines: Iterable[bytes], out: BinaryIO, *, shown_name: str, max_bytes: int = MAX_FILE_BYTES
) -> None:
    """Copy the header and the lines that may be facilities relocate uses, blank the others.

    Blank lines keep every kept line at its line number in the copy, so the
    checked reader's messages name the lines of the published file. A line is
    kept when its TYPEQU field is a code relocate maps (any field, for a line
    with quotes, where a quoted separator could shift the fields).

    Raises
    ------
    SourceFormatError
        If a kept line opens a quoted value it does not close (a value running
        over several lines, which the line-by-line selection cannot follow), or
        the file is larger than ``max_bytes`` (an archive member that inflates
        without end).
    """
    iterator = iter(lines)
    header = next(iterator, b"")
    out.write(header if header.endswith(b"\n") else header + b"\n")
    field = _typequ_field(header.removeprefix(b"\xef\xbb\xbf"))
    size = len(header)
    for number, line in enumerate(iterator, start=2):
        size += len(line)
        if size > max_bytes:
            raise SourceFormatError(
                f"{shown_name}: more than {size_text(max_bytes)}, far larger than the BPE: "
                "not the expected file, or a damaged one"
            )
        if field is None:
            # Not the BPE's header: a few lines are enough for the reader to say what is wrong.
            if number > _SAMPLE_LINES:
                break
            keep = True
        elif b'"' in line:
            keep = bool(_CODE_FIELD.search(line))
        else:
            sep, index = field
            parts = line.split(sep, index + 1)
            keep = len(parts) > index and parts[index].strip() in _CODE_BYTES
        if not keep:
            out.write(b"\n")
            continue
        if line.count(b'"') % 2:
            raise SourceFormatError(
                f"{shown_name}, line {number}: a quoted value runs over several lines, "
                "which the BPE's format does not have"
            )
        out.write(line if line.endswith(b"\n") else line + b"\n")


@contextmanager
def _opened(path: Path) -> Iterator[tuple[Iterable[bytes], str]]:
    """The lines of the data CSV (inside a zip archive or not) and the name to report."""
    if zipfile.is_zipfile(path):
        try:
            archive = zipfile.ZipFile(path)
        except (OSError, zipfile.BadZipFile) as exc:
            raise SourceFormatError(f"{path.name}: not a readable zip archive ({exc})") from None
        with archive:
            members = [
                info
                for info in archive.infolist()
                if info.filename.lower().endswith(".csv")
                and not Path(info.filename).name.lower().startswith(("varmod", "meta"))
            ]
            if not members:
                names = ", ".join(archive.namelist()) or "none"
                raise SourceFormatError(
                    f"{path.name}: no data CSV file in the archive (files: {names})"
                )
            member = max(members, key=lambda info: info.file_size)
            try:
                with archive.open(member) as handle:
                    yield handle, f"{Path(member.filename).name} (in {path.name})"
            except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
                raise SourceFormatError(
                    f"{path.name}: cannot read {member.filename} in the archive ({exc})"
                ) from None
    else:
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise SourceFormatError(f"cannot read {path.name}: {exc.strerror or exc}") from None
        with handle:
            yield handle, path.name


def _read_facilities(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> TableRead:
    """Read the rows whose TYPEQU relocate maps to a kind, each with its own line number."""
    with tempfile.TemporaryDirectory(prefix="relocate-bpe-") as folder:
        with _opened(path) as (lines, shown_name):
            copy = Path(folder) / shown_name
            with copy.open("wb") as out:
                _prefilter(lines, out, shown_name=shown_name, max_bytes=max_bytes)
        table = read_checked_csv(copy, SPEC)
    table.path = Path(shown_name)
    codes = table.frame[_TYPEQU].astype(str).str.strip()
    return rows_of(table, codes.isin(_ALL_CODES).to_numpy())


# --- edition, kinds, positions --------------------------------------------------------------


def _year_in_name(name: str) -> int | None:
    """The year in a published file's name (``bpe21_ensemble_xy.csv``, ``BPE25.zip``)."""
    match = re.search(r"(?i)bpe[_-]?(\d{4}|\d{2})(?!\d)", name) or re.search(
        r"(?<!\d)(20\d{2})(?!\d)", name
    )
    if match is None:
        return None
    digits = match.group(1)
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _edition_year(table: TableRead, original: Path, given: str | None = None) -> int:
    """The year of the edition: the ``AN`` column (one year), else the file's name, else ``given``.

    ``given`` is ``--edition`` (its year).
    """
    from_name = _year_in_name(original.name) or _year_in_name(table.path.name)
    if _YEAR not in table.frame.columns:
        if from_name is None and given:
            return edition_of_option(given)[1].year
        if from_name is None:
            raise SourceFormatError(
                f"{table.path.name}: cannot tell the edition: no column {_YEAR!r} and no year "
                "in the file's name (name it as INSEE does, e.g. BPE24.csv, or give "
                "--edition YEAR)"
            )
        return from_name
    years = table.frame[_YEAR].astype(str).str.strip()
    bad = ~years.str.fullmatch(r"\d{4}").to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SourceFormatError(f"{table.where(row, _YEAR)}: {years.iloc[row]!r} is not a year")
    other = (years != years.iloc[0]).to_numpy()
    if other.any():
        row = int(np.flatnonzero(other)[0])
        raise SourceFormatError(
            f"{table.where(row, _YEAR)}: year {years.iloc[row]} in a file of year "
            f"{years.iloc[0]} (line {table.line_of(0)}): one edition per file"
        )
    year = int(years.iloc[0])
    if from_name is not None and from_name != year:
        table.warnings.append(
            f"{table.path.name}: the file's name says {from_name} but column {_YEAR!r} says "
            f"{year}; the edition is {year}"
        )
    return year


def _kinds(table: TableRead, year: int) -> pd.Series:
    """The kind of each row, by the edition's TYPEQU table (None for codes it does not map)."""
    expected, other = kinds_for_edition(year)
    codes = table.frame[_TYPEQU].astype(str).str.strip()
    present = set(codes.unique())
    mapping = dict(expected)
    for kind in sorted(set(expected.values())):
        own = {code for code, k in expected.items() if k == kind}
        alternative = {code for code, k in other.items() if k == kind} - own
        found = alternative & present
        if not own & present and found:
            mapping.update({code: kind for code in found})
            table.warnings.append(
                f"{table.path.name}: no {kind} under code(s) {', '.join(sorted(own))} of the "
                f"{year} nomenclature; read code(s) {', '.join(sorted(found))} of the other "
                "BPE nomenclature as that kind"
            )
    return codes.map(mapping).astype(object)


def _quality(table: TableRead) -> pd.Series:
    """What each position is worth: ``good``, ``bad``, ``none`` or ``unknown``."""
    raw = table.frame[_QUALITY].astype(str).str.strip()
    quality = raw.str.casefold().map(QUALITY)
    unknown = quality.isna().to_numpy()
    if unknown.any():
        counts = raw[unknown].value_counts()
        listed = ", ".join(f"{value!r} ({count})" for value, count in counts.items())
        row = int(np.flatnonzero(unknown)[0])
        table.warnings.append(
            f"{table.where(row, _QUALITY)}: quality values relocate does not know, positions "
            f"kept as of unknown quality: {listed}"
        )
    return quality.fillna("unknown")


def _both_or_neither(
    table: TableRead, first: pd.Series, second: pd.Series, names: tuple[str, str]
) -> None:
    """Raise a SourceFormatError naming the first row with one coordinate of two."""
    half = (first.isna() != second.isna()).to_numpy()
    if half.any():
        row = int(np.flatnonzero(half)[0])
        column = names[0] if first.isna().iloc[row] else names[1]
        raise SourceFormatError(
            f"{table.where(row, column)}: one coordinate of the facility is missing "
            f"({int(half.sum())} such rows)"
        )


def _epsg_codes(table: TableRead, codes: pd.Series) -> np.ndarray:
    """The projection of each row's LAMBERT_X/LAMBERT_Y: the EPSG column, else the département."""
    departement = codes.fillna("").astype(str).str[:3].to_numpy()
    # Lambert-93 in metropolitan France and Corsica, UTM in the overseas départements
    # (INSEE documents UTM 20N, 22N, 40S; Mayotte is not geolocated there).
    epsg = np.array([metric_epsg(d) for d in departement], dtype=np.int64)
    if _EPSG in table.frame.columns:
        given = pd.to_numeric(table.frame[_EPSG].astype(str).str.strip(), errors="coerce")
        usable = given.notna().to_numpy()
        epsg[usable] = given.to_numpy()[usable].astype(np.int64)
    return epsg


def _project(x: pd.Series, y: pd.Series, epsg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes (WGS84) of projected coordinates, one projection per group."""
    lon = np.full(len(x), np.nan)
    lat = np.full(len(x), np.nan)
    xs, ys = x.to_numpy(dtype=float), y.to_numpy(dtype=float)
    valid = ~np.isnan(xs) & ~np.isnan(ys)
    for code in np.unique(epsg[valid]):
        rows = valid & (epsg == code)
        transformer = Transformer.from_crs(int(code), 4326, always_xy=True)
        lon[rows], lat[rows] = transformer.transform(xs[rows], ys[rows])
    return lon, lat


def _positions(table: TableRead, codes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes and latitudes of every row (NaN where missing), whichever the layout."""
    columns = set(table.frame.columns)
    if {_LON, _LAT} <= columns:
        lon = numbers(table, _LON)
        lat = numbers(table, _LAT)
        check_range(table, lon, _LON, low=-180, high=180, what="longitude")
        check_range(table, lat, _LAT, low=-90, high=90, what="latitude")
        _both_or_neither(table, lon, lat, (_LON, _LAT))
        return np.array(lon, dtype=float), np.array(lat, dtype=float)
    if {_X, _Y} <= columns:
        x = numbers(table, _X)
        y = numbers(table, _Y)
        _both_or_neither(table, x, y, (_X, _Y))
        return _project(x, y, _epsg_codes(table, codes))
    raise SourceFormatError(
        f"{table.path.name}, line 1: no coordinates: expected columns {_LON} and {_LAT} "
        f"(BPE 2023 and later) or {_X} and {_Y} (earlier editions)"
    )


class BpeSource(OpenDataSource):
    """INSEE's Base permanente des équipements, geolocated facilities, national file.

    Only the facilities of the kinds relocate scores are kept (the national
    file lists about 2.5 million facilities of some 200 types), by a TYPEQU ->
    kind table per edition (:data:`EDITION_KINDS`): ``post_office``,
    ``postal_agency``, ``postal_relay``, ``gp``, ``pharmacy``,
    ``nursery_school``, ``primary_school``, ``college``, ``lycee``,
    ``supermarket``, ``bakery``, ``train_station``.

    The table has one row per facility: ``insee`` (``DEPCOM``), ``kind``,
    ``name`` (``NOMRS`` where the edition has it, else None), ``lon``, ``lat``
    (WGS84: the published longitude and latitude, or ``LAMBERT_X``/``LAMBERT_Y``
    converted from Lambert-93, UTM overseas), ``bpe_typequ`` and
    ``bpe_quality`` (``QUALITE_XY`` as published). A position INSEE rates
    *bad* (more than 500 m off, possibly imputed at random) or *not geolocated*
    is left out (NaN), the facility kept in its commune, and counted in the
    notes. Repeated rows are kept: the BPE has one row per professional, and
    the general practitioners of one practice share every published column.
    """

    key: ClassVar[str] = "bpe"
    name: ClassVar[str] = "Base permanente des équipements (BPE), équipements géolocalisés"
    publisher: ClassVar[str] = "INSEE"
    licence: ClassVar[str] = "Licence Ouverte / Open Licence 2.0"
    page_url: ClassVar[str] = "https://www.insee.fr/fr/metadonnees/source/serie/s1161"
    file_format: ClassVar[str] = (
        "zip archive holding a ';'-separated CSV (or that CSV alone), one row per facility: "
        "DEPCOM, TYPEQU, AN, QUALITE_XY and LONGITUDE/LATITUDE (BPE 2023 and later, with "
        "NOMRS) or LAMBERT_X/LAMBERT_Y (Lambert-93; UTM overseas; earlier editions)"
    )
    edition_rule: ClassVar[str] = (
        "the year in column AN (the BPE describes 1 January of that year), or the year in "
        "the file's name (bpe21_ensemble_xy.csv, BPE24.csv) when there is no such column, "
        "else --edition; an edition after 2026, whose facility codes relocate does not "
        "know, is refused"
    )
    rhythm_days: ClassVar[int] = 366
    # BPE 2023 (1 January 2023) came out in the spring of 2024.
    lag_days: ClassVar[int] = 500
    per_departement: ClassVar[bool] = False
    #: The postal sites come from La Poste first (declared there); the BPE lists them too.
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = (
        POST_OFFICE,
        POSTAL_AGENCY,
        POSTAL_RELAY,
        TRAIN_STATION,
        GP,
        PHARMACY,
        NURSERY_SCHOOL,
        PRIMARY_SCHOOL,
        COLLEGE,
        LYCEE,
        SUPERMARKET,
        BAKERY,
    )

    #: About 2.8 million facilities of which some 300,000 are of the kinds kept; a new
    #: edition changes them by a few per cent.
    min_row_share: ClassVar[float] = 0.9
    #: The national CSV of BPE 2024 is about 2 GB.
    max_file_bytes: ClassVar[int] = 8 << 30
    table_columns: ClassVar[tuple[str, ...]] = (*POINT_COLUMNS, "bpe_typequ")

    #: The page INSEE publishes every edition of the geolocated facilities on (``BPE23.zip``,
    #: ``BPE24.zip``, ``BPE25.zip`` are all under it), and the name of an edition's archive.
    files_url: ClassVar[str] = "https://www.insee.fr/fr/statistiques/fichier/8217525"
    archive_name: ClassVar[str] = "BPE{yy:02d}.zip"

    def downloads(self, *, departement: str, today: date | None = None) -> list[Download]:
        """The national archive of the newest edition (one file whatever the département).

        The newest name relocate can read is tried first (``BPE26.zip`` from 2026 on),
        then the older ones down to ``BPE25.zip``: INSEE publishes an edition about
        eighteen months after the 1 January it describes.
        """
        del departement
        newest = min((today or date.today()).year, LAST_KNOWN_EDITION)
        names = [
            self.archive_name.format(yy=year % 100)
            for year in range(max(newest, _OLDEST_FETCHED), _OLDEST_FETCHED - 1, -1)
        ]
        first, *older = (Download(url=f"{self.files_url}/{n}", filename=n) for n in names)
        return [replace(first, fallbacks=tuple(older))]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse a BPE file (zip archive or CSV) into a table of points.

        Notes counted: ``facilities``, ``kind_<kind>``, ``without_position``,
        ``bad_position_left_out``, ``not_geolocated``, ``unknown_quality``,
        ``outside_metropole_left_out``, ``outside_commune`` (positions kept that lie
        more than 2 km outside the commune the row names), ``unchecked_position``.

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read: no
            coordinate columns, a coordinate that is not a number, a commune
            code that is not one, several years in one file, no facility of
            the kinds relocate uses; or positions mostly outside France
            (longitude and latitude swapped, or another projection).
        """
        if len(files) != 1:
            raise SourceFormatError(
                f"the BPE is one file (a zip archive or the CSV in it); got {len(files)} files"
            )
        path = files[0]
        table = _read_facilities(path, max_bytes=self.max_file_bytes)
        if len(table.frame) == 0:
            raise SourceFormatError(
                f"{table.path.name}: no facility of the types relocate uses "
                f"({', '.join(_ALL_CODES)}): is this the BPE's geolocated facilities file?"
            )
        if _QUALITY not in table.frame.columns:
            raise SourceFormatError(
                f"{table.path.name}, line 1: column {_QUALITY!r} is missing (the quality of "
                "each position, in every edition)"
            )
        year = _edition_year(table, path, context.edition)
        kinds = _kinds(table, year)
        table = rows_of(table, kinds.notna().to_numpy())
        kinds = kinds[kinds.notna()].reset_index(drop=True)
        codes = optional_insee_codes(table, _DEPCOM)
        lon, lat = _positions(table, codes)
        named = (_LON, _LAT) if _LON in table.frame.columns else (_X, _Y)
        columns = f"columns {named[0]!r} and {named[1]!r}"
        refuse_swapped_positions(table.path.name, codes.to_numpy(), lon, lat, columns=columns)
        quality = _quality(table).to_numpy()
        has_position = ~np.isnan(lon)
        rejected = np.isin(quality, ["bad", "none"]) & has_position
        lon[rejected] = np.nan
        lat[rejected] = np.nan
        metropolitan = ~codes.fillna("").astype(str).str.startswith("97").to_numpy()
        lon_min, lat_min, lon_max, lat_max = _METROPOLE
        outside = (
            metropolitan
            & ~np.isnan(lon)
            & ((lon < lon_min) | (lon > lon_max) | (lat < lat_min) | (lat > lat_max))
        )
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            table.warnings.append(
                f"{table.path.name}: {int(outside.sum())} positions outside metropolitan France "
                f"for facilities of metropolitan communes were left out (first at line "
                f"{table.line_of(row)})"
            )
            lon[outside] = np.nan
            lat[outside] = np.nan
        frame = table.frame
        names = (
            text_or_none(frame[_NAME]).to_numpy(dtype=object)
            if _NAME in frame.columns
            else np.full(len(frame), None, dtype=object)
        )
        facilities = pd.DataFrame(
            {
                "insee": codes.to_numpy(dtype=object),
                "kind": kinds.to_numpy(dtype=object),
                "name": names,
                "lon": lon,
                "lat": lat,
                "bpe_typequ": frame[_TYPEQU].astype(str).str.strip().to_numpy(dtype=object),
                "bpe_quality": frame[_QUALITY].astype(str).str.strip().to_numpy(dtype=object),
            }
        )
        notes = {"facilities": len(facilities)}
        for kind, count in facilities["kind"].value_counts().sort_index().items():
            notes[f"kind_{kind}"] = int(count)
        notes["without_position"] = int(facilities["lon"].isna().sum())
        notes["bad_position_left_out"] = int((rejected & (quality == "bad")).sum())
        notes["not_geolocated"] = int((quality == "none").sum())
        notes["unknown_quality"] = int((quality == "unknown").sum())
        notes["outside_metropole_left_out"] = int(outside.sum())
        away, unchecked = outside_their_commune(
            facilities["insee"].to_numpy(), lon, lat, context.communes.communes
        )
        notes["outside_commune"] = int(away.sum())
        notes["unchecked_position"] = int(unchecked.sum())
        return Parsed(
            table=facilities,
            edition=str(year),
            edition_date=date(year, 1, 1),
            warnings=tuple(table.warnings),
            notes=notes,
        )
