"""`relocate trip` end to end on the real Gers: the plan, the brief, the CSV and the calendar."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar

pytestmark = pytest.mark.slow


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


@pytest.fixture(scope="module")
def trip_run(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("trip") / "out"
    result = cli(
        "trip", "-p", "family", "--base", "Auch", "--days", "2",
        "--start", _next_monday().isoformat(), "--top", "6", "--out", out,
    )  # fmt: skip
    assert result.code == 0, result.err
    return result, out


def test_trip_writes_the_brief_and_the_schedules(trip_run, gers) -> None:
    result, out = trip_run
    assert sorted(p.name for p in out.iterdir()) == ["brief.html", "schedule.csv", "schedule.ics"]
    rows = list(csv.DictReader((out / "schedule.csv").open(encoding="utf-8")))
    assert rows, "no visit planned"
    names = gers.villages["name"]
    brief = (out / "brief.html").read_text(encoding="utf-8")
    for row in rows:
        assert row["village"] == names[row["insee"]]
        assert names[row["insee"]] in brief  # every scheduled village has its card
    events = [c for c in Calendar.from_ical((out / "schedule.ics").read_bytes()).walk("VEVENT")]
    assert len(events) == len(rows)
    assert "drive times: estimate" in result.out
    assert "Left out: Auch (32013): it is the base" in result.out  # rank 1 is the base


def test_each_visit_starts_while_the_town_hall_is_open(trip_run, gers) -> None:
    from relocate.features import parse_opening_hours

    _, out = trip_run
    for row in csv.DictReader((out / "schedule.csv").open(encoding="utf-8")):
        if row["townhall_open"] != "True":
            assert row["note"], row  # a visit outside opening hours says why
            continue
        day = date.fromisoformat(row["date"]).weekday()
        start = row["arrive"]
        slots = parse_opening_hours(gers.villages.at[row["insee"], "townhall_hours"]) or []
        assert any(
            s.day == day and f"{s.start:%H:%M}" <= start <= f"{s.end:%H:%M}" for s in slots
        ), row


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--start", "2020-01-01", "--top", "3"], "in the past"),
        (["--start", "NEXT", "--top", "3", "--days", "0"], "at least one day"),
        (["--start", "NEXT", "--top", "9999"], "villages are ranked"),
        (["--start", "NEXT"], "give either --top K or --villages"),
        (["--start", "NEXT", "--base", "Agen", "--top", "3"], "is not a village of Gers"),
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
