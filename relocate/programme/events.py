"""The programme's events: breakfasts, workshops, after-works, and the upcoming ones near a village.

The advisor imports them with ``relocate network events FILE``: a CSV file
(columns ``title``, ``place``, ``start``, ``end``, and optionally
``description`` and ``url``; in English or French: ``titre``, ``lieu``,
``début``, ``fin``) or an iCalendar file (``.ics``: ``SUMMARY``, ``LOCATION``,
``DTSTART``, ``DTEND`` or ``DURATION``, ``GEO``, ``UID``; a recurring event is
expanded over the year after its first date). Times are local (Paris) time; an
iCalendar time in UTC or another zone is converted. Attendees and organisers of
an iCalendar file are never read (the file itself is kept in the edition's folder,
readable by the user only, as every imported file is).

``place`` is a commune of the département (name or INSEE code); a fuller
address works too (``Salle des fêtes, 32230 Marciac``): its parts are tried from
the last. An iCalendar event with a ``GEO`` position is placed there.

The table has one row per event: ``uid``, ``title``, ``place`` (as written),
``insee`` (None where a ``GEO`` position lies in no commune of the
département), ``lon``, ``lat``, ``start``, ``end`` (naive Paris times),
``all_day``, ``description``, ``url``. The events give no feature; the map lists
the upcoming ones near each village (:func:`events_near`) and a trip can keep
one as a fixed appointment (:func:`relocate.cli.programme.event_appointment`).
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import shapely

from relocate._names import normalise_name
from relocate.declare import Text
from relocate.errors import InvalidOptionError, SourceFormatError, UnknownVillageError
from relocate.features._geodesy import geodesic_km
from relocate.features.access import village_points
from relocate.i18n import translator
from relocate.programme._cells import (
    CommuneIndex,
    bad_cell,
    commune_index,
    read_programme_csv,
    text_cells,
)
from relocate.programme._private import PrivateSource
from relocate.sources.opendata import ParseContext, Parsed

if TYPE_CHECKING:
    from relocate.territory import Territory

__all__ = [
    "COLUMNS",
    "Event",
    "EventsSource",
    "NearbyEvent",
    "events_near",
    "find_event",
    "load_events",
]

#: The programme's local time zone: the table's times are naive Paris times.
PARIS = ZoneInfo("Europe/Paris")
#: The documented columns of a CSV file and the other names each may have.
COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("titre", "intitulé", "événement", "evenement", "summary"),
    "place": ("lieu", "commune", "location", "adresse"),
    "start": ("début", "debut", "date début", "date de début", "dtstart"),
    "end": ("fin", "date fin", "date de fin", "dtend"),
    "description": ("détails", "details", "programme"),
    "url": ("lien", "site", "inscription"),
}
_REQUIRED = ("title", "place", "start", "end")
_TABLE_COLUMNS = (
    "uid",
    "title",
    "place",
    "insee",
    "lon",
    "lat",
    "start",
    "end",
    "all_day",
    "description",
    "url",
)
#: How far ahead a recurring iCalendar event is expanded, in days.
RECURRENCE_DAYS = 366
_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M")
_POSTCODE = re.compile(r"^\d{5}\s+")


@dataclass(frozen=True, kw_only=True)
class Event:
    """One event of the programme.

    Attributes
    ----------
    uid
        A stable identifier (the iCalendar ``UID``, or made from the title, time and place).
    title, place
        As the programme writes them.
    insee
        The commune it takes place in (None if unknown).
    lon, lat
        Where it is.
    start, end
        When, in Paris time (naive).
    all_day
        True for an event of whole days (no time of day).
    description, url
        What the programme says of it, where given.
    """

    uid: str
    title: str
    place: str
    insee: str | None
    lon: float
    lat: float
    start: datetime
    end: datetime
    all_day: bool = False
    description: str | None = None
    url: str | None = None

    @property
    def place_key(self) -> str:
        """Where a trip finds it: the commune's INSEE code, else ``lat,lon``."""
        return self.insee if self.insee else f"{self.lat:.5f},{self.lon:.5f}"

    def when(self, lang: str = "en") -> str:
        """``Thursday 4 March 2027, 08:30 – 10:00`` in the reader's language."""
        tr = translator(lang)
        day = tr.long_date(self.start.date(), year=True)
        if self.all_day:
            return day
        if self.end.date() != self.start.date():
            return tr._("{start} to {end}").format(
                start=f"{day}, {tr.clock(self.start.time())}",
                end=f"{tr.long_date(self.end.date(), year=True)}, {tr.clock(self.end.time())}",
            )
        return f"{day}, {tr.time_range(self.start.time(), self.end.time())}"

    def summary(self, lang: str = "en") -> str:
        """``Thursday 4 March 2027, 08:30 – 10:00: Newcomers' breakfast (Marciac)``."""
        tr = translator(lang)
        return tr._("{when}: {title} ({place})").format(
            when=self.when(lang), title=self.title, place=self.place
        )


@dataclass(frozen=True, kw_only=True)
class NearbyEvent:
    """An event near a village, and the estimated drive to it."""

    event: Event
    drive_min: float

    def text(self, lang: str = "en") -> str:
        """The event's summary and the drive: ``...: Breakfast (Marciac), 12 min away``.

        An event in the village itself (under a minute away) says so.
        """
        tr = translator(lang)
        if self.drive_min < 1:
            return tr._("{summary}, in the village").format(summary=self.event.summary(lang))
        return tr._("{summary}, {minutes} min away").format(
            summary=self.event.summary(lang), minutes=tr.number(self.drive_min)
        )


class EventsSource(PrivateSource):
    """The programme's events (see the module's docstring for the files and the table)."""

    key: ClassVar[str] = "events"
    name: ClassVar[str | Text] = Text(en="Programme events", fr="Événements du programme")
    publisher: ClassVar[str | Text] = Text(
        en="the CCI programme's advisor", fr="le conseiller du programme de la CCI"
    )
    file_format: ClassVar[str] = (
        "CSV (';', ',' or tab: title, place, start, end, and optionally description, url) "
        "or iCalendar (.ics)"
    )
    edition_rule: ClassVar[str] = "the day of the import"
    load_command: ClassVar[str] = "relocate network events FILE"
    #: A new programme replaces the old: it may list fewer events.
    min_row_share: ClassVar[float] = 0.0
    max_file_bytes: ClassVar[int] = 16 << 20
    table_columns: ClassVar[tuple[str, ...]] = ("uid", "title", "start", "end", "lon", "lat")

    def __init__(self, *, today: date | None = None) -> None:
        #: The day of the import (its edition); None for the day the file is parsed.
        self.today = today

    def parse_private(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse a CSV or iCalendar file of events into the events table.

        Raises
        ------
        SourceFormatError
            Naming the file, and the line and column (CSV) or the event (iCalendar)
            of the first problem: a missing column, a place that names no commune of
            the département, a time that is not one, an end before the start.
        """
        if len(files) != 1:
            raise SourceFormatError(f"the events are one CSV or .ics file; got {len(files)} files")
        path = files[0]
        index = commune_index(context)
        recurring = 0
        if path.suffix.lower() in (".ics", ".ical", ".ifb", ".icalendar"):
            frame, recurring = _read_ics(path, index)
            warnings: list[str] = []
        else:
            frame, warnings = _read_csv(path, index)
        frame = frame.sort_values(["start", "title"], kind="stable", ignore_index=True)
        today = self.today or date.today()
        return Parsed(
            table=frame,
            edition=today.isoformat(),
            edition_date=today,
            warnings=tuple(warnings),
            notes={
                "events": len(frame),
                "places": int(frame["insee"].nunique()),
                "recurring_expanded": recurring,
            },
        )


def _moment(text: str) -> datetime | None:
    text = " ".join(text.split())
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _place(index: CommuneIndex, text: str) -> str:
    """The commune a place names: the whole text, else its parts from the last.

    Raises
    ------
    UnknownVillageError
        The error of the whole text if no part names exactly one commune.
    """
    try:
        return index.resolve(text)
    except UnknownVillageError as first:
        parts = [_POSTCODE.sub("", p.strip()) for p in re.split(r"[,–—]| - ", text)]
        for part in reversed([p for p in parts if p]):
            try:
                return index.resolve(part)
            except UnknownVillageError:
                continue
        raise first from None


def _uid(title: str, start: datetime, place: str) -> str:
    digest = hashlib.sha256(f"{title}|{start.isoformat()}|{place}".encode()).hexdigest()
    return f"{digest[:16]}@relocate"


def _frame(rows: list[dict[str, Any]], index: CommuneIndex) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(_TABLE_COLUMNS))
    missing = frame["lon"].isna().to_numpy() & frame["insee"].notna().to_numpy()
    if missing.any():
        lon, lat = index.positions(frame.loc[missing, "insee"].tolist())
        frame.loc[missing, "lon"] = lon
        frame.loc[missing, "lat"] = lat
    frame["lon"] = frame["lon"].astype(float)
    frame["lat"] = frame["lat"].astype(float)
    frame["start"] = pd.to_datetime(frame["start"])
    frame["end"] = pd.to_datetime(frame["end"])
    frame["all_day"] = frame["all_day"].astype(bool)
    for column in ("uid", "title", "place", "insee", "description", "url"):
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _read_csv(path: Path, index: CommuneIndex) -> tuple[pd.DataFrame, list[str]]:
    table, names = read_programme_csv(
        path, columns=COLUMNS, required=_REQUIRED, max_bytes=EventsSource.max_file_bytes
    )
    titles = text_cells(table, names["title"], required=True)
    places = text_cells(table, names["place"], required=True)
    moments: dict[str, list[datetime]] = {}
    for which in ("start", "end"):
        raw = table.frame[names[which]].astype(str)
        parsed = [_moment(v) for v in raw]
        bad = np.array([p is None for p in parsed])
        bad_cell(table, bad, names[which], "is not a date and time (YYYY-MM-DD HH:MM)")
        moments[which] = [p for p in parsed if p is not None]
    before = np.array([e <= s for s, e in zip(moments["start"], moments["end"], strict=True)])
    bad_cell(table, before, names["end"], "is not after the event's start")
    codes: dict[str, str] = {}
    for row, text in enumerate(places):
        if str(text) not in codes:
            try:
                codes[str(text)] = _place(index, str(text))
            except UnknownVillageError as exc:
                raise SourceFormatError(f"{table.where(row, names['place'])}: {exc}") from None
    descriptions = text_cells(table, names.get("description"))
    urls = text_cells(table, names.get("url"))
    rows = []
    for i, (title, place) in enumerate(zip(titles, places, strict=True)):
        start, end = moments["start"][i], moments["end"][i]
        rows.append(
            {
                "uid": _uid(str(title), start, str(place)),
                "title": str(title),
                "place": str(place),
                "insee": codes[str(place)],
                "lon": np.nan,
                "lat": np.nan,
                "start": start,
                "end": end,
                "all_day": False,
                "description": descriptions.iloc[i],
                "url": urls.iloc[i],
            }
        )
    return _frame(rows, index), list(table.warnings)


# --- iCalendar ----------------------------------------------------------------------------


def _local(value: date | datetime) -> tuple[datetime, bool]:
    """A DTSTART or DTEND as a naive Paris time, and whether it is a whole day."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(PARIS).replace(tzinfo=None)
        return value, False
    return datetime.combine(value, time()), True


def _occurrences(component: Any, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The event's dates: its own, or every occurrence of its RRULE over a year."""
    rule = component.get("RRULE")
    if rule is None:
        return [(start, end)]
    # dateutil comes with pandas (without type stubs here); imported here, lazily: only a
    # recurring event needs it.
    rrulestr = importlib.import_module("dateutil.rrule").rrulestr
    text = rule.to_ical().decode("ascii")
    text = re.sub(r"UNTIL=(\d{8}T\d{6})Z", r"UNTIL=\1", text)  # compared with naive times
    recurrence = rrulestr(text, dtstart=start, forceset=True)
    for excluded in _exdates(component):
        recurrence.exdate(excluded)
    horizon = start + timedelta(days=RECURRENCE_DAYS)
    length = end - start
    return [(s, s + length) for s in recurrence.between(start, horizon, inc=True)][:400]


def _exdates(component: Any) -> list[datetime]:
    found = component.get("EXDATE")
    if found is None:
        return []
    out = []
    for entry in found if isinstance(found, list) else [found]:
        for value in entry.dts:
            out.append(_local(value.dt)[0])
    return out


def _ics_place(
    component: Any, where: str, index: CommuneIndex
) -> tuple[str, str | None, float, float]:
    """An event's place as written, its commune, and its position (NaN: the commune's)."""
    location = " ".join(str(component.get("LOCATION", "")).split())
    geo = component.get("GEO")
    if geo is not None:
        lat, lon = float(geo.latitude), float(geo.longitude)
        mine = index.communes.loc[list(index.names)]
        inside = shapely.contains_xy(mine.geometry.to_numpy(), lon, lat)
        code = str(mine.index[np.flatnonzero(inside)[0]]) if inside.any() else None
        return location or f"{lat:.5f},{lon:.5f}", code, lon, lat
    if not location:
        raise SourceFormatError(f"{where}: no LOCATION and no GEO; say where it takes place")
    try:
        return location, _place(index, location), np.nan, np.nan
    except UnknownVillageError as exc:
        raise SourceFormatError(f"{where}: LOCATION {location!r}: {exc}") from None


def _read_ics(path: Path, index: CommuneIndex) -> tuple[pd.DataFrame, int]:
    """The events of an iCalendar file, and how many recurring ones were expanded."""
    # icalendar is imported here: only an .ics import needs it.
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(path.read_bytes())
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    except ValueError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "not iCalendar"
        raise SourceFormatError(f"{path.name}: not an iCalendar file ({first})") from None
    rows: list[dict[str, Any]] = []
    recurring = 0
    for number, component in enumerate(calendar.walk("VEVENT"), start=1):
        title = " ".join(str(component.get("SUMMARY", "")).split())
        where = f"{path.name}, event {number}" + (f" ({title!r})" if title else "")
        if not title:
            raise SourceFormatError(f"{where}: no SUMMARY; give the event a title")
        if component.get("DTSTART") is None:
            raise SourceFormatError(f"{where}: no DTSTART; say when it starts")
        start, all_day = _local(component.decoded("DTSTART"))
        if component.get("DTEND") is not None:
            end, _ = _local(component.decoded("DTEND"))
        elif component.get("DURATION") is not None:
            end = start + component.decoded("DURATION")
        else:
            end = start + (timedelta(days=1) if all_day else timedelta(hours=1))
        if end <= start:
            raise SourceFormatError(f"{where}: it ends before it starts")
        place, code, lon, lat = _ics_place(component, where, index)
        uid = " ".join(str(component.get("UID", "")).split()) or _uid(title, start, place)
        description = " ".join(str(component.get("DESCRIPTION", "")).split()) or None
        url = " ".join(str(component.get("URL", "")).split()) or None
        dates_of = _occurrences(component, start, end)
        recurring += len(dates_of) > 1
        for k, (begin, finish) in enumerate(dates_of):
            rows.append(
                {
                    "uid": uid if k == 0 else f"{uid}#{begin:%Y%m%dT%H%M}",
                    "title": title,
                    "place": place,
                    "insee": code,
                    "lon": lon,
                    "lat": lat,
                    "start": begin,
                    "end": finish,
                    "all_day": all_day,
                    "description": description,
                    "url": url,
                }
            )
    return _frame(rows, index), recurring


# --- reading the events of a territory ------------------------------------------------------


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _events(table: pd.DataFrame) -> list[Event]:
    columns = {c: table[c].tolist() for c in table.columns}
    starts = pd.to_datetime(table["start"]).dt.to_pydatetime()
    ends = pd.to_datetime(table["end"]).dt.to_pydatetime()
    lon = table["lon"].to_numpy(dtype=float)
    lat = table["lat"].to_numpy(dtype=float)
    return [
        Event(
            uid=str(columns["uid"][i]),
            title=str(columns["title"][i]),
            place=str(columns["place"][i]),
            insee=_text_or_none(columns["insee"][i]),
            lon=float(lon[i]),
            lat=float(lat[i]),
            start=starts[i],
            end=ends[i],
            all_day=bool(columns["all_day"][i]),
            description=_text_or_none(columns["description"][i]),
            url=_text_or_none(columns["url"][i]),
        )
        for i in range(len(table))
    ]


def load_events(territory: Territory) -> list[Event]:
    """Every event of the territory's ``events`` edition, in order of time (none if not loaded)."""
    loaded = territory.open_data.get(EventsSource.key)
    return [] if loaded is None else _events(loaded.table)


def events_near(
    territory: Territory,
    village: str,
    *,
    within_min: float = 30.0,
    after: date | datetime | None = None,
) -> list[NearbyEvent]:
    """The programme's upcoming events within a drive of a village, soonest first.

    Parameters
    ----------
    territory
        The territory (its ``events`` edition, if loaded).
    village
        The village's INSEE code.
    within_min
        The longest drive from the village's town hall to the event, in minutes,
        estimated from the straight-line distance with the territory's drive-time model.
    after
        Events starting before this are left out (a date: from its midnight); default
        now (``Settings.today`` when the territory has one).

    Raises
    ------
    UnknownVillageError
        If ``village`` is not an INSEE code of the territory.
    """
    if village not in territory.villages.index:
        raise UnknownVillageError(f"no village has INSEE code {village!r} here")
    events = load_events(territory)
    if not events:
        return []
    if after is None:
        after = territory.settings.today or datetime.now(PARIS).replace(tzinfo=None)
    since = after if isinstance(after, datetime) else datetime.combine(after, time())
    upcoming = [e for e in events if e.start >= since]
    if not upcoming:
        return []
    lon, lat = village_points(territory.villages.loc[[village]])
    km = geodesic_km(
        float(lon[0]),
        float(lat[0]),
        np.array([e.lon for e in upcoming]),
        np.array([e.lat for e in upcoming]),
    )
    minutes = territory.estimate_model.predict(km)
    near = [
        NearbyEvent(event=e, drive_min=float(m))
        for e, m in zip(upcoming, minutes, strict=True)
        if np.isfinite(m) and m <= within_min
    ]
    return sorted(near, key=lambda n: (n.event.start, n.drive_min, n.event.title))


def find_event(territory: Territory, query: str) -> Event:
    """The one event a query names: its UID, its date (``2027-03-04``) or words of its title.

    A date and words may be combined (``2027-03-04 petit-déjeuner``).

    Raises
    ------
    InvalidOptionError
        If no event, or several, match (listing them with their UIDs).
    """
    events = load_events(territory)
    if not events:
        raise InvalidOptionError(
            "no programme event is loaded: import them with `relocate network events FILE`"
        )
    wanted = " ".join(query.split())
    exact = [e for e in events if e.uid == wanted]
    if exact:
        return exact[0]
    words = wanted.split()
    days = [w for w in words if re.fullmatch(r"\d{4}-\d{2}-\d{2}", w)]
    text = normalise_name(" ".join(w for w in words if w not in days))
    found = [
        e
        for e in events
        if all(e.start.date().isoformat() == d for d in days)
        and (not text or text in normalise_name(e.title))
    ]
    if len(found) == 1:
        return found[0]
    listed = "; ".join(
        f"{e.start:%Y-%m-%d %H:%M} {e.title} ({e.uid})" for e in (found or events)[:8]
    )
    if not found:
        raise InvalidOptionError(f"no programme event matches {wanted!r}; events: {listed}")
    raise InvalidOptionError(
        f"{wanted!r} matches {len(found)} programme events: {listed}; give its date or UID"
    )
