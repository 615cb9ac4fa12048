"""The profile learned from where the members settled: valid, deterministic, better than presets."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

import relocate
from relocate.errors import InvalidOptionError
from relocate.programme.learn import (
    Basis,
    eligible_features,
    learn_profile,
    settled_villages,
    write_learned,
)
from relocate.scoring import list_presets, load_profile


@pytest.fixture(scope="module")
def learned(programme_gers: relocate.Territory):  # type: ignore[no-untyped-def]
    return learn_profile(programme_gers)


def test_the_learned_profile_explains_the_settlements_better_than_each_preset(learned) -> None:  # type: ignore[no-untyped-def]
    first, *presets = learned.evaluations
    assert first.key == "learned"
    assert [p.key for p in presets] == list_presets()
    assert first.top == 30
    for preset in presets:
        assert first.hits > preset.hits, (first, preset)
    assert first.share > 2 * learned.base_rate
    assert first.auc > 0.75
    assert learned.settled == 170
    assert learned.members == 300
    assert sum(learned.fold_hits) > 0


def test_it_finds_the_planted_signal(learned) -> None:  # type: ignore[no-untyped-def]
    weights = learned.weights["weight"]
    assert set(weights.index[:2]) == {"drive_min_TLS", "population"}
    assert weights.between(1.0, 5.0).all()
    assert weights.iloc[0] == 5.0
    tls = learned.profile.criteria["drive_min_TLS"]
    assert float(tls.utility([20.0])[0]) > float(tls.utility([120.0])[0])
    population = learned.profile.criteria["population"]
    band, small, town = population.utility([800.0, 60.0, 8000.0])
    assert band > small and band > town  # a band, not "the bigger the better"
    assert not {n for n in learned.profile.criteria if "members" in n or n.startswith("note_")}


def test_the_toml_is_a_commented_profile_that_loads(
    learned, tmp_path: Path, programme_gers
) -> None:  # type: ignore[no-untyped-def]
    path = write_learned(learned, tmp_path / "learned.toml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Made by `relocate network learn`")
    assert "learned        " in text
    data = tomllib.loads(text)
    assert set(data) == {"name", "description", "criteria"}
    profile = load_profile(path, catalogue=programme_gers.catalogue)
    assert profile.criteria.keys() == learned.profile.criteria.keys()
    assert "cross-validated" in profile.summary("en")


def test_learning_is_deterministic(learned, programme_gers: relocate.Territory) -> None:  # type: ignore[no-untyped-def]
    again = learn_profile(programme_gers)
    assert again.evaluations == learned.evaluations
    assert again.weights.equals(learned.weights)


def test_the_programme_s_own_features_are_never_learned_on(
    programme_gers: relocate.Territory,
) -> None:
    names = eligible_features(programme_gers)
    assert "drive_min_TLS" in names
    assert not [n for n in names if "members" in n or n.startswith("note_")]
    assert not [n for n in names if n.startswith("dist_km_")]
    assert settled_villages(programme_gers).sum() == 170


def test_a_basis_ramps_and_its_curve() -> None:
    basis = Basis(feature="population", knots=(0.0, 100.0, 300.0))
    assert basis.ramps([50.0, 200.0, 400.0]).tolist() == [[0.5, 0.0], [1.0, 0.5], [1.0, 1.0]]
    utilities, spread = basis.curve([2.0, -1.0])
    assert utilities.tolist() == [0.0, 1.0, 0.5]
    assert spread == 2.0


def test_without_members_there_is_nothing_to_learn(base_cache: Path) -> None:
    gers = relocate.load_territory(relocate.Settings(cache_dir=base_cache))
    with pytest.raises(InvalidOptionError, match="relocate network import FILE"):
        learn_profile(gers)
