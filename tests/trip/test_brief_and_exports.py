"""Tests of the trip's outputs: the HTML brief, the schedule CSV and the iCalendar file."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
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
from relocate.sources.mayors import MayorData, mayors_source
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
from relocate.trip.model import DayPlan, Lunch, Place, Reason, Stop, TripPlan

EVIL_NAME = "<script>alert(1)</script>"
EVIL_ADDRESS = '"><img src=x onerror=alert(1)>'
WEBSITE = "https://fixture-village-b.example"
PARIS = ZoneInfo("Europe/Paris")
NBSP = "\u00a0"

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
COMMUNES_CITATION = "Fixture communes (Fixture publisher), edition fixture-2025"


def _source(key: str, name: str, edition: str) -> SourceInfo:
    return SourceInfo(
        key=key,
        name=name,
        publisher="Fixture publisher",
        licence="Fixture licence",
        edition=edition,
        loaded_from="fixture",
    )


@pytest.fixture
def territory(make_villages: Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame]) -> Territory:
    """Five fixture villages with a few features, two sources, one estimated feature."""
    villages = make_villages(ROWS)
    index = villages.index
    features = pd.DataFrame(
        {
            "population": villages["population"].astype(float),
            "drive_min_prefecture": [0.0, 12.0, 15.0, float("nan"), 40.0],
            "house_price_eur_m2": [1800.0, 1500.0, 900.0, 1100.0, 1000.0],
            "house_sales": [40.0, 25.0, 2.0, 12.0, 15.0],
            "house_price_low_confidence": [0.0, 0.0, 1.0, 0.0, 0.0],
            "dist_km_station": [0.2, 1.5, 8.0, 12.0, 20.0],
            "drive_min_station": [0.3, 2.0, 9.0, 14.0, 22.0],
            "nearest_station_name": ["Fixture base", "Gimont Cahuzac", None, "Gare D", "Gare E"],
        },
        index=index,
    )
    return Territory(
        code="99",
        name="Fixture département",
        prefecture="99001",
        villages=villages,
        features=features,
        airports=gpd.GeoDataFrame(geometry=[], crs="EPSG:4326"),
        sources=(
            _source("communes", "Fixture communes", "fixture-2025"),
            _source("dvf", "Fixture sales", "2024"),
            _source("sncf", "Fixture stations", "2030-01"),
        ),
        settings=Settings(departement="99", cache_dir=Path("unused-fixture-cache")),
        catalogue=default_catalogue(),
        feature_sources={
            "population": ("communes",),
            "drive_min_prefecture": ("communes",),
            "house_price_eur_m2": ("dvf",),
            "house_sales": ("dvf",),
            "dist_km_station": ("sncf",),
            "drive_min_station": ("sncf",),
            "nearest_station_name": ("sncf",),
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


@pytest.fixture
def mayors() -> MayorData:
    table = pd.DataFrame(
        {
            "first_name": ["Camille"],
            "last_name": ["FIXTURE"],
            "sex": ["F"],
            "mandate_start": ["2026-03-15"],
            "office_start": ["2026-03-28"],
        },
        index=pd.Index(["99002"], name="insee"),
    )
    as_of = date(2026, 12, 7)
    return MayorData(mayors=table, as_of=as_of, source=mayors_source(as_of, "fixture"))


def _place(code: str, name: str, lon: float, lat: float) -> Place:
    return Place(kind="village", key=code, name=name, lon=lon, lat=lat, insee=code)


BASE = _place("99001", "Fixture base", 0.50, 43.60)


def _stop(code: str, name: str, day: date, hour: int, drive: float, *, open_: bool = True) -> Stop:
    arrive = datetime(day.year, day.month, day.day, hour, 0)
    return Stop(
        insee=code,
        name=name,
        arrive=arrive,
        depart=arrive + timedelta(minutes=60),
        drive_min=drive,
        townhall_open=open_,
        note=None if open_ else Reason("town hall closed on every day of the trip"),
    )


FIRST, SECOND, THIRD = date(2025, 10, 13), date(2025, 10, 14), date(2025, 10, 15)


@pytest.fixture
def plan() -> TripPlan:
    """Three days from the fixture base: two stops, one stop, none; one village left out."""
    return TripPlan(
        base="99001",
        base_name="Fixture base",
        base_place=BASE,
        days=(
            DayPlan(
                day=FIRST,
                leave=datetime(2025, 10, 13, 8, 30),
                back=datetime(2025, 10, 13, 14, 30),
                stops=(
                    _stop("99002", "Village B", FIRST, 9, 11.0),
                    _stop("99003", EVIL_NAME, FIRST, 11, 14.5, open_=False),
                ),
                drive_min=40.0,
                start=BASE,
                end=BASE,
                lunch=Lunch(
                    start=datetime(2025, 10, 13, 12, 0),
                    end=datetime(2025, 10, 13, 13, 0),
                    place=EVIL_NAME,
                    after=2,
                ),
                back_drive_min=14.5,
            ),
            DayPlan(
                day=SECOND,
                leave=datetime(2025, 10, 14, 8, 30),
                back=datetime(2025, 10, 14, 11, 0),
                stops=(_stop("99004", "Village D", SECOND, 9, 22.0),),
                drive_min=44.0,
                start=BASE,
                end=BASE,
                back_drive_min=22.0,
            ),
            DayPlan(
                day=THIRD,
                leave=datetime(2025, 10, 15, 8, 30),
                back=datetime(2025, 10, 15, 8, 30),
                stops=(),
                drive_min=0.0,
                start=BASE,
                end=BASE,
                why_empty=Reason("fewer visits ({n}) than days ({days})", (("n", 3), ("days", 3))),
            ),
        ),
        left_out={"99005": Reason("more than {max} min round trip from the base", (("max", 95),))},
        drive_basis="fixture straight-line estimate",
    )


class _Tags(HTMLParser):
    """Collect every start tag and its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


class _Text(HTMLParser):
    """The text a reader sees, without styles and without what is marked translate="no"."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title") or ("translate", "no") in attrs or self._skip:
            self._skip.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def has_word(text: str, word: str) -> bool:
    """True if ``word`` (a word or phrase) is in ``text`` as whole words."""
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def words_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t\r\n]+", " ", " ".join(parser.parts)).strip()  # no-break spaces kept


# --- the brief -----------------------------------------------------------------------------


def test_the_brief_is_in_french_by_default(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory)
    assert html.startswith('<!DOCTYPE html>\n<html lang="fr">')
    text = words_of(html)
    for phrase in (
        "Séjour de repérage depuis Fixture base",
        "Ce que cherche le foyer",
        "Le programme",
        f"Jour 1{NBSP}: lundi 13 octobre 2025",
        "Satisfaction",
        f"Pas de donnée sur «{NBSP}Locaux éligibles à la fibre{NBSP}» ici{NBSP}: "
        "à demander en mairie.",
    ):
        assert phrase in text, phrase
    for english in ("Day", "Visit", "Town hall", "Mayor", "Leave", "Back at", "the", "and"):
        assert not has_word(text, english), english


def test_the_brief_in_english(plan: TripPlan, ranking: Ranking, territory: Territory) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory, lang="en")
    assert '<html lang="en">' in html
    text = words_of(html)
    for phrase in ("Scouting trip from Fixture base", "Day 1: Monday 13 October 2025", "Lunch"):
        assert phrase in text, phrase
    for french in ("Jour", "Visite", "Mairie", "Départ", "Retour", "Déjeuner", "et", "le"):
        assert not has_word(text, french), french


def test_brief_names_every_visit_and_prints_on_a4(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory, title="Fixture trip", lang="en")
    for name in ("Village B", "Village D", "Fixture base", "Village E (left out)"):
        assert name in html
    assert "@page { size: A4" in html
    assert ".day { break-before: page" in html
    # A page per day with a visit; the empty third day has none, the programme says why.
    assert html.count('<section class="day"') == 2
    assert html.count("<svg") == 2
    assert html.count('<article class="card"') == 3
    assert "no visit: fewer visits (3) than days (3)" in html
    assert "more than 95 min round trip from the base" in html
    # The profile in words, with units and weights, and the share of it compared.
    assert "(high importance): full satisfaction at 10 min or less, none at 60 min or more" in html
    assert "at least 100 inhabitants" in html
    assert "67% of these priorities (by weight) could be compared here." in html
    assert "Without data, not compared: premises eligible to fibre." in html
    # Headings stay with what follows them.
    assert "break-after: avoid" in html
    assert '<div class="keep"><h2>Day 1' in html


def test_sources_are_stated_once_not_per_value(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory, lang="en")
    assert html.count(COMMUNES_CITATION) == 1
    assert html.count("Fixture sales (Fixture publisher), edition 2024") == 1
    assert "dvf 2024" not in html and "communes fixture" not in html
    assert "Drive times: estimate" in html or "fixture" in html


def test_no_command_and_no_utility_for_the_household(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    assert "relocate data" in ranking.unavailable["fibre_share_pct"]  # the advisor's reason
    for lang in ("fr", "en"):
        html = build_brief(plan, ranking=ranking, territory=territory, lang=lang)
        assert "relocate data" not in html and "fetch" not in html
        assert "utility" not in html.lower() and "utilité" not in html.lower()
        ics = schedule_ics(plan, title="Trip", villages=territory.villages, lang=lang)
        assert b"relocate data" not in ics


def test_not_a_recommendation_yet_below_the_share(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    strict = dataclasses.replace(
        territory, settings=dataclasses.replace(territory.settings, min_scored_share=0.9)
    )
    html = build_brief(plan, ranking=ranking, territory=strict)
    assert "Pas encore une recommandation" in html and 'class="alert"' in html
    relaxed = build_brief(plan, ranking=ranking, territory=territory)
    assert "Pas encore une recommandation" not in relaxed


def test_the_nearest_facility_by_name(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory)
    card_b = html.split('<article class="card">')[1]
    assert f"Gare de voyageurs la plus proche{NBSP}: " in card_b
    assert f'<span translate="no">Gimont Cahuzac</span>, 1,5{NBSP}km' in card_b
    # Open-data facts besides the criteria: the house price with its doubt.
    evil = html.split('<article class="card">')[2]
    assert "peu de données" in evil or "2 ventes" in evil


def test_the_mayor_is_named_with_the_date_of_the_information(
    plan: TripPlan, ranking: Ranking, territory: Territory, mayors: MayorData
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory, mayors=mayors)
    card_b = html.split('<article class="card">')[1]
    assert f"Maire{NBSP}:" in card_b and "Camille FIXTURE" in card_b
    assert "depuis le 28 mars 2026" in card_b and "(répertoire au 7 décembre 2026)" in card_b
    assert f"Maire{NBSP}: absent du répertoire" in html.split('<article class="card">')[2]
    assert html.count("Répertoire national des élus") == 1  # in the sources
    english = build_brief(plan, ranking=ranking, territory=territory, mayors=mayors, lang="en")
    assert "since 28 March 2026" in english and "register as of 7 December 2026" in english


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
    html = build_brief(plan, ranking=ranking, territory=territory, lang="en")
    cards = html.split('<article class="card">')[1:]
    village_b, evil, village_d = cards
    # Once for every town hall, on the summary page: the criterion with no data anywhere.
    summary = html.split('<section class="day">')[0]
    assert "To ask at every town hall" in summary
    assert "No data on “Premises eligible to fibre” here: ask at the town hall." in summary
    assert all("Premises eligible to fibre" not in card for card in cards)
    # A figure missing for one village; few sales; no published hours; town hall closed.
    assert "no data for this village" in village_d
    assert "No figure for “Drive to the préfecture” in this village" in village_d
    assert "low confidence: 2 sales" in evil and "ask local estate agents" in evil
    assert "low confidence" not in village_b
    assert "The town hall is closed on every day of the trip: call for a meeting." in evil
    assert "closed on every day" not in village_b
    # Town-hall contact details and hours; estimates marked.
    assert "05 00 00 00 02" in village_b
    assert "Monday to Friday: 09:00\u2009–\u200912:00, 14:00\u2009–\u200918:00" in village_b
    assert "≈ 12.0 min" in village_b


def test_the_day_map_names_the_villages_in_black_and_white(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    html = build_brief(plan, ranking=ranking, territory=territory, lang="en")
    first_map = html.split("<svg")[1].split("</svg>")[0]
    assert '<text class="label"' in first_map
    assert '<tspan translate="no">Village B</tspan></text>' in first_map
    assert '<tspan translate="no">Fixture base</tspan> (start and end)</text>' in first_map
    assert 'class="route straight"' in first_map  # no road network: straight, dashed, said so
    assert "dashed: straight lines (no road network loaded)" in first_map
    colours = set(re.findall(r"#[0-9a-fA-F]{3,6}\b", html.split("svg.map")[1]))
    for colour in colours:  # greys only: it prints in black and white
        digits = colour[1:]
        digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
        assert digits[0:2] == digits[2:4] == digits[4:6], colour


def test_the_day_map_follows_the_roads_when_loaded(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    # A road from the base east to Village B through a bend at (0.55, 43.58), and back.
    nodes = [(1, 0.50, 43.60), (2, 0.55, 43.58), (3, 0.60, 43.60), (4, 0.50, 43.70),
             (5, 0.70, 43.75)]  # fmt: skip
    pairs = [(1, 2), (2, 3), (3, 4), (4, 1), (3, 5), (5, 1)]
    at = {n: (x, y) for n, x, y in nodes}
    edges = []
    for a, b in pairs + [(b, a) for a, b in pairs]:
        edges.append({"u": a, "v": b, "u_lon": at[a][0], "u_lat": at[a][1],
                      "v_lon": at[b][0], "v_lat": at[b][1]})  # fmt: skip
    table = pd.DataFrame(edges).assign(length_m=5000.0, travel_time_s=300.0)
    osm = SimpleNamespace(table=table, info=SimpleNamespace(edition="fixture"))
    routed = dataclasses.replace(territory, open_data={"osm": osm})
    html = build_brief(plan, ranking=ranking, territory=routed, lang="en")
    first_map = html.split("<svg")[1].split("</svg>")[0]
    assert 'class="route straight"' not in first_map
    assert "the route along the roads" in first_map
    lines = re.findall(r'<polyline class="route" points="([^"]+)"', first_map)
    assert lines and len(lines[0].split()) >= 3  # base -> bend -> Village B, not a straight line


def test_an_appointment_in_the_brief_and_the_calendar(
    plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    meeting = Stop(
        insee="99004",
        name="Village D",
        arrive=datetime(2025, 10, 14, 14, 0),
        depart=datetime(2025, 10, 14, 15, 30),
        drive_min=10.0,
        townhall_open=True,
        kind="appointment",
        title="Rencontre avec le notaire",
        place=_place("99004", "Village D", 0.70, 43.75),
    )
    second = dataclasses.replace(plan.days[1], stops=(*plan.days[1].stops, meeting))
    with_meeting = dataclasses.replace(plan, days=(plan.days[0], second, plan.days[2]))
    html = build_brief(with_meeting, ranking=ranking, territory=territory)
    assert html.count("Rencontre avec le notaire") >= 2  # the programme, the schedule, its card
    events = Calendar.from_ical(schedule_ics(with_meeting, title="T", villages=territory.villages))
    summaries = [str(e["summary"]) for e in events.walk("VEVENT")]
    assert "Rencontre avec le notaire" in summaries
    rows = schedule_frame(with_meeting, villages=territory.villages)
    assert "appointment" in rows["event"].tolist()


def test_weight_words() -> None:
    assert weight_words(3, heaviest=3) == "high importance"
    assert weight_words(1.5, heaviest=3) == "medium importance"
    assert weight_words(0.5, heaviest=3) == "low importance"
    assert weight_words(0, heaviest=3) == "no weight"
    assert weight_words(3, heaviest=3, lang="fr") == "importance forte"


def test_write_brief(
    tmp_path: Path, plan: TripPlan, ranking: Ranking, territory: Territory
) -> None:
    target = tmp_path / "out" / "brief.html"
    html = build_brief(plan, ranking=ranking, territory=territory)
    write_brief(html, target)
    assert target.read_text(encoding="utf-8") == html


# --- schedule table and CSV ----------------------------------------------------------------


def test_schedule_csv_has_a_row_per_event_in_order(
    tmp_path: Path, plan: TripPlan, territory: Territory
) -> None:
    target = tmp_path / "schedule.csv"
    write_schedule_csv(plan, target, villages=territory.villages, lang="en")
    table = pd.read_csv(target, dtype=str, keep_default_na=False)
    assert list(table.columns) == [
        "day", "date", "visit number", "event", "place", "INSEE code", "start time", "end time",
        "drive before (min)", "town hall open", "address", "phone", "e-mail", "note",
    ]  # fmt: skip
    assert table["event"].tolist() == [
        "leave", "visit", "visit", "lunch", "back", "leave", "visit", "back",
    ]  # fmt: skip
    places = table["place"].tolist()
    assert places[0] == places[4] == "Fixture base"
    visits = table[table["event"] == "visit"]
    assert visits["INSEE code"].tolist() == ["99002", "99003", "99004"]
    assert visits["day"].tolist() == ["1", "1", "2"]
    assert visits["visit number"].tolist() == ["1", "2", "1"]
    assert visits["start time"].tolist() == ["09:00", "11:00", "09:00"]
    assert visits["end time"].tolist() == ["10:00", "12:00", "10:00"]
    assert visits["drive before (min)"].tolist() == ["11.0", "14.5", "22.0"]
    assert visits["town hall open"].tolist() == ["yes", "no", "yes"]
    assert visits["address"].tolist()[0] == "Mairie, 1 place de Village B"
    assert visits["phone"].tolist()[0] == "05 00 00 00 02"
    assert visits["note"].tolist()[1] == (
        "The town hall is closed on every day of the trip: call for a meeting."
    )
    assert visits["place"].tolist()[1] == EVIL_NAME
    back = table[table["event"] == "back"]
    assert back["start time"].tolist() == ["14:30", "11:00"]
    assert back["drive before (min)"].tolist() == ["14.5", "22.0"]


def test_the_csv_speaks_french_by_default(plan: TripPlan, territory: Territory) -> None:
    text = schedule_csv(plan, villages=territory.villages)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "jour", "date", "numéro de visite", "étape", "lieu", "code INSEE", "heure de début",
        "heure de fin",
        "route avant (min)", "mairie ouverte", "adresse", "téléphone", "courriel", "remarque",
    ]  # fmt: skip
    assert [r["étape"] for r in rows][:5] == ["départ", "visite", "visite", "déjeuner", "retour"]
    assert rows[1]["mairie ouverte"] == "oui"


def test_left_out_frame(plan: TripPlan) -> None:
    table = left_out_frame(plan, names={"99005": "Village E"})
    assert table.to_dict("records") == [
        {
            "insee": "99005",
            "village": "Village E",
            "reason": "more than 95 min round trip from the base",
        }
    ]
    assert left_out_frame(plan, lang="fr")["reason"].tolist() == [
        "plus de 95 min aller-retour depuis la base"
    ]
    assert "99005" not in schedule_frame(plan)["insee"].tolist()
    assert list(schedule_frame(plan).columns) == SCHEDULE_COLUMNS


# --- iCalendar -----------------------------------------------------------------------------


def test_ics_has_an_event_per_visit_and_lunch(
    tmp_path: Path, plan: TripPlan, territory: Territory, mayors: MayorData
) -> None:
    target = tmp_path / "trip.ics"
    write_schedule_ics(
        plan, target, title="Fixture trip", villages=territory.villages, mayors=mayors
    )
    calendar = Calendar.from_ical(target.read_bytes())
    assert str(calendar["version"]) == "2.0"
    assert "prodid" in calendar
    events = calendar.walk("VEVENT")
    summaries = [str(e["summary"]) for e in events]
    assert summaries == [
        "Visite de Village B",
        f"Visite de {EVIL_NAME}",
        f"Déjeuner à {EVIL_NAME}",
        "Visite de Village D",
    ]
    start = events[0].decoded("dtstart")
    end = events[0].decoded("dtend")
    assert start == datetime(2025, 10, 13, 9, 0, tzinfo=PARIS)
    assert end == datetime(2025, 10, 13, 10, 0, tzinfo=PARIS)
    assert start.utcoffset() == timedelta(hours=2)  # summer time in October
    assert str(getattr(start.tzinfo, "key", start.tzinfo)) == "Europe/Paris"
    assert str(events[0]["location"]) == "Mairie, 1 place de Village B"
    assert str(events[1]["location"]) == EVIL_ADDRESS
    description = str(events[0]["description"])
    assert f"Maire{NBSP}: Camille FIXTURE, depuis le 28 mars 2026" in description
    assert f"Téléphone{NBSP}: 05 00 00 00 02" in description
    assert "Horaires de la mairie" in description and "lundi" in description
    assert f"Mairie{NBSP}: Mairie, 1 place de Village B" in description
    closed = str(events[1]["description"]).splitlines()
    advice = (
        f"La mairie est fermée tous les jours du séjour{NBSP}: appelez pour prendre rendez-vous."
    )
    assert closed.count(advice) == 1
    for event in events:  # one note per event, no line twice
        lines = str(event.get("description", "")).splitlines()
        assert len(lines) == len(set(lines))
    uids = [str(e["uid"]) for e in events]
    assert uids[0] == "20251013-99001-99002@relocate"
    assert len(set(uids)) == len(uids)
    # The same plan written again gives the same UIDs.
    write_schedule_ics(plan, target, title="Fixture trip", villages=territory.villages)
    again = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert [str(e["uid"]) for e in again] == uids


def test_ics_in_english_and_to_the_minute(plan: TripPlan, territory: Territory) -> None:
    day = plan.days[1]
    stop = dataclasses.replace(
        day.stops[0],
        arrive=datetime(2025, 10, 14, 9, 0, 41, 5),
        depart=datetime(2025, 10, 14, 10, 0, 59),
    )
    odd = dataclasses.replace(plan, days=(dataclasses.replace(day, stops=(stop,)),))
    ics = schedule_ics(odd, title="Trip", villages=territory.villages, lang="en")
    events = Calendar.from_ical(ics).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Visit Village D"]
    assert events[0].decoded("dtstart") == datetime(2025, 10, 14, 9, 0, tzinfo=PARIS)
    assert events[0].decoded("dtend") == datetime(2025, 10, 14, 10, 0, tzinfo=PARIS)
    assert b"DTSTART;TZID=Europe/Paris:20251014T090000" in ics


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
    assert len(list(calendar.walk("VEVENT"))) == 4  # three visits and a lunch


def test_the_facts_a_brief_card_gives_are_the_catalogue_s() -> None:
    from relocate.catalogue import default_catalogue
    from relocate.trip.brief import FACT_DESTINATIONS, FACT_FEATURES

    catalogue = default_catalogue()
    unknown = [n for n in FACT_FEATURES if not catalogue.is_known(n)]
    unknown += [k for k in FACT_DESTINATIONS if catalogue.service_kind(k) is None]
    assert unknown == []
