"""The programme's options of rank, map and trip: --trade, --event, --advisor.

Run as the command line runs them, on a copy of the fixtures' cache (invented members,
events and notes in the real Gers), on the fixtures' day (1 December 2026).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult, run_main
from tests.programme.test_privacy import PROFILE_TOML, TRIP, _FixtureDay

pytestmark = pytest.mark.slow

Run = Callable[..., CliResult]


def _profile(folder: Path, *, trade: bool) -> Path:
    path = folder / ("with-trade.toml" if trade else "without-trade.toml")
    text = PROFILE_TOML if trade else PROFILE_TOML.replace('trade = "graphiste"\n', "")
    path.write_text(text, encoding="utf-8")
    return path


def _runner(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("RELOCATE_CACHE_DIR", str(cache))
    monkeypatch.setattr("relocate.trip.plan.date", _FixtureDay)
    return run_main


@pytest.fixture
def run(programme_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    """``relocate ...`` in-process on a copy of the fixtures' cache."""
    cache = tmp_path / "cache"
    shutil.copytree(programme_cache, cache)
    yield _runner(cache, monkeypatch)


def test_the_trade_comes_from_the_profile_or_trade(run: Run, tmp_path: Path) -> None:
    without = _profile(tmp_path, trade=False)
    result = run("rank", "--profile", without, "--top", "3", "--lang", "en")
    assert result.code == 0, result.err
    assert "(trade_members_within_30min): no trade is given for the household" in result.out
    result = run("rank", "--profile", without, "--top", "3", "--lang", "en", "--trade", "graphiste")
    assert result.code == 0, result.err
    assert "no trade is given" not in result.out
    assert "trade_members_within_30min" in result.out  # a column of the table: scored
    with_trade = _profile(tmp_path, trade=True)
    by_profile = run("rank", "--profile", with_trade, "--top", "3", "--lang", "en")
    assert by_profile.out == result.out.replace(str(without), str(with_trade))


def test_a_blank_trade_is_refused_in_one_line(run: Run, tmp_path: Path) -> None:
    result = run("rank", "--profile", _profile(tmp_path, trade=True), "--trade", "  ")
    assert result.code == 2
    assert result.err_lines == [
        "relocate: error: --trade is blank: name the trade (e.g. --trade graphiste)"
    ]
    bad = tmp_path / "bad.toml"
    bad.write_text(PROFILE_TOML.replace('"graphiste"', "3"), encoding="utf-8")
    result = run("rank", "--profile", bad)
    assert result.code == 2
    assert len(result.err_lines) == 1 and "trade: must be text in quotes" in result.err


def test_the_map_says_the_members_of_the_trade_asked(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    profile = _profile(tmp_path, trade=True)
    result = run("map", "--profile", profile, "--trade", "architecte", "--out", out)
    assert result.code == 0, result.err
    html = out.read_text(encoding="utf-8")
    assert "votre métier (architecte)" in html
    assert "votre métier (graphiste)" not in html


def test_an_event_that_names_none_or_several_is_refused_in_one_line(
    run: Run, tmp_path: Path
) -> None:
    profile = _profile(tmp_path, trade=True)
    base = ["trip", "--profile", profile, *TRIP[:-2], "--out", tmp_path / "trip"]
    for query, says in (
        ("garden party", "no programme event matches 'garden party'"),
        ("petit-déjeuner", "'petit-déjeuner' matches 2 programme events"),
        ("afterwork de printemps", "is on 2027-04-01, not a day of the trip"),
    ):
        result = run(*base, "--event", query)
        assert result.code == 2, query
        assert len(result.err_lines) == 1 and says in result.err, result.err
    assert not (tmp_path / "trip").exists()


def test_an_event_is_kept_as_an_appointment(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "trip"
    profile = _profile(tmp_path, trade=True)
    result = run("trip", "--profile", profile, *TRIP, "--out", out, "--lang", "en")
    assert result.code == 0, result.err
    day_1 = next(line for line in result.out.splitlines() if line.startswith("Day 1"))
    assert "Petit-déjeuner des nouveaux arrivants 08:30" in day_1
    assert "Petit-déjeuner des nouveaux arrivants" in (out / "schedule.ics").read_text("utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["brief.html", "schedule.csv", "schedule.ics"]


def test_the_advisor_flag_says_what_it_holds(run: Run) -> None:
    result = run("trip", "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "--advisor" in text
    assert "must not be given to the household" in text
    assert "brief-advisor.html" in text


def test_the_advisor_s_copy_without_members_says_it_has_no_one(
    base_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(base_cache, cache)
    run = _runner(cache, monkeypatch)
    out = tmp_path / "trip"
    trip = TRIP[:-2]  # no event: none is loaded here
    result = run("trip", "--profile", "family", *trip, "--advisor", "--out", out, "--lang", "en")
    assert result.code == 0, result.err
    assert "No programme members are loaded" in result.out
    brief = (out / "brief.html").read_text("utf-8")
    assert 'class="programme-household"' not in brief  # nothing to say without the programme's data
    assert (out / "brief-advisor.html").exists()
