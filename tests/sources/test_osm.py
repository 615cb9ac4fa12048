"""Tests of the OpenStreetMap road network source (small hand-written OSM XML, no network)."""

from __future__ import annotations

import math
import os
import urllib.parse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import osmium
import osmnx
import pandas as pd
import pytest
from shapely.geometry import Point

from relocate.errors import FetchError, SourceError, SourceFormatError
from relocate.sources import load_communes
from relocate.sources import osm as osm_module
from relocate.sources.fetch import fetch_source
from relocate.sources.opendata import Download, ParseContext, Parsed
from relocate.sources.osm import DEFAULT_SPEEDS_KPH, EDGE_COLUMNS, OVERPASS_URL, OsmRoadsSource
from relocate.sources.store import Store
from tests.conftest import make_context
from tests.sources.conftest import Mirror

#: Fixture nodes: id -> (lon, lat).
NODES = {
    1: (0.50, 43.60),
    2: (0.55, 43.60),  # inside the primary road: simplified away
    3: (0.60, 43.60),
    4: (0.60, 43.61),
    5: (0.61, 43.61),
    6: (0.70, 43.65),  # island
    7: (0.70, 43.66),  # island
    8: (0.62, 43.60),  # only on the private road
}

#: Fixture ways: id, nodes, tags.
WAYS: list[tuple[int, list[int], dict[str, str]]] = [
    (100, [1, 2, 3], {"highway": "primary", "maxspeed": "90", "name": "Fixture fast road"}),
    (101, [3, 4], {"highway": "residential", "name": "Fixture slow street"}),
    (102, [4, 5], {"highway": "tertiary", "oneway": "yes", "name": "Fixture one-way"}),
    (103, [5, 1], {"highway": "footway"}),
    (104, [6, 7], {"highway": "unclassified", "name": "Fixture island road"}),
    (105, [3, 8], {"highway": "residential", "access": "private"}),
]

OSM_BASE = '<meta osm_base="2024-05-01T12:34:56Z"/>'


def osm_xml(
    *, meta: str = OSM_BASE, nodes: dict[int, tuple[float, float]] = NODES, ways=WAYS
) -> str:
    """OSM XML in the layout of an Overpass export."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<osm version="0.6" generator="Overpass API 0.7.62 fixture">',
        "<note>Fixture data, not OpenStreetMap's.</note>",
        meta,
    ]
    lines += [f'  <node id="{i}" lat="{lat}" lon="{lon}"/>' for i, (lon, lat) in nodes.items()]
    for way_id, refs, tags in ways:
        lines.append(f'  <way id="{way_id}">')
        lines += [f'    <nd ref="{ref}"/>' for ref in refs]
        lines += [f'    <tag k="{k}" v="{v}"/>' for k, v in tags.items()]
        lines.append("  </way>")
    lines.append("</osm>")
    return "\n".join(lines) + "\n"


def great_circle_m(a: int, b: int) -> float:
    """Haversine distance between two fixture nodes, on osmnx's mean Earth radius."""
    (lon1, lat1), (lon2, lat2) = NODES[a], NODES[b]
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_009 * math.asin(math.sqrt(h))


@pytest.fixture
def context(communes: gpd.GeoDataFrame) -> ParseContext:
    return make_context(communes, departement="99")


@pytest.fixture
def xml_file(tmp_path: Path) -> Path:
    path = tmp_path / "fixture-roads.osm"
    path.write_text(osm_xml(), encoding="utf-8")
    return path


def parse(path: Path, context: ParseContext) -> Parsed:
    return OsmRoadsSource().parse([path], context=context)


def edges_of(parsed: Parsed) -> dict[tuple[int, int], dict[str, Any]]:
    table = parsed.table
    assert not table.duplicated(["u", "v"]).any()  # no parallel edges in the fixture
    return {(r["u"], r["v"]): r for r in table.to_dict("records")}


def test_directed_edges_drivable_only(xml_file: Path, context: ParseContext) -> None:
    parsed = parse(xml_file, context)
    assert tuple(parsed.table.columns) == EDGE_COLUMNS
    # two rows per two-way road, one for the one-way street (in its direction); the
    # footway and the private street are dropped, the island is kept
    assert set(edges_of(parsed)) == {(1, 3), (3, 1), (3, 4), (4, 3), (4, 5), (6, 7), (7, 6)}
    assert parsed.notes == {"nodes": 6, "edges": 7, "edges without maxspeed": 5}
    assert parsed.warnings == ()


def test_speeds_classes_and_one_way(xml_file: Path, context: ParseContext) -> None:
    edges = edges_of(parse(xml_file, context))
    assert edges[(1, 3)]["highway"] == "primary"
    assert edges[(1, 3)]["speed_kph"] == 90.0  # tagged maxspeed wins over the class's 80
    assert edges[(3, 4)]["highway"] == "residential"
    assert edges[(3, 4)]["speed_kph"] == DEFAULT_SPEEDS_KPH["residential"] == 50.0
    assert edges[(4, 5)]["speed_kph"] == DEFAULT_SPEEDS_KPH["tertiary"] == 80.0
    assert edges[(6, 7)]["speed_kph"] == DEFAULT_SPEEDS_KPH["unclassified"]
    assert edges[(4, 5)]["oneway"] and not edges[(1, 3)]["oneway"]
    assert (edges[(4, 5)]["u_lon"], edges[(4, 5)]["v_lon"]) == (0.60, 0.61)


def test_lengths_and_travel_times(xml_file: Path, context: ParseContext) -> None:
    table = parse(xml_file, context).table
    edges = edges_of(parse(xml_file, context))
    primary = great_circle_m(1, 2) + great_circle_m(2, 3)  # along the way, through node 2
    assert edges[(1, 3)]["length_m"] == pytest.approx(primary, rel=1e-6)
    assert edges[(3, 1)]["length_m"] == pytest.approx(primary, rel=1e-6)
    assert edges[(3, 4)]["length_m"] == pytest.approx(great_circle_m(3, 4), rel=1e-6)
    assert 1100 < edges[(3, 4)]["length_m"] < 1125  # 0.01 degree of latitude
    assert edges[(1, 3)]["travel_time_s"] == pytest.approx(primary / (90 / 3.6), rel=1e-9)
    expected = table["length_m"] / (table["speed_kph"] / 3.6)
    pd.testing.assert_series_equal(table["travel_time_s"], expected, check_names=False)


def test_node_positions_and_types(xml_file: Path, context: ParseContext) -> None:
    table = parse(xml_file, context).table
    for row in table.to_dict("records"):
        assert (row["u_lon"], row["u_lat"]) == NODES[row["u"]]
        assert (row["v_lon"], row["v_lat"]) == NODES[row["v"]]
    assert table["u"].dtype == "int64" and table["v"].dtype == "int64"
    assert table["oneway"].dtype == bool
    assert table[list(EDGE_COLUMNS[2:9])].notna().all().all()


def test_table_survives_the_store_parquet_round_trip(
    xml_file: Path, context: ParseContext, tmp_path: Path
) -> None:
    table = parse(xml_file, context).table
    table.to_parquet(tmp_path / "table.parquet")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "table.parquet"), table)


def test_edition_is_overpass_osm_base(xml_file: Path, context: ParseContext) -> None:
    parsed = parse(xml_file, context)
    assert (parsed.edition, parsed.edition_date) == ("2024-05-01", date(2024, 5, 1))


def test_edition_without_meta_is_unknown_or_given(tmp_path: Path, context: ParseContext) -> None:
    path = tmp_path / "no-meta.osm"
    path.write_text(osm_xml(meta=""), encoding="utf-8")
    stamp = datetime(2023, 2, 3, 12, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))
    parsed = parse(path, context)
    # Never the file's date: the data's age is unknown.
    assert parsed.dated_by == "unknown"
    assert parsed.edition == f"edition unknown, imported on {datetime.now(UTC).date()}"
    given = ParseContext(communes=context.communes, departement="99", edition="2024-04")
    assert parse(path, given).edition == "2024-04"


def write_pbf(xml: Path, pbf: Path, *, timestamp: str | None = None) -> None:
    """Copy an OSM XML file to PBF with pyosmium, with a replication timestamp if given."""
    header = osmium.io.Header()
    if timestamp:
        header.set("osmosis_replication_timestamp", timestamp)
    with osmium.SimpleWriter(str(pbf), header=header) as writer:
        for obj in osmium.FileProcessor(str(xml)):
            writer.add(obj)


def test_pbf_gives_the_same_edges(xml_file: Path, context: ParseContext, tmp_path: Path) -> None:
    pbf = tmp_path / "fixture-roads.osm.pbf"
    write_pbf(xml_file, pbf, timestamp="2024-06-02T20:21:04Z")
    from_pbf = parse(pbf, context)
    pd.testing.assert_frame_equal(from_pbf.table, parse(xml_file, context).table)
    assert (from_pbf.edition, from_pbf.edition_date) == ("2024-06-02", date(2024, 6, 2))


def test_pbf_without_timestamp_is_undated(
    xml_file: Path, context: ParseContext, tmp_path: Path
) -> None:
    pbf = tmp_path / "fixture-roads.osm.pbf"
    write_pbf(xml_file, pbf)
    assert parse(pbf, context).edition.startswith("edition unknown, imported on ")


def test_way_with_missing_nodes_is_cut(tmp_path: Path, context: ParseContext) -> None:
    # an extract cut at its border: way 100 refers to node 9, absent from the file
    ways = [(100, [1, 2, 3, 9], {"highway": "secondary"}), *WAYS[1:3]]
    path = tmp_path / "cut.osm"
    path.write_text(osm_xml(ways=ways), encoding="utf-8")
    parsed = parse(path, context)
    assert {(1, 3), (3, 1)} <= set(edges_of(parsed))
    assert len(parsed.warnings) == 1 and "1 ways refer to nodes absent" in parsed.warnings[0]


def test_maxspeed_change_keeps_the_node(tmp_path: Path, context: ParseContext) -> None:
    # two ways of one class meeting at node 2: without their maxspeed they would be merged
    ways = [
        (100, [1, 2], {"highway": "secondary", "maxspeed": "70"}),
        (101, [2, 3], {"highway": "secondary"}),
    ]
    path = tmp_path / "speeds.osm"
    path.write_text(osm_xml(ways=ways), encoding="utf-8")
    edges = edges_of(parse(path, context))
    assert edges[(1, 2)]["speed_kph"] == 70.0
    assert edges[(2, 3)]["speed_kph"] == DEFAULT_SPEEDS_KPH["secondary"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("roads.csv", "a;b\n", "not an OpenStreetMap file"),
        ("broken.osm", "<osm><node id='1' lat=", "not readable OSM data"),
        ("broken.graphml", "<graphml>", "not a graphml road network"),
    ],
)
def test_unreadable_files(
    tmp_path: Path, context: ParseContext, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceFormatError, match=message):
        parse(path, context)


def test_no_drivable_road_is_an_error(tmp_path: Path, context: ParseContext) -> None:
    path = tmp_path / "paths.osm"
    path.write_text(osm_xml(ways=[WAYS[3]]), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no drivable road"):
        parse(path, context)


def test_several_files_read_each_way_once(
    xml_file: Path, context: ParseContext, tmp_path: Path
) -> None:
    # Two regional extracts overlap at their border: the ways both hold are read once.
    other = tmp_path / "other-region.osm.pbf"
    write_pbf(xml_file, other, timestamp="2024-04-20T20:21:04Z")
    both = OsmRoadsSource().parse([xml_file, other], context=context)
    pd.testing.assert_frame_equal(both.table, parse(xml_file, context).table)
    # The oldest file dates the edition.
    assert both.edition == "2024-04-20"


def test_a_graphml_is_read_alone(xml_file: Path, context: ParseContext, tmp_path: Path) -> None:
    graphml = tmp_path / "roads-99.graphml"
    graph = osmnx.graph_from_xml(xml_file, simplify=False, retain_all=True)
    osmnx.save_graphml(osmnx.simplify_graph(graph), graphml)
    # What an earlier relocate fetched through osmnx is still read.
    from_graphml = parse(graphml, context)
    assert tuple(from_graphml.table.columns) == EDGE_COLUMNS
    assert set(from_graphml.table["highway"]) <= {
        "primary",
        "residential",
        "tertiary",
        "unclassified",
    }
    assert {(6, 7), (7, 6)} <= set(edges_of(from_graphml))
    with pytest.raises(SourceFormatError, match=r"a \.graphml road network is one file"):
        OsmRoadsSource().parse([graphml, xml_file], context=context)


#: Roads beyond the local area (15 km): a residential street and a primary road about 25 km
#: east of the fixture villages, and a primary road about 75 km east.
FAR_NODES = {
    20: (0.90, 43.60),
    21: (0.91, 43.60),
    22: (0.90, 43.62),
    23: (0.91, 43.62),
    24: (1.55, 43.60),
    25: (1.56, 43.60),
}
FAR_WAYS: list[tuple[int, list[int], dict[str, str]]] = [
    (200, [20, 21], {"highway": "residential", "name": "Fixture far street"}),
    (201, [22, 23], {"highway": "primary", "name": "Fixture far road"}),
    (202, [24, 25], {"highway": "primary", "name": "Fixture very far road"}),
]


def test_every_road_near_and_major_roads_farther_are_kept(
    tmp_path: Path, context: ParseContext
) -> None:
    path = tmp_path / "region.osm"
    path.write_text(osm_xml(nodes={**NODES, **FAR_NODES}, ways=[*WAYS, *FAR_WAYS]), "utf-8")
    parsed = parse(path, context)
    edges = set(edges_of(parsed))
    assert {(22, 23), (23, 22)} <= edges  # a primary road 25 km away
    assert not {(20, 21), (21, 20), (24, 25), (25, 24)} & edges
    assert "2 roads outside the area kept around département 99 were left out" in " ".join(
        parsed.warnings
    )
    wider = ParseContext(communes=context.communes, departement="99", roads_buffer_m=40_000)
    assert {(20, 21), (21, 20)} <= set(edges_of(parse(path, wider)))


def test_the_areas_of_a_departement(context: ParseContext) -> None:
    areas = osm_module.road_areas(context)
    assert areas.local.contains(Point(0.75, 43.65))  # ~11 km east of Village B
    assert not areas.local.contains(Point(0.90, 43.65))  # ~23 km
    assert areas.major.contains(Point(1.22, 43.65))  # ~50 km
    assert not areas.major.contains(Point(1.50, 43.65))  # ~73 km


def test_the_areas_need_communes(context: ParseContext) -> None:
    other = ParseContext(communes=context.communes, departement="97")
    with pytest.raises(SourceError, match="no area"):
        osm_module.road_areas(other)


def test_downloads_says_how_to_load() -> None:
    with pytest.raises(SourceError, match=r"relocate data fetch osm .*relocate data import osm"):
        OsmRoadsSource().downloads(departement="99")


def _query(item: Download) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(item.url).query.removeprefix("data="))


def test_plan_queries_every_road_near_and_the_major_roads_farther(context: ParseContext) -> None:
    items = OsmRoadsSource().plan(context)
    assert all(item.url.startswith(f"{OVERPASS_URL}?data=") for item in items)
    local = [i for i in items if "-all-" in i.filename]
    major = [i for i in items if "-major-" in i.filename]
    assert local and major and len(local) + len(major) == len(items)
    for item in local:
        query = _query(item)
        assert query.startswith("[out:xml]") and "residential" in query
        assert '["access"!~"^(no|private)$"]' in query
    for item in major:
        query = _query(item)
        assert "residential" not in query and "tertiary" not in query
        assert "motorway" in query and "secondary_link" in query
    assert len({i.filename for i in items}) == len(items)


def test_the_gers_needs_two_geofabrik_extracts(tmp_path: Path) -> None:
    context = ParseContext(communes=load_communes(cache_dir=tmp_path / "cache"), departement="32")
    assert osm_module.extracts_for(context) == [
        "https://download.geofabrik.de/europe/france/aquitaine-latest.osm.pbf",
        "https://download.geofabrik.de/europe/france/midi-pyrenees-latest.osm.pbf",
    ]
    areas = osm_module.road_areas(context)
    assert 36_000 < areas.major_lambert.area / 1e6 < 41_000  # km²: the 38,400
    assert 11_000 < areas.local_lambert.area / 1e6 < 15_000
    # One of the regions alone: the import says which extract is missing.
    nodes = {1: (0.58, 43.64), 2: (0.60, 43.65), 3: (0.62, 43.66)}
    ways = [(100, [1, 2, 3], {"highway": "primary"})]
    path = tmp_path / "auch-only.osm"
    path.write_text(osm_xml(nodes=nodes, ways=ways), encoding="utf-8")
    warnings = " ".join(parse(path, context).warnings)
    assert "the files have almost no road in département(s) " in warnings
    assert "aquitaine-latest.osm.pbf" in warnings and "midi-pyrenees-latest.osm.pbf" in warnings


def _overpass_answer(query: dict[str, list[str]]) -> bytes:
    """The fixture's roads, or only its major ones, as Overpass would answer the query."""
    text = query["data"][0]
    ways = [*WAYS, *FAR_WAYS]
    if "residential" not in text:
        ways = [w for w in ways if w[2]["highway"] in osm_module.MAJOR]
    return osm_xml(nodes={**NODES, **FAR_NODES}, ways=ways).encode()


def test_fetch_through_a_mirrored_overpass_joins_both_queries(
    mirror: Mirror, context: ParseContext, tmp_path: Path
) -> None:
    mirror.add(OVERPASS_URL, _overpass_answer)
    manifest = fetch_source(
        OsmRoadsSource(),
        store=Store(tmp_path / "cache"),
        context=context,
        session=mirror.session(),
        progress=False,
    )
    assert manifest.edition == "2024-05-01"  # the answers' osm_base
    queries = len(OsmRoadsSource().plan(context))
    assert mirror.hits["/mirror/overpass-api.de/api/interpreter"] == queries
    assert len(manifest.files) == queries
    table = Store(tmp_path / "cache").load(OsmRoadsSource(), departement="99").table
    pairs = set(zip(table["u"], table["v"], strict=True))
    assert {(1, 3), (3, 4), (4, 5), (22, 23)} <= pairs  # near roads, and the far primary one
    assert not {(20, 21), (24, 25)} & pairs


def test_an_offline_fetch_says_which_extracts_to_import(mirror: Mirror, tmp_path: Path) -> None:
    context = ParseContext(communes=load_communes(cache_dir=tmp_path / "cache"), departement="32")
    with pytest.raises(FetchError) as caught:
        fetch_source(
            OsmRoadsSource(),
            store=Store(tmp_path / "cache"),
            context=context,
            session=mirror.session(),
            progress=False,
        )
    message = str(caught.value)
    assert "answered 404 for http://127.0.0.1:" in message
    assert "/mirror/overpass-api.de/api/interpreter?data=" in message
    assert message.count("?data=") == 1 and len(message) < 700  # the query is cut short
    assert message.endswith(
        "download Geofabrik's extract(s) "
        "https://download.geofabrik.de/europe/france/aquitaine-latest.osm.pbf, "
        "https://download.geofabrik.de/europe/france/midi-pyrenees-latest.osm.pbf and run "
        "`relocate data import osm aquitaine-latest.osm.pbf midi-pyrenees-latest.osm.pbf`; "
        "nothing was cached before"
    )


@pytest.mark.network
def test_fetch_from_overpass(
    make_villages: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fixture village on a real position (central Auch), and small buffers: tiny queries
    villages = make_villages([{"code": "99001", "name": "Village A", "lon": 0.586, "lat": 43.646}])
    monkeypatch.setattr(osm_module, "MAJOR_BUFFER_M", 300.0)
    context = ParseContext(
        communes=make_context(villages, departement="99").communes,
        departement="99",
        roads_buffer_m=300.0,
    )
    manifest = fetch_source(
        OsmRoadsSource(), store=Store(tmp_path / "cache"), context=context, progress=False
    )
    table = Store(tmp_path / "cache").load(OsmRoadsSource(), departement="99").table
    assert manifest.rows > 10
    assert set(table["highway"]) <= set(DEFAULT_SPEEDS_KPH)
