"""robustness(): SMAA-2 acceptabilities vs closed forms, fixed weights and a loop over score()."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from relocate.errors import InvalidOptionError, ProfileError
from relocate.features import DriveTimeModel
from relocate.scoring import Profile, score
from relocate.scoring.robust import (
    DrawsNoise,
    GaussianNoise,
    Noise,
    Robustness,
    WeightSpace,
    bootstrap_medians,
    drive_time_noise,
    house_price_noise,
    robustness,
    sample_ranks,
)

MakeProfile = Callable[..., Profile]

#: Three criteria whose utility is the raw value over 100 (0 at 0, 1 at 100).
A, B, C = "population", "density_per_km2", "townhall_hours_per_week"


def linear(weight: float = 1.0) -> dict[str, Any]:
    return {"weight": weight, "better": "higher", "full": 100, "zero": 0}


def frame(data: dict[str, list[float]]) -> pd.DataFrame:
    n = len(next(iter(data.values())))
    index = pd.Index([f"990{i:02d}" for i in range(1, n + 1)], name="insee")
    return pd.DataFrame(data, index=index, dtype=float)


def sigma_of_p(p: float, n: int) -> float:
    """Standard error of a Monte Carlo share."""
    return math.sqrt(p * (1 - p) / n)


@pytest.fixture
def two(make_profile: MakeProfile) -> Profile:
    return make_profile({A: linear(), B: linear()})


@pytest.fixture
def twelve() -> pd.DataFrame:
    """Twelve villages, values inside the utility ramps (no clipping), 99011 = 99012."""
    rng = np.random.default_rng(12)
    values = rng.uniform(5, 95, size=(12, 3))
    values[11] = values[10]
    return frame({A: list(values[:, 0]), B: list(values[:, 1]), C: list(values[:, 2])})


@pytest.fixture
def three(make_profile: MakeProfile) -> Profile:
    return make_profile({A: linear(3), B: linear(2), C: linear(1)})


def uniform_box(names: tuple[str, ...], low: float = 0.0, high: float = 1.0) -> WeightSpace:
    k = len(names)
    return WeightSpace(names, np.full(k, low), np.full(k, high))


# --- closed forms --------------------------------------------------------------------------


def test_two_opposite_villages_share_first_place_equally(two: Profile) -> None:
    # A = (1, 0), B = (0, 1): A is first iff w1 > w2, with probability 1/2.
    features = frame({A: [100, 0], B: [0, 100]})
    n = 20_000
    result = robustness(features, two, space=uniform_box((A, B)), samples=n, seed=1)
    p = result.table["p_top1"]
    assert abs(p["99001"] - 0.5) < 4 * sigma_of_p(0.5, n)
    assert p.sum() == pytest.approx(1.0)
    assert (result.table["p_top3"] == 1.0).all()


@pytest.mark.parametrize(
    ("low", "high", "order", "expected"),
    [
        # Independent uniforms on [0, 1]: P(w1 / (w1 + w2) > 2/3) = P(u1 > 2 u2) = 1/4.
        ([0.0, 0.0], [1.0, 1.0], None, 0.25),
        # Uniform on the ordered simplex: w1 ~ U[1/2, 1], so P(w1 > 2/3) = 2/3.
        ([1.0, 1.0], [1.0, 1.0], (A, B), 2 / 3),
        # w1 ~ U[0, 4] against a fixed w2 = 1: w1 / (w1 + 1) > 2/3 iff w1 > 2, so 1/2.
        ([0.0, 1.0], [4.0, 1.0], None, 0.5),
    ],
)
def test_closed_form_acceptabilities(
    two: Profile,
    low: list[float],
    high: list[float],
    order: tuple[str, ...] | None,
    expected: float,
) -> None:
    # A = (1, 0) scores 100 w1; B = (2/3, 2/3) scores 66.7: A is first iff w1 > 2/3.
    features = frame({A: [100, 200 / 3], B: [0, 200 / 3]})
    space = WeightSpace((A, B), np.array(low), np.array(high), order)
    n = 20_000
    table = robustness(features, two, space=space, samples=n, seed=7).table
    assert abs(table.at["99001", "p_top1"] - expected) < 4 * sigma_of_p(expected, n)
    assert table.at["99002", "p_top1"] == pytest.approx(1 - table.at["99001", "p_top1"])
    # The rank percentiles follow: B is second in more than 5 % of the draws.
    assert table.at["99001", "rank_p05"] == 1.0
    assert table.at["99001", "rank_p95"] == 2.0


def test_central_weights_and_confidence_closed_form(two: Profile) -> None:
    # A = (1, 0), B = (0, 1), independent uniform weights: given u1 > u2, u2 / u1 is
    # uniform on [0, 1], so E[w1 / (w1 + w2) | A first] = E[1 / (1 + r)] = ln 2.
    features = frame({A: [100, 0], B: [0, 100]})
    result = robustness(features, two, space=uniform_box((A, B)), samples=40_000, seed=3)
    central = result.central_weights
    assert central.loc["99001", A] == pytest.approx(math.log(2), abs=0.006)
    assert central.loc["99002", B] == pytest.approx(math.log(2), abs=0.006)
    assert central.sum(axis=1).to_numpy() == pytest.approx([1.0, 1.0])
    # With its central weights each village is first: confidence 1 (no value noise).
    assert result.table["confidence"].tolist() == [1.0, 1.0]


def test_ordered_central_weights_are_the_rank_order_centroid(two: Profile) -> None:
    features = frame({A: [100, 0], B: [0, 100]})
    space = WeightSpace((A, B), np.ones(2), np.ones(2), order=(A, B))
    result = robustness(features, two, space=space, samples=20_000, seed=4)
    assert result.table.at["99001", "p_top1"] == 1.0
    assert result.central_weights.loc["99001"].tolist() == pytest.approx([0.75, 0.25], abs=0.005)
    assert result.central_weights.loc["99002"].isna().all()
    assert math.isnan(result.table.at["99002", "confidence"])


# --- the weight space ----------------------------------------------------------------------


def test_rank_order_sampling_gives_ordered_weights_with_centroid_means() -> None:
    names = ("a", "b", "c", "d")
    space = WeightSpace(names, np.ones(4), np.ones(4), order=names)
    w = space.sample(200_000, np.random.default_rng(0))
    assert (np.diff(w, axis=1) <= 0).all()
    k = len(names)
    centroid = [sum(1 / j for j in range(i, k + 1)) / k for i in range(1, k + 1)]
    normalised = w / w.sum(axis=1, keepdims=True)
    assert normalised.mean(axis=0) == pytest.approx(centroid, abs=0.003)


def test_an_order_over_some_criteria_keeps_the_others_intervals() -> None:
    space = WeightSpace(("a", "b", "c"), np.array([1.0, 1.0, 2.0]), np.array([3.0, 1.0, 2.0]),
                        order=("b", "a"))  # fmt: skip
    w = space.sample(5_000, np.random.default_rng(1))
    assert (w[:, 1] >= w[:, 0]).all()
    assert (w[:, 2] == 2.0).all()
    # The ordered pair shares a total uniform between 1 + 1 and 3 + 1.
    total = w[:, 0] + w[:, 1]
    assert total.min() >= 2.0 and total.max() <= 4.0
    assert total.mean() == pytest.approx(3.0, abs=0.05)


def test_intervals_are_independent_uniforms_and_fixed_weights_stay_fixed() -> None:
    space = WeightSpace(("a", "b"), np.array([3.0, 2.0]), np.array([5.0, 2.0]))
    w = space.sample(50_000, np.random.default_rng(2))
    assert ((w[:, 0] >= 3) & (w[:, 0] <= 5)).all()
    assert w[:, 0].mean() == pytest.approx(4.0, abs=0.02)
    assert w[:, 0].var() == pytest.approx(4 / 12, abs=0.01)
    assert (w[:, 1] == 2.0).all()
    assert not space.is_fixed


def test_sampling_in_pieces_gives_the_same_draws() -> None:
    space = WeightSpace(("a", "b", "c"), np.zeros(3), np.ones(3), order=("a", "c"))
    whole = space.sample(10, np.random.default_rng(5))
    rng = np.random.default_rng(5)
    pieces = np.vstack([space.sample(3, rng), space.sample(7, rng)])
    assert np.array_equal(whole, pieces)


@pytest.mark.parametrize(
    ("low", "high", "order", "message"),
    [
        ([-1.0, 1.0], [1.0, 1.0], None, "0 <= low <= high"),
        ([2.0, 1.0], [1.0, 1.0], None, "0 <= low <= high"),
        ([0.0, 0.0], [0.0, 0.0], None, "every weight is 0"),
        ([1.0], [1.0], None, "one bound per criterion"),
        ([1.0, 1.0], [1.0, np.inf], None, "finite"),
        ([1.0, 1.0], [1.0, 1.0], ("a", "z"), "order must list"),
        ([1.0, 1.0], [1.0, 1.0], ("a", "a"), "order must list"),
    ],
)
def test_invalid_weight_spaces_are_refused(
    low: list[float], high: list[float], order: tuple[str, ...] | None, message: str
) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        WeightSpace(("a", "b"), np.array(low), np.array(high), order)


def test_from_profile_takes_the_profile_weights_and_ranges(three: Profile) -> None:
    space = WeightSpace.from_profile(three, ranges={B: (1.0, 4.0)}, order=[A, C])
    assert space.names == (A, B, C)
    assert space.low.tolist() == [3.0, 1.0, 1.0]
    assert space.high.tolist() == [3.0, 4.0, 1.0]
    assert space.order == (A, C)
    assert WeightSpace.fixed(three).is_fixed
    assert WeightSpace.fixed(three) == WeightSpace.from_profile(three)
    assert hash(WeightSpace.fixed(three)) == hash(WeightSpace.from_profile(three))
    with pytest.raises(ProfileError, match="not a criterion"):
        WeightSpace.from_profile(three, ranges={"drive_min_TLS": (1.0, 2.0)})


def test_a_space_over_other_criteria_is_refused(twelve: pd.DataFrame, three: Profile) -> None:
    with pytest.raises(ProfileError, match="not those of profile"):
        robustness(twelve, three, space=uniform_box((A, B)), samples=10)


@pytest.mark.parametrize("option", [{"samples": 0}, {"top": 0}, {"chunk": 0}])
def test_counts_below_one_are_refused(
    twelve: pd.DataFrame, three: Profile, option: dict[str, int]
) -> None:
    with pytest.raises(InvalidOptionError):
        robustness(twelve, three, **option)  # type: ignore[arg-type]


# --- fixed weights, exclusions, determinism, chunks ----------------------------------------


def test_fixed_weights_give_certain_ranks_equal_to_score(
    twelve: pd.DataFrame, three: Profile
) -> None:
    result = robustness(twelve, three, samples=50)
    table = result.table
    rank = score(twelve, three).table["rank"].astype(float)
    assert table.index.tolist() == rank.index.tolist()
    for column in ("rank_p05", "rank_p50", "rank_p95"):
        assert table[column].tolist() == rank.tolist()
    for t in (1, 3, 10):
        assert table[f"p_top{t}"].tolist() == (rank <= t).astype(float).tolist()
    assert set(table[["p_top1", "p_top3", "p_top10", "p_top"]].to_numpy().ravel()) <= {0.0, 1.0}
    first = rank.idxmin()
    assert table.at[first, "confidence"] == 1.0
    assert table["confidence"].drop(first).isna().all()
    assert result.central_weights.loc[first].tolist() == pytest.approx([0.5, 1 / 3, 1 / 6])
    assert (result.sensitivity == 0).all()
    assert result.most_sensitive is None


def test_ties_break_by_insee_code_as_in_score(twelve: pd.DataFrame, three: Profile) -> None:
    # 99011 and 99012 have the same values: 99011 ranks just before 99012 in every draw.
    space = WeightSpace.from_profile(three, ranges={A: (1, 5), B: (1, 5), C: (1, 5)})
    for part in sample_ranks(twelve, three, space=space, samples=100, seed=2):
        codes = part.codes.tolist()
        first, second = part.ranks[:, codes.index("99011")], part.ranks[:, codes.index("99012")]
        assert (second == first + 1).all()


def test_excluded_villages_have_no_rank_and_no_chance(
    twelve: pd.DataFrame, make_profile: MakeProfile
) -> None:
    features = twelve.copy()
    features.loc["99010", [A, B, C]] = np.nan  # no data at all: no rank either
    threshold = float(features[A].median())
    profile = make_profile({A: linear(3), B: linear(2), C: linear(1)}, {A: {"min": threshold}})
    space = WeightSpace.from_profile(profile, ranges={B: (0.5, 4.0)})
    result = robustness(features, profile, space=space, samples=500, seed=9)
    ranking = score(features, profile)
    out = ~ranking.table["rank"].notna()
    table = result.table
    assert out.sum() >= 6
    assert table.loc[out, ["rank_p05", "rank_p50", "rank_p95", "confidence"]].isna().all().all()
    assert (table.loc[out, ["p_top1", "p_top3", "p_top10", "p_top"]] == 0).all().all()
    assert result.central_weights.loc[out].isna().all().all()
    # Ranks are among the villages that can rank.
    assert table["rank_p95"].max() <= (~out).sum()
    assert table["p_top1"].sum() == pytest.approx(1.0)
    assert table["p_top3"].sum() == pytest.approx(3.0)


def test_same_seed_same_result_other_seed_other_draws(twelve: pd.DataFrame, three: Profile) -> None:
    space = WeightSpace.from_profile(three, ranges={A: (0, 6), B: (0, 6), C: (0, 6)})
    first = robustness(twelve, three, space=space, samples=400, seed=11)
    again = robustness(twelve, three, space=space, samples=400, seed=11)
    other = robustness(twelve, three, space=space, samples=400, seed=12)
    pd.testing.assert_frame_equal(first.table, again.table)
    pd.testing.assert_frame_equal(first.central_weights, again.central_weights)
    pd.testing.assert_series_equal(first.sensitivity, again.sensitivity)
    assert not first.table.equals(other.table)


@pytest.mark.parametrize("chunk", [1, 7, 64, 10_000])
def test_the_chunk_size_does_not_change_the_result(
    twelve: pd.DataFrame, three: Profile, chunk: int
) -> None:
    space = WeightSpace.from_profile(three, ranges={A: (0, 6), B: (1, 2)}, order=[B, C])
    noise = (GaussianNoise((C,), 5.0),)
    options: dict[str, Any] = {"space": space, "samples": 300, "seed": 5, "noise": noise}
    reference = robustness(twelve, three, chunk=300, **options)
    result = robustness(twelve, three, chunk=chunk, **options)
    pd.testing.assert_frame_equal(result.table, reference.table)
    pd.testing.assert_frame_equal(result.central_weights, reference.central_weights)
    pd.testing.assert_series_equal(result.sensitivity, reference.sensitivity)


# --- the sampler against a plain loop over score() ----------------------------------------


def loop_ranks(
    features: pd.DataFrame, profile: Profile, names: tuple[str, ...], weights: np.ndarray
) -> list[pd.Series]:
    """score() once per draw, with the same weights: each draw's ranks.

    Each draw is scaled to a largest weight of 50 (scores do not change), within
    the bounds a profile's weights are validated against (0, or 0.01 to 100).
    """
    out = []
    for row in weights:
        scaled = row * (50.0 / row.max())
        assert scaled[scaled > 0].min() >= 0.01, "a draw a profile cannot hold: change the seed"
        drawn = profile.with_weights(dict(zip(names, scaled.tolist(), strict=True)))
        out.append(score(features, drawn).table["rank"].astype(float))
    return out


def test_the_sampler_equals_a_loop_over_score_with_the_same_draws(
    twelve: pd.DataFrame, three: Profile
) -> None:
    # Values inside the ramps and drawn at random: no two villages' scores come
    # within 1e-13 of a rounding boundary, so the ranks agree exactly (the sums are
    # added in another order than score()'s, see _keys).
    space = WeightSpace.from_profile(three, ranges={A: (0.5, 6), C: (0.5, 3)}, order=[A, B])
    draws = 200
    weights, ranks, codes = [], [], None
    for part in sample_ranks(twelve, three, space=space, samples=draws, seed=8, chunk=64):
        weights.append(part.weights)
        ranks.append(part.ranks)
        codes = part.codes
    assert codes is not None
    sampled = np.vstack(ranks).astype(float)
    expected = loop_ranks(twelve, three, space.names, np.vstack(weights))
    loop = np.vstack([r.reindex(codes).to_numpy() for r in expected])
    assert np.array_equal(sampled, loop)

    # And robustness() counts those same ranks.
    result = robustness(twelve, three, space=space, samples=draws, seed=8)
    table = result.table.reindex(codes)
    for t in (1, 3, 10):
        assert table[f"p_top{t}"].to_numpy() == pytest.approx((loop <= t).mean(axis=0))
    for q, column in ((0.05, "rank_p05"), (0.5, "rank_p50"), (0.95, "rank_p95")):
        exact = np.quantile(loop, q, axis=0, method="inverted_cdf")
        assert table[column].to_numpy().tolist() == exact.tolist()


def test_noisy_values_are_those_a_loop_over_score_would_rank(
    twelve: pd.DataFrame, three: Profile
) -> None:
    noise = GaussianNoise((B,), 10.0)
    draws = 100
    parts = list(sample_ranks(twelve, three, samples=draws, seed=6, noise=[noise], chunk=30))
    codes = parts[0].codes
    values = np.vstack([p.values[B] for p in parts])
    # The documented streams: the weights' first, then one per noise given.
    streams = np.random.SeedSequence(6).spawn(2)
    eps = np.random.default_rng(streams[1]).standard_normal((draws, len(codes), 1))[:, :, 0]
    base = twelve[B].reindex(codes).to_numpy()
    assert values == pytest.approx(np.maximum(base + 10.0 * eps, 0.0))
    sampled = np.vstack([p.ranks for p in parts]).astype(float)
    for d in range(draws):
        features = twelve.copy()
        features.loc[codes, B] = values[d]
        rank = score(features, three).table["rank"].astype(float)
        assert rank.reindex(codes).tolist() == sampled[d].tolist()


def test_value_noise_makes_first_place_uncertain_and_the_confidence_factor_a_share(
    make_profile: MakeProfile,
) -> None:
    profile = make_profile({A: linear(1)})
    features = frame({A: [50.0, 49.0, 10.0]})
    # Two villages one point apart, errors of sd 5: each is first in a share of draws.
    result = robustness(features, profile, samples=4_000, noise=[GaussianNoise((A,), 5.0)])
    table = result.table
    # P(x1 + e1 > x2 + e2) = Phi(1 / (5 sqrt 2)).
    expected = 0.5 * (1 + math.erf(1 / (5 * math.sqrt(2)) / math.sqrt(2)))
    assert table.at["99001", "p_top1"] == pytest.approx(expected, abs=0.03)
    assert table.at["99003", "p_top1"] == 0.0
    # One criterion: the central weights are (1,) and the confidence factor is p_top1.
    assert table.at["99001", "confidence"] == pytest.approx(table.at["99001", "p_top1"])
    assert result.noisy == (A,)


# --- noise -----------------------------------------------------------------------------------


def test_drive_time_noise_comes_from_the_fitted_error() -> None:
    fitted = DriveTimeModel().fit([10.0, 20.0, 30.0], [12.0, 30.0, 40.0], network_km=[13, 26, 39])
    noise = drive_time_noise({"drive_min_TLS", "dist_km_TLS", "drive_min_town"}, fitted)
    assert noise is not None
    assert noise.criteria == ("drive_min_TLS", "drive_min_town")
    assert noise.sigma == pytest.approx((fitted.mae_min_ * math.sqrt(math.pi / 2),) * 2)
    assert isinstance(noise, Noise)
    assert drive_time_noise({"drive_min_TLS"}, DriveTimeModel()) is None
    assert drive_time_noise({"dist_km_TLS"}, fitted) is None


def test_gaussian_noise_has_the_stated_spread_and_floor() -> None:
    noise = GaussianNoise.from_mae(("drive_min_TLS",), 4.0)
    drawn = noise.perturb(
        np.array([[60.0], [1.0], [np.nan]]), np.array(["a", "b", "c"]), n=50_000,
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert drawn.shape == (50_000, 3, 1)
    assert np.abs(drawn[:, 0, 0] - 60).mean() == pytest.approx(4.0, rel=0.02)
    assert drawn[:, 1, 0].min() == 0.0
    assert np.isnan(drawn[:, 2, 0]).all()


def test_draws_noise_takes_each_listed_village_from_its_draws() -> None:
    noise = DrawsNoise("house_price_eur_m2", {"99002": [1000.0, 3000.0]})
    drawn = noise.perturb(
        np.array([[1500.0], [2000.0]]), np.array(["99001", "99002"]), n=2_000,
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert (drawn[:, 0, 0] == 1500.0).all()
    assert set(np.unique(drawn[:, 1, 0])) == {1000.0, 3000.0}
    assert (drawn[:, 1, 0] == 1000.0).mean() == pytest.approx(0.5, abs=0.05)
    with pytest.raises(InvalidOptionError, match="at least one value"):
        DrawsNoise("house_price_eur_m2", {"99002": []})


def test_bootstrap_medians_feed_draws_noise_into_the_ranking(
    make_profile: MakeProfile,
) -> None:
    sales = {"99002": [800.0, 1200.0, 2600.0]}
    medians = bootstrap_medians(sales, draws=200, rng=np.random.default_rng(1))
    again = bootstrap_medians(sales, draws=200, rng=np.random.default_rng(1))
    assert np.array_equal(medians["99002"], again["99002"])
    assert set(np.unique(medians["99002"])) <= {800.0, 1200.0, 2600.0}
    # Cheaper is better: 99001 costs 1500; 99002's median of 1200 rests on three sales.
    profile = make_profile(
        {"house_price_eur_m2": {"weight": 1, "better": "lower", "full": 500, "zero": 4000}}
    )
    features = frame({"house_price_eur_m2": [1500.0, 1200.0]})
    fixed = robustness(features, profile, samples=500)
    assert fixed.table.at["99002", "p_top1"] == 1.0
    noisy = robustness(
        features, profile, samples=2_000, noise=[DrawsNoise("house_price_eur_m2", medians)]
    )
    share = float((medians["99002"] > 1500).mean())
    assert noisy.table.at["99001", "p_top1"] == pytest.approx(share, abs=0.05)


def test_house_price_noise_bootstraps_the_few_sales_of_low_confidence_prices() -> None:
    dvf = pd.DataFrame(
        {
            "insee": ["99001", "99002", "99003"],
            "house_price_eur_m2": [2000.0, 1200.0, 900.0],
            "low_confidence_prices_eur_m2": [None, [800.0, 1200.0, 2600.0], [900.0]],
        }
    )
    noise = house_price_noise(dvf, draws=300, seed=4)
    assert noise is not None and noise.criteria == ("house_price_eur_m2",)
    assert set(noise.draws) == {"99002", "99003"}  # 99001 rests on enough sales
    assert set(np.unique(noise.draws["99002"])) <= {800.0, 1200.0, 2600.0}
    assert len(np.unique(noise.draws["99002"])) > 1
    assert set(noise.draws["99003"]) == {900.0}  # one sale: no spread to sample
    again = house_price_noise(dvf, draws=300, seed=4)
    assert again is not None and np.array_equal(again.draws["99002"], noise.draws["99002"])
    # No DVF, an edition without the sales' prices, or no low-confidence commune: nothing.
    assert house_price_noise(None) is None
    assert house_price_noise(dvf.drop(columns="low_confidence_prices_eur_m2")) is None
    assert house_price_noise(dvf.iloc[:1]) is None


def test_noise_on_a_criterion_not_scored_is_ignored(twelve: pd.DataFrame, three: Profile) -> None:
    plain = robustness(twelve, three, samples=50, seed=1)
    result = robustness(
        twelve, three, samples=50, seed=1, noise=[GaussianNoise(("dist_km_TLS",), 3)]
    )
    assert result.noisy == ()
    pd.testing.assert_frame_equal(result.table, plain.table)
    with pytest.raises(InvalidOptionError, match="two noises"):
        robustness(twelve, three, samples=5, noise=[GaussianNoise((A,), 1), GaussianNoise((A,), 2)])


# --- sensitivity, unavailable criteria, the tables' columns --------------------------------


def test_sensitivity_names_the_weight_that_moves_the_ranking(make_profile: MakeProfile) -> None:
    rng = np.random.default_rng(3)
    features = frame(
        {A: list(rng.uniform(5, 95, 20)), B: list(rng.uniform(5, 95, 20)), C: [50.0] * 20}
    )
    profile = make_profile({A: linear(2), B: linear(1), C: linear(1)})
    # B's weight varies: it moves the ranking. C's varies but every village has the same
    # value: ranks do not depend on it, and its measure is Monte Carlo noise only. A's
    # weight is fixed: exactly 0.
    space = WeightSpace.from_profile(profile, ranges={B: (0.1, 5.0), C: (0.1, 5.0)})
    result = robustness(features, profile, space=space, samples=2_000)
    assert result.sensitivity[B] > 1.0
    assert result.sensitivity[C] < result.sensitivity[B] / 10
    assert result.sensitivity[A] == 0.0
    assert result.most_sensitive == B


def test_unavailable_criteria_are_left_out_like_score_does(
    twelve: pd.DataFrame, make_profile: MakeProfile
) -> None:
    profile = make_profile({A: linear(2), B: linear(1), "fibre_share_pct": linear(4)})
    space = WeightSpace.from_profile(profile, ranges={"fibre_share_pct": (1, 9), B: (0.5, 2)})
    result = robustness(twelve, profile, space=space, samples=100, seed=2)
    assert result.criteria == [A, B]
    assert "fibre_share_pct" in result.unavailable
    assert list(result.sensitivity.index) == [A, B]
    # The loop over score() drops it too, for every draw.
    first = next(sample_ranks(twelve, profile, space=space, samples=100, seed=2))
    expected = loop_ranks(twelve, profile, space.names, first.weights[:20])
    for d, rank in enumerate(expected):
        assert rank.reindex(first.codes).tolist() == first.ranks[d].astype(float).tolist()


def test_to_frame_gives_the_tables_columns(twelve: pd.DataFrame, three: Profile) -> None:
    space = WeightSpace.from_profile(three, ranges={A: (1, 5)})
    result = robustness(twelve, three, space=space, samples=100, top=5)
    assert isinstance(result, Robustness)
    assert result.top == 5 and result.samples == 100 and result.seed == 0
    frame_ = result.to_frame()
    assert list(frame_.columns) == [
        "p_top1", "p_top3", "p_top10", "p_top5", "rank_p05", "rank_p50", "rank_p95",
        "confidence", f"central_weight_{A}", f"central_weight_{B}", f"central_weight_{C}",
    ]  # fmt: skip
    assert frame_.index.equals(result.table.index)
    top1 = robustness(twelve, three, space=space, samples=100, top=1)
    assert top1.table["p_top"].equals(top1.table["p_top1"])
    assert "p_top1" in top1.to_frame().columns
    table = result.table
    assert (table["p_top1"] <= table["p_top3"]).all()
    assert (table["p_top3"] <= table["p_top"]).all() and (table["p_top"] <= table["p_top10"]).all()


def test_robustness_of_a_territory_samples_the_profile_s_ranges() -> None:
    import relocate
    from relocate.scoring import parse_profile

    territory = relocate.load_territory(relocate.Settings())
    profile = parse_profile(
        {
            "name": "Fixture ranges",
            "criteria": {
                "drive_min_TLS": {"weight": [1, 5], "better": "lower", "full": 10, "zero": 120},
                "population": {"weight": 2, "points": [[100, 0], [3000, 1], [30000, 0.8]]},
            },
        }
    )
    result = relocate.robustness_of(territory, profile, samples=400, seed=3, top=5)
    table = result.table
    assert 0 < table["p_top"].max() <= 1
    assert (table["rank_p05"] <= table["rank_p95"]).all()
    # Sampled weights move some ranks (a fixed profile would give 0/1 probabilities only).
    assert ((table["p_top10"] > 0) & (table["p_top10"] < 1)).any()
    frame = score(territory.features, profile).to_geodataframe(
        territory.villages.geometry, robustness=result
    )
    assert {"p_top10", "rank_p05", "rank_p95", "geometry"} <= set(frame.columns)
    assert frame.crs == territory.villages.crs


def test_robustness_of_a_territory_bootstraps_low_confidence_house_prices() -> None:
    from dataclasses import replace
    from types import SimpleNamespace

    import relocate
    from relocate.scoring import parse_profile

    territory = relocate.load_territory(relocate.Settings())
    codes = list(territory.villages.index[:3])
    # Fixture prices: the first village's median rests on two sales far apart.
    prices = pd.Series(np.nan, index=territory.villages.index)
    prices[codes] = [1400.0, 1500.0, 1600.0]
    dvf = pd.DataFrame(
        {
            "insee": codes,
            "house_price_eur_m2": [1400.0, 1500.0, 1600.0],
            "low_confidence_prices_eur_m2": [[600.0, 2200.0], None, None],
        }
    )
    loaded = replace(
        territory,
        features=territory.features.assign(house_price_eur_m2=prices),
        open_data={**territory.open_data, "dvf": SimpleNamespace(table=dvf)},
    )
    profile = parse_profile(
        {
            "name": "Fixture price",
            "criteria": {
                "house_price_eur_m2": {"weight": 1, "better": "lower", "full": 500, "zero": 3000}
            },
        }
    )
    result = relocate.robustness_of(loaded, profile, samples=400, seed=2, top=1)
    assert "house_price_eur_m2" in result.noisy
    # Its median of 1,400 wins every time without noise. Resampling its two sales gives
    # 600 (a quarter of the draws), 1,400 (half) or 2,200 (a quarter): it wins 3 in 4.
    assert result.table.at[codes[0], "p_top1"] == pytest.approx(0.75, abs=0.07)
    without = relocate.robustness_of(
        replace(loaded, open_data=territory.open_data), profile, samples=400, seed=2, top=1
    )
    assert without.table.at[codes[0], "p_top1"] == 1.0
