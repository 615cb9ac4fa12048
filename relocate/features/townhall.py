"""Town-hall opening hours: the published timetable parsed, and hours per week."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time

import geopandas as gpd
import pandas as pd

__all__ = ["DAYS_FR", "OpeningSlot", "parse_opening_hours", "townhall_hours_per_week"]

#: Day names as the DILA directory writes them, Monday first.
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


@dataclass(frozen=True)
class OpeningSlot:
    """One opening interval on one day (0 = Monday)."""

    day: int
    start: time
    end: time

    @property
    def hours(self) -> float:
        """Length of the slot in hours."""
        minutes = (self.end.hour * 60 + self.end.minute) - (
            self.start.hour * 60 + self.start.minute
        )
        return max(minutes, 0) / 60.0


def parse_opening_hours(text: str | None) -> list[OpeningSlot] | None:
    """Parse a ``mairie_horaires`` value into opening slots.

    The format is a JSON list of ``[first_day, last_day, [[start, end], ...]]``
    with French day names and ``HH:MM:SS`` times, the day range inclusive (a range
    may wrap round the week: ``samedi`` to ``lundi``).

    Parameters
    ----------
    text : str or None
        The timetable, as the DILA directory publishes it (NaN and None for none).

    Returns
    -------
    list of OpeningSlot, or None
        The slots sorted by day then start time. None when no timetable is
        published (missing, empty or unreadable); an unknown timetable is not the
        same as a closed town hall.

    Examples
    --------
    >>> text = (
    ...     '[["lundi","mardi",[["09:00:00","12:00:00"]]],'
    ...     '["samedi","dimanche",[["10:00:00","11:30:00"]]]]'
    ... )
    >>> slots = parse_opening_hours(text)
    >>> slots[0]
    OpeningSlot(day=0, start=datetime.time(9, 0), end=datetime.time(12, 0))
    >>> [(slot.day, slot.hours) for slot in slots]
    [(0, 3.0), (1, 3.0), (5, 1.5), (6, 1.5)]
    >>> parse_opening_hours("not a timetable") is None
    True
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    try:
        entries = json.loads(text)
        slots = []
        for first, last, intervals in entries:
            start_day, end_day = DAYS_FR.index(first), DAYS_FR.index(last)
            days = [(start_day + k) % 7 for k in range((end_day - start_day) % 7 + 1)]
            for begin, end in intervals:
                for day in days:
                    slots.append(
                        OpeningSlot(day, time.fromisoformat(begin), time.fromisoformat(end))
                    )
    except (ValueError, TypeError):
        return None
    return sorted(slots, key=lambda s: (s.day, s.start)) or None


def townhall_hours_per_week(villages: gpd.GeoDataFrame) -> pd.Series:
    r"""Weekly opening hours of each village's town hall (NaN where none is published).

    .. math::

        H_i = \sum_{s \in \mathcal{S}_i} \max\left(e_s - b_s, 0\right)

    where :math:`\mathcal{S}_i` is the set of opening slots of the village's town
    hall in a week (:func:`parse_opening_hours`) and :math:`b_s`, :math:`e_s` the
    start and end of slot :math:`s`, in hours.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with a ``townhall_hours`` column (the DILA directory's
        ``mairie_horaires`` text, see :func:`parse_opening_hours`).

    Returns
    -------
    pandas.Series
        ``townhall_hours_per_week``: hours open per week, indexed like ``villages``
        (NaN where no timetable is published or it cannot be read).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> weekdays = '[["lundi","vendredi",[["09:00:00","12:00:00"],["14:00:00","18:00:00"]]]]'
    >>> saturday = '[["samedi","samedi",[["09:30:00","12:00:00"]]]]'
    >>> villages = gpd.GeoDataFrame(
    ...     {
    ...         "name": ["Village A", "Village B", "Village C"],
    ...         "townhall_hours": [weekdays, saturday, None],
    ...     },
    ...     geometry=[
    ...         box(0.49, 43.59, 0.51, 43.61),
    ...         box(0.59, 43.59, 0.61, 43.61),
    ...         box(0.49, 43.69, 0.51, 43.71),
    ...     ],
    ...     index=["99001", "99002", "99003"],
    ...     crs="EPSG:4326",
    ... )
    >>> hours = townhall_hours_per_week(villages)
    >>> hours.name, hours.to_dict()
    ('townhall_hours_per_week', {'99001': 35.0, '99002': 2.5, '99003': nan})
    """
    values = [
        sum(slot.hours for slot in slots) if (slots := parse_opening_hours(text)) else float("nan")
        for text in villages["townhall_hours"]
    ]
    return pd.Series(values, index=villages.index, name="townhall_hours_per_week", dtype=float)
