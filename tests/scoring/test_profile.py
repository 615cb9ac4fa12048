"""Profiles: loading, validation messages, utility curves."""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from relocate.errors import ProfileError, RelocateError
from relocate.scoring import Constraint, Criterion, list_presets, load_profile, parse_profile
from relocate.scoring.profile import presets_dir

REPO = Path(__file__).resolve().parents[2]
PRESET_FILES = sorted((REPO / "data" / "profiles").glob("*.toml"))
PRESET_NAMES = ["couple-agen-toulouse", "family", "remote-worker", "tight-budget"]


def assert_one_line(exc: pytest.ExceptionInfo[ProfileError], *fragments: str) -> str:
    """The error is a ProfileError (ValueError, RelocateError) with a one-line message."""
    assert isinstance(exc.value, ProfileError)
    assert isinstance(exc.value, ValueError)
    assert isinstance(exc.value, RelocateError)
    message = str(exc.value)
    assert "\n" not in message, message
    assert message.strip() == message and message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return message


def with_change(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A deep copy of ``data`` with one nested key set (or deleted if value is ...)."""
    out = copy.deepcopy(data)
    node = out
    for key in path[:-1]:
        node = node.setdefault(key, {})
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return out


# --- loading files and presets -------------------------------------------------------------


def test_presets_are_listed() -> None:
    assert set(PRESET_NAMES) <= set(list_presets())
    assert list_presets() == sorted(list_presets())
    assert presets_dir() == REPO / "data" / "profiles"


@pytest.mark.parametrize("path", PRESET_FILES, ids=lambda p: p.stem)
def test_every_preset_loads_with_a_positive_weight(path: Path) -> None:
    profile = load_profile(path)
    assert profile.name
    assert any(c.weight > 0 for c in profile.criteria.values())
    # Loading by preset name gives the same profile as loading by path.
    assert load_profile(path.stem) == profile


def test_preset_files_exist() -> None:
    assert [p.stem for p in PRESET_FILES] == PRESET_NAMES


def test_preset_name_resolves_to_the_data_file() -> None:
    path = REPO / "data" / "profiles" / "family.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    profile = load_profile("family")
    assert profile == parse_profile(data)
    # The presets are named in both languages.
    assert profile.title("fr") == data["name"]["fr"]
    assert profile.title("en") == data["name"]["en"]
    assert list(profile.criteria) == list(data["criteria"])
    assert list(profile.constraints) == list(data["constraints"])
    # A constraint with only a maximum keeps no minimum.
    assert profile.constraints["drive_min_town"].min is None


def test_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile("no-such-preset")
    assert_one_line(exc, "'no-such-preset'", *PRESET_NAMES)


def test_missing_file_lists_the_presets(tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(ProfileError) as exc:
        load_profile(missing)
    assert_one_line(exc, "not found", "absent.toml", *PRESET_NAMES)


def test_a_directory_is_not_a_profile(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as exc:
        load_profile(tmp_path)
    assert_one_line(exc, "is a folder, not a file", str(tmp_path))


def test_a_local_file_is_preferred_to_a_preset_of_the_same_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "family").write_text(
        'name = "Local fixture"\n[criteria.population]\n'
        'weight = 1\nbetter = "higher"\nfull = 10\nzero = 1\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert load_profile("family").name == "Local fixture"


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "Broken\n[criteria.population\nweight = ', encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        load_profile(broken)
    assert_one_line(exc, "not valid TOML", "broken.toml")


def test_unreadable_encoding_is_a_profile_error(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('name = "Préfecture"\n'.encode("latin-1"))
    with pytest.raises(ProfileError) as exc:
        load_profile(latin1)
    assert_one_line(exc, "cannot read profile", "latin1.toml")


def test_toml_file_matches_the_dictionary(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'name = "Fixture"\n'
        "[criteria.drive_min_TLS]\n"
        'weight = 2\nbetter = "lower"\nfull = 30\nzero = 90\n'
        "[constraints.population]\nmin = 100\n",
        encoding="utf-8",
    )
    expected = parse_profile(
        {
            "name": "Fixture",
            "criteria": {"drive_min_TLS": {"weight": 2, "better": "lower", "full": 30, "zero": 90}},
            "constraints": {"population": {"min": 100}},
        }
    )
    assert load_profile(path) == expected
    assert load_profile(str(path)) == expected


def test_error_message_names_the_origin(tmp_path: Path) -> None:
    path = tmp_path / "zero.toml"
    path.write_text(
        'name = "Fixture"\n[criteria.population]\n'
        'weight = 0\nbetter = "higher"\nfull = 10\nzero = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    message = assert_one_line(exc, "weight 0")
    assert message.startswith(f"profile {path}:")


# --- validation ----------------------------------------------------------------------------


def test_valid_profile_parses(valid_profile_data: dict[str, Any]) -> None:
    profile = parse_profile(valid_profile_data)
    assert profile.criteria["drive_min_TLS"] == Criterion(
        weight=2, better="lower", full=30, zero=90
    )
    assert profile.constraints == {"population": Constraint(min=100)}
    assert profile.description == ""


@pytest.mark.parametrize(
    ("path", "value", "fragments"),
    [
        (("criteria", "drive_min_TLS", "weight"), -1, ["drive_min_TLS.weight", "-1"]),
        (("criteria", "drive_min_TLS", "weight"), math.nan, ["weight", "zero or more"]),
        (("criteria", "drive_min_TLS", "weight"), math.inf, ["weight", "zero or more"]),
        (("criteria", "drive_min_TLS", "weight"), "heavy", ["drive_min_TLS.weight"]),
        (("criteria", "drive_min_TLS", "weight"), 0, ["weight 0", "positive"]),
        (("criteria", "drive_min_TLS", "full"), 120, ["full (120)", "below zero (90)"]),
        (("criteria", "drive_min_TLS", "full"), 90, ["full (90)", "below zero (90)"]),
        (("criteria", "drive_min_TLS", "full"), math.nan, ["full", "finite"]),
        (("criteria", "drive_min_TLS", "better"), "sideways", ["'lower' or 'higher'"]),
        (("criteria", "drive_min_TLS", "full"), ..., ["drive_min_TLS.full", "missing"]),
        (("criteria", "drive_min_TLS", "colour"), "red", ["colour", "unknown field"]),
        (("descripton",), "typo", ["descripton", "unknown field"]),
        (("name",), ..., ["name", "missing"]),
        (("name",), "", ["name"]),
        (("criteria",), {}, ["criteria"]),
        (("constraints", "population", "max"), 50, ["min (100)", "max (50)"]),
        (("constraints", "population", "min"), ..., ["constraints.population", "min, max"]),
        (("constraints", "population", "maxi"), 5, ["maxi", "unknown field"]),
    ],
    ids=[
        "negative-weight",
        "nan-weight",
        "infinite-weight",
        "text-weight",
        "all-zero-weights",
        "lower-wrong-order",
        "lower-equal-thresholds",
        "nan-threshold",
        "better-sideways",
        "missing-threshold",
        "unknown-criterion-field",
        "unknown-top-level-field",
        "missing-name",
        "empty-name",
        "no-criteria",
        "constraint-min-above-max",
        "constraint-without-bounds",
        "unknown-constraint-field",
    ],
)
def test_invalid_profiles_give_one_line(
    valid_profile_data: dict[str, Any], path: tuple[str, ...], value: Any, fragments: list[str]
) -> None:
    data = with_change(valid_profile_data, path, value)
    with pytest.raises(ProfileError) as exc:
        parse_profile(data, origin="fixture.toml")
    message = assert_one_line(exc, *fragments)
    assert message.startswith("profile fixture.toml: ")


@pytest.mark.parametrize(
    ("full", "zero", "fragment"),
    [(100, 2000, "full (100) must be above zero (2000)"), (500, 500, "full (500)")],
    ids=["wrong-order", "equal"],
)
def test_higher_thresholds_must_be_in_order(
    make_profile: Any, full: float, zero: float, fragment: str
) -> None:
    with pytest.raises(ProfileError) as exc:
        make_profile({"population": {"weight": 1, "better": "higher", "full": full, "zero": zero}})
    assert_one_line(exc, "better = 'higher'", fragment)


def test_all_zero_weights_over_several_criteria(make_profile: Any) -> None:
    zero = {"weight": 0, "better": "lower", "full": 1, "zero": 2}
    with pytest.raises(ProfileError) as exc:
        make_profile({"drive_min_town": zero, "dist_km_prefecture": zero})
    assert_one_line(exc, "every criterion has weight 0")


def test_one_positive_weight_is_enough(make_profile: Any) -> None:
    profile = make_profile(
        {
            "drive_min_town": {"weight": 0, "better": "lower", "full": 1, "zero": 2},
            "population": {"weight": 0.5, "better": "higher", "full": 2, "zero": 1},
        }
    )
    assert profile.criteria["drive_min_town"].weight == 0


def test_constraint_with_equal_bounds_is_valid(make_profile: Any) -> None:
    profile = make_profile(
        {"population": {"weight": 1, "better": "higher", "full": 2, "zero": 1}},
        {"population": {"min": 300, "max": 300}},
    )
    assert profile.constraints["population"] == Constraint(min=300, max=300)


@pytest.mark.parametrize(
    ("section", "typo", "suggestion"),
    [
        ("criteria", "drive_min_towm", "drive_min_town"),
        ("criteria", "popluation", "population"),
        ("constraints", "drive_min_airprt", "drive_min_airport"),
    ],
)
def test_unknown_criterion_suggests_the_nearest(
    valid_profile_data: dict[str, Any], section: str, typo: str, suggestion: str
) -> None:
    table = (
        {"weight": 1, "better": "lower", "full": 1, "zero": 2}
        if section == "criteria"
        else {"max": 5}
    )
    data = with_change(valid_profile_data, (section, typo), table)
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    message = assert_one_line(
        exc,
        f"unknown criterion {typo!r} in {section}; did you mean {suggestion!r}",
        # The message says where the full list is, instead of listing 70 names.
        "`relocate criteria` lists every criterion",
    )
    assert len(message) < 300, message


def test_unknown_criterion_without_a_close_name_still_lists_known(
    valid_profile_data: dict[str, Any],
) -> None:
    data = with_change(
        valid_profile_data,
        ("criteria", "sunshine_hours"),
        {"weight": 1, "better": "higher", "full": 2, "zero": 1},
    )
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    message = assert_one_line(exc, "'sunshine_hours'", "`relocate criteria` lists every")
    assert "did you mean" not in message.lower()


def test_unknown_criterion_message_is_punctuated(valid_profile_data: dict[str, Any]) -> None:
    data = with_change(
        valid_profile_data,
        ("criteria", "sunshine_hours"),
        {"weight": 1, "better": "higher", "full": 2, "zero": 1},
    )
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    assert "in criteria; `relocate criteria` lists every criterion" in str(exc.value)


def test_unknown_airport_code_is_rejected(valid_profile_data: dict[str, Any]) -> None:
    # ZZZ is no IATA code; the close name uses a default airport.
    data = with_change(
        valid_profile_data,
        ("criteria", "drive_min_ZZZ"),
        {"weight": 1, "better": "lower", "full": 1, "zero": 2},
    )
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    assert_one_line(exc, "'drive_min_ZZZ'")


def test_transposed_default_airport_is_caught(valid_profile_data: dict[str, Any]) -> None:
    data = with_change(
        valid_profile_data,
        ("criteria", "drive_min_TSL"),
        {"weight": 1, "better": "lower", "full": 30, "zero": 90},
    )
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    assert_one_line(exc, "'drive_min_TSL'", "did you mean 'drive_min_TLS'")


def test_any_iata_code_is_accepted(make_profile: Any) -> None:
    profile = make_profile(
        {"drive_min_PUF": {"weight": 1, "better": "lower", "full": 30, "zero": 90}},
        {"dist_km_TLS": {"max": 100}, "dist_km_PUF": {"max": 100}},
    )
    assert list(profile.criteria) == ["drive_min_PUF"]
    assert list(profile.constraints) == ["dist_km_TLS", "dist_km_PUF"]


def test_misspelt_weight_names_the_typo(valid_profile_data: dict[str, Any]) -> None:
    data = copy.deepcopy(valid_profile_data)
    tls = data["criteria"]["drive_min_TLS"]
    tls["wieght"] = tls.pop("weight")
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    assert_one_line(exc, "wieght", "unknown field")


def test_misspelt_weight_is_an_error(valid_profile_data: dict[str, Any]) -> None:
    data = copy.deepcopy(valid_profile_data)
    tls = data["criteria"]["drive_min_TLS"]
    tls["wieght"] = tls.pop("weight")
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    assert_one_line(exc, "drive_min_TLS")


def test_nan_constraint_bound_is_rejected(valid_profile_data: dict[str, Any]) -> None:
    data = with_change(valid_profile_data, ("constraints", "population", "min"), math.nan)
    with pytest.raises(ProfileError):
        parse_profile(data)


def test_with_weights_returns_a_revalidated_copy(valid_profile_data: dict[str, Any]) -> None:
    valid_profile_data["criteria"]["population"] = {
        "weight": 1,
        "better": "higher",
        "full": 2000,
        "zero": 200,
    }
    profile = parse_profile(valid_profile_data)
    changed = profile.with_weights({"population": 5})
    assert changed.criteria["population"].weight == 5
    assert changed.criteria["drive_min_TLS"] == profile.criteria["drive_min_TLS"]
    assert changed.constraints == profile.constraints
    assert changed.name == profile.name
    assert profile.criteria["population"].weight == 1  # the original is untouched
    assert profile.with_weights({}) == profile


def test_with_weights_rejects_unknown_criteria(valid_profile_data: dict[str, Any]) -> None:
    profile = parse_profile(valid_profile_data)
    with pytest.raises(ProfileError) as exc:
        profile.with_weights({"population": 1, "drive_min_towm": 2})
    assert_one_line(exc, "not a criterion", "drive_min_towm, population", "drive_min_TLS")


@pytest.mark.parametrize(
    ("weight", "fragment"), [(-2, "zero or more"), (0, "every criterion has weight 0")]
)
def test_with_weights_validates_weights(
    valid_profile_data: dict[str, Any], weight: float, fragment: str
) -> None:
    profile = parse_profile(valid_profile_data)
    with pytest.raises(ProfileError) as exc:
        profile.with_weights({"drive_min_TLS": weight})
    assert_one_line(exc, "'Fixture profile' re-weighted", fragment)


@pytest.mark.parametrize(
    ("bounds", "value", "admitted"),
    [
        ({"min": 100}, 100, True),
        ({"min": 100}, 99.9, False),
        ({"max": 20}, 20, True),
        ({"max": 20}, 20.1, False),
        ({"min": 1, "max": 2}, 1.5, True),
        ({"min": 1, "max": 2}, 0.5, False),
        ({"min": 1, "max": 2}, 2.5, False),
        ({"min": 1, "max": 2}, math.nan, True),  # not judged: reported as unchecked instead
    ],
)
def test_constraint_admits(bounds: dict[str, float], value: float, admitted: bool) -> None:
    assert Constraint(**bounds).admits(value) is admitted


def test_profile_is_frozen(valid_profile_data: dict[str, Any]) -> None:
    profile = parse_profile(valid_profile_data)
    with pytest.raises(ValidationError):
        profile.name = "changed"  # type: ignore[misc]


# --- utility curves ------------------------------------------------------------------------


def test_lower_is_better_curve() -> None:
    crit = Criterion(weight=1, better="lower", full=30, zero=90)
    values = [-5, 0, 30, 45, 60, 75, 90, 91, 1e6, np.nan]
    expected = [1, 1, 1, 0.75, 0.5, 0.25, 0, 0, 0, np.nan]
    np.testing.assert_allclose(crit.utility(values), expected, equal_nan=True)


def test_higher_is_better_curve() -> None:
    crit = Criterion(weight=1, better="higher", full=2000, zero=200)
    values = [0, 200, 650, 1100, 2000, 2001, 1e9, np.nan]
    expected = [0, 0, 0.25, 0.5, 1, 1, 1, np.nan]
    np.testing.assert_allclose(crit.utility(values), expected, equal_nan=True)


@pytest.mark.parametrize("better", ["lower", "higher"])
def test_midpoint_is_one_half(better: str) -> None:
    full, zero = (10.0, 50.0) if better == "lower" else (50.0, 10.0)
    crit = Criterion(weight=1, better=better, full=full, zero=zero)  # type: ignore[arg-type]
    assert crit.utility(30.0) == pytest.approx(0.5)
    assert crit.utility([30.0]).shape == (1,)


def test_utility_keeps_nan_and_returns_floats() -> None:
    crit = Criterion(weight=1, better="lower", full=0, zero=10)
    out = crit.utility(np.array([np.nan, np.nan]))
    assert out.dtype == np.float64
    assert np.isnan(out).all()


def test_curve_and_constraint_descriptions() -> None:
    lower = Criterion(weight=1, better="lower", full=30, zero=90)
    higher = Criterion(weight=1, better="higher", full=2000, zero=200)
    assert lower.describe("min") == "full satisfaction at 30 min or less, none at 90 min or more"
    assert higher.describe("inhabitants") == (
        "full satisfaction at 2,000 inhabitants or more, none at 200 inhabitants or less"
    )
    assert Constraint(min=300).describe("inhabitants") == "at least 300 inhabitants"
    assert Constraint(min=1, max=20).describe("min") == "at least 1 min and at most 20 min"


def test_name_and_description_may_be_given_per_language(make_profile: Any) -> None:
    base = {"criteria": {"population": {"weight": 1, "better": "higher", "full": 2, "zero": 1}}}
    both = parse_profile({**base, "name": {"fr": "Famille", "en": "Family"}})
    assert (both.title("fr"), both.title("en")) == ("Famille", "Family")
    assert both.summary("fr") == ""
    only_fr = parse_profile({**base, "name": {"fr": "Famille"}, "description": {"fr": "Deux"}})
    assert only_fr.title("en") == "Famille"  # the other language where one is missing
    assert only_fr.summary("en") == "Deux"
    plain = parse_profile({**base, "name": "Fixture"})
    assert plain.title("fr") == plain.title("en") == "Fixture"
    with pytest.raises(ProfileError, match=r"French .* English"):
        parse_profile({**base, "name": {}})
    with pytest.raises(ProfileError, match=r"name\.de: unknown field"):
        parse_profile({**base, "name": {"de": "Familie"}})
    with pytest.raises(ProfileError, match="one line"):
        parse_profile({**base, "name": {"fr": "deux\nlignes"}})


# --- ranges, orders and curves through points (what a household can mean) -------------------


def _crit(**fields: Any) -> dict[str, Any]:
    return {"better": "lower", "full": 30, "zero": 90, **fields}


def test_a_weight_may_be_a_range_scored_at_its_middle() -> None:
    profile = parse_profile(
        {"name": "Fixture", "criteria": {"drive_min_TLS": _crit(weight=[3, 5])}}
    )
    criterion = profile.criteria["drive_min_TLS"]
    assert criterion.weight == 4.0
    assert criterion.weight_range == (3.0, 5.0)
    for bad, fragment in [
        ([5, 3], "from low to high"),
        ([1, 2, 3], "range of two numbers"),
        (["3", 5], "range of two numbers"),
        ([0, 1000], "at most 100"),
    ]:
        with pytest.raises(ProfileError, match=fragment):
            parse_profile({"name": "Fixture", "criteria": {"drive_min_TLS": _crit(weight=bad)}})


def test_an_order_gives_the_rank_order_centroid_weights() -> None:
    profile = parse_profile(
        {
            "name": "Fixture",
            "order": ["drive_min_TLS", "population", "drive_min_town"],
            "criteria": {
                "drive_min_TLS": _crit(),
                "population": {"better": "higher", "full": 2000, "zero": 100},
                "drive_min_town": _crit(full=5, zero=25),
            },
        }
    )
    weights = [c.weight for c in profile.criteria.values()]
    # 1 + 1/2 + 1/3, 1/2 + 1/3, 1/3: they add up to the number of criteria.
    assert weights == pytest.approx([11 / 6, 5 / 6, 1 / 3], abs=1e-6)
    assert profile.order == ("drive_min_TLS", "population", "drive_min_town")
    with pytest.raises(ProfileError, match="order: 'fibre_share_pct' is not one of"):
        parse_profile(
            {"name": "Fixture", "order": ["fibre_share_pct"], "criteria": {"population": {
                "weight": 1, "better": "higher", "full": 2000, "zero": 100}}}
        )  # fmt: skip
    with pytest.raises(ProfileError, match="weight"):  # not in the order: a weight is needed
        parse_profile({"name": "Fixture", "criteria": {"drive_min_TLS": _crit()}})


def test_a_curve_through_points_is_piecewise_linear_and_flat_beyond() -> None:
    points = [[0, 0], [300, 1], [1500, 1], [5000, 0.2]]
    profile = parse_profile(
        {"name": "Fixture", "criteria": {"population": {"weight": 1, "points": points}}}
    )
    curve = profile.criteria["population"]
    values = [-10, 0, 150, 300, 1000, 1500, 3250, 5000, 9000, float("nan")]
    expected = [0, 0, 0.5, 1, 1, 1, 0.6, 0.2, 0.2]
    np.testing.assert_allclose(curve.utility(values)[:-1], expected)
    assert math.isnan(curve.utility(values)[-1])
    assert curve.describe("inhabitants") == (
        "satisfaction 0% at 0 inhabitants, 100% at 300 inhabitants, "
        "100% at 1,500 inhabitants, 20% at 5,000 inhabitants"
    )
    for bad, fragment in [
        ([[0, 0]], "at least two points"),
        ([[300, 1], [0, 0]], "must increase"),
        ([[0, 0], [300, 1.5]], "between 0 and 1"),
        ([[0, 0, 1], [300, 1]], "pair"),
    ]:
        with pytest.raises(ProfileError, match=fragment):
            parse_profile({"name": "F", "criteria": {"population": {"weight": 1, "points": bad}}})
    with pytest.raises(ProfileError, match="either points or better"):
        parse_profile(
            {"name": "F", "criteria": {"population": {"weight": 1, "points": points,
                                                      "better": "higher"}}}
        )  # fmt: skip
