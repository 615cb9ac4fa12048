"""The plan of a scouting trip as data: places, days, stops, lunch, what was left out and why.

Everything a plan says in words is kept as a :class:`Reason` (an English message
marked for translation and its values), so that the brief, the calendar and the
terminal can each say it in their reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

from relocate.i18n import translator
from relocate.trip.words import of_place

__all__ = [
    "Appointment",
    "DayPlan",
    "Lunch",
    "Place",
    "PlaceKind",
    "Reason",
    "Stop",
    "TripPlan",
    "TripSettings",
]

PlaceKind = Literal["village", "commune", "airport", "station", "coordinates"]


@dataclass(frozen=True)
class Reason:
    r"""Something a plan says, in any language: an English message and its values.

    ``message`` is marked for translation where it is written (``N_("...")``);
    :meth:`text` translates it and fills its placeholders, numbers and times in
    the reader's locale.

    Examples
    --------
    >>> reason = Reason("town hall open only outside the day's planning hours")
    >>> str(reason)
    "town hall open only outside the day's planning hours"
    >>> Reason("back by {end}", (("end", time(18, 30)),)).text("fr")
    'back by 18\xa0h\xa030'
    """

    message: str
    values: tuple[tuple[str, object], ...] = ()

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``, its values formatted as the locale writes them."""
        shown = {key: _shown(value, lang) for key, value in self.values}
        return translator(lang)._(self.message).format(**shown)

    def __str__(self) -> str:
        return self.text("en")


def _shown(value: object, lang: str) -> str:
    tr = translator(lang)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return tr.number(value)
    if isinstance(value, float):
        return tr.number(value, digits=0 if value.is_integer() else 1)
    if isinstance(value, time):
        return tr.clock(value)
    if isinstance(value, date):
        return tr.long_date(value)
    if isinstance(value, Reason):
        return value.text(lang)
    return str(value)


@dataclass(frozen=True, kw_only=True)
class Place:
    """Where a day starts or ends, or an appointment is: a village, commune, airport or point.

    Attributes
    ----------
    kind
        ``village`` (of the territory), ``commune`` (of France, outside it),
        ``airport``, ``station`` or ``coordinates``.
    key
        Its identifier: the INSEE code, the IATA code, the station's name or ``lat,lon``.
    name
        Its name as the data gives it (``Auch``, ``Toulouse-Blagnac``, ``Gimont Cahuzac``).
    lon, lat
        Where it is (WGS84 degrees).
    insee
        The commune it lies in, where known.
    departement
        That commune's département, where known.
    """

    kind: PlaceKind
    key: str
    name: str
    lon: float
    lat: float
    insee: str | None = None
    departement: str | None = None

    def label(self, lang: str = "en") -> str:
        """The place for a reader: ``Auch``, ``Toulouse (31)``, ``aéroport Toulouse-Blagnac``."""
        tr = translator(lang)
        if self.kind == "airport":
            return tr._("{name} airport ({code})").format(name=self.name, code=self.key)
        if self.kind == "station":
            return tr._("{name} station").format(name=of_place(self.name, lang))
        if self.kind == "coordinates":
            return tr._("the point {lat}, {lon}").format(
                lat=tr.number(self.lat, digits=4), lon=tr.number(self.lon, digits=4)
            )
        if self.kind == "commune" and self.departement:
            return f"{self.name} ({self.departement})"
        return self.name


@dataclass(frozen=True, kw_only=True)
class Appointment:
    """A fixed appointment the plan fits around (a programme event, a meeting).

    The planner keeps it at its time on its day, drives to its place and on from
    it, and never puts a visit or the lunch break over it. A later programme of
    events (title, place, start, end) enters the plan as a list of these.

    Attributes
    ----------
    title
        What it is, as the household reads it (``Rencontre avec le maire``).
    place
        Where: a village of the territory, a commune, an airport, a station or
        ``lat,lon`` (resolved as the base is), or a :class:`Place`.
    start, end
        When, local time (naive datetimes are Paris time), on one day of the trip.
    """

    title: str
    place: str | Place
    start: datetime
    end: datetime


@dataclass(frozen=True, kw_only=True)
class TripSettings:
    """How a trip is planned.

    Parameters
    ----------
    visit_min
        Time spent in each village, in minutes.
    max_drive_min
        Most driving in one day, in minutes.
    day_start, day_end
        The day's first departure and last return, as minutes after midnight.
    lunch_start, lunch_end
        The window the lunch break lies in, minutes after midnight (12:00-14:00).
    lunch_min
        The lunch break's length in minutes (0: no lunch break).
    spread
        Spread the visits over the days (True), or pack them into as few
        days, the first ones, as they fit in (False).
    first_day_start
        The first morning's earliest departure (a flight landing), if not ``day_start``.
    last_day_end
        The last evening's latest arrival (a train to catch), if not ``day_end``.
    time_limit_s
        Most time the solver may search, in seconds.
    townhall_min
        How long the town hall must still be open when a visit starts, in minutes,
        so that there is time to go in and talk (default 30).
    """

    visit_min: int = 60
    max_drive_min: int = 240
    day_start: int = 8 * 60 + 30
    day_end: int = 18 * 60 + 30
    lunch_start: int = 12 * 60
    lunch_end: int = 14 * 60
    lunch_min: int = 60
    spread: bool = True
    first_day_start: int | None = None
    last_day_end: int | None = None
    time_limit_s: float = 10.0
    townhall_min: int = 30

    def hours(self, day: int, days: int) -> tuple[int, int]:
        """The planning hours of day ``day`` (0-based) of ``days``, minutes after midnight."""
        start = self.first_day_start if day == 0 and self.first_day_start is not None else None
        end = self.last_day_end if day == days - 1 and self.last_day_end is not None else None
        return (self.day_start if start is None else start, self.day_end if end is None else end)


@dataclass(frozen=True, kw_only=True)
class Stop:
    """One visit (or appointment) of a day.

    Attributes
    ----------
    insee
        The village's INSEE code (for an appointment, its place's key).
    name
        The village's name (for an appointment, its place's).
    arrive, depart
        When the visit (or appointment) starts and ends.
    drive_min
        Minutes of driving from the previous stop (or the day's start).
    townhall_open
        The visit starts while the town hall is open, and at least
        ``TripSettings.townhall_min`` minutes before it closes (always True for an
        appointment).
    note
        What the household should know about it (the town hall closed that day).
    kind
        ``visit`` or ``appointment``.
    at_base
        The village is where the day starts or ends: a visit there, not a drive.
    title
        An appointment's title.
    place
        An appointment's place.
    """

    insee: str
    name: str
    arrive: datetime
    depart: datetime
    drive_min: float
    townhall_open: bool
    note: Reason | None = None
    kind: Literal["visit", "appointment"] = "visit"
    at_base: bool = False
    title: str | None = None
    place: Place | None = None


@dataclass(frozen=True, kw_only=True)
class Lunch:
    """The day's lunch break: when, and at which place of the route.

    Attributes
    ----------
    start, end
        The break.
    place
        Where: the village arrived at, or the day's start or end place.
    after
        How many stops of the day come before it (0: before the first).
    """

    start: datetime
    end: datetime
    place: str
    after: int


@dataclass(frozen=True, kw_only=True)
class DayPlan:
    """One day: from its start place, the stops in order, to its end place.

    Attributes
    ----------
    day
        The date.
    leave, back
        Leaving the start place and arriving at the end place.
    stops
        Visits and appointments, in order.
    drive_min
        Total driving that day, the last leg included.
    start, end
        Where the day starts and ends.
    lunch
        The lunch break, if the day has one.
    back_drive_min
        Minutes of driving of the last leg, to the end place.
    why_empty
        For a day without a stop: why nothing was planned on it.
    lunch_note
        Why a day with stops has no lunch break, if it has none.
    """

    day: date
    leave: datetime
    back: datetime
    stops: tuple[Stop, ...]
    drive_min: float
    start: Place | None = None
    end: Place | None = None
    lunch: Lunch | None = None
    back_drive_min: float = 0.0
    why_empty: Reason | None = None
    lunch_note: Reason | None = None

    @property
    def visits(self) -> tuple[Stop, ...]:
        """The village visits of the day (appointments left aside)."""
        return tuple(s for s in self.stops if s.kind == "visit")

    def timeline(self) -> list[tuple[Literal["leave", "stop", "lunch", "back"], int]]:
        """The day's events in the order they happen: leaving, stops (by index), lunch, back.

        The lunch comes before leaving when it is taken at the start place first, after
        coming back when taken at the end place, else between the stops it falls between.
        """
        events: list[tuple[Literal["leave", "stop", "lunch", "back"], int]] = [("leave", -1)]
        events += [("stop", k) for k in range(len(self.stops))]
        events.append(("back", -1))
        if self.lunch is None:
            return events
        if self.lunch_before_leaving:
            return [("lunch", -1), *events]
        if self.lunch_once_back:
            return [*events, ("lunch", -1)]
        events.insert(1 + min(self.lunch.after, len(self.stops)), ("lunch", -1))
        return events

    @property
    def lunch_before_leaving(self) -> bool:
        """True when the lunch break is taken at the start place, before leaving it."""
        lunch = self.lunch
        return lunch is not None and lunch.after == 0 and lunch.end <= self.leave

    @property
    def lunch_once_back(self) -> bool:
        """True when the lunch break is taken at the end place, after coming back."""
        lunch = self.lunch
        return lunch is not None and lunch.after >= len(self.stops) and lunch.start >= self.back


@dataclass(frozen=True, kw_only=True)
class TripPlan:
    """A scouting trip.

    Attributes
    ----------
    base
        The base's key (a village's INSEE code, an IATA code...).
    base_name
        Its name.
    days
        One plan per day, in order (a day may have no stop, and says why).
    left_out
        Villages that did not fit, by INSEE code, with the reason.
    drive_basis
        How drive times were obtained (road network or estimate), in English.
    settings
        The planning settings used.
    base_place
        The base as a place (where the nights are spent).
    estimated_places
        Places off the road network, whose drives are estimated although a
        road network is loaded (empty without one: then every drive is).
    missed
        Appointments that could not be kept, with the reason.
    """

    base: str
    base_name: str
    days: tuple[DayPlan, ...]
    left_out: dict[str, Reason] = field(default_factory=dict)
    drive_basis: str = ""
    settings: TripSettings = field(default_factory=TripSettings)
    base_place: Place | None = None
    estimated_places: tuple[str, ...] = ()
    missed: tuple[tuple[Appointment, Reason], ...] = ()

    @property
    def visits(self) -> list[Stop]:
        """Every village visit of the trip, in order."""
        return [stop for day in self.days for stop in day.visits]
