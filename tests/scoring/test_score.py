"""score(): weighted mean, points, constraints, ties, missing data, explanations."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from relocate.errors import NonUniqueIndexError
from relocate.scoring import Profile, Ranking, score

CODES = ["99001", "99002", "99003"]
TLS = {"weight": 3, "better": "lower", "full": 30, "zero": 90}
POP = {"weight": 1, "better": "higher", "full": 2000, "zero": 200}

MakeProfile = Callable[..., Profile]


def features_frame(data: dict[str, list[float]], codes: list[str] | None = None) -> pd.DataFrame:
    index = pd.Index(codes or CODES[: len(next(iter(data.values())))], name="insee")
    return pd.DataFrame(data, index=index, dtype=float)


@pytest.fixture
def features() -> pd.DataFrame:
    # 99001: TLS 30 -> u 1,    pop  200 -> u 0   => 100 * (3*1    + 1*0) / 4 = 75
    # 99002: TLS 60 -> u 0.5,  pop 1100 -> u 0.5 => 100 * (3*0.5  + 1*0.5) / 4 = 50
    # 99003: TLS 75 -> u 0.25, pop 2000 -> u 1   => 100 * (3*0.25 + 1*1) / 4 = 43.75
    return features_frame(
        {
            "drive_min_TLS": [30, 60, 75],
            "population": [200, 1100, 2000],
            "drive_min_town": [5, 10, 15],
        }
    )


@pytest.fixture
def names() -> pd.Series:
    return pd.Series(["Village A", "Village B", "Village C"], index=CODES, name="name")


@pytest.fixture
def profile(make_profile: MakeProfile) -> Profile:
    return make_profile({"drive_min_TLS": TLS, "population": POP})


def expected_scores(values: dict[str, float]) -> pd.Series:
    index = pd.Index(list(values), name="insee")
    return pd.Series(list(values.values()), index=index, name="score", dtype=float)


# --- weighted mean and points --------------------------------------------------------------


def test_weighted_mean_on_0_100(features: pd.DataFrame, profile: Profile, names: pd.Series) -> None:
    ranking = score(features, profile, names=names)
    assert isinstance(ranking, Ranking)
    pd.testing.assert_series_equal(
        ranking.table["score"], expected_scores({"99001": 75, "99002": 50, "99003": 43.75})
    )
    assert ranking.table["rank"].tolist() == [1, 2, 3]
    assert ranking.table["rank"].dtype == "Int64"
    assert ranking.table["name"].tolist() == ["Village A", "Village B", "Village C"]
    assert not ranking.table["excluded"].any()
    assert ranking.table["reasons"].isna().all()
    assert ranking.table["unchecked"].isna().all()
    np.testing.assert_allclose(ranking.table["coverage"], 1.0)
    assert ranking.criteria == ["drive_min_TLS", "population"]
    assert ranking.unavailable == {}


def test_utilities_and_points(features: pd.DataFrame, profile: Profile) -> None:
    ranking = score(features, profile)
    index = pd.Index(CODES, name="insee")
    expected_util = pd.DataFrame(
        {"drive_min_TLS": [1.0, 0.5, 0.25], "population": [0.0, 0.5, 1.0]}, index=index
    )
    pd.testing.assert_frame_equal(ranking.utilities, expected_util, check_names=False)
    expected_points = pd.DataFrame(
        {"drive_min_TLS": [75.0, 37.5, 18.75], "population": [0.0, 12.5, 25.0]}, index=index
    )
    pd.testing.assert_frame_equal(ranking.points, expected_points, check_names=False)
    pd.testing.assert_frame_equal(
        ranking.values, features[["drive_min_TLS", "population"]], check_names=False
    )
    # Points add up to the score, village by village.
    sums = ranking.points.sum(axis=1)
    np.testing.assert_allclose(sums.to_numpy(), ranking.table["score"].reindex(CODES).to_numpy())


def test_names_are_optional(features: pd.DataFrame, profile: Profile) -> None:
    assert score(features, profile).table["name"].isna().all()


def test_names_follow_the_index_not_the_position(features: pd.DataFrame, profile: Profile) -> None:
    reversed_names = pd.Series(["Village C", "Village B", "Village A"], index=CODES[::-1])
    table = score(features, profile, names=reversed_names).table
    assert table.loc["99001", "name"] == "Village A"


def test_zero_weight_criterion_scores_nothing(
    features: pd.DataFrame, make_profile: MakeProfile, profile: Profile
) -> None:
    town = {"weight": 0, "better": "lower", "full": 0, "zero": 20}
    ranking = score(
        features, make_profile({"drive_min_TLS": TLS, "population": POP, "drive_min_town": town})
    )
    pd.testing.assert_series_equal(ranking.table["score"], score(features, profile).table["score"])
    np.testing.assert_allclose(ranking.utilities["drive_min_town"], [0.75, 0.5, 0.25])
    np.testing.assert_allclose(ranking.points["drive_min_town"], 0.0)


def test_top_returns_the_best_included(
    features: pd.DataFrame, make_profile: MakeProfile, names: pd.Series
) -> None:
    profile = make_profile({"drive_min_TLS": TLS, "population": POP}, {"population": {"min": 300}})
    top = score(features, profile, names=names).top(5)
    assert top.index.tolist() == ["99002", "99003"]
    assert score(features, profile).top(1).index.tolist() == ["99002"]


def test_duplicate_codes_are_refused(profile: Profile) -> None:
    duplicated = features_frame(
        {"drive_min_TLS": [30, 60], "population": [1, 2]}, codes=["99001", "99001"]
    )
    with pytest.raises(NonUniqueIndexError, match="once"):
        score(duplicated, profile)


# --- hard constraints ----------------------------------------------------------------------


def assert_reasons(text: str, *expected: tuple[str, str, str]) -> None:
    """One reason per failed bound, "; "-separated, each naming feature, bound kind and bound."""
    parts = text.split("; ")
    assert len(parts) == len(expected), text
    for part, (feature, kind, bound) in zip(parts, expected, strict=True):
        assert part.startswith(feature + " "), part
        assert kind in part, part
        assert re.search(rf"\b{re.escape(bound)}\b", part), part


def test_constraints_exclude_with_reasons(
    features: pd.DataFrame, make_profile: MakeProfile, names: pd.Series
) -> None:
    profile = make_profile(
        {"drive_min_TLS": TLS, "population": POP},
        {"population": {"min": 300}, "drive_min_TLS": {"max": 70}},
    )
    table = score(features, profile, names=names).table
    # Only 99002 passes; excluded villages stay in the table, after it, best first.
    assert table.index.tolist() == ["99002", "99001", "99003"]
    assert table["excluded"].tolist() == [False, True, True]
    assert table.loc["99002", "rank"] == 1
    assert table.loc[["99001", "99003"], "rank"].isna().all()
    assert pd.isna(table.loc["99002", "reasons"])
    assert_reasons(table.loc["99001", "reasons"], ("population", "min", "300"))
    assert_reasons(table.loc["99003", "reasons"], ("drive_min_TLS", "max", "70"))
    # Excluded villages keep their score for display.
    assert table.loc["99001", "score"] == pytest.approx(75)


def test_several_failed_constraints_are_all_named(
    features: pd.DataFrame, make_profile: MakeProfile
) -> None:
    profile = make_profile(
        {"drive_min_TLS": TLS},
        {"population": {"min": 300, "max": 1000}, "drive_min_town": {"max": 8}},
    )
    table = score(features, profile).table
    assert_reasons(table.loc["99001", "reasons"], ("population", "min", "300"))
    assert_reasons(
        table.loc["99003", "reasons"],
        ("population", "max", "1000"),
        ("drive_min_town", "max", "8"),
    )
    assert_reasons(
        table.loc["99002", "reasons"],
        ("population", "max", "1000"),
        ("drive_min_town", "max", "8"),
    )
    assert table["excluded"].all()
    assert table["rank"].isna().all()
    # All excluded: still ordered by score (TLS utilities 1, 0.5, 0.25).
    assert table.index.tolist() == CODES


def test_bounds_are_inclusive(features: pd.DataFrame, make_profile: MakeProfile) -> None:
    profile = make_profile({"drive_min_TLS": TLS}, {"population": {"min": 200, "max": 2000}})
    assert not score(features, profile).table["excluded"].any()


def test_constraint_on_a_criterion_left_out_of_the_profile(
    features: pd.DataFrame, make_profile: MakeProfile
) -> None:
    profile = make_profile({"population": POP}, {"drive_min_town": {"max": 12}})
    ranking = score(features, profile)
    assert ranking.table.loc["99003", "excluded"]
    assert ranking.criteria == ["population"]


def test_ranks_are_consecutive_after_an_exclusion(make_profile: MakeProfile) -> None:
    feats = features_frame(
        {"drive_min_TLS": [30, 40, 50, 60], "population": [500, 100, 500, 500]},
        codes=["99001", "99002", "99003", "99004"],
    )
    profile = make_profile({"drive_min_TLS": TLS}, {"population": {"min": 300}})
    table = score(feats, profile).table
    assert table.index.tolist() == ["99001", "99003", "99004", "99002"]
    assert table["rank"].tolist() == [1, 2, 3, pd.NA]


# --- ties ----------------------------------------------------------------------------------


def test_ties_break_by_insee_code(make_profile: MakeProfile) -> None:
    feats = features_frame(
        {"drive_min_TLS": [60, 60, 30], "population": [1000, 1000, 1000]},
        codes=["99007", "99004", "99010"],
    )
    profile = make_profile({"drive_min_TLS": TLS, "population": POP})
    table = score(feats, profile).table
    assert table.index.tolist() == ["99010", "99004", "99007"]
    assert table["rank"].tolist() == [1, 2, 3]
    assert table.loc["99004", "score"] == table.loc["99007", "score"]


def test_result_does_not_depend_on_row_order(make_profile: MakeProfile) -> None:
    codes = [f"990{i:02d}" for i in range(1, 13)]
    rng = np.random.default_rng(0)
    # Six pairs of identical villages, plus a constraint that excludes some of them.
    tls = np.repeat([30.0, 45.0, 60.0, 75.0, 90.0, 100.0], 2)
    pop = np.repeat([2000.0, 200.0, 1100.0, 650.0, 250.0, 2000.0], 2)
    feats = features_frame({"drive_min_TLS": list(tls), "population": list(pop)}, codes=codes)
    names = pd.Series([f"Village {c}" for c in codes], index=codes)
    profile = make_profile({"drive_min_TLS": TLS, "population": POP}, {"population": {"min": 300}})
    reference = score(feats, profile, names=names)
    for _ in range(5):
        shuffled = feats.iloc[rng.permutation(len(feats))]
        result = score(shuffled, profile, names=names)
        pd.testing.assert_frame_equal(result.table, reference.table)
        pd.testing.assert_frame_equal(result.points.loc[codes], reference.points)
    # Within each identical pair the lower code ranks first.
    ranked = reference.table.dropna(subset=["rank"])
    for first, second in zip(codes[::2], codes[1::2], strict=True):
        if first in ranked.index:
            assert ranked.loc[first, "rank"] + 1 == ranked.loc[second, "rank"]


def test_floating_point_noise_does_not_break_a_tie(make_profile: MakeProfile) -> None:
    # 0.1 + 0.2 != 0.3 in floating point; utilities that differ by 1e-16 are a tie.
    crit = {"weight": 1, "better": "higher", "full": 1, "zero": 0}
    feats = features_frame({"population": [0.1 + 0.2, 0.3]}, codes=["99002", "99001"])
    assert feats.iloc[0, 0] != feats.iloc[1, 0]
    table = score(feats, make_profile({"population": crit})).table
    assert table.index.tolist() == ["99001", "99002"]


# --- missing data --------------------------------------------------------------------------


def test_absent_airport_column_is_unavailable_not_zero(
    features: pd.DataFrame, make_profile: MakeProfile, profile: Profile
) -> None:
    puf = {"weight": 5, "better": "lower", "full": 30, "zero": 90}
    with_puf = make_profile({"drive_min_TLS": TLS, "population": POP, "drive_min_PUF": puf})
    ranking = score(features, with_puf)
    assert set(ranking.unavailable) == {"drive_min_PUF"}
    assert "--airport PUF" in ranking.unavailable["drive_min_PUF"]
    assert "drive_min_PUF" not in ranking.criteria
    assert "drive_min_PUF" not in ranking.points.columns
    # Scores equal those of the profile without it, and coverage ignores it.
    pd.testing.assert_frame_equal(ranking.table, score(features, profile).table)


def test_all_nan_column_is_unavailable(
    features: pd.DataFrame, make_profile: MakeProfile, profile: Profile
) -> None:
    feats = features.assign(townhall_hours_per_week=np.nan)
    hours = {"weight": 2, "better": "higher", "full": 20, "zero": 4}
    ranking = score(
        feats,
        make_profile({"drive_min_TLS": TLS, "population": POP, "townhall_hours_per_week": hours}),
    )
    assert "has no value for any village" in ranking.unavailable["townhall_hours_per_week"]
    assert "communes" in ranking.unavailable["townhall_hours_per_week"]
    pd.testing.assert_series_equal(ranking.table["score"], score(features, profile).table["score"])


def test_absent_static_column_is_unavailable(
    features: pd.DataFrame, make_profile: MakeProfile
) -> None:
    dist = {"weight": 1, "better": "lower", "full": 0, "zero": 50}
    ranking = score(
        features,
        make_profile(
            {"population": POP, "dist_km_prefecture": dist}, {"dist_km_prefecture": {"max": 1}}
        ),
    )
    assert ranking.unavailable["dist_km_prefecture"] == "its source (communes) is not loaded"
    # An unavailable constraint excludes nobody.
    assert not ranking.table["excluded"].any()


def test_value_missing_for_one_village(
    features: pd.DataFrame, profile: Profile, names: pd.Series
) -> None:
    feats = features.copy()
    feats.loc["99002", "population"] = np.nan
    ranking = score(feats, profile, names=names)
    table = ranking.table
    # 99002 is scored on TLS alone (utility 0.5 -> 50), with 3/4 of the weight.
    assert table.loc["99002", "score"] == pytest.approx(50.0)
    assert table.loc["99002", "coverage"] == pytest.approx(0.75)
    assert table.loc["99001", "score"] == pytest.approx(75.0)
    assert table.loc["99001", "coverage"] == pytest.approx(1.0)
    assert np.isnan(ranking.points.loc["99002", "population"])
    assert np.isnan(ranking.utilities.loc["99002", "population"])
    assert ranking.points.loc["99002", "drive_min_TLS"] == pytest.approx(50.0)
    assert ranking.unavailable == {}


def test_nullable_integer_column_with_missing_value(
    features: pd.DataFrame, profile: Profile
) -> None:
    feats = features.copy()
    feats["population"] = pd.array([200, pd.NA, 2000], dtype="Int64")
    table = score(feats, profile).table
    assert table.loc["99002", "coverage"] == pytest.approx(0.75)
    assert table.loc["99003", "score"] == pytest.approx(43.75)


def test_village_without_any_data_has_no_score_or_rank(
    features: pd.DataFrame, profile: Profile
) -> None:
    feats = features.copy()
    feats.loc["99001", ["drive_min_TLS", "population"]] = np.nan
    table = score(feats, profile).table
    assert np.isnan(table.loc["99001", "score"])
    assert pd.isna(table.loc["99001", "rank"])
    assert table.loc["99001", "coverage"] == 0
    assert not table.loc["99001", "excluded"]
    assert table.index.tolist() == ["99002", "99003", "99001"]
    assert table["rank"].tolist()[:2] == [1, 2]


def test_constraint_on_missing_value_is_unchecked(
    features: pd.DataFrame, make_profile: MakeProfile
) -> None:
    feats = features.copy()
    feats.loc["99002", ["population", "drive_min_town"]] = np.nan
    profile = make_profile(
        {"drive_min_TLS": TLS},
        {"population": {"min": 300}, "drive_min_town": {"max": 12}},
    )
    table = score(feats, profile).table
    assert not table.loc["99002", "excluded"]
    assert table.loc["99002", "unchecked"] == "population, drive_min_town"
    assert pd.isna(table.loc["99002", "reasons"])
    assert table.loc["99002", "rank"] == 1
    assert pd.isna(table.loc["99001", "unchecked"])
    assert table.loc["99001", "excluded"]  # population 200 < 300
    assert table.loc["99003", "excluded"]  # drive_min_town 15 > 12


# --- explain -------------------------------------------------------------------------------


def test_explain_rows_and_status(features: pd.DataFrame, make_profile: MakeProfile) -> None:
    feats = features.copy()
    feats.loc["99002", "population"] = np.nan
    puf = {"weight": 2, "better": "lower", "full": 30, "zero": 90}
    profile = make_profile({"drive_min_TLS": TLS, "population": POP, "drive_min_PUF": puf})
    ranking = score(feats, profile)

    explained = ranking.explain("99002")
    assert explained.index.tolist() == ["drive_min_TLS", "population", "drive_min_PUF"]
    assert explained.index.name == "criterion"
    assert explained["status"].tolist() == ["scored", "missing", "unavailable"]
    assert explained["weight"].tolist() == [3.0, 1.0, 2.0]
    assert explained["unit"].tolist() == ["min", "inhabitants", "min"]
    assert explained["estimate"].tolist() == [True, False, True]
    assert explained.loc["drive_min_TLS", "label"] == "Drive to Toulouse-Blagnac airport (TLS)"
    assert explained.loc["drive_min_TLS", "value"] == 60
    assert explained.loc["drive_min_TLS", "utility"] == pytest.approx(0.5)
    assert explained.loc["drive_min_TLS", "points"] == pytest.approx(50.0)
    assert (
        explained.loc[["population", "drive_min_PUF"], ["value", "utility", "points"]]
        .isna()
        .all(axis=None)
    )

    full = ranking.explain("99003")
    assert full["status"].tolist() == ["scored", "scored", "unavailable"]
    assert full["points"].sum() == pytest.approx(ranking.table.loc["99003", "score"])


def test_explain_unknown_code_raises(features: pd.DataFrame, profile: Profile) -> None:
    with pytest.raises(KeyError):
        score(features, profile).explain("99999")


def test_scoring_does_not_modify_its_input(features: pd.DataFrame, profile: Profile) -> None:
    before = features.copy()
    score(features, profile)
    pd.testing.assert_frame_equal(features, before)


def test_the_share_of_the_profile_scored_and_the_ties_at_the_top(
    make_profile: MakeProfile,
) -> None:
    feats = features_frame({"drive_min_TLS": [30, 30, 75], "population": [200, 200, 2000]})
    profile = make_profile(
        {"drive_min_TLS": TLS, "population": POP, "fibre_share_pct": {**POP, "weight": 4}}
    )
    ranking = score(feats, profile)
    assert ranking.unscored == ["fibre_share_pct"]
    assert ranking.scored_share == pytest.approx(4 / 8)
    # 99001 and 99002 tie at the top: the order between them is only the INSEE code's.
    assert ranking.top_ties() == 2
    full = score(feats, make_profile({"drive_min_TLS": TLS}))
    assert full.scored_share == 1.0
