"""OpenStreetMap's drivable road network: one row per directed road edge, with speeds and times."""

from __future__ import annotations

import ast
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from relocate.declare import METRES, Feature, Text
from relocate.errors import FetchError, SourceError, SourceFormatError
from relocate.features.roads import ROUTING_COLUMNS
from relocate.sources.opendata import (
    Download,
    OpenDataSource,
    ParseContext,
    Parsed,
    file_date_edition,
)

if TYPE_CHECKING:
    import networkx as nx

# osmnx, networkx and pyosmium take about a second to import: they are imported in the
# functions that read or fetch a network, not when relocate starts.

__all__ = [
    "DEFAULT_SPEEDS_KPH",
    "DRIVABLE",
    "EDGE_COLUMNS",
    "FALLBACK_SPEED_KPH",
    "FETCH_BUFFER_M",
    "SIMPLIFY_KEEP",
    "OsmRoadsSource",
    "fetch_area",
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
#: left out, as osmnx's ``network_type="drive"`` does, so that a fetched and an imported
#: network are the same; footways, cycleways, paths, steps, pedestrian areas, bridleways,
#: and roads under construction or proposed are not roads for a car.
DRIVABLE = frozenset(DEFAULT_SPEEDS_KPH)

#: Tags that close a way to cars: ``access=no|private``, ``motor_vehicle=no``, ``motorcar=no``.
_CLOSED = {
    "access": {"no", "private"},
    "motor_vehicle": {"no", "private"},
    "motorcar": {"no", "private"},
}

#: The standard table's columns: those routing reads, then what the network keeps besides.
EDGE_COLUMNS = (*ROUTING_COLUMNS, "speed_kph", "highway", "oneway")

#: Buffer (m, in EPSG:2154) around the convex hull of the département's communes for a fetch:
#: a trip to a regional airport or hospital leaves the département (Toulouse-Blagnac is about
#: 60 km from the eastern edge of the Gers), and a route between two villages may cut through
#: the next one; 60 km covers both without fetching the whole region.
FETCH_BUFFER_M = 60_000.0

#: Simplification keeps a node where these differ, so that each edge has one class and one
#: ``maxspeed`` (osmnx would otherwise merge them into a list and average the speeds).
SIMPLIFY_KEEP = ("highway", "maxspeed")

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
        "(.osm or .osm.xml: OSM XML; .osm.pbf: OSM PBF; .graphml: a fetched network)"
    )


def _drivable(tags: Any) -> bool:
    """True if a way with these tags (a mapping, or pyosmium's tag list) is open to cars."""
    if tags.get("highway") not in DRIVABLE or tags.get("area") == "yes":
        return False
    return all(tags.get(key) not in closed for key, closed in _CLOSED.items())


def _edition(path: Path, kind: str) -> tuple[str, date]:
    """The date of the OSM data.

    Overpass's ``osm_base``, a PBF's replication timestamp, else the file's date.
    """
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
    if stamp:
        try:
            day = date.fromisoformat(stamp[:10])
        except ValueError:
            pass
        else:
            return day.isoformat(), day
    return file_date_edition(path)


def _write_roads_xml(source: Path, dest: Path) -> tuple[int, int]:
    """Write the drivable ways of an OSM file (XML or PBF) and their nodes to OSM XML.

    Returns the number of ways written, and the number of ways cut where the file lacks
    a node a way refers to (an extract cut at its border): each run of nodes present is
    kept as its own way.
    """
    import osmium  # lazy: see the note on imports above

    ways: list[tuple[int, list[int], dict[str, str]]] = []
    wanted: set[int] = set()
    for way in osmium.FileProcessor(str(source), osmium.osm.WAY):
        if isinstance(way, osmium.osm.Way) and _drivable(way.tags):
            refs = [node.ref for node in way.nodes]
            ways.append((way.id, refs, {tag.k: tag.v for tag in way.tags}))
            wanted.update(refs)
    present: set[int] = set()
    cut = written = 0
    with osmium.SimpleWriter(str(dest), overwrite=True) as writer:
        for node in osmium.FileProcessor(str(source), osmium.osm.NODE):
            if not isinstance(node, osmium.osm.Node):
                continue
            if node.id in wanted and node.location.valid():
                present.add(node.id)
                writer.add_node(
                    osmium.osm.mutable.Node(
                        id=node.id, location=(node.location.lon, node.location.lat)
                    )
                )
        next_id = -1
        for way_id, refs, tags in ways:
            runs: list[list[int]] = [[]]
            for ref in refs:
                if ref in present:
                    runs[-1].append(ref)
                elif runs[-1]:
                    runs.append([])
            pieces = [run for run in runs if len(run) >= 2]
            cut += int(len(pieces) != 1 or len(pieces[0]) != len(refs))
            for number, run in enumerate(pieces):
                piece_id = way_id
                if number > 0:  # a way id of its own (negative: never a real OSM id)
                    piece_id, next_id = next_id, next_id - 1
                writer.add_way(osmium.osm.mutable.Way(id=piece_id, nodes=run, tags=tags))
                written += 1
    return written, cut


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


def _keep_drivable(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Drop the edges no car may use.

    A fetched graph is filtered already, and a file before its graph is built: this is
    the same rule, applied once more (and it sets ``highway`` to the class kept).
    """
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


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _told(exc: BaseException, *paths: Path) -> str:
    """What a library said, in one line, naming files by their names (not where they are)."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    for path in paths:
        text = text.replace(str(path), path.name)
    return text


def _graph_of(path: Path, kind: str) -> tuple[nx.MultiDiGraph, int]:
    """The road graph of one file, and the count of ways cut at missing nodes."""
    import osmnx  # lazy: see the note on imports above

    if kind == "graphml":
        try:
            return osmnx.load_graphml(path), 0
        except Exception as exc:  # networkx, lxml and osmnx raise many types
            raise SourceFormatError(
                f"{path.name}: not a graphml road network: {_told(exc, path)}"
            ) from None
    with tempfile.TemporaryDirectory(prefix="relocate-osm-") as tmp:
        roads = Path(tmp) / "roads.osm"
        try:
            written, cut = _write_roads_xml(path, roads)
        except RuntimeError as exc:
            raise SourceFormatError(
                f"{path.name}: not readable OSM data: {_told(exc, path, roads)}"
            ) from None
        if not written:
            raise SourceFormatError(f"{path.name}: no drivable road in this file")
        try:
            graph = osmnx.graph_from_xml(roads, simplify=False, retain_all=True)
        except (ValueError, KeyError) as exc:
            raise SourceFormatError(
                f"{path.name}: no road network can be built: {_told(exc, path, roads)}"
            ) from None
    return _simplify(graph), cut


def _simplify(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Simplify with osmnx, keeping the nodes where the class or ``maxspeed`` changes."""
    import osmnx  # lazy: see the note on imports above

    return osmnx.simplify_graph(graph, edge_attrs_differ=SIMPLIFY_KEEP)


def _edges_table(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """The directed edges of a graph with speeds and travel times, as the standard table."""
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
    types: dict[str, Any] = {"u": "int64", "v": "int64", "highway": str, "oneway": bool}
    types |= {c: float for c in EDGE_COLUMNS[2:9]}
    table = table.astype(types)
    return table.sort_values(["u", "v", "length_m"], kind="stable").reset_index(drop=True)


@contextmanager
def _osmnx_cache(folder: Path, *, progress: bool) -> Iterator[None]:
    """Set osmnx's settings for one fetch (its HTTP cache in ``folder``), restored afterwards."""
    import osmnx  # lazy: see the note on imports above

    saved = (osmnx.settings.cache_folder, osmnx.settings.use_cache, osmnx.settings.log_console)
    osmnx.settings.cache_folder = str(folder)
    osmnx.settings.use_cache = True
    osmnx.settings.log_console = progress
    try:
        yield
    finally:
        (
            osmnx.settings.cache_folder,
            osmnx.settings.use_cache,
            osmnx.settings.log_console,
        ) = saved


def fetch_area(context: ParseContext) -> shapely.Polygon:
    """The area fetched for a département, in WGS84: its communes' convex hull, buffered.

    The hull covers the communes' polygons and town halls; the buffer is
    :data:`FETCH_BUFFER_M`.

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
            "no area to fetch roads for"
        )
    lambert = gpd.GeoSeries(shapes, crs="EPSG:4326").to_crs("EPSG:2154")
    area = lambert.union_all().convex_hull.buffer(FETCH_BUFFER_M)
    polygon = gpd.GeoSeries([area], crs="EPSG:2154").to_crs("EPSG:4326").iloc[0]
    assert isinstance(polygon, shapely.Polygon)
    return polygon


class OsmRoadsSource(OpenDataSource):
    """OpenStreetMap's drivable roads around a département, as directed edges.

    The table has one row per directed edge of the simplified osmnx graph (a
    two-way road gives two rows, a ``oneway`` road one, in its direction; parallel
    edges are all kept): ``u``, ``v`` (OSM node ids), ``u_lon``, ``u_lat``,
    ``v_lon``, ``v_lat`` (WGS84), ``length_m`` (osmnx's great-circle length along
    the way), ``speed_kph`` (``maxspeed`` where tagged and readable, else
    :data:`DEFAULT_SPEEDS_KPH` of its class), ``travel_time_s`` (length / speed),
    ``highway`` (the class; the first one where osmnx merged ways) and ``oneway``.
    Only :data:`DRIVABLE` classes open to cars are kept. Disconnected pieces are
    kept too (the router reports them as unreachable).

    Read from ``.osm`` (OSM XML, e.g. an Overpass export), ``.osm.pbf`` (e.g. a
    Geofabrik extract, through pyosmium) or ``.graphml`` (what ``relocate data
    fetch osm`` saves: osmnx's ``network_type="drive"`` query of Overpass over
    :func:`fetch_area`, made by :meth:`fetch_into`).
    """

    key: ClassVar[str] = "osm"
    name: ClassVar[str] = "OpenStreetMap road network (drivable roads)"
    publisher: ClassVar[str] = "OpenStreetMap contributors"
    licence: ClassVar[str] = "ODbL 1.0"
    page_url: ClassVar[str] = "https://www.openstreetmap.org/copyright"
    file_format: ClassVar[str] = (
        "OSM XML (.osm, e.g. an Overpass export), OSM PBF (.osm.pbf, e.g. a Geofabrik "
        "extract) or the osmnx graphml a fetch saves (.graphml)"
    )
    edition_rule: ClassVar[str] = (
        "the date of the OSM data: the <meta osm_base=...> of an Overpass XML file, or the "
        "replication timestamp in a PBF header; otherwise (a fetched graphml, a file without "
        "either) the day the file was written, 'retrieved YYYY-MM-DD'"
    )
    rhythm_days: ClassVar[int] = 365
    per_departement: ClassVar[bool] = True
    #: Edges of a département and 60 km around it: an extract of another extent differs a lot.
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
        """No plain download: the network comes from an Overpass query (:meth:`fetch_into`).

        Raises
        ------
        SourceError
            Always, saying how to load the network.
        """
        raise SourceError(
            f"the road network of département {departement} is not a file to download: "
            "use relocate data fetch osm (Overpass via osmnx) or "
            "relocate data import osm FILE.osm|.osm.pbf"
        )

    def fetch_into(
        self, staging: Path, *, context: ParseContext, progress: bool
    ) -> list[tuple[Path, str]]:
        """Query Overpass (through osmnx) for the drivable roads around the département.

        The area is :func:`fetch_area`; osmnx's HTTP cache lives in
        ``staging.parent / ".osmnx-cache"`` (beside the editions, ignored by the
        store), so that a fetch interrupted half-way resumes from the answers it has.

        Returns
        -------
        list of (path, origin)
            The saved graph, ``staging / "roads-<departement>.graphml"``, and its origin.
        """
        import osmnx  # lazy: see the note on imports above

        polygon = fetch_area(context)
        with _osmnx_cache(staging.parent / ".osmnx-cache", progress=progress):
            try:
                graph = osmnx.graph_from_polygon(
                    polygon, network_type="drive", simplify=False, retain_all=True
                )
            except Exception as exc:  # requests, osmnx's InsufficientResponseError...
                raise FetchError(
                    f"the Overpass query through osmnx failed: {exc}; you can import an OSM "
                    "extract instead: relocate data import osm FILE.osm.pbf"
                ) from exc
        dest = staging / f"roads-{context.departement}.graphml"
        osmnx.save_graphml(_simplify(graph), dest)
        return [(dest, "Overpass API via osmnx")]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Build the directed edges table from one OSM XML, PBF or graphml file.

        Raises
        ------
        SourceFormatError
            If there is not exactly one file, it is not OSM data, or it holds no drivable road.
        """
        import osmnx  # lazy: see the note on imports above

        del context
        if len(files) != 1:
            raise SourceFormatError(
                f"the road network is one file (.osm, .osm.pbf or .graphml), got {len(files)}"
            )
        path = files[0]
        kind = _kind(path)
        graph, cut = _graph_of(path, kind)
        graph = _keep_drivable(graph)
        if graph.number_of_edges() == 0:
            raise SourceFormatError(f"{path.name}: no drivable road in this file")
        no_maxspeed = sum(_missing(d.get("maxspeed")) for _, _, d in graph.edges(data=True))
        graph = osmnx.add_edge_speeds(
            graph, hwy_speeds=DEFAULT_SPEEDS_KPH, fallback=FALLBACK_SPEED_KPH
        )
        graph = osmnx.add_edge_travel_times(graph)
        table = _edges_table(graph)
        edition, edition_date = _edition(path, kind)
        warnings = []
        if cut:
            warnings.append(
                f"{cut} ways refer to nodes absent from {path.name} (cut at the extract's "
                "border): kept as the pieces whose nodes are present"
            )
        return Parsed(
            table=table,
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(warnings),
            notes={
                "nodes": graph.number_of_nodes(),
                "edges": len(table),
                "edges without maxspeed": int(no_maxspeed),
            },
        )
