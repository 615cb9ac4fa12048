"""The events source: CSV and iCalendar, the upcoming events near a village, trip appointments."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime
from pathlib import Path

import pytest

import relocate
from relocate.cli.programme import event_appointment, event_appointments
from relocate.errors import InvalidOptionError, SourceFormatError
from relocate.programme._private import private_import
from relocate.programme.events import EventsSource, events_near, find_event, load_events
from relocate.sources.opendata import ParseContext
from relocate.sources.store import Store
from tests.programme.conftest import FIXTURES, IMPORT_DAY

MARCIAC = "32233"


def _import(cache: Path, context: ParseContext, path: Path) -> None:
    private_import(EventsSource(today=IMPORT_DAY), [path], store=Store(cache), context=context)


def _table(cache: Path):  # type: ignore[no-untyped-def]
    loaded = Store(cache).load(EventsSource(), departement="32")
    assert loaded is not None
    return loaded.table


def test_the_csv_events_are_placed_in_their_commune(cache: Path, context: ParseContext) -> None:
    _import(cache, context, FIXTURES / "events.csv")
    table = _table(cache)
    assert len(table) == 8
    first = table.iloc[0]
    assert first["title"] == "Petit-déjeuner des nouveaux arrivants"
    assert first["insee"] == MARCIAC  # "Salle des fêtes, 32230 Marciac"
    assert first["start"] == datetime(2027, 3, 4, 8, 30)
    assert table["insee"].notna().all()
    assert table["lon"].between(-0.5, 1.5).all()


def test_the_ics_events_convert_times_expand_recurrences_and_drop_attendees(
    cache: Path, context: ParseContext
) -> None:
    _import(cache, context, FIXTURES / "events.ics")
    table = _table(cache)
    cafes = table[table["title"] == "Café des indépendants"]
    # 07:30 UTC in March is 08:30 in Paris; monthly, four times.
    assert cafes["start"].dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2027-03-02 08:30",
        "2027-04-02 08:30",
        "2027-05-02 08:30",
        "2027-06-02 08:30",
    ]
    assert cafes["uid"].is_unique
    picnic = table[table["title"] == "Pique-nique du réseau"].iloc[0]
    assert bool(picnic["all_day"])
    assert picnic["lat"] == pytest.approx(43.6396)
    assert len(table) == 13
    assert not table.astype(str).apply(lambda c: c.str.contains("invite@example.org")).any().any()
    folder = cache / "events"
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "Atelier,Auch,2027-03-05 14:00,2027-03-05 13:00\n",
            "column 'end': '2027-03-05 13:00' is not after",
        ),
        ("Atelier,Auch,le 5 mars,2027-03-05 13:00\n", "'le 5 mars' is not a date and time"),
        ("Atelier,Nulle-Part,2027-03-05 14:00,2027-03-05 15:00\n", "no village named 'Nulle-Part'"),
        (",Auch,2027-03-05 14:00,2027-03-05 15:00\n", "column 'title': empty"),
    ],
)
def test_a_bad_event_is_refused_in_one_line(
    cache: Path, context: ParseContext, tmp_path: Path, rows: str, expected: str
) -> None:
    path = tmp_path / "events.csv"
    path.write_text("title,place,start,end\n" + rows, encoding="utf-8")
    with pytest.raises(SourceFormatError) as caught:
        _import(cache, context, path)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
    assert not any(p for p in (cache / "events").iterdir() if not p.name.startswith("."))


def test_an_ics_event_without_a_place_is_refused(
    cache: Path, context: ParseContext, tmp_path: Path
) -> None:
    path = tmp_path / "events.ics"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Atelier\r\n"
        "DTSTART:20270305T130000Z\r\nDTEND:20270305T150000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError, match=r"event 1 \('Atelier'\): no LOCATION and no GEO"):
        _import(cache, context, path)


def test_events_near_a_village_are_the_upcoming_ones_within_the_drive(
    programme_gers: relocate.Territory,
) -> None:
    near = events_near(programme_gers, MARCIAC, within_min=30, after=date(2027, 3, 3))
    titles = [n.event.title for n in near]
    assert titles[0] == "Petit-déjeuner des nouveaux arrivants"
    assert near[0].drive_min == pytest.approx(0.0, abs=0.5)
    assert all(n.drive_min <= 30 for n in near)
    assert all(n.event.start >= datetime(2027, 3, 3) for n in near)
    assert [n.event.start for n in near] == sorted(n.event.start for n in near)
    assert "Afterwork du réseau" not in titles  # L'Isle-Jourdain is far from Marciac
    text = near[0].text("fr")
    assert text.startswith("jeudi 4 mars 2027")
    assert events_near(programme_gers, MARCIAC, within_min=30, after=date(2028, 1, 1)) == []


def test_an_event_becomes_a_fixed_appointment_of_the_trip(
    programme_gers: relocate.Territory,
) -> None:
    event = find_event(programme_gers, "2027-03-04 petit-déjeuner")
    appointment = event_appointment(event)
    assert appointment.title == event.title
    assert appointment.place == MARCIAC
    assert (appointment.start, appointment.end) == (
        datetime(2027, 3, 4, 8, 30),
        datetime(2027, 3, 4, 10, 0),
    )
    assert event_appointments(programme_gers, [event.uid]) == [appointment]
    picnic = find_event(programme_gers, "pique-nique")
    with pytest.raises(InvalidOptionError, match="not at a time on one day"):
        event_appointment(picnic)


def test_an_ambiguous_or_unknown_event_lists_the_candidates(
    programme_gers: relocate.Territory,
) -> None:
    with pytest.raises(InvalidOptionError, match="matches 4 programme events"):
        find_event(programme_gers, "café")
    with pytest.raises(InvalidOptionError, match="no programme event matches 'concert'"):
        find_event(programme_gers, "concert")
    assert len(load_events(programme_gers)) == 13
