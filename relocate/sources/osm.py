"""OpenStreetMap's drivable road network: one row per directed road edge, with speeds and times.

The network covers the département and the roads around it that its trips use:
every drivable road within :attr:`~relocate.sources.opendata.ParseContext.roads_buffer_m`
(15 km by default) of the département, and the motorways, trunk, primary and secondary
roads (and their links) out to :data:`MAJOR_BUFFER_M` (60 km: Toulouse-Blagnac, Agen,
Tarbes, Pau and Montauban are within it for the Gers). All drivable roads over the whole
60 km would be some 38,000 km² for the Gers, two to four million nodes: fifteen times
osmnx's default query area, near the public Overpass API's daily guideline, and more
than a laptop holds comfortably.

A fetch asks the Overpass API for both, in cells (:func:`overpass_downloads`), as OSM
XML; an import takes one or more ``.osm``/``.osm.pbf`` files (a département's area
straddles regional extracts: :func:`extracts_for` names them), clipped to the same two
areas. Both are read by :mod:`relocate.sources._osmfile`, without networkx.
"""

from __future__ import annotations

import ast
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

from relocate.declare import METRES, Feature, Text
from relocate.errors import SourceError, SourceFormatError
from relocate.features.roads import ROUTING_COLUMNS
from relocate.sources._osmfile import WayArrays, edges_of, read_ways
from relocate.sources.opendata import (
    DatedBy,
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    undated_edition,
)

if TYPE_CHECKING:
    import networkx as nx

# osmnx, networkx and pyosmium take about a second to import: they are imported in the
# functions that read a network, not when relocate starts.

__all__ = [
    "DEFAULT_SPEEDS_KPH",
    "DRIVABLE",
    "EDGE_COLUMNS",
    "FALLBACK_SPEED_KPH",
    "GEOFABRIK_REGIONS",
    "LOCAL_BUFFER_M",
    "MAJOR",
    "MAJOR_BUFFER_M",
    "OVERPASS_URL",
    "OsmRoadsSource",
    "RoadAreas",
    "extracts_for",
    "overpass_downloads",
    "road_areas",
]

#: Speed (km/h) of a road whose ``maxspeed`` is missing or unreadable, by ``highway`` class:
#: the French legal limit for that kind of road (Code de la route, R413-2 to R413-3).
DEFAULT_SPEEDS_KPH: dict[str, float] = {
    "motorway": 130.0,  # autoroute, dry weather
    "motorway_link": 70.0,  # bretelles: usually posted 70 (50-90)
    "trunk": 110.0,  # route à chaussées séparées (voie express)
    "trunk_link": 70.0,
    "primary": 80.0,  # two-lane road outside built-up areas (80 since 2018)
    "primary_link": 50.0,
    "secondary": 80.0,
    "secondary_link": 50.0,
    "tertiary": 80.0,
    "tertiary_link": 50.0,
    "unclassified": 80.0,  # minor rural road: the legal limit, not what the lane allows
    "residential": 50.0,  # inside a built-up area (agglomération)
    "living_street": 20.0,  # zone de rencontre
    "road": 50.0,  # class not yet surveyed: assume a built-up area
}

#: Speed (km/h) for a class absent from :data:`DEFAULT_SPEEDS_KPH` (none once filtered).
FALLBACK_SPEED_KPH = 50.0

#: The ``highway`` classes kept: the public road network a car drives on. ``service``
#: (driveways, car parks, yards) and ``track`` (farm and forest tracks, often unpaved) are
#: left out, as osmnx's ``network_type="drive"`` does; footways, cycleways, paths, steps,
#: pedestrian areas, bridleways, and roads under construction or proposed are not roads
#: for a car.
DRIVABLE = frozenset(DEFAULT_SPEEDS_KPH)

#: The classes kept out to :data:`MAJOR_BUFFER_M`: the roads a long trip uses.
MAJOR = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
    }
)

#: Tags that close a way to cars: ``access=no|private``, ``motor_vehicle=no``, ``motorcar=no``.
_CLOSED = {
    "access": {"no", "private"},
    "motor_vehicle": {"no", "private"},
    "motorcar": {"no", "private"},
}

#: The standard table's columns: those routing reads, then what the network keeps besides.
EDGE_COLUMNS = (*ROUTING_COLUMNS, "speed_kph", "highway", "oneway")

#: Every drivable road is kept within this distance (m, EPSG:2154) of the convex hull of
#: the département's communes, unless the fetch or import says otherwise
#: (``--roads-buffer-km``): a route between two villages may cut through the next
#: département, and its nearest services may lie there.
LOCAL_BUFFER_M = 15_000.0
#: Major roads (:data:`MAJOR`) are kept within this distance (m): a trip to a regional
#: airport or hospital leaves the département (Toulouse-Blagnac is about 60 km from the
#: eastern edge of the Gers, by the roads that lead there).
MAJOR_BUFFER_M = 60_000.0

#: The public Overpass API's query address.
OVERPASS_URL = "https://overpass-api.de/api/interpreter"
#: The largest cell (m²) of one Overpass query for every drivable road: osmnx's default
#: ``max_query_area_size`` (50 km x 50 km).
ALL_ROADS_CELL_M2 = 2.5e9
#: The largest cell of one query for the major roads (far fewer of them): 100 km x 100 km.
MAJOR_ROADS_CELL_M2 = 1e10
#: How long Overpass may work on one query (s), and the memory it may use (bytes).
_OVERPASS_TIMEOUT_S = 300
_OVERPASS_MAXSIZE = 1 << 30
#: How much a cell's outline is simplified before it is written into a query (m).
_OUTLINE_TOLERANCE_M = 250.0

#: Geofabrik's extracts of France are its former regions: région -> départements.
GEOFABRIK_REGIONS: dict[str, tuple[str, ...]] = {
    "alsace": ("67", "68"),
    "aquitaine": ("24", "33", "40", "47", "64"),
    "auvergne": ("03", "15", "43", "63"),
    "basse-normandie": ("14", "50", "61"),
    "bourgogne": ("21", "58", "71", "89"),
    "bretagne": ("22", "29", "35", "56"),
    "centre": ("18", "28", "36", "37", "41", "45"),
    "champagne-ardenne": ("08", "10", "51", "52"),
    "corse": ("2A", "2B"),
    "franche-comte": ("25", "39", "70", "90"),
    "haute-normandie": ("27", "76"),
    "ile-de-france": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "languedoc-roussillon": ("11", "30", "34", "48", "66"),
    "limousin": ("19", "23", "87"),
    "lorraine": ("54", "55", "57", "88"),
    "midi-pyrenees": ("09", "12", "31", "32", "46", "65", "81", "82"),
    "nord-pas-de-calais": ("59", "62"),
    "pays-de-la-loire": ("44", "49", "53", "72", "85"),
    "picardie": ("02", "60", "80"),
    "poitou-charentes": ("16", "17", "79", "86"),
    "provence-alpes-cote-d-azur": ("04", "05", "06", "13", "83", "84"),
    "rhone-alpes": ("01", "07", "26", "38", "42", "69", "73", "74"),
    "guadeloupe": ("971",),
    "martinique": ("972",),
    "guyane": ("973",),
    "reunion": ("974",),
    "mayotte": ("976",),
}
_GEOFABRIK = "https://download.geofabrik.de/europe/france/{region}-latest.osm.pbf"
_REGION_OF = {dep: region for region, deps in GEOFABRIK_REGIONS.items() for dep in deps}

#: A département is one whose extract is needed when it covers this share of the major area.
_NEEDED_SHARE = 0.01
#: A commune of the local area is reached by the files when a road node lies this close
#: to it (m); one of the major roads' area only, this close (fewer roads there).
_LOCAL_REACH_M = 3_000.0
_MAJOR_REACH_M = 15_000.0

_OSM_BASE = re.compile(rb"<meta\b[^>]*\bosm_base=\"(\d{4}-\d{2}-\d{2})")
_XML = (".osm", ".xml")
_PBF = (".osm.pbf", ".pbf")
_GRAPHML = (".graphml",)


def _kind(path: Path) -> str:
    name = path.name.lower()
    for kind, endings in (("pbf", _PBF), ("xml", _XML), ("graphml", _GRAPHML)):
        if name.endswith(endings):
            return kind
    raise SourceFormatError(
        f"{path.name}: not an OpenStreetMap file relocate reads "
        "(.osm or .osm.xml: OSM XML; .osm.pbf: OSM PBF; .graphml: a network fetched by "
        "an earlier relocate)"
    )


def _drivable(tags: Any) -> bool:
    """True if a way with these tags (a mapping, or pyosmium's tag list) is open to cars."""
    if tags.get("highway") not in DRIVABLE or tags.get("area") == "yes":
        return False
    return all(tags.get(key) not in closed for key, closed in _CLOSED.items())


# --- the areas ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoadAreas:
    """Where the road network of a département is kept (WGS84 polygons).

    Attributes
    ----------
    local
        Every drivable road (the département's hull, buffered by the local distance).
    major
        The major roads (:data:`MAJOR`), out to :data:`MAJOR_BUFFER_M`.
    local_lambert, major_lambert
        The same in Lambert-93 (EPSG:2154), to cut them into query cells.
    """

    local: shapely.Polygon
    major: shapely.Polygon
    local_lambert: shapely.Polygon
    major_lambert: shapely.Polygon


def road_areas(context: ParseContext) -> RoadAreas:
    """The two areas of a département's road network (see :class:`RoadAreas`).

    The hull covers the communes' polygons and town halls; the local buffer is
    ``context.roads_buffer_m``, the major one :data:`MAJOR_BUFFER_M` (at least
    the local one).

    Raises
    ------
    SourceError
        If the département has no commune with a polygon or a town hall.
    """
    communes = context.communes.communes
    mine = communes[communes["departement"] == context.departement]
    shapes = list(mine.geometry[~(mine.geometry.isna() | mine.geometry.is_empty)])
    located = mine[["townhall_lon", "townhall_lat"]].dropna()
    shapes += list(shapely.points(located["townhall_lon"], located["townhall_lat"]))
    if not shapes:
        raise SourceError(
            f"département {context.departement} has no commune with a polygon or a town hall: "
            "no area to keep roads for"
        )
    hull = gpd.GeoSeries(shapes, crs="EPSG:4326").to_crs("EPSG:2154").union_all().convex_hull
    local_m = max(0.0, float(context.roads_buffer_m))
    local = hull.buffer(local_m)
    major = hull.buffer(max(MAJOR_BUFFER_M, local_m))
    back = gpd.GeoSeries([local, major], crs="EPSG:2154").to_crs("EPSG:4326")
    return RoadAreas(
        local=back.iloc[0], major=back.iloc[1], local_lambert=local, major_lambert=major
    )


def _cells(area: shapely.Polygon, max_m2: float) -> list[shapely.Polygon]:
    """The area cut into square cells of at most ``max_m2`` (Lambert-93), each a polygon."""
    side = float(np.sqrt(max_m2))
    west, south, east, north = area.bounds
    cells = []
    for x in np.arange(west, east, side):
        for y in np.arange(south, north, side):
            piece = area.intersection(shapely.box(x, y, x + side, y + side))
            parts = getattr(piece, "geoms", [piece])
            cells += [p for p in parts if isinstance(p, shapely.Polygon) and p.area > 1.0]
    return cells


def _overpass_query(cell: shapely.Polygon, classes: frozenset[str]) -> str:
    """The Overpass QL query of the drivable ways of ``classes`` in a cell (Lambert-93)."""
    outline = cell.simplify(_OUTLINE_TOLERANCE_M).exterior
    lon, lat = (
        gpd.GeoSeries(shapely.points(outline.coords), crs="EPSG:2154")
        .to_crs("EPSG:4326")
        .pipe(lambda points: (points.x.to_numpy(), points.y.to_numpy()))
    )
    poly = " ".join(f"{y:.5f} {x:.5f}" for x, y in zip(lon[:-1], lat[:-1], strict=True))
    closed = "".join(f'["{key}"!~"^(no|private)$"]' for key in _CLOSED)
    pattern = "|".join(sorted(classes))
    return (
        f"[out:xml][timeout:{_OVERPASS_TIMEOUT_S}][maxsize:{_OVERPASS_MAXSIZE}];"
        f'(way["highway"~"^({pattern})$"]["area"!="yes"]{closed}(poly:"{poly}");>;);'
        "out body qt;"
    )


def overpass_downloads(context: ParseContext) -> list[Download]:
    """The Overpass queries of a fetch: every drivable road near, the major roads farther.

    Each query covers a cell of at most :data:`ALL_ROADS_CELL_M2` (every drivable
    road, over the local area) or :data:`MAJOR_ROADS_CELL_M2` (major roads, over
    the major area), as osmnx splits large areas; each answer is saved as
    ``roads-<dép>-all-NN.osm`` or ``roads-<dép>-major-NN.osm``.
    """
    areas = road_areas(context)
    dep = context.departement
    items = []
    for what, area, size, classes in (
        ("all", areas.local_lambert, ALL_ROADS_CELL_M2, DRIVABLE),
        ("major", areas.major_lambert, MAJOR_ROADS_CELL_M2, MAJOR),
    ):
        for number, cell in enumerate(_cells(area, size), start=1):
            query = urllib.parse.quote(_overpass_query(cell, classes), safe="")
            items.append(
                Download(
                    url=f"{OVERPASS_URL}?data={query}",
                    filename=f"roads-{dep}-{what}-{number:02d}.osm",
                )
            )
    return items


def _needed_departements(context: ParseContext, areas: RoadAreas) -> list[str]:
    """The départements that cover at least :data:`_NEEDED_SHARE` of the major area."""
    communes = context.communes.communes
    inside = communes[communes.geometry.intersects(areas.major)]
    if inside.empty:
        return []
    pieces = gpd.GeoSeries(inside.geometry, crs="EPSG:4326").to_crs("EPSG:2154")
    shares = pieces.intersection(areas.major_lambert).area / areas.major_lambert.area
    by_departement = shares.groupby(inside["departement"].to_numpy()).sum()
    return sorted(str(d) for d, share in by_departement.items() if share >= _NEEDED_SHARE)


def extracts_for(context: ParseContext) -> list[str]:
    """The Geofabrik extracts (``.osm.pbf`` addresses) that cover a département's roads."""
    areas = road_areas(context)
    regions = sorted(
        {_REGION_OF[d] for d in _needed_departements(context, areas) if d in _REGION_OF}
    )
    return [_GEOFABRIK.format(region=region) for region in regions]


def _import_advice(context: ParseContext) -> str:
    urls = extracts_for(context)
    names = " ".join(Path(url).name for url in urls)
    return (
        f"download Geofabrik's extract(s) {', '.join(urls)} and run "
        f"`relocate data import osm {names}`"
    )


def _town_points(communes: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    lon = communes["townhall_lon"].to_numpy(dtype=float).copy()
    lat = communes["townhall_lat"].to_numpy(dtype=float).copy()
    geoms = communes.geometry.to_numpy()
    fill = ~(np.isfinite(lon) & np.isfinite(lat)) & ~(
        shapely.is_empty(geoms) | shapely.is_missing(geoms)
    )
    if fill.any():
        inner = shapely.point_on_surface(geoms[fill])
        lon[fill], lat[fill] = shapely.get_x(inner), shapely.get_y(inner)
    return lon, lat


def _coverage_warning(
    context: ParseContext, areas: RoadAreas, lon: np.ndarray, lat: np.ndarray
) -> str | None:
    """Say which départements of the area the files leave without roads, and the extracts."""
    communes = context.communes.communes
    needed = set(_needed_departements(context, areas))
    chosen = communes[communes["departement"].isin(needed)]
    chosen = chosen[chosen.geometry.intersects(areas.major)]
    if chosen.empty or len(lon) == 0:
        return None
    c_lon, c_lat = _town_points(chosen)
    ok = np.isfinite(c_lon) & np.isfinite(c_lat)
    chosen, c_lon, c_lat = chosen[ok], c_lon[ok], c_lat[ok]
    scale = np.cos(np.radians(float(np.nanmean(c_lat)) if len(c_lat) else 45.0))
    tree = cKDTree(np.column_stack([lon * scale, lat]))
    gap_deg, _ = tree.query(np.column_stack([c_lon * scale, c_lat]), k=1)
    gap_m = np.asarray(gap_deg) * 111_195.0
    near = shapely.intersects_xy(areas.local, c_lon, c_lat)
    reached = gap_m <= np.where(near, _LOCAL_REACH_M, _MAJOR_REACH_M)
    share = pd.Series(reached, index=chosen["departement"].to_numpy()).groupby(level=0).mean()
    missing = sorted(str(dep) for dep, value in share.items() if value < 0.5)
    if not missing:
        return None
    regions = sorted({_REGION_OF[d] for d in missing if d in _REGION_OF})
    urls = ", ".join(_GEOFABRIK.format(region=r) for r in regions)
    return (
        f"the files have almost no road in département(s) {', '.join(missing)}, which the "
        f"area around département {context.departement} reaches: drive times across them "
        f"will be missing or too long; import their extract(s) too ({urls})"
    )


# --- the edition ----------------------------------------------------------------------------


def _file_date(path: Path, kind: str) -> date | None:
    """The date of the OSM data in a file: Overpass's ``osm_base``, a PBF's replication stamp."""
    import osmium  # lazy: see the note on imports above

    stamp: str | None = None
    if kind == "xml":
        with path.open("rb") as handle:
            found = _OSM_BASE.search(handle.read(1 << 16))
        stamp = found.group(1).decode() if found else None
    elif kind == "pbf":
        try:
            header = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING).header()
            stamp = header.get("osmosis_replication_timestamp") or None
        except RuntimeError:
            stamp = None
    if not stamp:
        return None
    try:
        return date.fromisoformat(stamp[:10])
    except ValueError:
        return None


def _edition(
    files: Sequence[Path], kinds: Sequence[str], context: ParseContext
) -> tuple[str, date, DatedBy]:
    """The date of the OSM data: the oldest file's; else ``--edition``, Last-Modified, unknown."""
    dates = [d for path, kind in zip(files, kinds, strict=True) if (d := _file_date(path, kind))]
    if dates:
        day = min(dates)
        return day.isoformat(), day, "content"
    return undated_edition(files, context)


# --- networks fetched by earlier versions (osmnx graphml) -----------------------------------


def _first(value: Any) -> Any:
    """The first class of a merged edge (osmnx keeps a list, graphml a list's text)."""
    if isinstance(value, str) and value.startswith("["):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _first_all(value: Any) -> list[Any]:
    """Every class of a merged edge, as a list."""
    if isinstance(value, str) and value.startswith("["):
        try:
            value = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return [value]
    return list(value) if isinstance(value, list) else [value]


def _told(exc: BaseException, *paths: Path) -> str:
    """What a library said, in one line, naming files by their names (not where they are)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for path in paths:
        text = text.replace(str(path), path.name)
    return text


def _graphml_edges(path: Path) -> tuple[pd.DataFrame, int]:
    """The edges of a road graph an earlier relocate fetched through osmnx (graphml)."""
    import osmnx  # lazy: see the note on imports above

    try:
        graph = osmnx.load_graphml(path)
    except Exception as exc:  # networkx, lxml and osmnx raise many types
        raise SourceFormatError(
            f"{path.name}: not a graphml road network: {_told(exc, path)}"
        ) from None
    graph = _keep_drivable(graph)
    if graph.number_of_edges() == 0:
        raise SourceFormatError(f"{path.name}: no drivable road in this file")
    tagged = sum(
        not (d.get("maxspeed") is None or d.get("maxspeed") != d.get("maxspeed"))
        for _, _, d in graph.edges(data=True)
    )
    graph = osmnx.add_edge_speeds(graph, hwy_speeds=DEFAULT_SPEEDS_KPH, fallback=FALLBACK_SPEED_KPH)
    graph = osmnx.add_edge_travel_times(graph)
    rows = []
    nodes = graph.nodes
    for u, v, data in graph.edges(data=True):
        rows.append(
            (
                u,
                v,
                nodes[u]["x"],
                nodes[u]["y"],
                nodes[v]["x"],
                nodes[v]["y"],
                data["length"],
                data["travel_time"],
                data["speed_kph"],
                data["highway"],
                bool(_first(data.get("oneway", False)) in (True, "True", "true")),
            )
        )
    table = pd.DataFrame.from_records(rows, columns=list(EDGE_COLUMNS))
    types: dict[str, Any] = {"u": "int64", "v": "int64", "highway": object, "oneway": bool}
    types |= {c: float for c in EDGE_COLUMNS[2:9]}
    table = table.astype(types)
    table = table.sort_values(["u", "v", "length_m"], kind="stable").reset_index(drop=True)
    return table, int(tagged)


def _keep_drivable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Drop the edges no car may use (and set ``highway`` to the class kept)."""
    drop = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        classes = _first_all(data.get("highway"))
        tags = {k: _first(data.get(k)) for k in ("access", "area")}
        tags["highway"] = next((c for c in classes if c in DRIVABLE), None)
        if not _drivable(tags):
            drop.append((u, v, key))
        else:
            data["highway"] = tags["highway"]
    graph.remove_edges_from(drop)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    return graph


# --- the source -----------------------------------------------------------------------------


def _read_files(files: Sequence[Path], context: ParseContext) -> tuple[WayArrays, list[str]]:
    """The drivable ways of OSM files, clipped to the département's areas; and warnings."""
    ways = WayArrays(classes=tuple(sorted(DRIVABLE)))
    for path in files:
        try:
            read_ways(path, ways, drivable=_drivable)
        except RuntimeError as exc:
            raise SourceFormatError(
                f"{path.name}: not readable OSM data: {_told(exc, path)}"
            ) from None
    if not len(ways):
        names = ", ".join(p.name for p in files)
        raise SourceFormatError(f"{names}: no drivable road in this file")
    areas = road_areas(context)
    arrays = ways.numpy()
    major = np.isin(np.array(ways.classes, dtype=object)[arrays["highway"]], list(MAJOR))
    starts = arrays["starts"]
    in_local = shapely.contains_xy(areas.local, arrays["lon"], arrays["lat"])
    in_major = shapely.contains_xy(areas.major, arrays["lon"], arrays["lat"])
    keep = np.logical_or.reduceat(in_local, starts) | (
        major & np.logical_or.reduceat(in_major, starts)
    )
    warnings = []
    if ways.cut:
        names = ", ".join(p.name for p in files)
        warnings.append(
            f"{ways.cut} ways refer to nodes absent from {names} (cut at the extract's "
            "border): kept as the pieces whose nodes are present"
        )
    if not keep.all():
        warnings.append(
            f"{int((~keep).sum()):,} roads outside the area kept around département "
            f"{context.departement} were left out ({context.roads_buffer_m / 1000:g} km for "
            f"every road, {MAJOR_BUFFER_M / 1000:g} km for major roads)"
        )
    kept = ways.keep(keep)
    if not len(kept):
        names = ", ".join(p.name for p in files)
        raise SourceFormatError(
            f"{names}: no drivable road around département {context.departement} in the "
            f"file(s): an extract of another region? {_import_advice(context)}"
        )
    coverage = _coverage_warning(context, areas, kept.numpy()["lon"], kept.numpy()["lat"])
    if coverage:
        warnings.append(coverage)
    return kept, warnings


class OsmRoadsSource(OpenDataSource):
    """OpenStreetMap's drivable roads around a département, as directed edges.

    The table has one row per directed edge between two kept nodes (a way's end,
    or a node several ways share; a two-way road gives two rows, a ``oneway``
    road one, in its direction; parallel edges are all kept): ``u``, ``v`` (OSM
    node ids), ``u_lon``, ``u_lat``, ``v_lon``, ``v_lat`` (WGS84), ``length_m``
    (the great-circle length along the way, as osmnx measures it),
    ``speed_kph`` (``maxspeed`` where tagged and readable, else
    :data:`DEFAULT_SPEEDS_KPH` of its class), ``travel_time_s`` (length / speed),
    ``highway`` (the class) and ``oneway``. Only :data:`DRIVABLE` classes open to
    cars are kept, within the areas of :func:`road_areas`. Disconnected pieces
    are kept too (the router reports them as unreachable).

    Read from ``.osm`` (OSM XML: what a fetch saves, or an Overpass export) and
    ``.osm.pbf`` files (Geofabrik's regional extracts: :func:`extracts_for`),
    several at once; or from a ``.graphml`` an earlier relocate fetched.
    """

    key: ClassVar[str] = "osm"
    name: ClassVar[str | Text] = Text(
        en="OpenStreetMap road network (drivable roads)",
        fr="Réseau routier OpenStreetMap (routes carrossables)",
    )
    publisher: ClassVar[str] = "OpenStreetMap contributors"
    licence: ClassVar[str] = "ODbL 1.0"
    page_url: ClassVar[str] = "https://www.openstreetmap.org/copyright"
    file_format: ClassVar[str] = (
        "OSM XML (.osm: what a fetch saves from the Overpass API, or an Overpass export) or "
        "OSM PBF (.osm.pbf: Geofabrik's regional extracts), one or several files; or the "
        "osmnx graphml an earlier relocate fetched (.graphml)"
    )
    edition_rule: ClassVar[str] = (
        "the date of the OSM data: the <meta osm_base=...> of Overpass XML, or the "
        "replication timestamp in a PBF header (the oldest, for several files); otherwise "
        "--edition, else the server's Last-Modified, else 'edition unknown, imported on DATE'"
    )
    rhythm_days: ClassVar[int] = 365
    per_departement: ClassVar[bool] = True
    #: Edges of a département and around it: an extract of another extent differs a lot.
    min_row_share: ClassVar[float] = 0.5
    #: A regional PBF extract is a few hundred MB.
    max_file_bytes: ClassVar[int] = 8 << 30
    table_columns: ClassVar[tuple[str, ...]] = EDGE_COLUMNS
    features: ClassVar[tuple[Feature, ...]] = (
        Feature(
            name="snap_m",
            unit=METRES,
            label=Text(
                en="Distance from the town hall to the road network",
                fr="Distance de la mairie au réseau routier",
            ),
            description=Text(
                en="Geodesic distance from the town hall to the nearest node of the road "
                "network; drive times start there (only with a road network loaded).",
                fr="Distance géodésique de la mairie au nœud le plus proche du réseau "
                "routier, d’où partent les temps de trajet (avec un réseau routier chargé).",
            ),
            sources=("communes", "osm"),
        ),
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """No download by département code alone: the queries cover an area (:meth:`plan`).

        Raises
        ------
        SourceError
            Always, saying how to load the network.
        """
        raise SourceError(
            f"the road network of département {departement} is queried over an area drawn "
            "around its communes: use relocate data fetch osm (the Overpass API) or "
            "relocate data import osm FILE.osm.pbf..."
        )

    def plan(self, context: ParseContext) -> list[Download]:
        """The Overpass queries of :func:`overpass_downloads`."""
        return overpass_downloads(context)

    def import_advice(self, context: ParseContext) -> str:
        """How to load the network by hand: the Geofabrik extracts to download and import."""
        return _import_advice(context)

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Build the directed edges table from OSM XML or PBF files (or one graphml).

        Notes counted: ``nodes``, ``edges``, ``edges without maxspeed``.

        Raises
        ------
        SourceFormatError
            If a file is not OSM data, or they hold no drivable road around the département.
        """
        if not files:
            raise SourceFormatError("the road network needs at least one .osm or .osm.pbf file")
        kinds = [_kind(path) for path in files]
        warnings: list[str] = []
        if "graphml" in kinds:
            if len(files) != 1:
                raise SourceFormatError(
                    "a .graphml road network is one file: import it alone, or import OSM "
                    f"files (.osm, .osm.pbf) instead; got {len(files)} files"
                )
            table, with_maxspeed = _graphml_edges(files[0])
        else:
            ways, warnings = _read_files(files, context)
            table, with_maxspeed = edges_of(
                ways, default_speeds=DEFAULT_SPEEDS_KPH, fallback_speed=FALLBACK_SPEED_KPH
            )
        edition, edition_date, dated_by = _edition(files, kinds, context)
        nodes = len(np.union1d(table["u"].to_numpy(), table["v"].to_numpy()))
        return Parsed(
            table=table,
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(warnings),
            notes={
                "nodes": nodes,
                "edges": len(table),
                "edges without maxspeed": len(table) - with_maxspeed,
            },
            dated_by=dated_by,
        )
