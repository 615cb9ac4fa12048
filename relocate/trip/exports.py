"""A trip plan as files for other tools: the schedule as a table, CSV and iCalendar."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
from icalendar import Calendar, Event, vText

from relocate._files import write_files
from relocate.outputs.formats import format_opening_hours
from relocate.trip.model import Stop, TripPlan

__all__ = [
    "LEFT_OUT_COLUMNS",
    "PARIS",
    "SCHEDULE_COLUMNS",
    "left_out_frame",
    "schedule_csv",
    "schedule_frame",
    "schedule_ics",
    "write_schedule_csv",
    "write_schedule_ics",
]

#: The trip's local time zone: naive datetimes in a plan are read as Paris time.
PARIS = ZoneInfo("Europe/Paris")
#: Columns of :func:`schedule_frame`, in order.
SCHEDULE_COLUMNS = [
    "day",
    "date",
    "order",
    "insee",
    "village",
    "arrive",
    "depart",
    "drive_min",
    "townhall_open",
    "note",
]
#: Columns of :func:`left_out_frame`, in order.
LEFT_OUT_COLUMNS = ["insee", "village", "reason"]
_PRODID = "-//relocate//scouting trip//EN"


def schedule_frame(plan: TripPlan) -> pd.DataFrame:
    """The visits of a trip, one row per stop, in the order they happen.

    Left-out villages are not rows here (a schedule holds only what happens);
    :func:`left_out_frame` lists them with their reason.

    Parameters
    ----------
    plan
        The trip.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCHEDULE_COLUMNS`: ``day`` (1 = first day of the trip),
        ``date`` (ISO), ``order`` (1 = first stop of the day), ``insee``,
        ``village``, ``arrive`` and ``depart`` (``HH:MM``, local time),
        ``drive_min`` (from the previous stop or the base, to 0.1 min),
        ``townhall_open`` (bool), ``note`` (empty string when none).

    """
    rows = [
        {
            "day": number,
            "date": day.day.isoformat(),
            "order": order,
            "insee": stop.insee,
            "village": stop.name,
            "arrive": f"{stop.arrive:%H:%M}",
            "depart": f"{stop.depart:%H:%M}",
            "drive_min": round(float(stop.drive_min), 1),
            "townhall_open": bool(stop.townhall_open),
            "note": stop.note or "",
        }
        for number, day in enumerate(plan.days, start=1)
        for order, stop in enumerate(day.stops, start=1)
    ]
    return pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)


def left_out_frame(plan: TripPlan, *, names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The villages the trip could not fit, one row each, with the reason.

    Parameters
    ----------
    plan
        The trip.
    names
        Village names by INSEE code; the code stands in for a name not given.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEFT_OUT_COLUMNS`.

    """
    names = names or {}
    rows = [
        {"insee": code, "village": names.get(code, code), "reason": reason}
        for code, reason in plan.left_out.items()
    ]
    return pd.DataFrame(rows, columns=LEFT_OUT_COLUMNS)


def schedule_csv(plan: TripPlan) -> str:
    """:func:`schedule_frame` as CSV text (the content of ``schedule.csv``)."""
    return str(schedule_frame(plan).to_csv(index=False, lineterminator="\n"))


def write_schedule_csv(plan: TripPlan, path: Path) -> None:
    """Write :func:`schedule_csv` as a UTF-8 CSV file, atomically.

    Raises
    ------
    relocate.errors.OutputError
        If the file cannot be written (a previous file is left intact).

    """
    write_files({Path(path): schedule_csv(plan)})


def _local(moment: datetime) -> datetime:
    """The time in Paris: a naive datetime is taken as Paris time already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=PARIS)
    return moment.astimezone(PARIS)


def _description(stop: Stop, village: Mapping[str, object] | None) -> str:
    lines = []
    if village is not None:
        for label, key in (("Phone", "townhall_phone"), ("E-mail", "townhall_email")):
            if isinstance(value := village.get(key), str) and value:
                lines.append(f"{label}: {value}")
        hours = village.get("townhall_hours")
        readable = format_opening_hours(hours if isinstance(hours, str) else None)
        if readable:
            lines.append(f"Town hall hours: {readable}")
    if not stop.townhall_open:
        lines.append("The town hall is not open at the time of this visit.")
    if stop.note:
        lines.append(stop.note)
    return "\n".join(lines)


def write_schedule_ics(
    plan: TripPlan,
    path: Path,
    *,
    title: str,
    villages: pd.DataFrame | None = None,
) -> None:
    """Write :func:`schedule_ics` to a file, atomically.

    Raises
    ------
    relocate.errors.OutputError
        If the file cannot be written (a previous file is left intact).

    """
    write_files({Path(path): schedule_ics(plan, title=title, villages=villages)})


def schedule_ics(plan: TripPlan, *, title: str, villages: pd.DataFrame | None = None) -> bytes:
    """The trip as an iCalendar file: one event per visit.

    Each event is ``Visit <village>`` from arrival to departure in Europe/Paris
    time, located at the town hall, described with its phone, e-mail, opening
    hours and the stop's note. Its UID is stable for the same base, date and
    village, so re-importing an updated plan replaces events instead of
    duplicating them.

    Parameters
    ----------
    plan
        The trip.
    title
        The calendar's name (on one line: line breaks become spaces).
    villages
        The territory's villages (indexed by INSEE code, with the ``townhall_*``
        columns); without it, events carry no address or contact details.

    Returns
    -------
    bytes
        The content of the ``.ics`` file. Only ``DTSTAMP`` (when it was made)
        differs between two calls with the same plan.

    """
    calendar = Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", vText(" ".join(title.split())))
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for day in plan.days:
        for stop in day.stops:
            village = (
                {str(k): v for k, v in villages.loc[stop.insee].items()}
                if villages is not None and stop.insee in villages.index
                else None
            )
            event = Event()
            event.add("uid", f"{day.day:%Y%m%d}-{plan.base}-{stop.insee}@relocate")
            event.add("dtstamp", stamp)
            event.add("dtstart", _local(stop.arrive))
            event.add("dtend", _local(stop.depart))
            event.add("summary", f"Visit {stop.name}")
            if village is not None and isinstance(address := village.get("townhall_address"), str):
                event.add("location", address)
            if description := _description(stop, village):
                event.add("description", description)
            calendar.add_component(event)
    if plan.days:  # the time-zone rules for the trip's span only, not 1970-2038
        first, last = plan.days[0].day, plan.days[-1].day
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    return bytes(calendar.to_ical())
