"""A trip plan as files for other tools: the schedule as a table, CSV and iCalendar.

Both files are written for the household, in its language (French by default):
the CSV's headers and words, the calendar's titles and notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from icalendar import Calendar, Event, vText

from relocate._files import write_files
from relocate.i18n import N_, translator
from relocate.outputs.card import mayor_since
from relocate.outputs.formats import format_opening_hours, is_missing
from relocate.sources.mayors import MayorData
from relocate.trip.model import DayPlan, Place, Stop, TripPlan
from relocate.trip.words import at_place, of_place, visit_note

__all__ = [
    "LEFT_OUT_COLUMNS",
    "PARIS",
    "SCHEDULE_COLUMNS",
    "SCHEDULE_HEADERS",
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
    "event",
    "place",
    "insee",
    "start",
    "end",
    "drive_min",
    "townhall_open",
    "address",
    "phone",
    "email",
    "note",
]
#: The CSV's header of each column, translated (``jour``, ``heure de début``...).
SCHEDULE_HEADERS = {
    "day": N_("day"),
    "date": N_("date"),
    "order": N_("visit number"),
    "event": N_("event"),
    "place": N_("place"),
    "insee": N_("INSEE code"),
    "start": N_("start time"),
    "end": N_("end time"),
    "drive_min": N_("drive before (min)"),
    "townhall_open": N_("town hall open"),
    "address": N_("address"),
    "phone": N_("phone"),
    "email": N_("e-mail"),
    "note": N_("note"),
}
#: Columns of :func:`left_out_frame`, in order.
LEFT_OUT_COLUMNS = ["insee", "village", "reason"]
_PRODID = "-//relocate//scouting trip//EN"
_EVENTS = {
    "leave": N_("leave"),
    "visit": N_("visit"),
    "appointment": N_("appointment"),
    "lunch": N_("lunch"),
    "back": N_("back"),
}


@dataclass(frozen=True)
class _Hall:
    """A town hall's details for one event, in one line each (None where not published)."""

    address: str | None
    phone: str | None
    email: str | None
    hours: str | None


def _line(value: object) -> str | None:
    if is_missing(value) or not isinstance(value, str):
        return None
    text = ", ".join(part.strip() for part in value.splitlines() if part.strip())
    return text or None


def _hall(villages: pd.DataFrame | None, code: str, lang: str) -> _Hall:
    if villages is None or code not in villages.index:
        return _Hall(None, None, None, None)
    row: Mapping[str, Any] = {str(k): v for k, v in villages.loc[code].items()}
    hours = row.get("townhall_hours")
    return _Hall(
        address=_line(row.get("townhall_address")),
        phone=_line(row.get("townhall_phone")),
        email=_line(row.get("townhall_email")),
        hours=format_opening_hours(hours if isinstance(hours, str) else None, lang=lang),
    )


def _place_name(place: Place | None, lang: str) -> str:
    if place is None:
        return ""
    return place.name if place.kind in ("village", "commune") else place.label(lang)


def _rows(
    number: int, day: DayPlan, villages: pd.DataFrame | None, lang: str
) -> list[dict[str, object]]:
    tr = translator(lang)
    common = {"day": number, "date": day.day.isoformat()}
    blank = dict.fromkeys(SCHEDULE_COLUMNS, "")

    def row(**values: object) -> dict[str, object]:
        return {**blank, **common, **values}

    start, end = day.start, day.end
    leave = row(
        event=tr._(_EVENTS["leave"]),
        place=_place_name(start, lang),
        insee=(start.insee or "") if start else "",
        start=f"{day.leave:%H:%M}",
    )
    back = row(
        event=tr._(_EVENTS["back"]),
        place=_place_name(end, lang),
        insee=(end.insee or "") if end else "",
        start=f"{day.back:%H:%M}",
        drive_min=round(float(day.back_drive_min), 1),
    )
    rows = []
    for event, k in day.timeline():
        if event == "leave":
            rows.append(leave)
        elif event == "back":
            rows.append(back)
        elif event == "lunch" and day.lunch is not None:
            rows.append(
                row(
                    event=tr._(_EVENTS["lunch"]),
                    place=day.lunch.place,
                    start=f"{day.lunch.start:%H:%M}",
                    end=f"{day.lunch.end:%H:%M}",
                )
            )
        elif event == "stop":
            rows.append(row(order=k + 1, **_stop_cells(day.stops[k], villages, lang)))
    return rows


def _stop_cells(stop: Stop, villages: pd.DataFrame | None, lang: str) -> dict[str, object]:
    tr = translator(lang)
    visit = stop.kind == "visit"
    hall = _hall(villages, stop.insee, lang) if visit else _Hall(None, None, None, None)
    return {
        "event": tr._(_EVENTS[stop.kind]),
        "place": stop.title if stop.kind == "appointment" and stop.title else stop.name,
        "insee": stop.insee if visit else "",
        "start": f"{stop.arrive:%H:%M}",
        "end": f"{stop.depart:%H:%M}",
        "drive_min": round(float(stop.drive_min), 1),
        "townhall_open": (tr._("yes") if stop.townhall_open else tr._("no")) if visit else "",
        "address": hall.address or (stop.place.label(lang) if stop.place else ""),
        "phone": hall.phone or "",
        "email": hall.email or "",
        "note": visit_note(stop, lang) or "",
    }


def schedule_frame(
    plan: TripPlan, *, villages: pd.DataFrame | None = None, lang: str = "en"
) -> pd.DataFrame:
    """The trip's schedule, one row per event, in the order they happen.

    Each day with a visit has a row for leaving its start place, one per visit
    (and appointment), one for the lunch break, and one for coming back to its
    end place. Left-out villages are not rows here (a schedule holds only what
    happens); :func:`left_out_frame` lists them with their reason.

    Parameters
    ----------
    plan
        The trip.
    villages
        The territory's villages (``townhall_*`` columns), for the town halls'
        address, phone and e-mail.
    lang
        The language of the events' words and notes.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SCHEDULE_COLUMNS`: ``day`` (1 = first day of the trip),
        ``date`` (ISO), ``order`` (the visit's number in the day; empty for the
        other events), ``event`` (leave, visit, appointment, lunch, back), ``place``,
        ``insee``, ``start`` and ``end`` (``HH:MM``, local time), ``drive_min``
        (from the previous place, to 0.1 min), ``townhall_open`` (yes or no, for
        a visit), ``address``, ``phone``, ``email``, ``note`` (empty when none).

    """
    rows = [
        row
        for number, day in enumerate(plan.days, start=1)
        if day.stops
        for row in _rows(number, day, villages, lang)
    ]
    return pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)


def left_out_frame(
    plan: TripPlan, *, names: Mapping[str, str] | None = None, lang: str = "en"
) -> pd.DataFrame:
    """The villages the trip could not fit, one row each, with the reason.

    Parameters
    ----------
    plan
        The trip.
    names
        Village names by INSEE code; the code stands in for a name not given.
    lang
        The language of the reasons.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEFT_OUT_COLUMNS`.

    """
    names = names or {}
    rows = [
        {"insee": code, "village": names.get(code, code), "reason": reason.text(lang)}
        for code, reason in plan.left_out.items()
    ]
    return pd.DataFrame(rows, columns=LEFT_OUT_COLUMNS)


def schedule_csv(plan: TripPlan, *, villages: pd.DataFrame | None = None, lang: str = "fr") -> str:
    """The content of ``schedule.csv``: :func:`schedule_frame` with headers in ``lang``."""
    tr = translator(lang)
    frame = schedule_frame(plan, villages=villages, lang=lang)
    frame = frame.rename(columns={key: tr._(text) for key, text in SCHEDULE_HEADERS.items()})
    return str(frame.to_csv(index=False, lineterminator="\n"))


def write_schedule_csv(
    plan: TripPlan, path: Path, *, villages: pd.DataFrame | None = None, lang: str = "fr"
) -> None:
    """Write :func:`schedule_csv` as a UTF-8 CSV file, atomically.

    Raises
    ------
    relocate.errors.OutputError
        If the file cannot be written (a previous file is left intact).

    """
    write_files({Path(path): schedule_csv(plan, villages=villages, lang=lang)})


def _local(moment: datetime) -> datetime:
    """The time in Paris, to the minute: a naive datetime is taken as Paris time already."""
    moment = moment.replace(second=0, microsecond=0)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=PARIS)
    return moment.astimezone(PARIS)


def _description(stop: Stop, hall: _Hall, mayors: MayorData | None, lang: str) -> str:
    tr = translator(lang)
    lines = []
    if mayors is not None and (mayor := mayors.of(stop.insee)) is not None:
        lines.append(tr._("Mayor:") + f" {mayor.name}{mayor_since(mayor, lang)}")
    if hall.address:
        lines.append(tr._("Town hall: {address}").format(address=hall.address))
    for label, value in (
        (tr._("Phone: {value}"), hall.phone),
        (tr._("E-mail: {value}"), hall.email),
    ):
        if value:
            lines.append(label.format(value=value))
    if hall.hours:
        lines.append(tr._("Town hall hours: {hours}").format(hours=hall.hours))
    if (note := visit_note(stop, lang)) is not None:
        lines.append(note)
    return "\n".join(dict.fromkeys(lines))


def write_schedule_ics(
    plan: TripPlan,
    path: Path,
    *,
    title: str,
    villages: pd.DataFrame | None = None,
    lang: str = "fr",
    mayors: MayorData | None = None,
) -> None:
    """Write :func:`schedule_ics` to a file, atomically.

    Raises
    ------
    relocate.errors.OutputError
        If the file cannot be written (a previous file is left intact).

    """
    ics = schedule_ics(plan, title=title, villages=villages, lang=lang, mayors=mayors)
    write_files({Path(path): ics})


def _event(uid: str, stamp: datetime, start: datetime, end: datetime, summary: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", _local(start))
    event.add("dtend", _local(end))
    event.add("summary", summary)
    return event


def schedule_ics(
    plan: TripPlan,
    *,
    title: str,
    villages: pd.DataFrame | None = None,
    lang: str = "fr",
    mayors: MayorData | None = None,
) -> bytes:
    """The trip as an iCalendar file: an event per visit, appointment and lunch break.

    A visit is "Visite de Pavie" ("Visit Pavie" in English) from its start to its
    end, in Europe/Paris time to the minute, located at the town hall's address,
    its description the mayor, the town hall's address, phone, e-mail and hours,
    and what to know (said once). Each UID is stable for the same base, date and
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
    lang
        The household's language: ``fr`` (default) or ``en``.
    mayors
        The mayors, to name them in the visits' descriptions.

    Returns
    -------
    bytes
        The content of the ``.ics`` file. Only ``DTSTAMP`` (when it was made)
        differs between two calls with the same plan.

    """
    tr = translator(lang)
    calendar = Calendar()
    calendar.add("prodid", _PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", vText(" ".join(title.split())))
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = datetime.now(UTC).replace(microsecond=0)
    for day in plan.days:
        for k, stop in enumerate(day.stops):
            if stop.kind == "appointment":
                event = _event(
                    f"{stop.arrive:%Y%m%dT%H%M}-{plan.base}-appointment-{k + 1}@relocate",
                    stamp,
                    stop.arrive,
                    stop.depart,
                    stop.title or tr._("Appointment"),
                )
                if stop.place is not None:
                    event.add("location", stop.place.label(lang))
                calendar.add_component(event)
                continue
            hall = _hall(villages, stop.insee, lang)
            event = _event(
                f"{day.day:%Y%m%d}-{plan.base}-{stop.insee}@relocate",
                stamp,
                stop.arrive,
                stop.depart,
                tr._("Visit {of_place}").format(of_place=of_place(stop.name, lang)),
            )
            if hall.address:
                event.add("location", hall.address)
            if description := _description(stop, hall, mayors, lang):
                event.add("description", description)
            calendar.add_component(event)
        if day.lunch is not None and day.stops:
            calendar.add_component(
                _event(
                    f"{day.day:%Y%m%d}-{plan.base}-lunch@relocate",
                    stamp,
                    day.lunch.start,
                    day.lunch.end,
                    tr._("Lunch {at_place}").format(at_place=at_place(day.lunch.place, lang)),
                )
            )
    if plan.days:  # the time-zone rules for the trip's span only, not 1970-2038
        first, last = plan.days[0].day, plan.days[-1].day
        calendar.add_missing_timezones(
            first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
        )
    return bytes(calendar.to_ical())
