"""Town-hall opening hours: parsing the published timetable, hours per week, readable text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time

import geopandas as gpd
import pandas as pd

__all__ = [
    "DAYS_FR",
    "DAY_ABBREVIATIONS",
    "OpeningSlot",
    "format_opening_hours",
    "parse_opening_hours",
    "townhall_hours_per_week",
]

#: Day names as the DILA directory writes them, Monday first.
DAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
#: Short day names to write timetables with, by language.
DAY_ABBREVIATIONS = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "fr": ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."),
}


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
    with French day names and ``HH:MM:SS`` times, the day range inclusive.

    Returns
    -------
    list of OpeningSlot, or None
        None when no timetable is published (missing, empty or unreadable);
        an unknown timetable is not the same as a closed town hall.

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


def format_opening_hours(text: str | None, *, lang: str = "en") -> str | None:
    """Return the timetable as readable text (``Mon 09:00-12:00, 14:00-17:00; Wed ...``)."""
    slots = parse_opening_hours(text)
    if slots is None:
        return None
    by_day: dict[int, list[str]] = {}
    for slot in slots:
        by_day.setdefault(slot.day, []).append(f"{slot.start:%H:%M}-{slot.end:%H:%M}")
    days = DAY_ABBREVIATIONS[lang]
    return "; ".join(f"{days[day]} {', '.join(spans)}" for day, spans in by_day.items())


def townhall_hours_per_week(villages: gpd.GeoDataFrame) -> pd.Series:
    """Weekly opening hours of each village's town hall (NaN where none is published)."""
    values = [
        sum(slot.hours for slot in slots) if (slots := parse_opening_hours(text)) else float("nan")
        for text in villages["townhall_hours"]
    ]
    return pd.Series(values, index=villages.index, name="townhall_hours_per_week", dtype=float)
