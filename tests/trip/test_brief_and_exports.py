"""Tests of the trip's outputs: the HTML brief, the schedule CSV and the iCalendar file."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import geopandas as gpd
import pandas as pd
import pytest
from icalendar import Calendar

from relocate.catalogue import default_catalogue
from relocate.errors import OutputError
from relocate.scoring import Profile, Ranking, score
from relocate.settings import Settings
from relocate.sources import SourceInfo
from relocate.territory import Territory
from relocate.trip.brief import build_brief, weight_words, write_brief
from relocate.trip.exports import (
    SCHEDULE_COLUMNS,
    left_out_frame,
    schedule_csv,
    schedule_frame,
    schedule_ics,
    write_schedule_csv,
    write_schedule_ics,
)
from relocate.trip.model import DayPlan, Stop, TripPlan

EVIL_NAME = "<script>alert(1)</script>"
EVIL_ADDRESS = '"><img src=x onerror=alert(1)>'
WEBSITE = "https://fixture-village-b.example"
PARIS = ZoneInfo("Europe/Paris")

ROWS: list[dict[str, Any]] = [
    {"code": "99001", "name": "Fixture base", "lon": 0.50, "lat": 43.60, "population": 5000},
    {
        "code": "99002",
        "name": "Village B",
        "lon": 0.60,
        "lat": 43.60,
        "population": 450,
        "phone": "05 00 00 00 02",
        "email": "mairie@fixture-village-b.example",
        "website": WEBSITE,
    },
    {
        "code": "99003",
        "name": EVIL_NAME,
        "lon": 0.50,
        "lat": 43.70,
        "population": 300,
        "address": EVIL_ADDRESS,
        "hours": None,
    },
    {"code": "99004", "name": "Village D", "lon": 0.70, "lat": 43.75, "population": 200},
    {"code": "99005", "name": "Village E (left out)", "lon": 0.9, "lat": 43.9, "population": 150},
]


@pytest.fixture
def territory(make_villages: Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame]) -> Territory:
    """Five fixture villages with a few features, one source, one estimated feature."""
    villages = make_villages(ROWS)
    index = villages.index
    features = pd.DataFrame(
        {
            "population": villages["population"].astype(float),
            "drive_min_prefecture": [0.0, 12.0, 15.0, float("nan"), 40.0],
            "house_price_eur_m2": [1800.0, 1500.0, 900.0, 1100.0, 1000.0],
            "house_sales": [40.0, 25.0, 2.0, 12.0, 15.0],
            "house_price_low_confidence": [0.0, 0.0, 1.0, 0.0, 0.0],
        },
        index=index,
    )
    source = SourceInfo(
        key="communes",
        name="Fixture communes",
        publisher="Fixture publisher",
        licence="Fixture licence",
        edition="fixture-2025",
        loaded_from="fixture",
    )
    dvf = SourceInfo(
        key="dvf",
        name="Fixture sales",
        publisher="Fixture publisher",
        licence="Fixture licence",
        edition="2024",
        loaded_from="fixture",
    )
    return Territory(
        code="99",
        name="Fixture département",
        prefecture="99001",
        villages=villages,
        features=features,
        airports=gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"),
        sources=(source, dvf),
        settings=Settings(departement="99", cache_dir=Path("unused-fixture-cache")),
        catalogue=default_catalogue(),
        feature_sources={
            "population": ("communes",),
            "drive_min_prefecture": ("communes",),
            "house_price_eur_m2": ("dvf",),
            "house_sales": ("dvf",),
        },
        open_data={},
        estimated=frozenset({"drive_min_prefecture"}),
    )


@pytest.fixture
def ranking(territory: Territory, make_profile: Callable[..., Profile]) -> Ranking:
    """Scored on two criteria with data, one without (fibre), one constraint."""
    profile = make_profile(
        {
            "drive_min_prefecture": {"weight": 3, "better": "lower", "full": 10, "zero": 60},
            "house_price_eur_m2": {"weight": 1, "better": "lower", "full": 800, "zero": 3000},
            "fibre_share_pct": {"weight": 2, "better": "higher", "full": 90, "zero": 10},
        },
        {"population": {"min": 100}},
    )
    return score(territory.features, profile, names=territory.villages["name"])


def _stop(code: str, name: str, day: date, hour: int, drive: float, *, open_: bool = True) -> Stop:
    arrive = datetime(day.year, day.month, day.day, hour, 0)
    return Stop(
        insee=code,
        name=name,
        arrive=arrive,
        depart=arrive + timedelta(minutes=60),
        drive_min=drive,
        townhall_open=open_,
        note=None if open_ else "town hall closed on every day of the trip",
    )


@pytest.fixture
def plan() -> TripPlan:
    """Two days from the fixture base: two stops, then one; one village left out."""
    first, second = date(2025, 10, 13), date(2025, 10, 14)  # a Monday, a Tuesday
    return TripPlan(
        base="99001",
        base_name="Fixture base",
        days=(
            DayPlan(
                day=first,
                leave=datetime(2025, 10, 13, 8, 30),
                back=datetime(2025, 10, 13, 13, 0),
                stops=(
                    _stop("99002", "Village B", first, 9, 11.0),
                    _stop("99003", EVIL_NAME, first, 11, 14.5, open_=False),
                ),
                drive_min=40.0,
            ),
            DayPlan(
                day=second,
                leave=datetime(2025, 10, 14, 8, 30),
                back=datetime(2025, 10, 14, 11, 0),
                stops=(_stop("99004", "Village D", second, 9, 22.0),),
                drive_min=44.0,
            ),
        ),
        left_out={"99005": "too far: 95 min from the base"},
        drive_basis="fixture straight-line estimate",
    )


class _Tags(HTMLParser):
    """Collect every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


# --- the brief -----------------------------------------------------------------------------


def test_brief_names_every_visit_and_prints_on_a4(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory, title="Fixture trip")
    for name in ("Village B", "Village D", "Fixture base", "Village E (left out)"):
        assert name in html
    assert "@page { size: A4; margin: 15mm }" in html
    assert ".day { break-before: page" in html
    # Two days: the second starts a new page, the first does not.
    assert html.count('<section class="day"') == 1
    assert html.count("<svg") == 2
    assert html.count('<div class="card"') == 3
    assert "too far: 95 min from the base" in html
    # Profile in words, with units and weights.
    assert "matters a lot: full satisfaction at 10 min or less, none at 60 min or more" in html
    assert "at least 100 inhabitants" in html
    # Sources with editions, and the drive-time basis.
    assert "dvf 2024" in html
    assert "Fixture communes (Fixture publisher), edition fixture-2025" in html
    assert "fixture straight-line estimate" in html


def test_brief_loads_nothing_from_outside(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory)
    tags = _Tags()
    tags.feed(html)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & {t for t, _ in tags.seen}
    attributes = {name for _, attrs in tags.seen for name, _ in attrs}
    assert "src" not in attributes and "srcset" not in attributes
    assert "@import" not in html and "url(" not in html
    # The only links are town-hall websites.
    hrefs = [value for _, attrs in tags.seen for name, value in attrs if name == "href"]
    assert hrefs == [WEBSITE]
    assert not re.search(r"(src|href)=.http", html.replace(f'href="{WEBSITE}"', ""))


def test_brief_escapes_data(plan: TripPlan, ranking: Ranking, territory: Territory) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory, title=EVIL_NAME)
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_brief_asks_what_the_data_could_not_tell(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory)
    cards = html.split('<div class="card">')[1:]
    village_b, evil, village_d = cards
    # Every card: the unavailable criterion.
    assert all("no data was available" in card for card in cards)
    # Estimated drive time where there is one; a missing one where there is none.
    assert "is an estimate (12.0 min)" in village_b
    assert "the sources have no figure for this village" in village_d
    assert "is an estimate" not in village_d
    # Few sales; no published hours; town hall closed.
    assert "low confidence: 2 sales" in evil
    assert "low confidence" not in village_b
    assert "No opening hours are published" in evil
    assert "town hall closed on every day of the trip" in evil
    assert "closed on every day" not in village_b
    # Town-hall contact details and hours.
    assert "05 00 00 00 02" in village_b
    assert "Monday to Friday: 09:00\u2009–\u200912:00, 14:00\u2009–\u200918:00" in village_b
    assert "(estimate)" in village_b


def test_weight_words() -> None:
    assert weight_words(3, heaviest=3) == "matters a lot"
    assert weight_words(1.5, heaviest=3) == "matters somewhat"
    assert weight_words(0.5, heaviest=3) == "matters a little"
    assert weight_words(0, heaviest=3) == "not counted"


def test_write_brief(
    tmp_path: Path, plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    target = tmp_path / "out" / "brief.html"
    html = build_brief(plan, ranking=ranking, territory=territory)
    write_brief(html, target)
    assert target.read_text(encoding="utf-8") == html


# --- schedule table and CSV ----------------------------------------------------------------


def test_schedule_csv_has_a_row_per_stop_in_order(tmp_path: Path, plan: TripPlan) -> None:
    target = tmp_path / "schedule.csv"
    write_schedule_csv(plan, target)
    table = pd.read_csv(target, dtype={"insee": str, "date": str}, keep_default_na=False)
    assert list(table.columns) == SCHEDULE_COLUMNS
    assert table["insee"].tolist() == ["99002", "99003", "99004"]
    assert table["day"].tolist() == [1, 1, 2]
    assert table["order"].tolist() == [1, 2, 1]
    assert table["date"].tolist() == ["2025-10-13", "2025-10-13", "2025-10-14"]
    assert table["arrive"].tolist() == ["09:00", "11:00", "09:00"]
    assert table["depart"].tolist() == ["10:00", "12:00", "10:00"]
    assert table["drive_min"].tolist() == [11.0, 14.5, 22.0]
    assert table["townhall_open"].tolist() == [True, False, True]
    assert table["note"].tolist() == ["", "town hall closed on every day of the trip", ""]
    assert table["village"].tolist()[1] == EVIL_NAME


def test_left_out_frame(plan: TripPlan) -> None:
    table = left_out_frame(plan, names={"99005": "Village E"})
    assert table.to_dict("records") == [
        {"insee": "99005", "village": "Village E", "reason": "too far: 95 min from the base"}
    ]
    assert schedule_frame(plan)["insee"].tolist().count("99005") == 0


# --- iCalendar -----------------------------------------------------------------------------


def test_ics_has_one_event_per_visit(tmp_path: Path, plan: TripPlan, territory: Territory) -> None:
    target = tmp_path / "trip.ics"
    write_schedule_ics(plan, target, title="Fixture trip", villages=territory.villages)
    calendar = Calendar.from_ical(target.read_bytes())
    assert str(calendar["version"]) == "2.0"
    assert "prodid" in calendar
    events = calendar.walk("VEVENT")
    assert len(events) == 3
    summaries = [str(e["summary"]) for e in events]
    assert summaries == ["Visit Village B", f"Visit {EVIL_NAME}", "Visit Village D"]
    start = events[0].decoded("dtstart")
    end = events[0].decoded("dtend")
    assert start == datetime(2025, 10, 13, 9, 0, tzinfo=PARIS)
    assert end == datetime(2025, 10, 13, 10, 0, tzinfo=PARIS)
    assert start.utcoffset() == timedelta(hours=2)  # summer time in October
    assert str(getattr(start.tzinfo, "key", start.tzinfo)) == "Europe/Paris"
    assert str(events[0]["location"]) == "Mairie, 1 place de Village B"
    assert str(events[1]["location"]) == EVIL_ADDRESS
    assert "05 00 00 00 02" in str(events[0]["description"])
    assert "closed on every day" in str(events[1]["description"])
    uids = [str(e["uid"]) for e in events]
    assert uids[0] == "20251013-99001-99002@relocate"
    assert len(set(uids)) == 3
    # The same plan written again gives the same UIDs.
    write_schedule_ics(plan, target, title="Fixture trip", villages=territory.villages)
    again = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert [str(e["uid"]) for e in again] == uids


# --- failures --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "ics", "html"])
def test_unwritable_folder_raises_output_error(
    tmp_path: Path, kind: str, plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    target = blocker / "sub" / f"trip.{kind}"
    with pytest.raises(OutputError, match="cannot write"):
        if kind == "csv":
            write_schedule_csv(plan, target)
        elif kind == "ics":
            write_schedule_ics(plan, target, title="Fixture trip")
        else:
            write_brief(build_brief(plan, ranking=ranking, territory=territory), target)
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


def test_failed_write_keeps_the_previous_file(
    tmp_path: Path, plan: TripPlan, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "schedule.csv"
    target.write_text("previous")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", broken)
    with pytest.raises(OutputError, match="No space left"):
        write_schedule_csv(plan, target)
    assert target.read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["schedule.csv"]


# --- contents made before anything is written; the same plan gives the same bytes ----------


def test_schedule_contents_match_the_files(tmp_path: Path, plan: TripPlan) -> None:
    write_schedule_csv(plan, tmp_path / "schedule.csv")
    assert (tmp_path / "schedule.csv").read_text(encoding="utf-8") == schedule_csv(plan)
    assert schedule_csv(plan) == schedule_csv(plan)


def _without_stamp(ics: bytes) -> bytes:
    return b"\n".join(line for line in ics.splitlines() if not line.startswith(b"DTSTAMP"))


def test_the_calendar_differs_only_by_its_stamp(plan: TripPlan, territory: Territory) -> None:
    first = schedule_ics(plan, title="Trip", villages=territory.villages)
    second = schedule_ics(plan, title="Trip", villages=territory.villages)
    assert _without_stamp(first) == _without_stamp(second)


@pytest.mark.parametrize("title", ["Two\nlines", "Carriage\r\nreturn", "  spaced   out  "])
def test_a_title_with_line_breaks_makes_a_valid_calendar(
    plan: TripPlan, territory: Territory, title: str
) -> None:
    calendar = Calendar.from_ical(schedule_ics(plan, title=title, villages=territory.villages))
    assert str(calendar["x-wr-calname"]) == " ".join(title.split())
    assert len(list(calendar.walk("VEVENT"))) == sum(len(d.stops) for d in plan.days)
