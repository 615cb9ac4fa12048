"""The plan of a scouting trip as data: days, stops, what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

__all__ = ["DayPlan", "Stop", "TripPlan", "TripSettings"]


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
    """

    visit_min: int = 60
    max_drive_min: int = 240
    day_start: int = 8 * 60 + 30
    day_end: int = 18 * 60 + 30


@dataclass(frozen=True, kw_only=True)
class Stop:
    """One village visit."""

    insee: str
    name: str
    arrive: datetime
    depart: datetime
    drive_min: float  # from the previous stop (or the base)
    townhall_open: bool  # the visit falls within the town hall's opening hours
    note: str | None = None  # e.g. "town hall closed on every day of the trip"


@dataclass(frozen=True, kw_only=True)
class DayPlan:
    """One day: from the base, the stops in order, back to the base."""

    day: date
    leave: datetime
    back: datetime
    stops: tuple[Stop, ...]
    drive_min: float  # total driving that day, return included


@dataclass(frozen=True, kw_only=True)
class TripPlan:
    """A scouting trip.

    Attributes
    ----------
    base
        INSEE code of the base (gîte, hotel, the CCI in Auch).
    base_name
        Its name.
    days
        One plan per day, in order (a day may have no stop).
    left_out
        Villages that did not fit, with the reason.
    drive_basis
        How drive times were obtained (road network or estimate), in words.
    settings
        The planning settings used.
    """

    base: str
    base_name: str
    days: tuple[DayPlan, ...]
    left_out: dict[str, str] = field(default_factory=dict)
    drive_basis: str = ""
    settings: TripSettings = field(default_factory=TripSettings)
