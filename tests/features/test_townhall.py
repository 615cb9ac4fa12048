"""Town-hall opening hours: the published timetable, hours per week, readable text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod

from relocate.features import (
    parse_opening_hours,
    townhall_hours_per_week,
)
from relocate.outputs.formats import format_opening_hours

GEOD = Geod(ellps="WGS84")
MakeVillages = Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame]

HOURS_40 = '[["lundi","vendredi",[["08:00:00","12:30:00"],["13:30:00","17:00:00"]]]]'
ONE_DAY = '[["mercredi","mercredi",[["09:00:00","12:15:00"]]]]'
WRAPPING = '[["samedi","lundi",[["10:00:00","12:00:00"]]]]'
TWO_ENTRIES = (
    '[["lundi","mardi",[["09:00:00","12:00:00"]]],["jeudi","jeudi",[["14:00:00","16:30:00"]]]]'
)


def geod_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def shuffled(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same villages in a non-sorted order."""
    out = frame.iloc[[2, 0, 1]]
    assert not out.index.is_monotonic_increasing
    return out


# --- town-hall opening hours ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        (HOURS_40, 40.0),
        (ONE_DAY, 3.25),
        (WRAPPING, 6.0),  # Saturday, Sunday and Monday, 2 h each
        (TWO_ENTRIES, 8.5),
        ('[["dimanche","dimanche",[["10:00:00","11:00:00"]]]]', 1.0),
        ('[["lundi","dimanche",[["09:00:00","10:00:00"]]]]', 7.0),
    ],
    ids=["weekdays", "single-day", "wrapping", "two-entries", "sunday", "whole-week"],
)
def test_hours_per_week(make_villages: MakeVillages, text: str, hours: float) -> None:
    villages = make_villages(
        [{"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6, "hours": text}]
    )
    result = townhall_hours_per_week(villages)
    assert result.name == "townhall_hours_per_week"
    assert result.dtype == np.float64
    assert result.loc["99001"] == pytest.approx(hours)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        None,
        np.nan,
        "",
        "garbage",
        "{}",
        "42",
        "null",
        '[["lundi","vendredi"]]',
        '[["lundi","vendredi",[["08:00:00"]]]]',
        '[["monday","friday",[["08:00:00","12:00:00"]]]]',
        '[["lundi","vendredi",[["8h","12h"]]]]',
        '[["lundi","vendredi",[]]]',
    ],
    ids=[
        "empty-list",
        "none",
        "nan",
        "empty-string",
        "garbage",
        "object",
        "number",
        "json-null",
        "no-intervals",
        "half-interval",
        "english-days",
        "bad-times",
        "no-slots",
    ],
)
def test_unknown_timetable_is_nan_not_zero(make_villages: MakeVillages, text: Any) -> None:
    villages = make_villages(
        [
            {"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6, "hours": text},
            {"code": "99002", "name": "Village B", "lon": 0.6, "lat": 43.6, "hours": HOURS_40},
        ]
    )
    assert parse_opening_hours(text) is None
    assert format_opening_hours(text) is None
    result = townhall_hours_per_week(villages)
    assert np.isnan(result.loc["99001"])
    assert result.loc["99002"] == pytest.approx(40.0)


def test_parsed_slots_are_sorted_by_day_then_time() -> None:
    slots = parse_opening_hours(WRAPPING)
    assert slots is not None
    assert [s.day for s in slots] == [0, 5, 6]
    assert all(s.hours == pytest.approx(2.0) for s in slots)
    two = parse_opening_hours(TWO_ENTRIES)
    assert two is not None
    assert [(s.day, f"{s.start:%H:%M}") for s in two] == [(0, "09:00"), (1, "09:00"), (3, "14:00")]


def plain(text: str | None) -> str | None:
    """The text with its typographic spaces as plain ones, to compare."""
    return (
        None
        if text is None
        else text.replace("\u2009", " ").replace("\xa0", " ").replace("\u202f", " ")
    )


def test_format_opening_hours() -> None:
    # Days with the same hours are grouped; times as each language writes them.
    assert plain(format_opening_hours(HOURS_40)) == "Monday to Friday: 08:00 – 12:30, 13:30 – 17:00"
    assert plain(format_opening_hours(HOURS_40, lang="fr")) == (
        "du lundi au vendredi : 8 h – 12 h 30, 13 h 30 – 17 h"
    )
    assert plain(format_opening_hours(WRAPPING)) == (
        "Monday: 10:00 – 12:00; Saturday and Sunday: 10:00 – 12:00"
    )
    assert plain(format_opening_hours(WRAPPING, lang="fr")) == (
        "lundi : 10 h – 12 h ; samedi et dimanche : 10 h – 12 h"
    )
    assert plain(format_opening_hours(ONE_DAY)) == "Wednesday: 09:00 – 12:15"
