"""Planning a scouting trip: drive times, town-hall hours, lunch and a day-by-day route (OR-Tools).

The model (:func:`_solve`): one vehicle per day, from the day's start place to its
end place (the base, or the airport of arrival on the first morning and of
departure on the last evening); every village is an optional node whose visit
must start while its town hall is open; every appointment a node fixed at its
time on its day; the lunch break an OR-Tools break interval in its window, so
that no visit or appointment overlaps it. Times are whole minutes from the
trip's first midnight. The objective is, in this order of magnitude: visit as
many villages as fit (a large penalty per village left out), then spread the
days (the square of each day's length, so that two days of four hours cost less
than one of eight) or pack them (a fixed cost per day used, growing with the
day), then drive as little as possible.

With 5 days and 30 villages, the solver's default first solution (path cheapest
arc) found no visit within the time limit; parallel cheapest insertion builds
every day at once, and guided local search improves it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from relocate._names import find_village
from relocate.errors import InvalidOptionError, UnknownVillageError
from relocate.features._geodesy import geodesic_km
from relocate.features.townhall import parse_opening_hours
from relocate.i18n import N_
from relocate.territory import MAX_DESTINATION_SNAP_M, Territory
from relocate.trip.model import (
    Appointment,
    DayPlan,
    Lunch,
    Place,
    Reason,
    Stop,
    TripPlan,
    TripSettings,
)
from relocate.trip.places import resolve_place, village_place

__all__ = ["MAX_DAYS", "MAX_DAYS_AHEAD", "Itinerary", "check_trip", "plan_trip"]

#: The longest trip, in days: a scouting trip, not a stay (and the solver's model grows
#: with each day: a million days never came back).
MAX_DAYS = 14
#: How far ahead a trip may start, in days: the town halls' hours are those published now.
MAX_DAYS_AHEAD = 366

_DAY = 24 * 60  # minutes
#: Penalty for leaving a village out: larger than every other cost together, so the
#: solver visits as many villages as fit before anything else.
_DROP_PENALTY = 10**12
#: Penalty for missing an appointment: larger still, so none is given up for villages.
_MISS_PENALTY = 10**14
#: Cost of a minute of driving (the spread cost is in minutes squared).
_ARC = 100
#: With ``spread=False``: the cost of using day d is (d + 1) times this.
_DAY_COST = 10**9
#: A drive that cannot be made (no road between two places).
_NO_ROAD = 10**6
#: Solutions the local search may find before it stops: with it, the same input gives
#: the same plan whenever this limit is reached before the time limit (two days of six
#: villages of the Gers: about 1.5 s; 400 solutions found no better plan in twice the time).
_SOLUTION_LIMIT = 200
#: The default settings (frozen, so one instance serves every call).
_DEFAULT_SETTINGS = TripSettings()

Interval = tuple[int, int]  # [first, last] allowed start, minutes from the trip's first midnight


@dataclass(frozen=True, kw_only=True)
class Itinerary:
    """Where the household sleeps and arrives: the places each day starts and ends at.

    Attributes
    ----------
    base
        Where the nights are spent (a gîte, a hotel, the CCI in Auch).
    arrive
        Where the first day starts, if not at the base (``TLS``: the flight lands).
    leave
        Where the last day ends, if not at the base (``AGF``: the flight home).
    nights
        Where each night is spent, if not all at the base: one place per night
        (a trip of N days has N - 1 nights), in order.

    Each place is anything :func:`relocate.trip.places.resolve_place` reads: a
    village, a commune of France, an IATA code, a station or ``lat,lon``.
    """

    base: str | Place
    arrive: str | Place | None = None
    leave: str | Place | None = None
    nights: tuple[str | Place, ...] = ()


@dataclass(frozen=True)
class _Window:
    """When a village may be visited: allowed start intervals, or None for any daytime."""

    intervals: tuple[Interval, ...] | None
    note: Reason | None


def _clock(minutes: int) -> str:
    """Minutes after midnight as HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _time(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60) if minutes < _DAY else time(23, 59)


# --- drive times ---------------------------------------------------------------------------


def _drive_matrix(
    territory: Territory, places: Sequence[Place]
) -> tuple[npt.NDArray[np.int64], list[bool]]:
    """Whole drive minutes between places (row = from), and which places are on the network.

    Along the road network where both ends lie within
    :data:`~relocate.territory.MAX_DESTINATION_SNAP_M` of it; estimated (the same
    model as the villages' features) otherwise, or everywhere without a network.
    """
    lon = np.array([p.lon for p in places], dtype=float)
    lat = np.array([p.lat for p in places], dtype=float)
    km = geodesic_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    minutes = np.asarray(territory.estimate_model.predict(km), dtype=float)
    on_network = [False] * len(places)
    roads = territory.roads
    if roads is not None:
        # Lazy: scipy's sparse graphs are needed only with a road network loaded.
        from relocate.features.roads import RoadNetwork

        network = RoadNetwork.from_edges(roads.table)
        nodes, snap = network.snap(lon, lat)
        on = (nodes >= 0) & (np.nan_to_num(snap, nan=np.inf) <= MAX_DESTINATION_SNAP_M)
        on_network = [bool(x) for x in on]
        inside = np.flatnonzero(on)
        for j in inside:
            seconds = network.times_to(float(lon[j]), float(lat[j]))
            minutes[inside, j] = seconds[nodes[inside]] / 60.0
    np.fill_diagonal(minutes, 0.0)
    whole = np.where(np.isfinite(minutes), np.round(minutes), _NO_ROAD)
    return whole.astype(np.int64), on_network


# --- town-hall hours -----------------------------------------------------------------------


def _window(hours: str | None, *, start: date, days: int, settings: TripSettings) -> _Window:
    """Allowed visit starts: the visit must start while the town hall is open.

    A start at minute t is allowed if some opening slot on a trip day has
    ``open <= t`` and ``t + townhall_min <= close`` (at least one minute), and t lies
    within that day's planning hours. A village
    whose town hall publishes no hours, or is closed on every trip day, may be
    visited at any time of the day (and the stop says so).
    """
    slots = parse_opening_hours(hours)
    if slots is None:
        return _Window(None, Reason(N_("no opening hours published")))
    intervals: list[Interval] = []
    open_on_trip = False
    for d in range(days):
        weekday = (start + timedelta(days=d)).weekday()
        day_start, day_end = settings.hours(d, days)
        for slot in slots:
            if slot.day != weekday:
                continue
            open_on_trip = True
            first = max(slot.start.hour * 60 + slot.start.minute, day_start)
            closes = slot.end.hour * 60 + slot.end.minute
            last = min(closes - max(settings.townhall_min, 1), day_end - 1)
            if last >= first:
                intervals.append((d * _DAY + first, d * _DAY + last))
    if not open_on_trip:
        return _Window(None, Reason(N_("town hall closed on every day of the trip")))
    if not intervals:
        return _Window(None, Reason(N_("town hall open only outside the day's planning hours")))
    merged: list[Interval] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return _Window(tuple(merged), None)


def _earliest(t: int, intervals: tuple[Interval, ...] | None) -> int | None:
    """The first allowed start at or after t (None if none)."""
    if intervals is None:
        return t
    for lo, hi in intervals:
        if t <= hi:
            return max(t, lo)
    return None


# --- checks --------------------------------------------------------------------------------


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
        visit and the driving of a day (1 minute to the length of the day), the
        lunch break (within its window).
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
    _check_settings(settings, days)


def _check_day(start: int, end: int, what: str) -> None:
    if not 0 <= start < end <= _DAY:
        raise InvalidOptionError(
            f"{what} must start and end between 00:00 and 24:00, the end after the start "
            f"(got day_start {start}, day_end {end} minutes after midnight)"
        )


def _check_settings(settings: TripSettings, days: int = 1) -> None:
    start, end = settings.day_start, settings.day_end
    _check_day(start, end, "the day")
    for d in {0, days - 1}:
        first, last = settings.hours(d, days)
        _check_day(first, last, "the first day" if d == 0 else "the last day")
    length = end - start
    day = f"the day ({_clock(start)}-{_clock(end)}, {length} min)"
    if not 1 <= settings.visit_min <= length:
        raise InvalidOptionError(
            f"a visit of {settings.visit_min} min does not fit in {day}; "
            f"give 1 to {length} min a visit"
        )
    if not 0 <= settings.townhall_min <= length:
        raise InvalidOptionError(
            f"the town hall cannot be required open {settings.townhall_min} min after a "
            f"visit starts in {day}; give 0 to {length} min"
        )
    if not 1 <= settings.max_drive_min <= length:
        raise InvalidOptionError(
            f"{settings.max_drive_min} min of driving a day does not fit in {day}; "
            f"give 1 to {length} min"
        )
    lo, hi, lunch = settings.lunch_start, settings.lunch_end, settings.lunch_min
    if not 0 <= lo < hi <= _DAY:
        raise InvalidOptionError(
            f"the lunch window must lie between 00:00 and 24:00, its end after its start "
            f"(got {_clock(lo)}-{_clock(min(hi, _DAY))})"
        )
    if not 0 <= lunch <= hi - lo:
        raise InvalidOptionError(
            f"a lunch break of {lunch} min does not fit in its window "
            f"({_clock(lo)}-{_clock(hi)}); give 0 (no lunch break) to {hi - lo} min"
        )


# --- the request, resolved -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Request:
    """What the solver is given: nodes (places, villages, appointments) and their times."""

    places: tuple[Place, ...]  # every node's place: depots, then villages, then appointments
    depots: int  # nodes 0..depots-1 are the days' start and end places
    villages: tuple[str, ...]  # INSEE codes of nodes depots..depots+len-1
    appointments: tuple[Appointment, ...]  # the last nodes
    appointment_days: tuple[int, ...]
    starts: tuple[int, ...]  # per day, the start node
    ends: tuple[int, ...]
    hours: tuple[Interval, ...]  # per day, absolute [earliest leave, latest return]
    windows: tuple[_Window | None, ...]  # per node (None for a depot or an appointment)
    service: tuple[int, ...]  # minutes spent at each node
    minutes: npt.NDArray[np.int64]
    lunch: tuple[Interval | None, ...]  # per day, [earliest, latest] lunch start
    lunch_notes: dict[int, Reason]  # per day without a lunch window: why
    off_network: tuple[Place, ...]  # places whose drives are estimated beside a road network
    settings: TripSettings

    @property
    def days(self) -> int:
        return len(self.starts)

    def node_window(self, node: int) -> tuple[Interval, ...] | None:
        """The node's allowed starts (None: any time of its day)."""
        first_appointment = self.depots + len(self.villages)
        if node >= first_appointment:
            appointment = self.appointments[node - first_appointment]
            at = self.appointment_days[node - first_appointment] * _DAY + _minute_of(
                appointment.start
            )
            return ((at, at),)
        window = self.windows[node]
        return None if window is None else window.intervals


def _minute_of(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _itinerary(base: str | Place | Itinerary) -> Itinerary:
    return base if isinstance(base, Itinerary) else Itinerary(base=base)


def _day_places(
    territory: Territory, itinerary: Itinerary, days: int
) -> tuple[Place, list[Place], list[Place]]:
    """The base, and each day's start and end place."""
    base = resolve_place(territory, itinerary.base, role="base")
    if itinerary.nights and len(itinerary.nights) != days - 1:
        raise InvalidOptionError(
            f"a trip of {days} days has {days - 1} nights: give one place per night "
            f"(got {len(itinerary.nights)})"
        )
    nights = [resolve_place(territory, p, role="night") for p in itinerary.nights] or [base] * (
        days - 1
    )
    first = (
        base
        if itinerary.arrive is None
        else resolve_place(territory, itinerary.arrive, role="arrival")
    )
    last = (
        base
        if itinerary.leave is None
        else resolve_place(territory, itinerary.leave, role="departure")
    )
    starts = [first, *nights]
    ends = [*nights, last]
    return base, starts, ends


def _resolve_village(territory: Territory, query: str) -> str:
    names = {str(code): str(name) for code, name in territory.villages["name"].items()}
    try:
        return find_village(names, query)
    except UnknownVillageError as error:
        raise UnknownVillageError(
            f"among the villages of {territory.name} ({territory.code}) to visit: {error}"
        ) from None


def _appointment_day(appointment: Appointment, start: date, days: int) -> int:
    day = (appointment.start.date() - start).days
    if not 0 <= day < days or appointment.end.date() != appointment.start.date():
        raise InvalidOptionError(
            f"appointment {appointment.title!r} ({appointment.start:%Y-%m-%d %H:%M}) is not on "
            f"one day of the trip ({start.isoformat()}, {days} days); give a start and end "
            "on the same trip day"
        )
    if appointment.end <= appointment.start:
        raise InvalidOptionError(
            f"appointment {appointment.title!r} ends before it starts; give an end after "
            f"{appointment.start:%H:%M}"
        )
    return day


def _lunch_windows(
    settings: TripSettings,
    hours: Sequence[Interval],
    busy: Sequence[list[Interval]],
) -> tuple[tuple[Interval | None, ...], dict[int, Reason]]:
    """Each day's [earliest, latest] lunch start (None: no lunch that day), and why none.

    The solver keeps the lunch off the appointments; here a day whose appointments
    leave no stretch of the window long enough gets no lunch break, and says so.
    """
    windows: list[Interval | None] = []
    notes: dict[int, Reason] = {}
    length = settings.lunch_min
    for d, (lo, hi) in enumerate(hours):
        first = max(d * _DAY + settings.lunch_start, lo)
        last = min(d * _DAY + settings.lunch_end, hi) - length
        if length <= 0:
            windows.append(None)
        elif last < first:
            windows.append(None)
            notes[d] = Reason(N_("the day's hours leave no time for lunch in its window"))
        elif not any(
            first <= s <= last and all(s + length <= a or s >= b for a, b in busy[d])
            for s in [first, *(b for _, b in busy[d])]
        ):
            windows.append(None)
            notes[d] = Reason(N_("the appointments leave no time for lunch"))
        else:
            windows.append((first, last))
    return tuple(windows), notes


def _request(
    territory: Territory,
    *,
    itinerary: Itinerary,
    villages: Sequence[str],
    start: date,
    days: int,
    settings: TripSettings,
    appointments: Sequence[Appointment],
) -> tuple[_Request, Place]:
    base, starts, ends = _day_places(territory, itinerary, days)
    depots: list[Place] = []
    for place in [*starts, *ends]:
        if place not in depots:
            depots.append(place)
    codes = list(dict.fromkeys(_resolve_village(territory, q) for q in villages))
    if not codes and not appointments:
        raise InvalidOptionError("no village to visit: give at least one village")
    days_of = [_appointment_day(a, start, days) for a in appointments]
    spots = [resolve_place(territory, a.place, role="appointment place") for a in appointments]
    places = (*depots, *(village_place(territory, c) for c in codes), *spots)
    minutes, on_network = _drive_matrix(territory, places)
    hours_column = territory.villages.get("townhall_hours")
    windows: list[_Window | None] = [None] * len(depots)
    for code in codes:
        text = None if hours_column is None else hours_column.at[code]
        windows.append(_window(text, start=start, days=days, settings=settings))
    windows += [None] * len(appointments)
    service = [0] * len(depots) + [settings.visit_min] * len(codes)
    service += [int((a.end - a.start).total_seconds() // 60) for a in appointments]
    start_nodes = [depots.index(p) for p in starts]
    end_nodes = [depots.index(p) for p in ends]
    hours: list[Interval] = []
    busy: list[list[Interval]] = [[] for _ in range(days)]
    first_appointment = len(depots) + len(codes)
    for d in range(days):
        lo, hi = settings.hours(d, days)
        lo, hi = d * _DAY + lo, d * _DAY + hi
        for k, day in enumerate(days_of):
            if day != d:
                continue
            node = first_appointment + k
            at = d * _DAY + _minute_of(appointments[k].start)
            busy[d].append((at, at + service[node]))
            lo = min(lo, at - int(minutes[start_nodes[d], node]))
            hi = max(hi, at + service[node] + int(minutes[node, end_nodes[d]]))
        hours.append((max(lo, d * _DAY), min(hi, (d + 1) * _DAY - 1)))
    lunch, lunch_notes = _lunch_windows(settings, hours, busy)
    off = tuple(p for p, on in zip(places, on_network, strict=True) if not on)
    request = _Request(
        places=places,
        depots=len(depots),
        villages=tuple(codes),
        appointments=tuple(appointments),
        appointment_days=tuple(days_of),
        starts=tuple(start_nodes),
        ends=tuple(end_nodes),
        hours=tuple(hours),
        windows=tuple(windows),
        service=tuple(service),
        minutes=minutes,
        lunch=lunch,
        lunch_notes=lunch_notes,
        off_network=off if territory.roads is not None else (),
        settings=settings,
    )
    return request, base


# --- what fits -----------------------------------------------------------------------------


def _fits_on(request: _Request, node: int, d: int) -> bool:
    """True if day d, with only this village, meets every constraint (lunch aside)."""
    out = int(request.minutes[request.starts[d], node])
    back = int(request.minutes[node, request.ends[d]])
    if out + back > request.settings.max_drive_min:
        return False
    lo, hi = request.hours[d]
    begin = _earliest(lo + out, request.node_window(node))
    return (
        begin is not None and begin < (d + 1) * _DAY and begin + request.service[node] + back <= hi
    )


def _too_far(request: _Request, node: int) -> Reason | None:
    """Why a village cannot be visited on any day even alone, or None if it can."""
    settings = request.settings
    rounds = [
        int(request.minutes[request.starts[d], node]) + int(request.minutes[node, request.ends[d]])
        for d in range(request.days)
    ]
    if min(rounds) >= _NO_ROAD:
        return Reason(N_("not reachable from the base on the road network"))
    if min(rounds) > settings.max_drive_min:
        return Reason(
            N_("more than {max} min round trip from the base"),
            (("max", settings.max_drive_min),),
        )
    if all(
        rounds[d] + settings.visit_min > request.hours[d][1] - request.hours[d][0]
        for d in range(request.days)
    ):
        return Reason(
            N_(
                "a {visit} min visit and {drive} min of driving there and back do not fit "
                "in a day ({start}-{end})"
            ),
            (
                ("visit", settings.visit_min),
                ("drive", min(rounds)),
                ("start", _time(settings.day_start)),
                ("end", _time(settings.day_end)),
            ),
        )
    if not any(_fits_on(request, node, d) for d in range(request.days)):
        return Reason(
            N_("no time to visit it while the town hall is open and be back by {end}"),
            (("end", _time(settings.day_end)),),
        )
    return None


# --- the solver ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Solved:
    routes: list[list[int]]
    times: dict[int, int]  # node -> the solver's start time
    lunch: dict[int, int]  # day -> the solver's lunch start


def _solve(request: _Request, nodes: Sequence[int]) -> _Solved:
    """Route the given nodes over the days: per day, the nodes in order.

    Model: one vehicle per day, from its start place to its end place; the "time"
    dimension counts minutes from the trip's first midnight (transit = time at the
    origin + drive, waiting allowed as slack), within each day's hours; the
    "drive" dimension counts driving only, capped per day; every village is
    optional at a large penalty, every appointment at a larger one and fixed to
    its day and time; the lunch break is a break interval of the time dimension.
    """
    days = request.days
    model_nodes = list(range(request.depots)) + list(nodes)  # model node -> request node
    manager = pywrapcp.RoutingIndexManager(
        len(model_nodes), days, list(request.starts), list(request.ends)
    )
    routing = pywrapcp.RoutingModel(manager)
    minutes, service = request.minutes, request.service

    def node_of(index: int) -> int:
        return model_nodes[manager.IndexToNode(index)]

    def drive(from_index: int, to_index: int) -> int:
        return int(minutes[node_of(from_index), node_of(to_index)])

    def busy(from_index: int, to_index: int) -> int:
        return service[node_of(from_index)] + drive(from_index, to_index)

    def cost(from_index: int, to_index: int) -> int:
        return _ARC * drive(from_index, to_index)

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(cost))
    horizon = days * _DAY
    routing.AddDimension(routing.RegisterTransitCallback(busy), horizon, horizon, False, "time")
    routing.AddDimension(
        routing.RegisterTransitCallback(drive), 0, request.settings.max_drive_min, True, "drive"
    )
    clock = routing.GetDimensionOrDie("time")
    for d, (lo, hi) in enumerate(request.hours):
        clock.CumulVar(routing.Start(d)).SetRange(lo, hi)
        clock.CumulVar(routing.End(d)).SetRange(lo, hi)
    for model_node in range(request.depots, len(model_nodes)):
        _add_node(request, routing, clock, manager.NodeToIndex(model_node), model_nodes[model_node])
    visit_transits = [service[node_of(i)] for i in range(routing.Size())]
    breaks = {}
    for d, window in enumerate(request.lunch):
        if window is not None:
            lunch = routing.solver().FixedDurationIntervalVar(
                window[0], window[1], request.settings.lunch_min, False, f"lunch {d}"
            )
            clock.SetBreakIntervalsOfVehicle([lunch], d, visit_transits)
            routing.AddIntervalToAssignment(lunch)
            breaks[d] = lunch
    _add_objective(request, routing, clock)
    solution = routing.SolveWithParameters(_search_parameters(request.settings.time_limit_s))
    if solution is None:
        return _Solved([[] for _ in range(days)], {}, {})
    routes: list[list[int]] = []
    times: dict[int, int] = {}
    for d in range(days):
        route: list[int] = []
        i = solution.Value(routing.NextVar(routing.Start(d)))
        while not routing.IsEnd(i):
            route.append(node_of(i))
            times[node_of(i)] = solution.Value(clock.CumulVar(i))
            i = solution.Value(routing.NextVar(i))
        routes.append(route)
    lunch_at = {d: solution.StartValue(interval) for d, interval in breaks.items()}
    return _Solved(routes, times, lunch_at)


def _add_node(
    request: _Request,
    routing: pywrapcp.RoutingModel,
    clock: pywrapcp.RoutingDimension,
    index: int,
    node: int,
) -> None:
    """A village or appointment in the model: its time window, its day, its penalty."""
    intervals = request.node_window(node)
    if intervals is not None:
        cumul = clock.CumulVar(index)
        cumul.SetRange(intervals[0][0], intervals[-1][1])
        for (_, hi), (lo, _) in itertools.pairwise(intervals):
            if lo - 1 >= hi + 1:
                cumul.RemoveInterval(hi + 1, lo - 1)
    first_appointment = request.depots + len(request.villages)
    if node >= first_appointment:
        day = request.appointment_days[node - first_appointment]
        routing.VehicleVar(index).SetValues([-1, day])  # its day, or not performed
        routing.AddDisjunction([index], _MISS_PENALTY)
    else:
        routing.AddDisjunction([index], _DROP_PENALTY)


def _add_objective(
    request: _Request, routing: pywrapcp.RoutingModel, clock: pywrapcp.RoutingDimension
) -> None:
    """Spread the days (their length squared) or pack them (a cost per day used)."""
    for d in range(request.days):
        if request.settings.spread:
            clock.SetQuadraticCostSoftSpanUpperBoundForVehicle(pywrapcp.BoundCost(0, 1), d)
        else:
            routing.SetFixedCostOfVehicle((d + 1) * _DAY_COST, d)
            clock.SetSpanCostCoefficientForVehicle(1, d)
        routing.AddVariableMinimizedByFinalizer(clock.CumulVar(routing.End(d)))
        routing.AddVariableMaximizedByFinalizer(clock.CumulVar(routing.Start(d)))


def _search_parameters(time_limit_s: float) -> object:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = (
        routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    )
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, math.ceil(time_limit_s * 1000)))
    params.solution_limit = _SOLUTION_LIMIT
    return params


# --- a day's schedule ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Timed:
    """A day's times: each stop's start, the lunch, leaving and coming back, the legs."""

    starts: list[int]
    lunch: tuple[int, int] | None  # (start, how many stops come before it)
    lunch_place: int  # the node the lunch is taken at
    leave: int
    back: int
    legs: list[int]


def _simulate(
    request: _Request, d: int, route: Sequence[int], lunch_at: tuple[int, bool] | None
) -> _Timed | None:
    """The earliest schedule of a route with lunch at a given place (None if infeasible).

    ``lunch_at`` is (k, after): at the k-th place of the day (0 = the start place,
    ``len(route) + 1`` = the end place), after its visit (True) or before it.
    The household leaves no earlier than it needs to.
    """
    window, length = request.lunch[d], request.settings.lunch_min
    lo, hi = request.hours[d]
    places = [request.starts[d], *route, request.ends[d]]
    last = len(places) - 1
    t, back, needed = lo, lo, None  # needed: when the household must be at the first stop
    starts: list[int] = []
    legs: list[int] = []
    lunch: tuple[int, int] | None = None
    lunch_place = places[0]
    for k, node in enumerate(places):
        if k > 0:
            legs.append(int(request.minutes[places[k - 1], node]))
            t += legs[-1]
        if k == last:
            back = t
        for after in (False, True):
            if after and 0 < k < last:
                begin = _earliest(t, request.node_window(node))
                if begin is None or begin >= (d + 1) * _DAY:
                    return None
                needed = begin if k == 1 and needed is None else needed
                starts.append(begin)
                t = begin + request.service[node]
            if lunch_at == (k, after) and window is not None:
                begin = max(t, window[0])
                if begin > window[1]:
                    return None
                needed = begin if k == 1 and needed is None else needed
                lunch = (begin, min(max(k - 1 + after, 0), len(route)))
                lunch_place, t = node, begin + length
    if max(t, back) > hi or sum(legs) > request.settings.max_drive_min:
        return None
    leave = lo
    if lunch_at == (0, True) and lunch is not None:
        leave = lunch[0] + length
    if route and needed is not None:
        leave = max(leave, needed - legs[0])
    return _Timed(starts, lunch, lunch_place, leave, back, legs)


def _timed_day(request: _Request, d: int, route: Sequence[int], solved: _Solved) -> _Timed:
    """The best schedule of the solver's route: earliest times, lunch at a place of the route.

    Among the places the lunch may be taken at (before or after each visit, before
    leaving or once back), the one that ends the day earliest with the lunch
    nearest the start of its window is taken: the least ``end + lunch start``,
    where the day ends when the household is back, or done with lunch there.
    """
    if request.lunch[d] is None or not route:
        timed = _simulate(request, d, route, None)
        return timed if timed is not None else _solver_times(request, d, route, solved)
    last = len(route) + 1
    best: tuple[tuple[int, int], _Timed] | None = None
    for k in range(last + 1):
        for after in (False, True):
            if (k == 0 and not after) or (k == last and after):
                continue
            timed = _simulate(request, d, route, (k, after))
            if timed is None or timed.lunch is None:
                continue
            end = max(timed.back, timed.lunch[0] + request.settings.lunch_min)
            score = (end + timed.lunch[0], timed.back)
            if best is None or score < best[0]:
                best = (score, timed)
    return best[1] if best is not None else _solver_times(request, d, route, solved)


def _solver_times(request: _Request, d: int, route: Sequence[int], solved: _Solved) -> _Timed:
    """The solver's own times, where no earliest schedule with a lunch place fits (rare)."""
    places = [request.starts[d], *route, request.ends[d]]
    legs = [int(request.minutes[a, b]) for a, b in itertools.pairwise(places)]
    starts = [solved.times[node] for node in route]
    leave = starts[0] - legs[0] if route else request.hours[d][0]
    back = starts[-1] + request.service[route[-1]] + legs[-1] if route else leave + legs[-1]
    lunch, lunch_place = None, places[0]
    if (begin := solved.lunch.get(d)) is not None and request.lunch[d] is not None:
        before = sum(1 for s in starts if s < begin)
        lunch, lunch_place = (begin, before), places[before]
        if before == len(route):
            back = max(back, begin + request.settings.lunch_min)
    return _Timed(starts, lunch, lunch_place, leave, back, legs)


# --- the plan ------------------------------------------------------------------------------


def _day_plan(
    request: _Request,
    d: int,
    route: Sequence[int],
    timed: _Timed,
    *,
    midnight: datetime,
    names: dict[str, str],
) -> DayPlan:
    def at(minute: int) -> datetime:
        return midnight + timedelta(minutes=minute)

    start, end = request.places[request.starts[d]], request.places[request.ends[d]]
    first_appointment = request.depots + len(request.villages)
    stops: list[Stop] = []
    for k, node in enumerate(route):
        begin, place = timed.starts[k], request.places[node]
        if node >= first_appointment:
            stops.append(
                Stop(
                    insee=place.key,
                    name=place.name,
                    arrive=at(begin),
                    depart=at(begin + request.service[node]),
                    drive_min=float(timed.legs[k]),
                    townhall_open=True,
                    kind="appointment",
                    title=request.appointments[node - first_appointment].title,
                    place=place,
                )
            )
            continue
        code = request.villages[node - request.depots]
        window = request.windows[node]
        assert window is not None
        stops.append(
            Stop(
                insee=code,
                name=names[code],
                arrive=at(begin),
                depart=at(begin + request.service[node]),
                drive_min=float(timed.legs[k]),
                townhall_open=window.intervals is not None,
                note=window.note,
                at_base=code in {start.insee, end.insee},
            )
        )
    lunch = None
    if timed.lunch is not None:
        begin, after = timed.lunch
        where = request.places[timed.lunch_place]
        lunch = Lunch(
            start=at(begin),
            end=at(begin + request.settings.lunch_min),
            place=where.name if where.kind in ("village", "commune") else where.label("en"),
            after=after,
        )
    return DayPlan(
        day=midnight.date() + timedelta(days=d),
        leave=at(timed.leave),
        back=at(timed.back),
        stops=tuple(stops),
        drive_min=float(sum(timed.legs)),
        start=start,
        end=end,
        lunch=lunch,
        back_drive_min=float(timed.legs[-1]) if timed.legs else 0.0,
    )


def _why_empty(request: _Request, d: int, planned: Sequence[int], n_visits: int) -> Reason:
    """Why a day has no visit: there was nothing to spread to it, and why."""
    if not request.settings.spread:
        return Reason(N_("the visits are packed into the first days"))
    if n_visits < request.days:
        return Reason(
            N_("fewer visits ({n}) than days ({days})"), (("n", n_visits), ("days", request.days))
        )
    if not any(_fits_on(request, node, d) for node in planned):
        return Reason(
            N_("no village of the trip can be visited that day: their town halls are closed")
        )
    return Reason(N_("no visit could be moved to this day without leaving another out"))


def plan_trip(
    territory: Territory,
    *,
    base: str | Place | Itinerary,
    villages: Sequence[str],
    start: date,
    days: int,
    settings: TripSettings = _DEFAULT_SETTINGS,
    today: date | None = None,
    appointments: Sequence[Appointment] = (),
) -> TripPlan:
    """Plan a scouting trip: which village on which day, in which order, when, and lunch.

    Each day starts at its start place (the base, or where the household arrives
    on the first morning) and ends at its end place (the base, or where it leaves
    from on the last evening), within ``settings.day_start`` and
    ``settings.day_end``, drives at most ``settings.max_drive_min`` minutes,
    spends ``settings.visit_min`` minutes in each village and stops for lunch
    (``settings.lunch_min`` minutes within ``lunch_start``-``lunch_end``) at a
    place of the route. A visit must START while the village's town hall is open
    (its published hours on that weekday); a town hall with no published hours,
    or closed on every trip day, is visited at any time and the stop carries a
    note. A village at the base is visited too (a visit, not a drive).
    Appointments are kept at their time, and the plan fits around them.

    Among the plans visiting as many villages as fit, the visits are spread over
    the days (or packed into the first ones, ``settings.spread=False``) with the
    least driving; a day left without a visit says why. What does not fit is
    left out, with the reason.

    Parameters
    ----------
    territory
        The département, with its villages (and road network if loaded).
    base
        Where each day starts and ends: a village name or INSEE code, a commune of
        France, an IATA code, a station or ``lat,lon``; or an :class:`Itinerary`
        (a place of arrival, of departure, a place per night).
    villages
        The villages to visit, by name or INSEE code.
    start
        The trip's first day.
    days
        Number of days (1 to :data:`MAX_DAYS`).
    settings
        Visit length, daily driving limit, day hours, lunch, spread or pack, and how
        long the solver may search.
    today
        The current date (default: the system's), against which ``start`` is checked.
    appointments
        Fixed appointments to keep (title, place, start, end), on trip days.

    Returns
    -------
    TripPlan

    Raises
    ------
    UnknownVillageError
        If a place or a village is not known.
    InvalidOptionError
        If the trip cannot be planned (:func:`check_trip`: a start in the past or
        more than a year ahead, 0 or more than 14 days, a visit or a day's driving
        longer than the day, a lunch break longer than its window), there is no
        village to visit, or an appointment is not on a trip day.

    """
    check_trip(start, days, settings=settings, today=today)
    request, base_place = _request(
        territory,
        itinerary=_itinerary(base),
        villages=villages,
        start=start,
        days=days,
        settings=settings,
        appointments=appointments,
    )
    left_out: dict[str, Reason] = {}
    planned: list[int] = []
    for k, code in enumerate(request.villages):
        node = request.depots + k
        reason = _too_far(request, node)
        if reason is None:
            planned.append(node)
        else:
            left_out[code] = reason
    first_appointment = request.depots + len(request.villages)
    kept = list(range(first_appointment, len(request.places)))
    solved = _solve(request, [*planned, *kept])
    visited = {node for route in solved.routes for node in route}
    for node in planned:
        if node not in visited:
            left_out[request.villages[node - request.depots]] = Reason(
                N_(
                    "did not fit in the trip's days with at most {max} min of driving a day "
                    "({visit} min a visit, {start}-{end})"
                ),
                (
                    ("max", settings.max_drive_min),
                    ("visit", settings.visit_min),
                    ("start", _time(settings.day_start)),
                    ("end", _time(settings.day_end)),
                ),
            )
    missed = tuple(
        (
            request.appointments[node - first_appointment],
            Reason(N_("it could not be reached in time")),
        )
        for node in kept
        if node not in visited
    )
    names = {code: str(territory.villages.at[code, "name"]) for code in request.villages}
    midnight = datetime.combine(start, time())
    day_plans = []
    n_visits = sum(1 for node in visited if node < first_appointment)
    for d, route in enumerate(solved.routes):
        timed = _timed_day(request, d, route, solved)
        plan = _day_plan(request, d, route, timed, midnight=midnight, names=names)
        if not plan.stops:
            plan = replace(plan, lunch=None, why_empty=_why_empty(request, d, planned, n_visits))
        elif plan.lunch is None and d in request.lunch_notes:
            plan = replace(plan, lunch_note=request.lunch_notes[d])
        day_plans.append(plan)
    return TripPlan(
        base=base_place.key,
        base_name=base_place.label("en"),
        days=tuple(day_plans),
        left_out=dict(sorted(left_out.items())),
        drive_basis=territory.drive_times,
        settings=settings,
        base_place=base_place,
        estimated_places=tuple(dict.fromkeys(p.label("en") for p in request.off_network)),
        missed=missed,
    )
