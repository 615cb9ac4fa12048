"""Hospitals, emergency departments and maternities from the ministry of Health's FINESS.

Two files of the ministry's open data on data.gouv.fr, in the layout its own
pipeline (``datagouv/datagouvfr_data_pipelines``, ``sante/finess``) and public
readers parse:

- *FINESS Extraction du Fichier des établissements*, with geolocation
  (``etalab-cs1100507-stock-YYYYMMDD-HHMM.csv``): ``;``-separated, no column
  header; the first line ``finess;etalab;<n>;<YYYY-MM-DD>`` (the extraction's
  date); then one ``structureet`` line per establishment (site, FINESS ET
  number), 32 fields (a trailing ``;`` sometimes makes 33), then one
  ``geolocalisation`` line per site (``geolocalisation;nofinesset;x;y;source;date``,
  the coordinates projected, their system named in ``source``: ``EPSG:2154`` in
  metropolitan France, ``LAMBERT_93`` in older files).
- *FINESS Extraction des autorisations d'activités de soins*: the same first
  line, ``structureet;<ET>;<EJ>`` lines, then ``activiteoffresoin`` lines of 21
  fields, the activity, modality and form codes of each authorisation (ANS
  nomenclatures TRE_R274, TRE_R275, TRE_R276) and the site it is for.

Editions up to 2021 were Windows-1252, later ones UTF-8 (both are read). These CSV
extractions stopped with the edition of 12 May 2026; the ministry's new JSON flux
(``finess-structures``, ``finess-activites``) is not read yet.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd
from pyproj import Transformer

from relocate.declare import ServiceKind
from relocate.errors import SourceFormatError
from relocate.sources._crs import metric_epsg
from relocate.sources._csv import size_text
from relocate.sources.finess import EMERGENCY, HOSPITAL, MATERNITY
from relocate.sources.opendata import (
    POINT_COLUMNS,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    outside_their_commune,
    refuse_swapped_positions,
)

__all__ = [
    "ACUTE_CATEGORIES",
    "EMERGENCY_ACTIVITIES",
    "MATERNITY_ACTIVITIES",
    "FinessAutorisationsSource",
    "insee_of",
]

#: Establishment categories (``categetab``, TRE_R66) an acute general hospital can be:
#: C.H.R. (101), Hôpital des armées (114), Etablissement Soins Obstétriques
#: Chirurgico-Gynécologiques (122), Soins Chirurgicaux (128), Soins Médicaux (129), C.H.
#: (355), Soins Pluridisciplinaire (365: polyclinics), ex-hôpital local (106), GCS
#: établissement de santé (697). It is one only with the authorisations that make it one
#: (see :class:`FinessAutorisationsSource`). Psychiatric hospitals (292), rehabilitation
#: (109), long stay (362), cancer centres (131), home care (127) never are.
ACUTE_CATEGORIES = frozenset({"101", "106", "114", "122", "128", "129", "355", "365", "697"})
#: Médecine (01) and chirurgie (02), in full hospitalisation (form 01).
_MEDICINE, _SURGERY, _FULL = "01", "02", "01"
#: (activity, modality) of an emergency department a family can walk into: activity 14
#: Médecine d'urgence, modality 23 Structure des urgences or 24 Structure des urgences
#: pédiatriques (not 22 SAMU, 26/27 SMUR, 29 SMUR antenna); and, from the 2022-2023
#: reform, QA014 with MO032 (Structure des urgences) (TRE_R381/R382; not seen in a CSV).
EMERGENCY_ACTIVITIES = frozenset({("14", "23"), ("14", "24"), ("QA014", "MO032")})
#: Form 13: a seasonal service (ski resorts, the coast), open part of the year.
_SEASONAL = "13"
#: (activity, modality) of a maternity: activity 03 (gynécologie-obstétrique,
#: néonatologie, réanimation néonatale) modality 01 Gynécologie obstétrique, in full
#: hospitalisation; QA003/MO016 after the reform. Modality 05 (centre périnatal de
#: proximité: consultations, no births) is not one.
MATERNITY_ACTIVITIES = frozenset({("03", "01"), ("QA003", "MO016")})
#: The maternity's level, from the other modalities of activity 03 on its site: 04
#: réanimation néonatale -> 3, 03 néonatologie avec soins intensifs -> 2B, 02
#: néonatologie -> 2A, none -> 1 (the decree's definition, as DREES applies it).
_LEVELS = (("04", "3"), ("03", "2B"), ("02", "2A"))
_OBSTETRICS = "03"

#: FINESS's codes of the overseas départements -> INSEE's.
_OVERSEAS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9E": "975", "9F": "976"}
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3}|97\d{3})$")
_EPSG = re.compile(r"EPSG:(\d{4,5})")
_OLD_CRS = {
    "LAMBERT_93": 2154,
    "UTM_N20": 5490,
    "UTM_N21": 4467,
    "UTM_N22": 2972,
    "UTM_S38": 4471,
    "UTM_S40": 2975,
}
_HEADER = re.compile(r"^finess$", re.IGNORECASE)
#: Fields of a ``structureet`` line of the establishments file, and of an authorisation.
_ESTABLISHMENT_FIELDS = 32
_AUTHORISATION_FIELDS = 21
#: Positions of the fields read (0 is the line type).
_ET, _RS, _RSLONGUE, _COMMUNE, _DEP, _CATEGORY, _CATEGORY_LABEL = 1, 3, 4, 12, 13, 18, 19
_A_ACTIVITY, _A_MODALITY, _A_FORM, _A_SITE, _A_START, _A_END = 3, 5, 7, 11, 19, 20


def insee_of(departement: str, commune: str) -> str | None:
    """The INSEE code of a FINESS establishment's commune (None if it is not one).

    FINESS gives the département (``32``, ``2A``, ``9A`` for Guadeloupe...) and the
    commune's last three digits.

    >>> insee_of("32", "013"), insee_of("2A", "004"), insee_of("9D", "411"), insee_of("32", "")
    ('32013', '2A004', '97411', None)
    """
    dep, com = departement.strip().upper(), commune.strip()
    code = _OVERSEAS[dep][:2] + com if dep in _OVERSEAS else dep + com
    return code if _INSEE.match(code) else None


@dataclass
class _Extraction:
    """One file read: its kind, the date of its first line, and its lines by type."""

    path: Path
    date: date
    kind: str
    establishments: list[tuple[int, list[str]]] = field(default_factory=list)
    places: list[tuple[int, list[str]]] = field(default_factory=list)
    authorisations: list[tuple[int, list[str]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _text_lines(path: Path, max_bytes: int, warnings: list[str]) -> Iterator[str]:
    """The file's lines as text: UTF-8, else Windows-1252 (older editions), with a warning."""
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceFormatError(
            f"{path.name}: {size_text(size)}, far larger than a FINESS extraction: "
            "not the expected file"
        )
    data = path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        warnings.append(
            f"{path.name}: not UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); read as "
            "Windows-1252, the encoding of editions up to 2021"
        )
        text = data.decode("cp1252", errors="replace")
    yield from io.StringIO(text, newline="")


def _first_line(path: Path, record: list[str]) -> date:
    """The extraction's date, from ``finess;etalab;<n>;<YYYY-MM-DD>``."""
    if len(record) < 4 or not _HEADER.match(record[0].strip()):
        raise SourceFormatError(
            f"{path.name}, line 1: not a FINESS extraction (its first line is "
            "'finess;etalab;<n>;<date>', here {!r})".format(";".join(record)[:60])
        )
    try:
        return date.fromisoformat(record[3].strip()[:10])
    except ValueError:
        raise SourceFormatError(
            f"{path.name}, line 1: {record[3]!r} is not the extraction's date (YYYY-MM-DD)"
        ) from None


def _read(path: Path, *, max_bytes: int) -> _Extraction:
    """Read one extraction file, each line checked for its number of fields."""
    warnings: list[str] = []
    reader = csv.reader(_text_lines(path, max_bytes, warnings), delimiter=";", quotechar='"')
    try:
        first = next(reader, [])
    except csv.Error as exc:
        raise SourceFormatError(f"{path.name}, line 1: not readable ({exc})") from None
    extraction = _Extraction(path=path, date=_first_line(path, first), kind="", warnings=warnings)
    try:
        for record in reader:
            if not record or not any(cell.strip() for cell in record):
                continue
            _add(extraction, reader.line_num, record)
    except csv.Error as exc:
        raise SourceFormatError(
            f"{path.name}, line {reader.line_num}: not readable ({exc})"
        ) from None
    if extraction.authorisations:
        extraction.kind = "authorisations"
    elif extraction.establishments:
        extraction.kind = "establishments"
    else:
        raise SourceFormatError(f"{path.name}: no establishment nor authorisation after line 1")
    return extraction


def _width(path: Path, line: int, record: list[str], expected: int) -> list[str]:
    """The record with ``expected`` fields (a trailing empty one dropped), or an error."""
    if len(record) == expected + 1 and not record[-1].strip():
        record = record[:-1]
    if len(record) != expected:
        raise SourceFormatError(
            f"{path.name}, line {line}: {len(record)} fields in a {record[0]!r} line, "
            f"not {expected} (a separator inside a value, or another layout?)"
        )
    return record


def _add(extraction: _Extraction, line: int, record: list[str]) -> None:
    kind = record[0].strip()
    path = extraction.path
    if kind == "structureet":
        if len(record) <= 4:  # the authorisations file's ET -> EJ links
            return
        extraction.establishments.append((line, _width(path, line, record, _ESTABLISHMENT_FIELDS)))
    elif kind == "geolocalisation":
        if len(record) < 6:
            raise SourceFormatError(
                f"{path.name}, line {line}: {len(record)} fields in a 'geolocalisation' line, not 6"
            )
        extraction.places.append((line, record))
    elif kind == "activiteoffresoin":
        extraction.authorisations.append((line, _width(path, line, record, _AUTHORISATION_FIELDS)))
    else:
        raise SourceFormatError(
            f"{path.name}, line {line}: a line of type {kind[:30]!r}; a FINESS extraction has "
            "structureet, geolocalisation and activiteoffresoin lines"
        )


def _crs_of(source: str, departement: str) -> int:
    """The EPSG code of a geolocation's coordinates, from its source text (else the place's)."""
    found = _EPSG.search(source)
    if found:
        return int(found.group(1))
    for name, code in _OLD_CRS.items():
        if name in source.upper():
            return code
    return metric_epsg(_OVERSEAS.get(departement, departement))


def _positions(
    places: list[tuple[int, list[str]]], path: Path, deps: dict[str, str]
) -> dict[str, tuple[float, float]]:
    """Each site's WGS84 position, from its geolocation line (projected coordinates)."""
    rows: list[tuple[str, float, float, int]] = []
    for line, record in places:
        site, x, y = record[1].strip(), record[2].strip(), record[3].strip()
        if not x and not y:
            continue
        try:
            xf, yf = float(x), float(y)
        except ValueError:
            raise SourceFormatError(
                f"{path.name}, line {line}: coordinates {x!r}, {y!r} are not numbers"
            ) from None
        source = ";".join(record[4:-1])
        rows.append((site, xf, yf, _crs_of(source, deps.get(site, ""))))
    positions: dict[str, tuple[float, float]] = {}
    if not rows:
        return positions
    frame = pd.DataFrame(rows, columns=["site", "x", "y", "epsg"])
    for epsg in frame["epsg"].unique():
        group = frame[frame["epsg"] == epsg]
        lon, lat = Transformer.from_crs(int(epsg), 4326, always_xy=True).transform(
            group["x"].to_numpy(), group["y"].to_numpy()
        )
        positions.update(zip(group["site"], zip(lon, lat, strict=True), strict=True))
    return positions


def _day(text: str) -> date | None:
    value = text.strip()
    if not value:
        return None
    try:
        if "/" in value:
            day, month, year = value.split("/")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass
class _Activities:
    """The authorisations in force, per site: (activity, modality, form) triplets."""

    by_site: dict[str, set[tuple[str, str, str]]] = field(default_factory=dict)
    expired: int = 0
    not_started: int = 0

    def of(self, site: str) -> set[tuple[str, str, str]]:
        return self.by_site.get(site, set())


def _activities(extraction: _Extraction, on: date) -> _Activities:
    """The authorisations in force on ``on``: not ended, and started if a start is given.

    An authorisation whose end (``datefin``) is past is not in force; one whose
    start (``datemeo``, the date it was put into operation) is after the edition
    is not yet. An authorisation without a start date is taken as in force.
    """
    result = _Activities()
    for line, record in extraction.authorisations:
        end, start = _day(record[_A_END]), _day(record[_A_START])
        if (record[_A_END].strip() and end is None) or (record[_A_START].strip() and start is None):
            raise SourceFormatError(
                f"{extraction.path.name}, line {line}: dates {record[_A_START]!r}, "
                f"{record[_A_END]!r} are not dates (YYYY-MM-DD)"
            )
        if end is not None and end < on:
            result.expired += 1
            continue
        if start is not None and start > on:
            result.not_started += 1
            continue
        triplet = (
            record[_A_ACTIVITY].strip(),
            record[_A_MODALITY].strip(),
            record[_A_FORM].strip(),
        )
        result.by_site.setdefault(record[_A_SITE].strip(), set()).add(triplet)
    return result


def _kinds_of(category: str, held: set[tuple[str, str, str]]) -> dict[str, str]:
    """The kinds a site is, each with a detail: ``{"emergency": "seasonal", ...}``."""
    kinds: dict[str, str] = {}
    pairs = {(a, m) for a, m, _ in held}
    emergency = [f for a, m, f in held if (a, m) in EMERGENCY_ACTIVITIES]
    if emergency:
        kinds[EMERGENCY.key] = "seasonal" if set(emergency) == {_SEASONAL} else ""
    if any((a, m) in MATERNITY_ACTIVITIES and f == _FULL for a, m, f in held):
        modalities = {m for a, m in pairs if a == _OBSTETRICS}
        kinds[MATERNITY.key] = next((lv for m, lv in _LEVELS if m in modalities), "1")
    acute = {(a, f) for a, _, f in held}
    if category in ACUTE_CATEGORIES and (
        EMERGENCY.key in kinds or {(_MEDICINE, _FULL), (_SURGERY, _FULL)} <= acute
    ):
        kinds[HOSPITAL.key] = ""
    return kinds


class FinessAutorisationsSource(OpenDataSource):
    """Acute general hospitals, emergency departments and maternities, from FINESS.

    The standard table is a POINT table, one row per site and kind it is:

    ``insee``, ``name``, ``lon``, ``lat``
        The site's commune (:func:`insee_of`), its long name (``rslongue``, else
        ``rs``) and position (WGS84, from the geolocation line; the commune's town
        hall where there is none or it lies more than 2 km outside the commune,
        marked ``relocated``).
    ``kind``
        ``emergency``: an authorisation in force of :data:`EMERGENCY_ACTIVITIES`
        (``emergency_seasonal`` true when only seasonal, form 13);
        ``maternity``: of :data:`MATERNITY_ACTIVITIES` in full hospitalisation,
        ``maternity_level`` 1, 2A, 2B or 3; ``hospital`` (acute general): a
        category of :data:`ACUTE_CATEGORIES` with médecine and chirurgie in full
        hospitalisation, or an emergency department.
    ``finess_id``, ``category``, ``category_label``
        The site's FINESS ET number and category (code and label).
    """

    key: ClassVar[str] = "finess-autorisations"
    name: ClassVar[str] = (
        "FINESS: extraction du fichier des établissements et des autorisations d'activités de soins"
    )
    publisher: ClassVar[str] = "Ministère de la Santé (DREES, ANS), data.gouv.fr"
    licence: ClassVar[str] = "Licence Ouverte / Open Licence 2.0"
    page_url: ClassVar[str] = (
        "https://www.data.gouv.fr/fr/datasets/finess-extraction-des-autorisations-dactivites-de-soins/"
    )
    file_format: ClassVar[str] = (
        "two CSV files, ';'-separated, no header, first line finess;etalab;<n>;<date>: the "
        "establishments with geolocation (etalab-cs1100507: structureet lines of 32 fields, "
        "then geolocalisation lines) and the authorisations of care activities "
        "(activiteoffresoin lines of 21 fields)"
    )
    edition_rule: ClassVar[str] = (
        "the date of the first line of each file (finess;etalab;<n>;2026-05-12); the older of "
        "the two names the edition"
    )
    #: The extractions were refreshed every two months (they stopped in May 2026).
    rhythm_days: ClassVar[int] = 92
    per_departement: ClassVar[bool] = False
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = (HOSPITAL, EMERGENCY, MATERNITY)
    #: About 700 emergency departments, 450 maternities and 1,300 acute hospitals.
    min_row_share: ClassVar[float] = 0.8
    #: Each file is some 40 MB.
    max_file_bytes: ClassVar[int] = 1 << 30
    table_columns: ClassVar[tuple[str, ...]] = (*POINT_COLUMNS, "finess_id", "category")

    #: The stable addresses of the latest establishments (with geolocation) and
    #: authorisations files (data.gouv.fr resources, as the ministry's pipeline reads them).
    establishments_url: ClassVar[str] = (
        "https://www.data.gouv.fr/api/1/datasets/r/98f3161f-79ff-4f16-8f6a-6d571a80fea2"
    )
    authorisations_url: ClassVar[str] = (
        "https://www.data.gouv.fr/api/1/datasets/r/89324560-4ab4-4596-8af6-c285cb3b9e67"
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """The two national files (the same whatever the département)."""
        del departement
        return [
            Download(url=self.establishments_url, filename="finess-etablissements.csv"),
            Download(url=self.authorisations_url, filename="finess-autorisations.csv"),
        ]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the two extractions into the POINT table described in the class docstring.

        Notes counted: ``sites``, ``kind_<kind>``, ``seasonal_emergency``,
        ``authorisations_expired``, ``authorisations_not_started``, ``relocated``,
        ``without_position``, ``unresolved_commune``.

        Raises
        ------
        SourceFormatError
            Naming the file and line of what cannot be read; if a file is missing, or
            the establishments have no known position.
        """
        read = [_read(Path(p), max_bytes=self.max_file_bytes) for p in files]
        by_kind = {r.kind: r for r in read}
        if len(read) != 2 or set(by_kind) != {"establishments", "authorisations"}:
            kinds = ", ".join(f"{r.path.name} ({r.kind})" for r in read) or "none"
            raise SourceFormatError(
                "the FINESS source needs the establishments extraction (with geolocation, "
                f"etalab-cs1100507) and the authorisations extraction; got {kinds}"
            )
        sites, authorisations = by_kind["establishments"], by_kind["authorisations"]
        warnings = [*sites.warnings, *authorisations.warnings]
        edition_date = min(sites.date, authorisations.date)
        if abs((sites.date - authorisations.date).days) > 92:
            warnings.append(
                f"{sites.path.name} is of {sites.date} but {authorisations.path.name} of "
                f"{authorisations.date}: extractions of dates far apart"
            )
        if not sites.places:
            warnings.append(
                f"{sites.path.name}: no geolocalisation line (the extraction without "
                "geolocation, cs1100502?): every site is placed at its commune's town hall"
            )
        held = _activities(authorisations, edition_date)
        table, notes = self._points(sites, held, context)
        notes["authorisations_expired"] = held.expired
        notes["authorisations_not_started"] = held.not_started
        return Parsed(
            table=table,
            edition=edition_date.isoformat(),
            edition_date=edition_date,
            warnings=tuple(warnings),
            notes=notes,
        )

    def _points(
        self, sites: _Extraction, held: _Activities, context: ParseContext
    ) -> tuple[pd.DataFrame, dict[str, int]]:
        deps = {r[_ET].strip(): r[_DEP].strip() for _, r in sites.establishments}
        positions = _positions(sites.places, sites.path, deps)
        rows = []
        for _, record in sites.establishments:
            site = record[_ET].strip()
            kinds = _kinds_of(record[_CATEGORY].strip(), held.of(site))
            lon, lat = positions.get(site, (np.nan, np.nan))
            for kind, detail in kinds.items():
                rows.append(
                    {
                        "insee": insee_of(record[_DEP], record[_COMMUNE]),
                        "kind": kind,
                        "name": (record[_RSLONGUE] or record[_RS]).strip() or None,
                        "lon": float(lon),
                        "lat": float(lat),
                        "finess_id": site,
                        "category": record[_CATEGORY].strip(),
                        "category_label": record[_CATEGORY_LABEL].strip() or None,
                        "emergency_seasonal": kind == EMERGENCY.key and detail == "seasonal",
                        "maternity_level": detail if kind == MATERNITY.key else None,
                    }
                )
        columns = [*POINT_COLUMNS, "finess_id", "category", "category_label",
                   "emergency_seasonal", "maternity_level"]  # fmt: skip
        table = pd.DataFrame(rows, columns=columns)
        for column in ("insee", "kind", "name", "finess_id", "category", "category_label",
                       "maternity_level"):  # fmt: skip
            table[column] = table[column].astype(object)
        table["lon"] = table["lon"].astype(float)
        table["lat"] = table["lat"].astype(float)
        table["emergency_seasonal"] = table["emergency_seasonal"].astype(bool)
        refuse_swapped_positions(
            sites.path.name,
            table["insee"].to_numpy(),
            table["lon"].to_numpy(),
            table["lat"].to_numpy(),
            columns="its geolocalisation lines",
        )
        table["relocated"] = _relocate(table, context)
        notes = {"sites": int(table["finess_id"].nunique())}
        for which, count in table["kind"].value_counts().sort_index().items():
            notes[f"kind_{which}"] = int(count)
        notes["seasonal_emergency"] = int(table["emergency_seasonal"].sum())
        notes["relocated"] = int(table["relocated"].sum())
        notes["without_position"] = int(table["lon"].isna().sum())
        notes["unresolved_commune"] = int(table["insee"].isna().sum())
        return table, notes


def _relocate(table: pd.DataFrame, context: ParseContext) -> np.ndarray:
    """Put sites without a position, or far outside their commune, at its town hall."""
    communes = context.communes.communes
    insee = table["insee"].to_numpy()
    lon, lat = table["lon"].to_numpy(), table["lat"].to_numpy()
    outside, _ = outside_their_commune(insee, lon, lat, communes)
    missing = ~(np.isfinite(lon) & np.isfinite(lat))
    known = pd.Series(insee, dtype=object).isin(communes.index).to_numpy()
    move = known & (outside | missing)
    if move.any() and "townhall_lon" in communes.columns:
        chosen = communes.loc[insee[move].astype(str)]
        hall_lon = chosen["townhall_lon"].to_numpy(dtype=float)
        hall_lat = chosen["townhall_lat"].to_numpy(dtype=float)
        where = np.flatnonzero(move)
        has = np.isfinite(hall_lon) & np.isfinite(hall_lat)
        table.loc[where[has], "lon"] = hall_lon[has]
        table.loc[where[has], "lat"] = hall_lat[has]
        moved = np.zeros(len(table), dtype=bool)
        moved[where[has]] = True
        return moved
    return np.zeros(len(table), dtype=bool)
