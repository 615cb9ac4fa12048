"""Routing on a hand-made road network: times, one-way streets, islands, isochrones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point

from relocate.errors import MissingColumnError
from relocate.features.roads import (
    RoadNetwork,
    drive_min_nearest,
    drive_min_to,
    isochrones,
    snap_distance_m,
    unreachable_reason,
)

GEOD = Geod(ellps="WGS84")

#: Fixture nodes: OSM-like id -> (lon, lat). 8 and 9 form an island with no link to the rest.
NODES = {
    11: (0.50, 43.60),  # A
    12: (0.60, 43.60),  # B
    13: (0.55, 43.65),  # C
    14: (0.50, 43.70),  # D
    15: (0.40, 43.75),  # E
    18: (0.80, 43.80),  # island
    19: (0.81, 43.80),  # island
}
A, B, C, D, E, I1, I2 = NODES

#: (u, v, length_m, speed_kph, oneway): two-way rows give two directed edges.
ROADS = [
    (A, B, 8000.0, 20.0, False),  # slow and short: 1440 s
    (A, C, 7000.0, 100.0, False),  # fast: 252 s
    (C, B, 7000.0, 100.0, False),  # fast: 252 s, so A -> B via C is 504 s over 14 km
    (A, C, 6500.0, 50.0, True),  # parallel to A -> C: slower (468 s) but shorter
    (D, A, 11000.0, 50.0, False),  # 792 s
    (B, D, 12000.0, 72.0, True),  # one-way B -> D: 600 s
    (E, D, 10000.0, 20.0, False),  # 1800 s
    (I1, I2, 1000.0, 60.0, False),  # the island: 60 s
]


def edges_table(roads: list[tuple[int, int, float, float, bool]] = ROADS) -> pd.DataFrame:
    """The ``osm`` source's directed edges table for ``roads``."""
    rows = []
    for u, v, length, speed, oneway in roads:
        for a, b in [(u, v)] if oneway else [(u, v), (v, u)]:
            rows.append(
                {
                    "u": a,
                    "v": b,
                    "u_lon": NODES[a][0],
                    "u_lat": NODES[a][1],
                    "v_lon": NODES[b][0],
                    "v_lat": NODES[b][1],
                    "length_m": length,
                    "speed_kph": speed,
                    "travel_time_s": length / (speed / 3.6),
                    "highway": "fixture",
                    "oneway": oneway,
                }
            )
    table = pd.DataFrame(rows)
    return table.astype({"u": "int64", "v": "int64"})


@pytest.fixture
def network() -> RoadNetwork:
    return RoadNetwork.from_edges(edges_table())


def idx(network: RoadNetwork, node: int) -> int:
    return int(np.searchsorted(network.node_ids, node))


def at(node: int, code: str, name: str) -> dict[str, object]:
    lon, lat = NODES[node]
    return {"code": code, "name": name, "lon": lon, "lat": lat}


@pytest.fixture
def road_villages(make_villages):
    """99001 at A, 99002 at B, 99003 on the island, 99004 far from every road."""
    return make_villages(
        [
            at(A, "99001", "Village A"),
            at(B, "99002", "Village B"),
            {"code": "99003", "name": "Village island", "lon": 0.805, "lat": 43.80},
            {"code": "99004", "name": "Village far", "lon": 1.20, "lat": 44.20},
        ]
    )


#: Seconds from each node to B, computed by hand from ROADS.
TIMES_TO_B = {A: 504.0, B: 0.0, C: 252.0, D: 1296.0, E: 3096.0, I1: math.inf, I2: math.inf}


def test_times_to_match_hand_computed_values(network: RoadNetwork) -> None:
    times = network.times_to(*NODES[B])
    for node, expected in TIMES_TO_B.items():
        assert times[idx(network, node)] == pytest.approx(expected), node


def test_fast_road_wins_over_shorter_slow_road(network: RoadNetwork) -> None:
    # A -> B: 504 s over 14 km via C beats 1440 s over the 8 km direct road ...
    assert network.times_to(*NODES[B])[idx(network, A)] == pytest.approx(504.0)
    # ... while the shortest LENGTH is the direct road.
    assert network.lengths_to(*NODES[B])[idx(network, A)] == pytest.approx(8000.0)


def test_one_way_edge_is_respected(network: RoadNetwork) -> None:
    # B -> D takes the one-way street (600 s); D -> B must go round by A and C.
    assert network.times_to(*NODES[D])[idx(network, B)] == pytest.approx(600.0)
    assert network.times_to(*NODES[B])[idx(network, D)] == pytest.approx(792.0 + 504.0)


def test_one_way_dead_end_is_unreachable_backwards() -> None:
    network = RoadNetwork.from_edges(edges_table([(A, B, 1000.0, 36.0, True)]))
    assert network.times_to(*NODES[B])[idx(network, A)] == pytest.approx(100.0)
    assert np.isinf(network.times_to(*NODES[A])[idx(network, B)])


def test_parallel_edges_keep_the_minimum_of_each_weight(network: RoadNetwork) -> None:
    a, c = idx(network, A), idx(network, C)
    assert network.time_s[a, c] == pytest.approx(252.0)  # not 252 + 468 (csr sums duplicates)
    assert network.length_m[a, c] == pytest.approx(6500.0)
    assert network.times_to(*NODES[C])[a] == pytest.approx(252.0)
    assert network.lengths_to(*NODES[C])[a] == pytest.approx(6500.0)


def test_nodes_and_dropped_edges() -> None:
    table = edges_table()
    loop = table.iloc[[0]].assign(v=table["u"].iloc[0], v_lon=0.50, v_lat=43.60)
    broken = table.iloc[[1]].assign(travel_time_s=np.nan)
    network = RoadNetwork.from_edges(pd.concat([table, loop, broken], ignore_index=True))
    assert network.n_nodes == len(NODES)
    assert network.dropped_edges == 2
    assert list(network.node_ids) == sorted(NODES)
    assert network.lon[idx(network, E)] == 0.40


def test_missing_column_is_named() -> None:
    with pytest.raises(MissingColumnError, match="travel_time_s"):
        RoadNetwork.from_edges(edges_table().drop(columns="travel_time_s"))


def test_snap_to_nearest_node_with_its_distance(network: RoadNetwork) -> None:
    lon, lat = NODES[C][0] + 0.002, NODES[C][1] - 0.001
    nodes, dist = network.snap([lon, np.nan], [lat, 43.6])
    assert nodes[0] == idx(network, C)
    assert dist[0] == pytest.approx(GEOD.inv(lon, lat, *NODES[C])[2], rel=1e-9)
    assert nodes[1] == -1 and np.isnan(dist[1])


def test_multi_source_nearest(network: RoadNetwork) -> None:
    lons, lats = zip(NODES[B], NODES[D], strict=True)
    times = network.times_to_nearest(np.array([NODES[B][0], NODES[D][0]]), np.array(lats))
    assert lons == (NODES[B][0], NODES[D][0])
    assert times[idx(network, A)] == pytest.approx(504.0)  # B (504 s) beats D (792 s)
    assert times[idx(network, E)] == pytest.approx(1800.0)  # D
    assert times[idx(network, D)] == 0.0
    assert np.isinf(times[idx(network, I1)])


def test_drive_min_to_names_aligns_and_leaves_nan(network: RoadNetwork, road_villages) -> None:
    minutes = drive_min_to(road_villages, network=network, lon=0.601, lat=43.6, name="b")
    assert minutes.name == "drive_min_b"
    assert list(minutes.index) == list(road_villages.index)
    assert minutes["99001"] == pytest.approx(504.0 / 60.0)
    assert minutes["99002"] == 0.0  # the village's own node
    assert np.isnan(minutes["99003"]) and np.isnan(minutes["99004"])
    assert not np.isinf(minutes).any()


def test_unreachable_reasons(network: RoadNetwork, road_villages) -> None:
    minutes = drive_min_to(road_villages, network=network, lon=0.60, lat=43.60, name="b")
    reasons = unreachable_reason(road_villages, network=network, times=minutes)
    assert reasons.name == "drive_min_b_reason"
    assert reasons["99001"] is None and reasons["99002"] is None
    assert reasons["99003"] == "no road path to b"
    far_km = min(GEOD.inv(1.20, 44.20, *xy)[2] for xy in NODES.values()) / 1000
    assert far_km > 50  # the sanity of the fixture: far beyond the 5 km threshold
    assert reasons["99004"] == f"town hall {far_km:.1f} km from the nearest road"


def test_destination_off_the_network_gives_nan_and_reason(
    network: RoadNetwork, road_villages
) -> None:
    minutes = drive_min_to(road_villages, network=network, lon=3.0, lat=45.0, name="far")
    assert minutes.isna().all()
    reasons = unreachable_reason(road_villages, network=network, times=minutes, lon=3.0, lat=45.0)
    assert reasons["99001"].startswith("far ") and "of the network" in reasons["99001"]


def test_drive_min_nearest_skips_destinations_off_the_network(
    network: RoadNetwork, road_villages
) -> None:
    minutes = drive_min_nearest(
        road_villages,
        network=network,
        lons=[NODES[D][0], 3.0, np.nan],
        lats=[NODES[D][1], 45.0, np.nan],
        name="d",
    )
    assert minutes.name == "drive_min_d"
    assert minutes["99001"] == pytest.approx(792.0 / 60.0)
    assert minutes["99002"] == pytest.approx(600.0 / 60.0)
    assert minutes[["99003", "99004"]].isna().all()


def test_snap_distance(network: RoadNetwork, road_villages) -> None:
    snap = snap_distance_m(road_villages, network=network)
    assert snap.name == "snap_m"
    assert snap["99001"] == 0.0
    assert snap["99003"] == pytest.approx(GEOD.inv(0.805, 43.80, *NODES[I1])[2])


def test_isochrone_containment(network: RoadNetwork) -> None:
    iso = isochrones(network, lon=NODES[B][0], lat=NODES[B][1], minutes=(30, 60))
    assert list(iso["minutes"]) == [30.0, 60.0]
    assert iso.crs.to_epsg() == 4326
    within_30, within_60 = iso.geometry
    assert within_30.contains(Point(NODES[D]))  # 21.6 min
    assert not within_30.contains(Point(NODES[E]))  # 51.6 min
    assert within_60.contains(Point(NODES[E]))
    assert not within_30.intersects(Point(NODES[I1]))  # the island is never reachable
    # 30 min leaves 504 s of the 1800 s road D-E: 28 % of it, starting from D.
    dx, dy = NODES[E][0] - NODES[D][0], NODES[E][1] - NODES[D][1]
    assert within_30.contains(Point(NODES[D][0] + 0.2 * dx, NODES[D][1] + 0.2 * dy))
    assert not within_30.contains(Point(NODES[D][0] + 0.4 * dx, NODES[D][1] + 0.4 * dy))


def test_isochrone_from_respects_one_way(network: RoadNetwork) -> None:
    # From B the one-way street reaches D in 10 min; towards B, D is 21.6 min away.
    to_b, from_b = (
        isochrones(
            network, lon=NODES[B][0], lat=NODES[B][1], minutes=(15,), direction=d
        ).geometry.iloc[0]
        for d in ("to", "from")
    )
    assert from_b.contains(Point(NODES[D]))
    assert not to_b.contains(Point(NODES[D]))
