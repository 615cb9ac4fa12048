"""Profiles as a hostile user writes them: every refusal is one ProfileError line, never a crash.

The cases seen in the field come first, one test each; then properties (Hypothesis):
whatever the dictionary, text or bytes, loading gives a profile or one line.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relocate.errors import ProfileError
from relocate.scoring import Profile, load_profile, parse_profile, score
from relocate.scoring.profile import (
    MAX_BYTES,
    MAX_NAME,
    MAX_VALUE,
    MAX_WEIGHT,
    MIN_WEIGHT,
    profile_path,
)

POPULATION = '[criteria.population]\nweight = 1\nbetter = "higher"\nfull = 800\nzero = 80\n'
VALID = 'name = "Fixture"\n' + POPULATION


def one_line(exc: pytest.ExceptionInfo[ProfileError], *fragments: str) -> str:
    message = str(exc.value)
    assert isinstance(exc.value, ProfileError)
    assert message and "\n" not in message and "\r" not in message, repr(message)
    assert len(message) < 600, message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def write(folder: Path, text: str | bytes, name: str = "p.toml") -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def criterion(**changes: Any) -> dict[str, Any]:
    return {"weight": 1, "better": "higher", "full": 800, "zero": 80, **changes}


def profile_with(**changes: Any) -> dict[str, Any]:
    return {"name": "Fixture", "criteria": {"population": criterion(**changes)}}


# --- seen in the field ---------------------------------------------------------------------


def test_a_profile_nested_100000_deep_is_one_line(tmp_path: Path) -> None:
    depth = 100_000
    path = write(tmp_path, 'name = "x"\nv = ' + "[" * depth + "]" * depth + "\n")
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    one_line(exc, "nested too deeply", str(path))


def test_a_dictionary_nested_deeply_is_one_line() -> None:
    data: dict[str, Any] = {}
    node = data
    for _ in range(5_000):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(ProfileError) as exc:
        parse_profile({"name": "x", "criteria": {"population": data}})
    one_line(exc)


@pytest.mark.parametrize("name", ["Two\nlines", "Carriage\rreturn", "Bell\x07", "Esc\x1b[31m"])
def test_a_name_on_two_lines_or_with_control_characters_is_refused(name: str) -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile({**profile_with(), "name": name}, origin="p.toml")
    one_line(exc, "profile p.toml: name: ", "one line of text", "description")


@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_a_blank_name_is_refused(name: str) -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile({**profile_with(), "name": name})
    one_line(exc, "name")


def test_a_long_name_is_refused_and_the_longest_allowed_accepted() -> None:
    assert parse_profile({**profile_with(), "name": "n" * MAX_NAME}).name == "n" * MAX_NAME
    with pytest.raises(ProfileError) as exc:
        parse_profile({**profile_with(), "name": "n" * 100_000})
    one_line(exc, "100000 characters", f"at most {MAX_NAME}")


def test_a_description_keeps_its_lines_but_not_control_characters() -> None:
    text = "First line.\n\tSecond line."
    assert parse_profile({**profile_with(), "description": text}).description == text
    with pytest.raises(ProfileError) as exc:
        parse_profile({**profile_with(), "description": "bell\x07"})
    one_line(exc, "description", "control characters")


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    assert load_profile(path).name == "Fixture"


def test_crlf_line_ends_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("\n", "\r\n").encode("utf-8"))
    assert load_profile(path).name == "Fixture"


@pytest.mark.parametrize(
    ("weight", "fragments"),
    [
        (1e308, ["weight must be a number of zero or more, at most 100", "1e+308"]),
        (101, ["at most 100", "101"]),
        (1e-300, ["too small", "give 0", f"at least {MIN_WEIGHT:g}"]),
        (0.001, ["too small"]),
        ("3", ["must be a number, not text ('3')", "without quotes"]),
        (True, ["must be a number, not true or false"]),
        ([1], ["give a number, or a range of two numbers [low, high]"]),  # a range is two
        ({"a": 1}, ["must be a number, not a table"]),
        (datetime.date(2030, 1, 1), ["must be a number, not a date"]),
        (10**400, ["401 digits", "too large"]),
    ],
    ids=["1e308", "101", "1e-300", "0.001", "text", "true", "array", "table", "date", "huge-int"],
)
def test_weights_are_bounded_numbers(weight: Any, fragments: list[str]) -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile(profile_with(weight=weight), origin="p.toml")
    one_line(exc, "profile p.toml: criteria.population.weight: ", *fragments)


@pytest.mark.parametrize("weight", [0.01, 0.5, 1, 3, 99.5, MAX_WEIGHT])
def test_weights_within_bounds_are_accepted(weight: float) -> None:
    assert parse_profile(profile_with(weight=weight)).criteria["population"].weight == weight


@pytest.mark.parametrize(
    ("changes", "fragments"),
    [
        ({"full": 1e308}, ["criteria.population.full", "between -1e+09 and 1e+09"]),
        ({"zero": -1e308, "full": 0}, ["criteria.population.zero", "1e+09"]),
        ({"full": "800"}, ["criteria.population.full", "not text"]),
        ({"zero": False}, ["criteria.population.zero", "true or false"]),
        ({"better": 1}, ["better must be 'lower' or 'higher'"]),
    ],
    ids=["full-1e308", "zero-minus-1e308", "full-text", "zero-bool", "better-number"],
)
def test_thresholds_are_bounded_numbers(changes: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile(profile_with(**changes))
    one_line(exc, *fragments)


@pytest.mark.parametrize(
    ("bounds", "fragment"),
    [({"min": 1e308}, "1e+09"), ({"max": "5"}, "not text"), ({"min": True}, "true or false")],
)
def test_constraint_bounds_are_bounded_numbers(bounds: dict[str, Any], fragment: str) -> None:
    data = {**profile_with(), "constraints": {"population": bounds}}
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    one_line(exc, "constraints.population.", fragment)


def test_the_largest_thresholds_score_finitely() -> None:
    profile = parse_profile(
        {
            "name": "Extremes",
            "criteria": {
                "population": criterion(weight=MAX_WEIGHT, full=MAX_VALUE, zero=-MAX_VALUE),
                "density_per_km2": criterion(weight=MIN_WEIGHT, full=1, zero=0),
            },
        }
    )
    features = pd.DataFrame(
        {"population": [0.0, 1e9, -1e9, np.nan], "density_per_km2": [0.5, 2, np.nan, np.nan]},
        index=pd.Index(["99001", "99002", "99003", "99004"], name="insee"),
    )
    table = score(features, profile).table
    assert table.loc["99002", "score"] == pytest.approx(100.0)
    assert np.isnan(table.loc["99004", "score"])
    scores = table["score"].dropna()
    assert ((scores >= 0) & (scores <= 100)).all()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"name": 3, "criteria": {"population": criterion()}}, "name: must be text in quotes"),
        ({"name": "x", "criteria": 3}, "criteria: must be a table"),
        ({"name": "x", "criteria": {"population": 3}}, "criteria.population: must be a table"),
        ({"name": "x", "criteria": {}}, "at least one criterion"),
        ({"name": "x", "criteria": {"a\nb": criterion()}}, "unknown criterion 'a\\nb'"),
        ({"name": "x", "criteria": {"population": {**criterion(), "a\nb": 1}}}, "'a\\nb'"),
    ],
    ids=["name-number", "criteria-number", "criterion-number", "no-criteria", "key-nl", "field-nl"],
)
def test_wrong_shapes_are_one_line(data: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    one_line(exc, fragment)


def test_the_unknown_criterion_line_is_short_and_names_three_near_ones() -> None:
    data = {"name": "x", "criteria": {"drive_min_school": criterion(better="lower", full=1)}}
    data["criteria"]["drive_min_school"]["zero"] = 9
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    message = one_line(
        exc,
        "unknown criterion 'drive_min_school' in criteria; did you mean ",
        "'drive_min_primary_school'",
        "`relocate criteria` lists every criterion",
    )
    assert message.count("'drive_min_") == 4  # the criterion and three near ones
    assert len(message) < 300


def test_an_unknown_criterion_of_a_whole_paragraph_is_shortened() -> None:
    name = "x" * 10_000
    with pytest.raises(ProfileError) as exc:
        parse_profile({"name": "x", "criteria": {name: criterion()}})
    one_line(exc, "unknown criterion 'xxxx")


def test_a_part_of_a_name_finds_the_criteria_that_contain_it() -> None:
    with pytest.raises(ProfileError) as exc:
        parse_profile({"name": "x", "criteria": {"price": criterion()}})
    one_line(exc, "did you mean 'house_price_eur_m2'")


# --- what a profile path names ---------------------------------------------------------------


def test_a_folder_is_not_a_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile(tmp_path)
    one_line(exc, "is a folder, not a file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    outcome: list[BaseException | Profile] = []

    def run() -> None:
        try:
            outcome.append(load_profile(fifo))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=10)
    assert outcome, "load_profile waited on the pipe"
    assert isinstance(outcome[0], ProfileError)
    assert "is a named pipe (FIFO), not a file" in str(outcome[0])


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null here")
def test_a_device_is_refused() -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile("/dev/null")
    one_line(exc, "'/dev/null' is a device, not a file")


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile(tmp_path / "absent.toml")
    one_line(exc, "not found", "absent.toml")


def test_a_file_under_a_file_is_not_found(tmp_path: Path) -> None:
    blocker = write(tmp_path, "not a folder", "blocker")
    with pytest.raises(ProfileError) as exc:
        load_profile(blocker / "p.toml")
    one_line(exc, "not found")


def test_a_huge_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    one_line(exc, "1,000,001 bytes", "small TOML file")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "no profile given"),
        ("a\0b", "NUL character"),
        ("x" * 5000, "no profile file or preset named 'xxx"),
        ("/" + "x" * 5000 + ".toml", "cannot read profile '/xxx"),
    ],
    ids=["empty", "nul", "name-too-long", "path-too-long"],
)
def test_impossible_paths_are_one_line(text: str, fragment: str) -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile(text)
    one_line(exc, fragment)


def test_a_path_with_a_line_break_is_quoted_on_one_line(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile(tmp_path / "two\nlines.toml")
    one_line(exc, "two\\nlines.toml")


def test_a_path_with_a_line_break_that_exists_names_it_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'name = "x"\n', "two\nlines.toml")
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    one_line(exc, "two\\nlines.toml")


def test_not_utf8_says_which_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b'name = "\xff"\n')
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    one_line(exc, "not UTF-8 text (byte 0xff at position 8)", "save it as UTF-8")


def test_a_symbolic_link_to_a_profile_is_read(tmp_path: Path) -> None:
    target = write(tmp_path, VALID)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    assert load_profile(link).name == "Fixture"


def test_a_folder_named_like_a_preset_leaves_the_preset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "family").mkdir()
    monkeypatch.chdir(tmp_path)
    assert profile_path("family").name == "family.toml"
    assert load_profile("family") == load_profile(profile_path("family"))


# --- properties ----------------------------------------------------------------------------

_KEYS = st.sampled_from(
    [
        *("name", "description", "criteria", "constraints", "weight", "better", "full", "zero"),
        *("min", "max", "population", "drive_min_TLS", "density_per_km2", "wieght", ""),
    ]
) | st.text(max_size=12)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["lower", "higher"])
    | st.dates()
    | st.datetimes()
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=5),
    max_leaves=20,
)


def _criteria(names: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    numbers = st.floats(allow_nan=True, allow_infinity=True) | st.integers() | _SCALARS
    table = st.fixed_dictionaries(
        {},
        optional={
            "weight": numbers,
            "better": st.sampled_from(["lower", "higher", "sideways"]) | _SCALARS,
            "full": numbers,
            "zero": numbers,
            "min": numbers,
            "max": numbers,
        },
    )
    return st.dictionaries(names, table | _VALUES, max_size=4)


_NAMES = st.sampled_from(["population", "drive_min_TLS", "density_per_km2", "dist_km_town"])
_PROFILES = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=40) | _SCALARS,
        "description": st.text(max_size=40) | _SCALARS,
        "criteria": _criteria(_NAMES | st.text(max_size=20)) | _VALUES,
        "constraints": _criteria(_NAMES | st.text(max_size=20)) | _VALUES,
    },
) | st.dictionaries(_KEYS, _VALUES, max_size=6)


def _assert_sound(profile: Profile) -> None:
    """A profile that loads can be scored: weights, thresholds and bounds within limits."""
    assert profile.name.strip() and len(profile.name) <= MAX_NAME
    assert any(c.weight > 0 for c in profile.criteria.values())
    for c in profile.criteria.values():
        assert c.weight == 0 or MIN_WEIGHT <= c.weight <= MAX_WEIGHT
        assert abs(c.full) <= MAX_VALUE and abs(c.zero) <= MAX_VALUE
    for bound in profile.constraints.values():
        for value in (bound.min, bound.max):
            assert value is None or abs(value) <= MAX_VALUE


def _scores_are_in_range(profile: Profile) -> None:
    names = sorted({*profile.criteria, *profile.constraints})
    rng = np.random.default_rng(0)
    features = pd.DataFrame(
        rng.uniform(-1e4, 1e4, size=(5, len(names))),
        columns=names,
        index=pd.Index([f"9900{i}" for i in range(5)], name="insee"),
    )
    scores = score(features, profile).table["score"].to_numpy(dtype=float)
    finite = scores[~np.isnan(scores)]
    assert ((finite >= 0) & (finite <= 100 + 1e-9)).all(), scores


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PROFILES)
def test_any_dictionary_gives_a_profile_or_one_line(data: dict[str, Any]) -> None:
    try:
        profile = parse_profile(data, origin="p.toml")
    except ProfileError as exc:
        message = str(exc)
        assert message.startswith("profile p.toml") and "\n" not in message, repr(message)
        assert len(message) < 600
    else:
        _assert_sound(profile)
        _scores_are_in_range(profile)


_ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**12), 10**12)
_NUMERIC_CRITERION = st.fixed_dictionaries(
    {
        "weight": _ANY_FLOAT | st.floats(0, 200),
        "better": st.sampled_from(["lower", "higher"]),
        "full": _ANY_FLOAT,
        "zero": _ANY_FLOAT,
    }
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_NAMES, _NUMERIC_CRITERION, min_size=1, max_size=4))
def test_any_numbers_give_a_sound_profile_or_one_line(criteria: dict[str, Any]) -> None:
    try:
        profile = parse_profile({"name": "Numbers", "criteria": criteria})
    except ProfileError as exc:
        assert "\n" not in str(exc)
    else:
        _assert_sound(profile)
        _scores_are_in_range(profile)


def _toml_value(value: Any) -> str:
    """A value as TOML (inline), for the text property below."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value if v is not None) + "]"
    if isinstance(value, dict):
        items = [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None]
        return "{" + ", ".join(items) + "}"
    return json.dumps(str(value))


@settings(max_examples=200, deadline=None)
@given(_PROFILES)
def test_any_toml_file_gives_a_profile_or_one_line(data: dict[str, Any]) -> None:
    text = "".join(
        f"{json.dumps(key)} = {_toml_value(value)}\n"
        for key, value in data.items()
        if value is not None
    )
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), text)
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            assert "\n" not in str(exc), repr(str(exc))
        else:
            _assert_sound(profile)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300) | st.binary(max_size=300))
def test_any_file_content_gives_a_profile_or_one_line(content: str | bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), content)
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            assert "\n" not in str(exc), repr(str(exc))
        else:
            _assert_sound(profile)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_profile_argument_gives_a_profile_or_one_line(argument: str) -> None:
    try:
        load_profile(argument)
    except ProfileError as exc:
        assert "\n" not in str(exc), repr(str(exc))


def test_recursion_limit_is_left_as_it_was() -> None:
    limit = sys.getrecursionlimit()
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "v = " + "[" * 50_000 + "]" * 50_000)
        with pytest.raises(ProfileError):
            load_profile(path)
    assert sys.getrecursionlimit() == limit


def test_score_refuses_a_profile_built_without_validation() -> None:
    valid = parse_profile(profile_with())
    criterion_ = valid.criteria["population"].model_copy(update={"weight": 1e308})
    unchecked = valid.model_copy(update={"criteria": {"population": criterion_}})
    features = pd.DataFrame({"population": [100.0]}, index=pd.Index(["99001"], name="insee"))
    with pytest.raises(ProfileError, match=r"the weight of population is not 0 or 0\.01 to 100"):
        score(features, unchecked)
