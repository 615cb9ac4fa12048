"""`relocate trip` end to end on the real Gers: the plan, the brief, the CSV and the calendar."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
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
