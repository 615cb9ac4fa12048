"""Tests of the scouting-trip planner on tiny fixture territories (fake villages 990xx)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from relocate.errors import InvalidOptionError, UnknownVillageError
from relocate.features._geodesy import geodesic_km
from relocate.territory import Territory
from relocate.trip import Appointment, Itinerary, TripPlan, TripSettings
from relocate.trip.model import DayPlan
from relocate.trip.plan import MAX_DAYS, MAX_DAYS_AHEAD, check_trip, plan_trip

from .conftest import KM_IS_MINUTES

MONDAY = date(2030, 1, 7)
TODAY = date(2030, 1, 1)
WEEKDAYS_ALL_DAY = '[["lundi","vendredi",[["08:00:00","19:00:00"]]]]'
MONDAY_EARLY = '[["lundi","lundi",[["08:30:00","10:00:00"]]]]'
TUESDAY_AFTERNOON = '[["mardi","mardi",[["14:00:00","17:00:00"]]]]'
SATURDAY_ONLY = '[["samedi","samedi",[["09:00:00","12:00:00"]]]]'
NO_LUNCH = TripSettings(lunch_min=0)

Factory = Callable[..., Territory]


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
def four(territory_of: Factory) -> Territory:
    """A base and four villages; 99005 opens only 08:30-10:00 on Mondays."""
    return territory_of(FOUR)


def visits(plan: TripPlan) -> list[list[str]]:
    """The INSEE codes visited, day by day."""
    return [[stop.insee for stop in day.stops] for day in plan.days]


def minute(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def brute_force_best(rows: Sequence[dict[str, Any]], settings: TripSettings) -> list[tuple]:
    """Every feasible one-day order with its total drive, best first (earliest-start schedule)."""
    points = {r["code"]: (r["lon"], r["lat"]) for r in rows}
    base = rows[0]["code"]
    windows = {"99005": (8 * 60 + 30, 10 * 60)}  # Monday only: the trip day

    def minutes(a: str, b: str) -> float:
        return round(float(geodesic_km(*points[a], *points[b])))

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


def check_day(day: DayPlan, settings: TripSettings) -> None:
    """A day's times are consistent: leave, drive, visit, lunch... back, within the day."""
    assert minute(day.leave) >= settings.day_start
    assert minute(day.back) <= settings.day_end
    moments = [day.leave]
    for stop in day.stops:
        assert (stop.depart - stop.arrive).total_seconds() == 60 * settings.visit_min
        gap = (stop.arrive - moments[-1]).total_seconds() / 60
        assert gap >= stop.drive_min - 1e-6
        moments.append(stop.depart)
    for moment in [day.leave, day.back, *(t for s in day.stops for t in (s.arrive, s.depart))]:
        assert moment.second == 0 and moment.microsecond == 0  # to the minute


def test_one_day_order_is_the_brute_force_optimum(four: Territory) -> None:
    plan = plan_trip(
        four,
        base="99001",
        villages=["99002", "99003", "99004", "99005"],
        start=MONDAY,
        days=1,
        settings=NO_LUNCH,
        today=TODAY,
    )
    ranked = brute_force_best(FOUR, NO_LUNCH)
    best_total, best_order = ranked[0]
    assert ranked[1][0] > best_total  # a unique optimum, so the order is a real check
    assert visits(plan) == [best_order]
    assert best_order[0] == "99005"  # the early window forces it first
    assert plan.days[0].drive_min == pytest.approx(best_total)
    assert plan.left_out == {}
    assert plan.drive_basis == KM_IS_MINUTES.description
    stops = plan.days[0].stops
    assert minute(stops[0].arrive) < 10 * 60
    assert all(s.townhall_open and s.note is None for s in stops)
    check_day(plan.days[0], NO_LUNCH)
    assert plan.days[0].lunch is None


def test_each_day_has_a_lunch_break_in_its_window_at_a_place_of_the_route(
    four: Territory,
) -> None:
    settings = TripSettings(visit_min=90)  # long visits: the day runs through lunch
    plan = plan_trip(
        four,
        base="99001",
        villages=["99002", "99003", "99004", "99005"],
        start=MONDAY,
        days=2,
        settings=settings,
        today=TODAY,
    )
    assert plan.left_out == {}
    for day in plan.days:
        check_day(day, settings)
        lunch = day.lunch
        assert lunch is not None
        assert (lunch.end - lunch.start) == timedelta(hours=1)
        assert time(12) <= lunch.start.time() and lunch.end.time() <= time(14)
        names = {s.name for s in day.stops} | {"Fixture village 99001"}
        assert lunch.place in names
        for stop in day.stops:  # no visit overlaps the lunch
            assert stop.depart <= lunch.start or stop.arrive >= lunch.end


def test_a_lunch_of_its_own_length_and_window(four: Territory) -> None:
    settings = TripSettings(lunch_start=11 * 60 + 30, lunch_end=13 * 60 + 30, lunch_min=45)
    plan = plan_trip(
        four, base="99001", villages=["99002", "99003"], start=MONDAY, days=1,
        settings=settings, today=TODAY,
    )  # fmt: skip
    lunch = plan.days[0].lunch
    assert lunch is not None
    assert (lunch.end - lunch.start) == timedelta(minutes=45)
    assert time(11, 30) <= lunch.start.time() and lunch.end.time() <= time(13, 30)


def test_visits_are_spread_over_the_days(territory_of: Factory) -> None:
    rows = [row("99001", 0.50, 43.60)] + [
        row(f"990{i:02d}", 0.50 + 0.03 * i, 43.60 + 0.01 * (i % 3)) for i in range(2, 8)
    ]
    territory = territory_of(rows)
    plan = plan_trip(
        territory,
        base="99001",
        villages=[r["code"] for r in rows[1:]],
        start=MONDAY,
        days=3,
        today=TODAY,
    )
    assert plan.left_out == {}
    assert [len(day.stops) for day in plan.days] == [2, 2, 2]
    assert all(day.why_empty is None for day in plan.days)


def test_pack_fills_the_first_days_and_says_why_the_others_are_empty(four: Territory) -> None:
    plan = plan_trip(
        four,
        base="99001",
        villages=["99002", "99003", "99004"],
        start=MONDAY,
        days=3,
        settings=TripSettings(spread=False),
        today=TODAY,
    )
    assert [len(day.stops) for day in plan.days] == [3, 0, 0]
    assert str(plan.days[1].why_empty) == "the visits are packed into the first days"
    assert plan.days[1].why_empty.text("fr") == "les visites sont regroupées sur les premiers jours"


def test_an_empty_day_says_why(four: Territory) -> None:
    plan = plan_trip(four, base="99001", villages=["99002"], start=MONDAY, days=2, today=TODAY)
    empty = [day for day in plan.days if not day.stops]
    assert len(empty) == 1
    assert str(empty[0].why_empty) == "fewer visits (1) than days (2)"
    assert empty[0].lunch is None


def test_a_day_no_town_hall_opens_says_so(territory_of: Factory) -> None:
    monday_only = '[["lundi","lundi",[["09:00:00","17:00:00"]]]]'
    rows = [row("99001", 0.5, 43.6), row("99002", 0.6, 43.6, monday_only),
            row("99003", 0.4, 43.6, monday_only)]  # fmt: skip
    plan = plan_trip(
        territory_of(rows), base="99001", villages=["99002", "99003"], start=MONDAY, days=2,
        today=TODAY,
    )  # fmt: skip
    assert visits(plan)[1] == []
    assert "their town halls are closed" in str(plan.days[1].why_empty)


def test_the_base_village_is_visited_not_dropped(four: Territory) -> None:
    plan = plan_trip(
        four, base="99001", villages=["99001", "99002"], start=MONDAY, days=1, today=TODAY
    )
    assert plan.left_out == {}
    stops = {s.insee: s for s in plan.days[0].stops}
    assert set(stops) == {"99001", "99002"}
    assert stops["99001"].at_base and not stops["99002"].at_base
    legs = [s.drive_min for s in plan.days[0].stops]
    if plan.days[0].stops[0].insee == "99001":
        assert legs[0] == 0.0  # a visit at the base, not a drive


def test_arrive_and_leave_from_other_places(four: Territory) -> None:
    itinerary = Itinerary(base="99001", arrive="TLS", leave="43.70,0.55")
    settings = TripSettings(max_drive_min=300, first_day_start=10 * 60 + 30)
    plan = plan_trip(
        four,
        base=itinerary,
        villages=["99002", "99003", "99004"],
        start=MONDAY,
        days=2,
        settings=settings,
        today=TODAY,
    )
    first, last = plan.days
    assert first.start is not None and first.start.kind == "airport"
    assert first.start.key == "TLS" and first.start.name == "Toulouse-Blagnac"
    assert first.start.label("fr") == "aéroport Toulouse-Blagnac (TLS)"
    assert first.end is not None and first.end.key == "99001"
    assert last.start == first.end
    assert last.end is not None and last.end.kind == "coordinates"
    assert minute(first.leave) >= 10 * 60 + 30
    assert plan.base_place is not None and plan.base_place.key == "99001"
    # From TLS (about 70 km away), the first drive is the estimate's (km = minutes).
    if first.stops:
        assert first.stops[0].drive_min > 50


def test_a_place_per_night(four: Territory) -> None:
    plan = plan_trip(
        four,
        base=Itinerary(base="99001", nights=("99004", "99002")),
        villages=["99003", "99005"],
        start=MONDAY,
        days=3,
        today=TODAY,
    )
    ends = [(d.start.key if d.start else None, d.end.key if d.end else None) for d in plan.days]
    assert ends == [("99001", "99004"), ("99004", "99002"), ("99002", "99001")]
    with pytest.raises(InvalidOptionError, match="3 days has 2 nights: give one place per night"):
        plan_trip(
            four, base=Itinerary(base="99001", nights=("99004",)), villages=["99003"],
            start=MONDAY, days=3, today=TODAY,
        )  # fmt: skip


def test_an_appointment_is_kept_and_planned_around(four: Territory) -> None:
    meeting = Appointment(
        title="Rencontre avec le notaire",
        place="99003",
        start=datetime(2030, 1, 8, 13, 30),
        end=datetime(2030, 1, 8, 14, 30),
    )
    plan = plan_trip(
        four,
        base="99001",
        villages=["99002", "99004", "99005"],
        start=MONDAY,
        days=2,
        today=TODAY,
        appointments=[meeting],
    )
    tuesday = plan.days[1]
    kept = [s for s in tuesday.stops if s.kind == "appointment"]
    assert len(kept) == 1
    stop = kept[0]
    assert (stop.arrive, stop.depart) == (meeting.start, meeting.end)
    assert stop.title == "Rencontre avec le notaire" and stop.place is not None
    assert stop.place.key == "99003"
    lunch = tuesday.lunch
    assert lunch is not None  # the lunch moves off the appointment
    assert lunch.end <= stop.arrive or lunch.start >= stop.depart
    for other in tuesday.stops:
        if other is not stop:
            assert other.depart <= stop.arrive or other.arrive >= stop.depart
    assert plan.missed == ()
    assert sorted(s.insee for s in plan.visits) == ["99002", "99004", "99005"]


def test_an_appointment_over_the_whole_lunch_window_takes_the_lunch(four: Territory) -> None:
    lunch_meeting = Appointment(
        title="Déjeuner avec le maire", place="Fixture village 99002",
        start=datetime(2030, 1, 7, 11, 45), end=datetime(2030, 1, 7, 14, 15),
    )  # fmt: skip
    plan = plan_trip(
        four, base="99001", villages=["99004"], start=MONDAY, days=1, today=TODAY,
        appointments=[lunch_meeting],
    )  # fmt: skip
    day = plan.days[0]
    assert day.lunch is None
    assert str(day.lunch_note) == "the appointments leave no time for lunch"


def test_appointments_off_the_trip_are_refused(four: Territory) -> None:
    late = Appointment(
        title="X", place="99002", start=datetime(2030, 2, 1, 10), end=datetime(2030, 2, 1, 11)
    )
    with pytest.raises(InvalidOptionError, match="is not on one day of the trip"):
        plan_trip(four, base="99001", villages=["99002"], start=MONDAY, days=1, today=TODAY,
                  appointments=[late])  # fmt: skip
    backwards = Appointment(
        title="Y", place="99002", start=datetime(2030, 1, 7, 11), end=datetime(2030, 1, 7, 10)
    )
    with pytest.raises(InvalidOptionError, match="ends before it starts"):
        plan_trip(four, base="99001", villages=["99002"], start=MONDAY, days=1, today=TODAY,
                  appointments=[backwards])  # fmt: skip


def test_an_appointment_that_cannot_be_reached_is_reported(four: Territory) -> None:
    near = Appointment(
        title="Near", place="99002",
        start=datetime(2030, 1, 7, 10, 0), end=datetime(2030, 1, 7, 11, 0),
    )  # fmt: skip
    far = Appointment(
        title="Too soon after, too far", place="TLS",  # about 65 km from 99002
        start=datetime(2030, 1, 7, 11, 10), end=datetime(2030, 1, 7, 12, 0),
    )  # fmt: skip
    plan = plan_trip(
        four, base="99001", villages=["99004"], start=MONDAY, days=1, today=TODAY,
        appointments=[near, far],
    )  # fmt: skip
    assert [a.title for a, _ in plan.missed] == ["Too soon after, too far"]
    assert str(plan.missed[0][1]) == "it could not be reached in time"
    assert [s.title for s in plan.days[0].stops if s.kind == "appointment"] == ["Near"]


def test_an_appointment_extends_the_day_to_be_reached(four: Territory) -> None:
    early = Appointment(
        title="Flight lands", place="TLS",
        start=datetime(2030, 1, 7, 8, 40), end=datetime(2030, 1, 7, 9, 0),
    )  # fmt: skip
    plan = plan_trip(
        four, base="99001", villages=["99002"], start=MONDAY, days=1, today=TODAY,
        appointments=[early],
    )  # fmt: skip
    assert plan.missed == ()
    day = plan.days[0]
    assert day.stops[0].title == "Flight lands"
    assert day.leave < datetime(2030, 1, 7, 8, 30)  # leaves early enough to be there


def test_opening_hours_are_respected_across_days(territory_of: Factory) -> None:
    rows = [
        row("99001", 0.50, 43.60),
        row("99002", 0.60, 43.60),
        row("99003", 0.55, 43.62, TUESDAY_AFTERNOON),
        row("99004", 0.40, 43.60),
    ]
    plan = plan_trip(
        territory_of(rows),
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
    assert 14 * 60 <= minute(stop.arrive) < 17 * 60
    assert stop.townhall_open
    assert sorted(code for day in visits(plan) for code in day) == ["99002", "99003", "99004"]


@pytest.mark.parametrize("townhall_min", [0, 30])
def test_a_visit_starts_long_enough_before_the_town_hall_closes(
    territory_of: Factory, townhall_min: int
) -> None:
    # Open 14:00-17:00 on Tuesday only; the days start at 16:50.
    rows = [row("99001", 0.50, 43.60), row("99003", 0.55, 43.62, TUESDAY_AFTERNOON)]
    plan = plan_trip(
        territory_of(rows),
        base="99001",
        villages=["99003"],
        start=MONDAY,
        days=2,
        today=TODAY,
        settings=TripSettings(
            townhall_min=townhall_min, day_start=16 * 60 + 50, max_drive_min=60, visit_min=30
        ),
    )
    (stop,) = [s for day in plan.days for s in day.stops]
    if townhall_min > 10:  # the day starts at 16:50: too late to find it open that long
        assert not stop.townhall_open
        assert str(stop.note) == "town hall open only outside the day's planning hours"
    else:
        assert stop.townhall_open
        assert stop.arrive.date() == date(2030, 1, 8)
        assert minute(stop.arrive) <= 17 * 60 - 1


def test_town_hall_closed_on_every_trip_day_is_still_visited(territory_of: Factory) -> None:
    rows = [
        row("99001", 0.50, 43.60),
        row("99002", 0.60, 43.60, SATURDAY_ONLY),
        row("99003", 0.40, 43.60, None),
    ]
    plan = plan_trip(
        territory_of(rows), base="99001", villages=["99002", "99003"], start=MONDAY, days=2,
        today=TODAY,
    )  # fmt: skip
    stops = {s.insee: s for day in plan.days for s in day.stops}
    assert set(stops) == {"99002", "99003"}
    assert str(stops["99002"].note) == "town hall closed on every day of the trip"
    assert str(stops["99003"].note) == "no opening hours published"
    assert stops["99003"].note is not None
    assert stops["99003"].note.text("fr") == "horaires d’ouverture non publiés"
    assert not stops["99002"].townhall_open and not stops["99003"].townhall_open


def test_what_does_not_fit_is_left_out_with_a_reason(territory_of: Factory) -> None:
    rows = [
        row("99001", 0.50, 43.60),
        row("99002", 0.60, 43.60),  # ~8 km east
        row("99003", 0.40, 43.60),  # ~8 km west
        row("99004", 0.50, 43.70),  # ~11 km north
        row("99005", 0.50, 43.50),  # ~11 km south
        row("99006", 0.50, 44.00),  # ~44 km north: 89 min round trip alone
    ]
    settings = TripSettings(max_drive_min=40)
    plan = plan_trip(
        territory_of(rows),
        base="99001",
        villages=[r["code"] for r in rows[1:]],
        start=MONDAY,
        days=1,
        settings=settings,
        today=TODAY,
    )
    assert str(plan.left_out["99006"]) == "more than 40 min round trip from the base"
    assert plan.left_out["99006"].text("fr") == "plus de 40 min aller-retour depuis la base"
    planned = visits(plan)[0]
    assert len(planned) >= 1
    assert plan.days[0].drive_min <= 40
    for code in ("99002", "99003", "99004", "99005"):
        assert (code in planned) != (code in plan.left_out)
    dropped = [code for code in ("99002", "99003", "99004", "99005") if code in plan.left_out]
    assert dropped  # ~38 km for all four in a loop + returns: not all fit in 40 min
    for code in dropped:
        assert str(plan.left_out[code]) == (
            "did not fit in the trip's days with at most 40 min of driving a day "
            "(60 min a visit, 08:30-18:30)"
        )


def road_fixture() -> SimpleNamespace:
    """A road along the line 0.50-0.60-0.70 (lat 43.6), both ways: 600 s a leg."""
    nodes = [(1, 0.50), (2, 0.60), (3, 0.70)]
    edges = [
        {"u": a, "v": b, "u_lon": la, "u_lat": 43.6, "v_lon": lb, "v_lat": 43.6}
        for (a, la), (b, lb) in itertools.pairwise(nodes)
    ]
    edges += [
        {**e, "u": e["v"], "v": e["u"], "u_lon": e["v_lon"], "v_lon": e["u_lon"]} for e in edges
    ]
    table = pd.DataFrame(edges).assign(length_m=8000.0, travel_time_s=600.0)
    return SimpleNamespace(table=table, info=SimpleNamespace(edition="fixture-2030"))


def test_road_network_drive_times(territory_of: Factory) -> None:
    rows = [row("99001", 0.50, 43.60), row("99002", 0.60, 43.60), row("99003", 0.70, 43.60)]
    territory = territory_of(rows, open_data={"osm": road_fixture()})
    plan = plan_trip(
        territory, base="99001", villages=["99003", "99002"], start=MONDAY, days=1, today=TODAY
    )
    assert plan.drive_basis.startswith("road network: OpenStreetMap, edition fixture-2030")
    assert plan.drive_basis == territory.drive_times
    assert visits(plan) in ([["99002", "99003"]], [["99003", "99002"]])
    assert plan.days[0].drive_min == pytest.approx(40.0)
    assert plan.estimated_places == ()


def test_a_place_off_the_road_network_is_estimated_and_named(territory_of: Factory) -> None:
    rows = [row("99001", 0.50, 43.60), row("99002", 0.60, 43.60), row("99003", 0.70, 43.60)]
    territory = territory_of(rows, open_data={"osm": road_fixture()})
    plan = plan_trip(
        territory,
        base=Itinerary(base="99001", arrive="43.90,0.60"),  # 33 km north of the road
        villages=["99002", "99003"],
        start=MONDAY,
        days=2,
        today=TODAY,
    )
    assert plan.estimated_places == ("the point 43.9000, 0.6000",)
    first = plan.days[0]
    assert first.stops, "the first day has a visit"
    # Estimated with the territory's model (km = minutes): at least the 33 km straight line.
    assert first.stops[0].drive_min >= 33


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

    with pytest.raises(UnknownVillageError, match="base 'Nowhere' is no village of Fixture"):
        plan(base="Nowhere")
    with pytest.raises(UnknownVillageError, match=r"villages of .* to visit: no village named"):
        plan(villages=["99002", "Nowhere"])
    with pytest.raises(InvalidOptionError, match="in the past; give a date from 2030-01-01"):
        plan(start=date(2029, 12, 31))
    with pytest.raises(InvalidOptionError, match="at least one day"):
        plan(days=0)
    with pytest.raises(InvalidOptionError, match="no village to visit"):
        plan(villages=[])


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


def test_five_days_of_thirty_villages_are_all_planned(territory_of: Factory) -> None:
    """Where the first solution strategy used to find no visit at all within the limit."""
    rows = [row("99001", 0.50, 43.60)] + [
        row(f"99{100 + i}", 0.30 + 0.07 * (i % 6), 43.45 + 0.06 * (i // 6)) for i in range(30)
    ]
    plan = plan_trip(
        territory_of(rows),
        base="99001",
        villages=[r["code"] for r in rows[1:]],
        start=MONDAY,
        days=5,
        settings=TripSettings(visit_min=45, time_limit_s=5.0),
        today=TODAY,
    )
    assert len(plan.visits) >= 28, plan.left_out
    assert min(len(day.stops) for day in plan.days) >= 4  # spread over the five days
    for day in plan.days:
        assert day.lunch is not None


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
        (MONDAY, 1, TripSettings(lunch_min=200), ["lunch break of 200 min", "0 (no lunch"]),
        (MONDAY, 1, TripSettings(lunch_start=900, lunch_end=800), ["lunch window"]),
        (MONDAY, 2, TripSettings(first_day_start=1200), ["the first day must start"]),
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
        "lunch-longer-than-its-window",
        "lunch-window-backwards",
        "first-day-starting-after-the-end",
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
        settings=TripSettings(visit_min=590, lunch_min=0),
        today=TODAY,
    )
    reason = str(plan.left_out["99003"])
    assert reason.startswith("a 590 min visit and ")
    assert "do not fit in a day (08:30-18:30)" in reason
    assert "town hall" not in reason
