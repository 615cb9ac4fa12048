"""`relocate trip` end to end on the real Gers: the plan, the brief, the CSV and the calendar."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.slow

NBSP = "\u00a0"


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


def _rows(out: Path) -> list[dict[str, str]]:
    return list(csv.DictReader((out / "schedule.csv").open(encoding="utf-8")))


@pytest.fixture(scope="module")
def trip_run(cli, tmp_path_factory):
    """The issue's case: a family, two days from Auch, the six best villages (French files)."""
    out = tmp_path_factory.mktemp("trip") / "out"
    result = cli(
        "trip", "-p", "family", "--base", "Auch", "--days", "2",
        "--start", _next_monday().isoformat(), "--top", "6", "--out", out, "--lang", "en",
    )  # fmt: skip
    assert result.code == 0, result.err
    return result, out


@pytest.fixture(scope="module")
def french_run(cli, tmp_path_factory):
    """The same trip with the household's default language: French files."""
    out = tmp_path_factory.mktemp("trip-fr") / "out"
    result = cli(
        "trip", "-p", "family", "--base", "Auch", "--days", "2",
        "--start", _next_monday().isoformat(), "--top", "6", "--out", out,
    )  # fmt: skip
    assert result.code == 0, result.err
    return result, out


def test_trip_writes_the_brief_and_the_schedules(trip_run, gers) -> None:
    result, out = trip_run
    assert sorted(p.name for p in out.iterdir()) == ["brief.html", "schedule.csv", "schedule.ics"]
    rows = [r for r in _rows(out) if r["event"] == "visit"]
    assert len(rows) == 6, "every one of the six villages is visited"
    names = gers.villages["name"]
    brief = (out / "brief.html").read_text(encoding="utf-8")
    for row in rows:
        assert row["place"] == names[row["INSEE code"]]
        assert names[row["INSEE code"]] in brief  # every scheduled village has its card
        assert row["address"] and row["phone"]
    events = Calendar.from_ical((out / "schedule.ics").read_bytes()).walk("VEVENT")
    visits = [e for e in events if str(e["summary"]).startswith("Visit ")]
    assert len(visits) == len(rows)
    assert "Drive times: estimate" in result.out


def test_the_two_day_case_uses_both_days_with_a_lunch_break_each_day(trip_run) -> None:
    result, out = trip_run
    rows = _rows(out)
    for day in ("1", "2"):
        events = [r for r in rows if r["day"] == day]
        visits = [r for r in events if r["event"] == "visit"]
        assert visits, f"day {day} has no visit"
        kinds = [r["event"] for r in events]
        assert kinds.count("leave") == kinds.count("back") == 1
        assert kinds.index("leave") < kinds.index("back")
        lunches = [r for r in events if r["event"] == "lunch"]
        assert len(lunches) == 1, events
        start, end = lunches[0]["start time"], lunches[0]["end time"]
        assert start >= "12:00" and end <= "14:00"
        length = datetime.strptime(end, "%H:%M") - datetime.strptime(start, "%H:%M")
        assert length == timedelta(hours=1)
        for visit in visits:  # no visit runs through the lunch break
            assert visit["end time"] <= start or visit["start time"] >= end
    assert "no visit" not in result.out
    assert "Day 1," in result.out and "Day 2," in result.out and "lunch" in result.out


def test_the_base_is_visited_too(cli, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    result = cli(
        "trip", "-p", "family", "--base", "Auch", "--days", "1", "--villages", "Auch,Pavie",
        "--start", _next_monday().isoformat(), "--out", out, "--lang", "en",
    )  # fmt: skip
    assert result.code == 0, result.err
    visits = [r for r in _rows(out) if r["event"] == "visit"]
    assert sorted(r["INSEE code"] for r in visits) == ["32013", "32307"]  # not dropped
    assert "Auch (at the base)" in result.out
    assert "Left out" not in result.out
    brief = (out / "brief.html").read_text(encoding="utf-8")
    assert "Camille BONNE" in brief  # the mayor of Auch, on its card


def test_each_visit_starts_while_the_town_hall_is_open(trip_run, gers) -> None:
    from relocate.features import parse_opening_hours

    _, out = trip_run
    for row in _rows(out):
        if row["event"] != "visit":
            continue
        if row["town hall open"] != "yes":
            assert row["note"], row  # a visit outside opening hours says why
            continue
        day = date.fromisoformat(row["date"]).weekday()
        start = row["start time"]
        slots = parse_opening_hours(gers.villages.at[row["INSEE code"], "townhall_hours"]) or []
        assert any(
            s.day == day and f"{s.start:%H:%M}" <= start <= f"{s.end:%H:%M}" for s in slots
        ), row


def test_the_household_s_files_are_in_french_by_default(french_run) -> None:
    result, out = french_run
    brief = (out / "brief.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in brief and "Séjour de repérage" in brief
    assert f"Maire{NBSP}:" in brief and "(répertoire au " in brief  # each village's mayor
    assert "relocate data" not in brief
    header = (out / "schedule.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("jour,date,numéro de visite,étape,lieu,code INSEE")
    calendar = Calendar.from_ical((out / "schedule.ics").read_bytes())
    summaries = [str(e["summary"]) for e in calendar.walk("VEVENT")]
    assert any(s.startswith(("Visite de ", "Visite d’")) for s in summaries)
    assert any(s.startswith("Déjeuner ") for s in summaries)
    assert b"relocate data" not in (out / "schedule.ics").read_bytes()
    for event in calendar.walk("VEVENT"):
        assert event.decoded("dtstart").second == 0
        if str(event["summary"]).startswith("Visite"):
            description = str(event["description"])
            assert f"Horaires de la mairie{NBSP}:" in description
            assert event.get("location")
            lines = description.splitlines()
            assert len(lines) == len(set(lines))
    # The advisor's terminal keeps the commands that load what is missing.
    assert "relocate data fetch bpe" in result.out


def test_the_terminal_follows_the_locale_and_lang_sets_both(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    args = ["trip", "-p", "family", "--base", "Auch", "--days", "1",
            "--start", _next_monday().isoformat(), "--top", "2"]  # fmt: skip
    french = cli(*args, "--out", tmp_path / "fr")
    assert french.code == 0, french.err
    assert "Jour 1" in french.out and "livret et agenda en français" in french.out
    english = cli(*args, "--out", tmp_path / "en", "--lang", "en")
    assert english.code == 0, english.err
    assert "Day 1" in english.out and "brief and calendar in English" in english.out
    assert '<html lang="en">' in (tmp_path / "en" / "brief.html").read_text(encoding="utf-8")


def test_a_household_flying_into_toulouse_starts_at_blagnac(cli, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    result = cli(
        "trip", "-p", "family", "--base", "TLS", "--days", "1",
        "--start", _next_monday().isoformat(), "--top", "3", "--out", out, "--lang", "en",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "base Toulouse-Blagnac airport (TLS)" in result.out
    rows = _rows(out)
    assert rows[0]["event"] == "leave" and rows[0]["place"] == "Toulouse-Blagnac airport (TLS)"
    assert rows[-1]["place"] == "Toulouse-Blagnac airport (TLS)"
    assert [r for r in rows if r["event"] == "visit"]
    assert float(next(r for r in rows if r["event"] == "visit")["drive before (min)"]) > 30
    brief = (out / "brief.html").read_text(encoding="utf-8")
    assert "Toulouse-Blagnac airport (TLS)" in brief


def test_arrive_at_the_airport_sleep_in_a_village_leave_from_another(cli, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    result = cli(
        "trip", "-p", "family", "--base", "Auch", "--arrive", "TLS", "--leave", "AGF",
        "--arrive-at", "10:30", "--days", "2", "--start", _next_monday().isoformat(),
        "--top", "4", "--out", out, "--lang", "en",
    )  # fmt: skip
    assert result.code == 0, result.err
    rows = _rows(out)
    first = [r for r in rows if r["day"] == "1"]
    last = [r for r in rows if r["day"] == "2"]
    assert first[0]["place"] == "Toulouse-Blagnac airport (TLS)"
    assert first[0]["start time"] >= "10:30"
    assert next(r for r in first if r["event"] == "back")["place"] == "Auch"
    assert next(r for r in last if r["event"] == "back")["place"] == "Agen-La Garenne airport (AGF)"


def test_any_commune_of_france_as_the_base(cli, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    result = cli(
        "trip", "-p", "family", "--base", "Toulouse", "--days", "1",
        "--start", _next_monday().isoformat(), "--top", "2", "--out", out, "--lang", "en",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "base Toulouse (31)" in result.out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--start", "2020-01-01", "--top", "3"], "in the past"),
        (["--start", "NEXT", "--top", "3", "--days", "0"], "at least one day"),
        (["--start", "NEXT", "--top", "9999"], "villages are ranked"),
        (["--start", "NEXT"], "give either --top K or --villages"),
        (["--start", "NEXT", "--base", "Nowherezzz", "--top", "3"], "is no village of Gers"),
        (["--start", "NEXT", "--top", "3", "--lunch", "12:00"], "is not a window"),
        (["--start", "NEXT", "--top", "3", "--day-start", "25:00"], "is not a time of day"),
        (["--start", "NEXT", "--top", "3", "--lunch-min", "300"], "lunch break of 300 min"),
    ],
)
def test_trip_errors_are_one_line(cli, tmp_path: Path, args: list[str], needle: str) -> None:
    args = [_next_monday().isoformat() if a == "NEXT" else a for a in args]
    base = [] if "--base" in args else ["--base", "Auch"]
    days = [] if "--days" in args else ["--days", "1"]
    out = tmp_path / "trip"
    line = cli("trip", "-p", "family", *base, *days, *args, "--out", out).assert_one_line_error()
    assert needle in line
    assert not out.exists()  # nothing written


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--start", "9999-12-31", "--top", "3"], "more than a year ahead"),
        (["--start", "NEXT", "--top", "3", "--days", "1000000"], "at most 14 days"),
        (["--start", "NEXT", "--top", "0"], "'--top': 0 is not in the range x>=1"),
        (["--start", "NEXT", "--top", "3", "--visit-min", "10000"], "a visit of 10000 min"),
        (["--start", "NEXT", "--top", "3", "--max-drive-min", "9" * 30], "of driving a day"),
        (["--start", "NEXT", "--villages", " , ,"], "no village to visit"),
    ],
    ids=["year-9999", "a-million-days", "top-0", "visit-10000", "endless-driving", "no-villages"],
)
def test_trip_bounds_are_one_line_and_quick(
    cli, tmp_path: Path, args: list[str], needle: str
) -> None:
    args = [_next_monday().isoformat() if a == "NEXT" else a for a in args]
    days = [] if "--days" in args else ["--days", "1"]
    out = tmp_path / "trip"
    started = time.monotonic()
    line = cli("trip", "-p", "family", "--base", "Auch", *days, *args, "--out", out)
    assert needle in line.assert_one_line_error()
    assert time.monotonic() - started < 30
    assert not out.exists()


def test_top_beyond_the_ranked_villages_says_how_many_are(cli, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    result = cli(
        "trip", "-p", "family", "--base", "Auch", "--days", "1",
        "--start", _next_monday().isoformat(), "--top", "9999", "--out", out,
    )  # fmt: skip
    line = result.assert_one_line_error()
    assert re.search(r"--top 9999: only (\d+) villages are ranked .*; ask for 1 to \1$", line)


def test_trip_writes_all_three_files_or_none(cli, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    (out / "schedule.ics").mkdir(parents=True)  # the calendar cannot be written
    result = cli(
        "trip", "-p", "family", "--base", "Auch", "--days", "1",
        "--start", _next_monday().isoformat(), "--top", "3", "--out", out,
    )  # fmt: skip
    assert "schedule.ics" in result.assert_one_line_error()
    assert sorted(p.name for p in out.iterdir()) == ["schedule.ics"]  # no brief.html alone


def _trip_files(cache_dir: Path, folder: Path, seed: int) -> dict[str, bytes]:
    out = folder / f"seed-{seed}"
    env = {**os.environ, "RELOCATE_CACHE_DIR": str(cache_dir), "PYTHONHASHSEED": str(seed)}
    proc = subprocess.run(
        [sys.executable, "-m", "relocate", "trip", "-p", "family", "--base", "Auch",
         "--days", "2", "--start", _next_monday().isoformat(), "--top", "6", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_two_trips_under_two_hash_seeds_write_the_same_files(cache_dir, gers, tmp_path) -> None:
    del gers  # fills the cache first
    first = _trip_files(cache_dir, tmp_path, 1)
    second = _trip_files(cache_dir, tmp_path, 2)
    assert list(first) == ["brief.html", "schedule.csv", "schedule.ics"]
    assert first["brief.html"] == second["brief.html"]
    assert first["schedule.csv"] == second["schedule.csv"]

    def unstamped(ics: bytes) -> list[bytes]:
        return [line for line in ics.splitlines() if not line.startswith(b"DTSTAMP:")]

    assert unstamped(first["schedule.ics"]) == unstamped(second["schedule.ics"])


def test_trip_refuses_to_overwrite_the_profile(cli, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    out.mkdir()
    profile = out / "schedule.csv"
    profile.write_text((Path(__file__).parents[2] / "data/profiles/family.toml").read_text())
    result = cli(
        "trip", "-p", profile, "--base", "Auch", "--days", "1",
        "--start", _next_monday().isoformat(), "--top", "3", "--out", out,
    )  # fmt: skip
    assert "would overwrite the profile it reads" in result.assert_one_line_error()
    assert sorted(p.name for p in out.iterdir()) == ["schedule.csv"]
