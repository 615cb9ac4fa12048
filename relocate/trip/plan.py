"""Planning a scouting trip: drive times, town-hall hours and a day-by-day route (OR-Tools)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from relocate._names import find_village
from relocate.errors import InvalidOptionError, UnknownVillageError
from relocate.features._geodesy import geodesic_km
from relocate.features.access import village_points
from relocate.features.townhall import parse_opening_hours
from relocate.territory import Territory
from relocate.trip.model import DayPlan, Stop, TripPlan, TripSettings

__all__ = ["MAX_DAYS", "MAX_DAYS_AHEAD", "check_trip", "plan_trip"]

#: The longest trip, in days: a scouting trip, not a stay (and the solver's model grows
#: with each day: a million days never came back).
MAX_DAYS = 14
#: How far ahead a trip may start, in days: the town halls' hours are those published now.
MAX_DAYS_AHEAD = 366

_DAY_S = 86_400
#: Penalty for leaving a village out: larger than any total drive in seconds, so the
#: solver visits as many villages as fit before it minimises driving.
_DROP_PENALTY = 10**10
#: Solutions the local search may find before it stops: with it, the same input gives
#: the same plan whenever this limit is reached before the time limit.
_SOLUTION_LIMIT = 400
#: The default settings (frozen, so one instance serves every call).
_DEFAULT_SETTINGS = TripSettings()

Interval = tuple[int, int]  # [first, last] allowed visit start, seconds from the trip's start


@dataclass(frozen=True)
class _Window:
    """When a village may be visited: allowed start intervals, or None for any daytime."""

    intervals: tuple[Interval, ...] | None
    note: str | None


def _drive_matrix_min(
    territory: Territory, codes: Sequence[str]
) -> tuple[npt.NDArray[np.float64], str]:
    """Drive minutes between the given villages (row = from, column = to) and its basis."""
    lon, lat = village_points(territory.villages.loc[list(codes)])
    n = len(codes)
    roads = territory.roads
    if roads is not None:
        # Lazy: scipy's sparse graphs are needed only with a road network loaded.
        from relocate.features.roads import RoadNetwork

        network = RoadNetwork.from_edges(roads.table)
        nodes, _ = network.snap(lon, lat)
        matrix = np.zeros((n, n))
        for j in range(n):
            seconds = network.times_to(float(lon[j]), float(lat[j]))
            matrix[:, j] = seconds[nodes] / 60.0
        np.fill_diagonal(matrix, 0.0)
        return matrix, territory.drive_times
    km = geodesic_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    return territory.estimate_model.predict(km), territory.drive_times


def _window(hours: str | None, *, start: date, days: int, settings: TripSettings) -> _Window:
    """Allowed visit starts: the visit must START while the town hall is open.

    A start at time t is allowed if some opening slot on a trip day has
    ``open <= t < close`` and t lies within the day's planning hours. A village
    whose town hall publishes no hours, or is closed on every trip day, may be
    visited at any time of the day (and the stop says so).
    """
    slots = parse_opening_hours(hours)
    if slots is None:
        return _Window(None, "no opening hours published")
    intervals: list[Interval] = []
    open_on_trip = False
    for d in range(days):
        weekday = (start + timedelta(days=d)).weekday()
        for slot in slots:
            if slot.day != weekday:
                continue
            open_on_trip = True
            first = max(slot.start.hour * 60 + slot.start.minute, settings.day_start)
            close = min(slot.end.hour * 60 + slot.end.minute, settings.day_end)
            if close > first:
                intervals.append((d * _DAY_S + first * 60, d * _DAY_S + close * 60 - 1))
    if not open_on_trip:
        return _Window(None, "town hall closed on every day of the trip")
    if not intervals:
        return _Window(None, "town hall open only outside the day's planning hours")
    merged: list[Interval] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return _Window(tuple(merged), None)


def _earliest_start(t: int, window: _Window) -> int | None:
    """The first allowed visit start at or after t (None if none)."""
    if window.intervals is None:
        return t
    for lo, hi in window.intervals:
        if t <= hi:
            return max(t, lo)
    return None


def _fits_alone(
    drive_out_s: int, drive_back_s: int, window: _Window, *, days: int, settings: TripSettings
) -> bool:
    """True if a day trip from the base to this village alone meets every constraint."""
    if drive_out_s + drive_back_s > settings.max_drive_min * 60:
        return False
    visit_s = settings.visit_min * 60
    for d in range(days):
        day_end = d * _DAY_S + settings.day_end * 60
        begin = _earliest_start(d * _DAY_S + settings.day_start * 60 + drive_out_s, window)
        if begin is not None and begin + visit_s + drive_back_s <= day_end:
            return True
    return False


def _clock(minutes: int) -> str:
    """Minutes after midnight as HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _resolve(territory: Territory, query: str, role: str) -> str:
    """INSEE code of a village of the territory, or UnknownVillageError saying how to fix."""
    names = {str(code): str(name) for code, name in territory.villages["name"].items()}
    try:
        return find_village(names, query)
    except UnknownVillageError as error:
        raise UnknownVillageError(
            f"{role} {query!r} is not a village of {territory.name} ({territory.code}): "
            f"{error}; give the name or INSEE code of one of its villages"
        ) from None


@dataclass(frozen=True, kw_only=True)
class _Timing:
    """What the times of a day's visits follow from: drives, windows, the day's settings."""

    seconds: npt.NDArray[np.int64]
    index: dict[str, int]
    windows: dict[str, _Window]
    names: dict[str, str]
    midnight: datetime
    settings: TripSettings

    def day_plan(self, d: int, route: Sequence[str], *, day: date) -> DayPlan:
        """The day's stops, in the solver's order, at the earliest times that fit."""
        visit_s = self.settings.visit_min * 60
        day_start_s = d * _DAY_S + self.settings.day_start * 60
        stops: list[Stop] = []
        t, previous, drive_s, leave_s = day_start_s, 0, 0, day_start_s
        for k, code in enumerate(route):
            node = self.index[code]
            leg = int(self.seconds[previous, node])
            window = self.windows[code]
            begin = _earliest_start(t + leg, window)
            if begin is None:  # cannot happen: the solver's schedule is feasible
                begin = t + leg
            if k == 0:
                leave_s = begin - leg  # leave no earlier than needed
            stops.append(
                Stop(
                    insee=code,
                    name=self.names[code],
                    arrive=self.midnight + timedelta(seconds=begin),
                    depart=self.midnight + timedelta(seconds=begin + visit_s),
                    drive_min=leg / 60.0,
                    townhall_open=window.intervals is not None,
                    note=window.note,
                )
            )
            drive_s += leg
            t, previous = begin + visit_s, node
        back_leg = int(self.seconds[previous, 0]) if route else 0
        drive_s += back_leg
        return DayPlan(
            day=day,
            leave=self.midnight + timedelta(seconds=leave_s),
            back=self.midnight + timedelta(seconds=t + back_leg if route else day_start_s),
            stops=tuple(stops),
            drive_min=drive_s / 60.0,
        )


def check_trip(
    start: date, days: int, *, settings: TripSettings = _DEFAULT_SETTINGS, today: date | None = None
) -> None:
    """Refuse, in one line, a trip that cannot be planned: its dates, length or settings.

    Parameters
    ----------
    start
        The trip's first day: from today to :data:`MAX_DAYS_AHEAD` days ahead.
    days
        Number of days: 1 to :data:`MAX_DAYS`.
    settings
        The day's hours (within midnight to midnight, the end after the start), a
        visit and the driving of a day (1 minute to the length of the day).
    today
        The current date (default: the system's).

    Raises
    ------
    InvalidOptionError
        Saying what is wrong and what to give instead.

    """
    today = today or date.today()
    if not 1 <= days <= MAX_DAYS:
        raise InvalidOptionError(
            f"a trip lasts at least one day and at most {MAX_DAYS} days (got {days}); "
            "plan a longer stay as several trips"
        )
    if start < today:
        raise InvalidOptionError(
            f"the trip starts on {start.isoformat()}, in the past; give a date from "
            f"{today.isoformat()} on"
        )
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if start > latest:
        raise InvalidOptionError(
            f"the trip starts on {start.isoformat()}, more than a year ahead; give a date up "
            f"to {latest.isoformat()} (the town halls' hours are those published now)"
        )
    _check_settings(settings)


def _check_settings(settings: TripSettings) -> None:
    start, end = settings.day_start, settings.day_end
    if not 0 <= start < end <= 24 * 60:
        raise InvalidOptionError(
            f"the day must start and end between 00:00 and 24:00, the end after the start "
            f"(got day_start {start}, day_end {end} minutes after midnight)"
        )
    length = end - start
    day = f"the day ({_clock(start)}-{_clock(end)}, {length} min)"
    if not 1 <= settings.visit_min <= length:
        raise InvalidOptionError(
            f"a visit of {settings.visit_min} min does not fit in {day}; "
            f"give 1 to {length} min a visit"
        )
    if not 1 <= settings.max_drive_min <= length:
        raise InvalidOptionError(
            f"{settings.max_drive_min} min of driving a day does not fit in {day}; "
            f"give 1 to {length} min"
        )


def plan_trip(
    territory: Territory,
    *,
    base: str,
    villages: Sequence[str],
    start: date,
    days: int,
    settings: TripSettings = _DEFAULT_SETTINGS,
    today: date | None = None,
    time_limit_s: float = 5.0,
) -> TripPlan:
    """Plan a scouting trip from a base: which village on which day, in which order, when.

    Each day starts and ends at the base within ``settings.day_start`` and
    ``settings.day_end``, drives at most ``settings.max_drive_min`` minutes and
    spends ``settings.visit_min`` minutes in each village. A visit must START
    while the village's town hall is open (its published hours on that weekday);
    a town hall with no published hours, or closed on every trip day, is visited
    at any time and the stop carries a note. Among the plans visiting as many
    villages as fit, the one with the least total driving is looked for
    (OR-Tools routing, guided local search); what does not fit is left out,
    with the reason.

    Parameters
    ----------
    territory
        The département, with its villages (and road network if loaded).
    base
        Where each day starts and ends: a village name or INSEE code.
    villages
        The villages to visit, by name or INSEE code.
    start
        The trip's first day.
    days
        Number of days (1 to :data:`MAX_DAYS`).
    settings
        Visit length, daily driving limit and day hours.
    today
        The current date (default: the system's), against which ``start`` is checked.
    time_limit_s
        Most time the solver may search, in seconds.

    Returns
    -------
    TripPlan

    Raises
    ------
    UnknownVillageError
        If the base or a village is not a village of the territory.
    InvalidOptionError
        If the trip cannot be planned (:func:`check_trip`: a start in the past or
        more than a year ahead, 0 or more than 14 days, a visit or a day's driving
        longer than the day) or there is no village to visit.

    """
    check_trip(start, days, settings=settings, today=today)
    base_code = _resolve(territory, base, "base")
    left_out: dict[str, str] = {}
    codes: list[str] = []
    for query in villages:
        code = _resolve(territory, query, "village")
        if code == base_code:
            left_out[code] = "it is the base"
        elif code not in codes:
            codes.append(code)
    if not codes:
        raise InvalidOptionError("no village to visit: give at least one village besides the base")

    matrix_min, basis = _drive_matrix_min(territory, [base_code, *codes])
    names = territory.villages["name"]
    hours = territory.villages.get("townhall_hours")
    windows = {
        code: _window(
            None if hours is None else hours.at[code], start=start, days=days, settings=settings
        )
        for code in codes
    }
    seconds = np.where(np.isfinite(matrix_min), np.round(matrix_min * 60.0), -1).astype(np.int64)

    # Villages that cannot be visited even alone are left out before the model.
    planned: list[str] = []
    day_s = (settings.day_end - settings.day_start) * 60
    for i, code in enumerate(codes, start=1):
        out_s, back_s = int(seconds[0, i]), int(seconds[i, 0])
        if out_s < 0 or back_s < 0:
            left_out[code] = "not reachable from the base on the road network"
        elif out_s + back_s > settings.max_drive_min * 60:
            left_out[code] = f"more than {settings.max_drive_min} min round trip from the base"
        elif out_s + settings.visit_min * 60 + back_s > day_s:
            left_out[code] = (
                f"a {settings.visit_min} min visit and {round((out_s + back_s) / 60)} min of "
                f"driving there and back do not fit in a day "
                f"({_clock(settings.day_start)}-{_clock(settings.day_end)})"
            )
        elif not _fits_alone(out_s, back_s, windows[code], days=days, settings=settings):
            left_out[code] = (
                f"no time to visit it while the town hall is open and be back by "
                f"{_clock(settings.day_end)}"
            )
        else:
            planned.append(code)

    routes = _solve(
        seconds=seconds,
        index={code: i for i, code in enumerate(codes, start=1)},
        planned=planned,
        windows=windows,
        days=days,
        settings=settings,
        time_limit_s=time_limit_s,
    )
    visited = {code for route in routes for code in route}
    for code in planned:
        if code not in visited:
            day_word = "day" if days == 1 else "days"
            left_out[code] = (
                f"did not fit in {days} {day_word} with at most {settings.max_drive_min} min "
                f"of driving a day ({settings.visit_min} min a visit, "
                f"{_clock(settings.day_start)}-{_clock(settings.day_end)})"
            )

    index = {code: i for i, code in enumerate(codes, start=1)}
    timing = _Timing(
        seconds=seconds,
        index=index,
        windows=windows,
        names={code: str(names.at[code]) for code in codes},
        midnight=datetime.combine(start, time()),
        settings=settings,
    )
    day_plans = [
        timing.day_plan(d, route, day=start + timedelta(days=d)) for d, route in enumerate(routes)
    ]
    return TripPlan(
        base=base_code,
        base_name=str(names.at[base_code]),
        days=tuple(day_plans),
        left_out=dict(sorted(left_out.items())),
        drive_basis=basis,
        settings=settings,
    )


def _solve(
    *,
    seconds: npt.NDArray[np.int64],
    index: dict[str, int],
    planned: Sequence[str],
    windows: dict[str, _Window],
    days: int,
    settings: TripSettings,
    time_limit_s: float,
) -> list[list[str]]:
    """Route the planned villages over the days; one list of INSEE codes per day, in order.

    Model: node 0 is the base, one vehicle per day starting and ending there; the
    "time" dimension counts seconds from the trip's first midnight (transit = drive
    + visit at the origin, waiting allowed as slack); the "drive" dimension counts
    driving only, capped per vehicle; every village is optional at a large penalty;
    arc cost = drive seconds.
    """
    if not planned:
        return [[] for _ in range(days)]
    nodes = [0, *(index[code] for code in planned)]  # model node -> matrix row
    visit_s = settings.visit_min * 60
    manager = pywrapcp.RoutingIndexManager(len(nodes), days, 0)
    routing = pywrapcp.RoutingModel(manager)

    def drive(from_index: int, to_index: int) -> int:
        a = nodes[manager.IndexToNode(from_index)]
        b = nodes[manager.IndexToNode(to_index)]
        return int(seconds[a, b])

    def busy(from_index: int, to_index: int) -> int:
        a = manager.IndexToNode(from_index)
        return drive(from_index, to_index) + (visit_s if a != 0 else 0)

    drive_cb = routing.RegisterTransitCallback(drive)
    time_cb = routing.RegisterTransitCallback(busy)
    routing.SetArcCostEvaluatorOfAllVehicles(drive_cb)
    horizon = days * _DAY_S
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    routing.AddDimension(drive_cb, 0, settings.max_drive_min * 60, True, "drive")
    clock = routing.GetDimensionOrDie("time")
    for d in range(days):
        lo, hi = d * _DAY_S + settings.day_start * 60, d * _DAY_S + settings.day_end * 60
        clock.CumulVar(routing.Start(d)).SetRange(lo, hi)
        clock.CumulVar(routing.End(d)).SetRange(lo, hi)
    for model_node, code in enumerate(planned, start=1):
        node_index = manager.NodeToIndex(model_node)
        intervals = windows[code].intervals
        if intervals is not None:
            cumul = clock.CumulVar(node_index)
            cumul.SetRange(intervals[0][0], intervals[-1][1])
            for (_, hi), (lo, _) in itertools.pairwise(intervals):
                cumul.RemoveInterval(hi + 1, lo - 1)
        routing.AddDisjunction([node_index], _DROP_PENALTY)
    for d in range(days):
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.End(d)))

    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, math.ceil(time_limit_s * 1000)))
    params.solution_limit = _SOLUTION_LIMIT
    solution = routing.SolveWithParameters(params)
    if solution is None:  # every village fits alone, so dropping all but one is feasible
        return [[] for _ in range(days)]
    routes: list[list[str]] = []
    for d in range(days):
        route: list[str] = []
        i = routing.Start(d)
        i = solution.Value(routing.NextVar(i))
        while not routing.IsEnd(i):
            route.append(planned[manager.IndexToNode(i) - 1])
            i = solution.Value(routing.NextVar(i))
        routes.append(route)
    return routes
