"""Tests of the scouting-trip planner on tiny fixture territories (fake villages 990xx)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from relocate.catalogue import default_catalogue
from relocate.errors import InvalidOptionError, UnknownVillageError
from relocate.features import DriveTimeModel
from relocate.features._geodesy import geodesic_km
from relocate.settings import Settings
from relocate.territory import Territory
from relocate.trip import TripPlan, TripSettings
from relocate.trip.plan import MAX_DAYS, MAX_DAYS_AHEAD, check_trip, plan_trip

MONDAY = date(2030, 1, 7)
TODAY = date(2030, 1, 1)
#: Drive minutes = straight-line km: easy to reason about.
KM_IS_MINUTES = DriveTimeModel(detour_factor=1.0, speed_kmh=60.0)
WEEKDAYS_ALL_DAY = '[["lundi","vendredi",[["08:00:00","19:00:00"]]]]'
MONDAY_EARLY = '[["lundi","lundi",[["08:30:00","10:00:00"]]]]'
TUESDAY_AFTERNOON = '[["mardi","mardi",[["14:00:00","17:00:00"]]]]'
SATURDAY_ONLY = '[["samedi","samedi",[["09:00:00","12:00:00"]]]]'


def territory_of(
    make_villages: Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame],
    airports: gpd.GeoDataFrame,
    rows: Sequence[dict[str, Any]],
    open_data: dict[str, Any] | None = None,
) -> Territory:
    """A fixture département 99 with the given villages and the km = minutes estimate."""
    villages = make_villages(rows)
    return Territory(
        code="99",
        name="Fixture département",
        prefecture=str(rows[0]["code"]),
        villages=villages,
        features=pd.DataFrame(index=villages.index),
        airports=airports,
        sources=(),
        settings=Settings(departement="99", cache_dir=Path("unused-fixture-cache")),
        catalogue=default_catalogue(),
        feature_sources={},
        open_data=open_data or {},
        drive_model=KM_IS_MINUTES,
    )


def row(code: str, lon: float, lat: float, hours: str | None = WEEKDAYS_ALL_DAY) -> dict[str, Any]:
    """One fixture village row."""
    return {"code": code, "name": f"Fixture village {code}", "lon": lon, "lat": lat, "hours": hours}


FOUR = [
    row("99001", 0.50, 43.60),  # the base
    row("99002", 0.60, 43.60),
    row("99003", 0.70, 43.65),
    row("99004", 0.60, 43.70),
    row("99005", 0.45, 43.68, MONDAY_EARLY),
]


@pytest.fixture
def four(make_villages: Any, airports: gpd.GeoDataFrame) -> Territory:
    """A base and four villages; 99005 opens only 08:30-10:00 on Mondays."""
    return territory_of(make_villages, airports, FOUR)


def visits(plan: TripPlan) -> list[list[str]]:
    """The INSEE codes visited, day by day."""
    return [[stop.insee for stop in day.stops] for day in plan.days]


def brute_force_best(rows: Sequence[dict[str, Any]], settings: TripSettings) -> list[tuple]:
    """Every feasible one-day order with its total drive, best first (earliest-start schedule)."""
    points = {r["code"]: (r["lon"], r["lat"]) for r in rows}
    base = rows[0]["code"]
    windows = {
        "99005": (8 * 60 + 30, 10 * 60),  # Monday only: the trip day
    }

    def minutes(a: str, b: str) -> float:
        return float(geodesic_km(*points[a], *points[b]))

    results = []
    for order in itertools.permutations([r["code"] for r in rows[1:]]):
        t, here, total, ok = float(settings.day_start), base, 0.0, True
        for code in order:
            t += minutes(here, code)
            total += minutes(here, code)
            lo, hi = windows.get(code, (8 * 60, 19 * 60))
            t = max(t, lo)
            if t >= hi:
                ok = False
                break
            t += settings.visit_min
            here = code
        total += minutes(here, base)
        t += minutes(here, base)
        if ok and t <= settings.day_end and total <= settings.max_drive_min:
            results.append((total, list(order)))
    return sorted(results)


def test_one_day_order_is_the_brute_force_optimum(four: Territory) -> None:
    settings = TripSettings()
    plan = plan_trip(
        four,
        base="99001",
        villages=["99002", "99003", "99004", "99005"],
        start=MONDAY,
        days=1,
        settings=settings,
        today=TODAY,
    )
    ranked = brute_force_best(FOUR, settings)
    best_total, best_order = ranked[0]
    assert ranked[1][0] > best_total + 0.5  # a unique optimum, so the order is a real check
    assert visits(plan) == [best_order]
    assert best_order[0] == "99005"  # the early window forces it first
    assert plan.days[0].drive_min == pytest.approx(best_total, abs=0.05)
    assert plan.left_out == {}
    assert plan.drive_basis == KM_IS_MINUTES.description
    stops = plan.days[0].stops
    assert stops[0].arrive.hour * 60 + stops[0].arrive.minute < 10 * 60
    assert all(s.townhall_open and s.note is None for s in stops)
    # Times are consistent: leave, drive, visit, drive ... back.
    day = plan.days[0]
    assert day.leave.date() == MONDAY and day.leave.hour * 60 + day.leave.minute >= 8 * 60 + 30
    for before, after in itertools.pairwise(stops):
        assert (after.depart - after.arrive).total_seconds() == 60 * settings.visit_min
        gap_min = (after.arrive - before.depart).total_seconds() / 60
        assert gap_min >= after.drive_min - 1e-6
    assert day.back.hour * 60 + day.back.minute <= settings.day_end


def test_opening_hours_are_respected_across_days(
    make_villages: Any, airports: gpd.GeoDataFrame
) -> None:
    rows = [
        row("99001", 0.50, 43.60),
        row("99002", 0.60, 43.60),
        row("99003", 0.55, 43.62, TUESDAY_AFTERNOON),
        row("99004", 0.40, 43.60),
    ]
    territory = territory_of(make_villages, airports, rows)
    plan = plan_trip(
        territory,
        base="Fixture village 99001",
        villages=["99002", "99003", "99004"],
        start=MONDAY,
        days=2,
        today=TODAY,
    )
    assert plan.left_out == {}
    tuesday = plan.days[1]
    assert tuesday.day == date(2030, 1, 8)
    stop = next(s for s in tuesday.stops if s.insee == "99003")
    assert stop.arrive.date() == date(2030, 1, 8)
    assert 14 * 60 <= stop.arrive.hour * 60 + stop.arrive.minute < 17 * 60
    assert stop.townhall_open
    assert sorted(code for day in visits(plan) for code in day) == ["99002", "99003", "99004"]


def test_town_hall_closed_on_every_trip_day_is_still_visited(
    make_villages: Any, airports: gpd.GeoDataFrame
) -> None:
    rows = [
        row("99001", 0.50, 43.60),
        row("99002", 0.60, 43.60, SATURDAY_ONLY),
        row("99003", 0.40, 43.60, None),
    ]
    territory = territory_of(make_villages, airports, rows)
    plan = plan_trip(
        territory, base="99001", villages=["99002", "99003"], start=MONDAY, days=2, today=TODAY
    )
    stops = {s.insee: s for day in plan.days for s in day.stops}
    assert set(stops) == {"99002", "99003"}
    assert stops["99002"].note == "town hall closed on every day of the trip"
    assert stops["99003"].note == "no opening hours published"
    assert not stops["99002"].townhall_open and not stops["99003"].townhall_open


def test_what_does_not_fit_is_left_out_with_a_reason(
    make_villages: Any, airports: gpd.GeoDataFrame
) -> None:
    rows = [
        row("99001", 0.50, 43.60),
        row("99002", 0.60, 43.60),  # ~8 km east
        row("99003", 0.40, 43.60),  # ~8 km west
        row("99004", 0.50, 43.70),  # ~11 km north
        row("99005", 0.50, 43.50),  # ~11 km south
        row("99006", 0.50, 44.00),  # ~44 km north: 89 min round trip alone
    ]
    territory = territory_of(make_villages, airports, rows)
    settings = TripSettings(max_drive_min=40)
    plan = plan_trip(
        territory,
        base="99001",
        villages=[r["code"] for r in rows[1:]],
        start=MONDAY,
        days=1,
        settings=settings,
        today=TODAY,
    )
    assert plan.left_out["99006"] == "more than 40 min round trip from the base"
    planned = visits(plan)[0]
    assert len(planned) >= 1
    assert plan.days[0].drive_min <= 40
    for code in ("99002", "99003", "99004", "99005"):
        assert (code in planned) != (code in plan.left_out)
    dropped = [code for code in ("99002", "99003", "99004", "99005") if code in plan.left_out]
    assert dropped  # ~38 km for all four in a loop + returns: not all fit in 40 min
    for code in dropped:
        assert plan.left_out[code] == (
            "did not fit in 1 day with at most 40 min of driving a day "
            "(60 min a visit, 08:30-18:30)"
        )


def test_road_network_drive_times(make_villages: Any, airports: gpd.GeoDataFrame) -> None:
    rows = [row("99001", 0.50, 43.60), row("99002", 0.60, 43.60), row("99003", 0.70, 43.60)]
    # A road along the line, both ways: 600 s from one village to the next.
    nodes = [(1, 0.50), (2, 0.60), (3, 0.70)]
    edges = [
        {"u": a, "v": b, "u_lon": la, "u_lat": 43.6, "v_lon": lb, "v_lat": 43.6}
        for (a, la), (b, lb) in itertools.pairwise(nodes)
    ]
    edges += [
        {**e, "u": e["v"], "v": e["u"], "u_lon": e["v_lon"], "v_lon": e["u_lon"]} for e in edges
    ]
    table = pd.DataFrame(edges).assign(length_m=8000.0, travel_time_s=600.0)
    osm = SimpleNamespace(table=table, info=SimpleNamespace(edition="fixture-2030"))
    territory = territory_of(make_villages, airports, rows, open_data={"osm": osm})
    plan = plan_trip(
        territory, base="99001", villages=["99003", "99002"], start=MONDAY, days=1, today=TODAY
    )
    assert plan.drive_basis.startswith("road network: OpenStreetMap, edition fixture-2030")
    assert plan.drive_basis == territory.drive_times
    assert visits(plan) == [["99002", "99003"]] or visits(plan) == [["99003", "99002"]]
    assert plan.days[0].drive_min == pytest.approx(40.0)


def test_invalid_requests_say_how_to_fix(four: Territory) -> None:
    def plan(**overrides: Any) -> TripPlan:
        args: dict[str, Any] = {
            "base": "99001",
            "villages": ["99002"],
            "start": MONDAY,
            "days": 1,
            "today": TODAY,
        }
        return plan_trip(four, **{**args, **overrides})

    with pytest.raises(UnknownVillageError, match="base '32013' is not a village of Fixture"):
        plan(base="32013")
    with pytest.raises(UnknownVillageError, match="village 'Nowhere' is not a village"):
        plan(villages=["99002", "Nowhere"])
    with pytest.raises(InvalidOptionError, match="in the past; give a date from 2030-01-01"):
        plan(start=date(2029, 12, 31))
    with pytest.raises(InvalidOptionError, match="at least one day"):
        plan(days=0)
    with pytest.raises(InvalidOptionError, match="no village to visit"):
        plan(villages=[])
    with pytest.raises(InvalidOptionError, match="no village to visit"):
        plan(villages=["99001"])


def test_same_input_same_plan(four: Territory) -> None:
    args: dict[str, Any] = {
        "base": "99001",
        "villages": ["99004", "99002", "99005", "99003"],
        "start": MONDAY,
        "days": 2,
        "settings": TripSettings(max_drive_min=30),
        "today": TODAY,
    }
    first, second = plan_trip(four, **args), plan_trip(four, **args)
    assert first == second
    assert first.left_out or sum(len(d.stops) for d in first.days) == 4


# --- bounds: one line, before the solver runs ----------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "settings", "fragments"),
    [
        (MONDAY, 1_000_000, TripSettings(), ["at most 14 days", "1000000", "several trips"]),
        (MONDAY, MAX_DAYS + 1, TripSettings(), ["at most 14 days"]),
        (MONDAY, -3, TripSettings(), ["at least one day"]),
        (date(9999, 12, 31), 1, TripSettings(), ["9999-12-31", "more than a year", "2031-01-02"]),
        (MONDAY, 1, TripSettings(visit_min=10_000), ["visit of 10000 min", "08:30-18:30", "600"]),
        (MONDAY, 1, TripSettings(visit_min=0), ["visit of 0 min", "1 to 600"]),
        (MONDAY, 1, TripSettings(max_drive_min=10**30), ["of driving a day", "1 to 600"]),
        (MONDAY, 1, TripSettings(day_start=600, day_end=500), ["end after the start"]),
        (MONDAY, 1, TripSettings(day_end=2000), ["between 00:00 and 24:00"]),
    ],
    ids=[
        "a-million-days",
        "fifteen-days",
        "negative-days",
        "year-9999",
        "visit-longer-than-the-day",
        "no-visit",
        "endless-driving",
        "day-ends-before-it-starts",
        "day-past-midnight",
    ],
)
def test_trip_bounds_are_one_line(
    start: date, days: int, settings: TripSettings, fragments: list[str]
) -> None:
    with pytest.raises(InvalidOptionError) as exc:
        check_trip(start, days, settings=settings, today=TODAY)
    message = str(exc.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message


def test_the_bounds_themselves_are_accepted() -> None:
    check_trip(TODAY, MAX_DAYS, today=TODAY)
    check_trip(date.fromordinal(TODAY.toordinal() + MAX_DAYS_AHEAD), 1, today=TODAY)
    check_trip(TODAY, 1, settings=TripSettings(visit_min=600, max_drive_min=600), today=TODAY)


def test_plan_trip_checks_the_bounds_first(four: Territory) -> None:
    with pytest.raises(InvalidOptionError, match="at most 14 days"):
        plan_trip(four, base="99001", villages=["99002"], start=MONDAY, days=10**6, today=TODAY)


def test_a_visit_too_long_for_the_drive_blames_the_day_not_the_town_hall(
    four: Territory,
) -> None:
    # 590 min of visit and about 20 min of driving there and back: over the 600-min day.
    plan = plan_trip(
        four,
        base="99001",
        villages=["99003"],
        start=MONDAY,
        days=1,
        settings=TripSettings(visit_min=590),
        today=TODAY,
    )
    reason = plan.left_out["99003"]
    assert reason.startswith("a 590 min visit and ")
    assert "do not fit in a day (08:30-18:30)" in reason
    assert "town hall" not in reason
