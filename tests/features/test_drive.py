"""The drive-time model: minutes from straight-line distances, stated or fitted on roads."""

from __future__ import annotations

import math

import numpy as np
import pytest

from relocate.errors import InvalidOptionError, NotFittedError
from relocate.features import DriveTimeModel

# --- the stated model ---------------------------------------------------------------------


def test_stated_model_minutes() -> None:
    model = DriveTimeModel()
    assert model.predict([70.0])[0] == pytest.approx(78.0)  # 70 km x 1.3 at 70 km/h
    assert model.predict([0.0])[0] == 0.0
    assert DriveTimeModel(detour_factor=1.0, speed_kmh=60).predict([45.0])[0] == pytest.approx(45.0)
    assert math.isnan(model.predict([math.nan])[0])


def test_stated_model_description() -> None:
    assert DriveTimeModel().description == (
        "estimate: straight-line distance x 1.3 detour at 70 km/h"
    )
    assert (
        "x 1.25 detour at 55.5 km/h"
        in DriveTimeModel(detour_factor=1.25, speed_kmh=55.5).description
    )


@pytest.mark.parametrize("detour", [0.99, 0.0, -1.3, math.nan])
def test_detour_below_one_is_rejected(detour: float) -> None:
    with pytest.raises(InvalidOptionError, match="detour factor must be at least 1"):
        DriveTimeModel(detour_factor=detour)


@pytest.mark.parametrize("speed", [0.0, -70.0, math.nan])
def test_speed_must_be_positive(speed: float) -> None:
    with pytest.raises(InvalidOptionError, match="speed must be positive"):
        DriveTimeModel(speed_kmh=speed)


def test_detour_of_exactly_one_is_valid() -> None:
    assert DriveTimeModel(detour_factor=1.0).detour_factor == 1.0


# --- fitted on road-network routes -----------------------------------------------------------


def test_fit_recovers_known_detour_and_speed() -> None:
    rng = np.random.default_rng(4)
    straight = rng.uniform(3.0, 90.0, 200)
    network_km = straight * 1.25
    network_min = network_km / 65.0 * 60.0
    fit = DriveTimeModel().fit(straight, network_min, network_km=network_km)
    assert fit.detour_factor_ == pytest.approx(1.25, abs=1e-6)
    assert fit.speed_kmh_ == pytest.approx(65.0, abs=1e-6)
    assert fit.mae_min_ == pytest.approx(0.0, abs=1e-9)
    assert fit.n_routes_ == 200
    assert fit.parameters == (fit.detour_factor_, fit.speed_kmh_)
    np.testing.assert_allclose(fit.predict(straight), network_min)


def test_fit_error_and_skipped_routes() -> None:
    straight = np.array([10.0, 20.0, 0.0, np.nan])
    network_km = np.array([12.0, 28.0, 0.5, 5.0])
    network_min = np.array([12.0, 25.0, 1.0, 5.0])
    fit = DriveTimeModel().fit(straight, network_min, network_km=network_km)
    assert fit.n_routes_ == 2  # the route of 0 km and the NaN one are left out
    detour = (10 * 12 + 20 * 28) / (10**2 + 20**2)
    hours = network_min[:2] / 60
    speed = float((hours * network_km[:2]).sum() / (hours**2).sum())
    assert fit.detour_factor_ == pytest.approx(detour)
    assert fit.speed_kmh_ == pytest.approx(speed)
    errors = np.abs(straight[:2] * detour / speed * 60 - network_min[:2])
    assert fit.mae_min_ == pytest.approx(errors.mean())
    assert fit.max_error_min_ == pytest.approx(errors.max())
    assert fit.mae_min_ > 0


def test_an_unfitted_model_predicts_with_its_parameters_and_says_so() -> None:
    model = DriveTimeModel(detour_factor=1.5, speed_kmh=50.0)
    assert not model.is_fitted
    assert model.parameters == (1.5, 50.0)
    with pytest.raises(NotFittedError):
        model.check_fitted()


def test_fitting_keeps_the_stated_parameters_and_learns_its_own() -> None:
    model = DriveTimeModel().fit([10.0, 20.0], [15.0, 30.0], network_km=[12.0, 24.0])
    assert model.get_params() == {"detour_factor": 1.3, "speed_kmh": 70.0}
    assert model.detour_factor_ == pytest.approx(1.2)
    assert model.speed_kmh_ == pytest.approx(48.0)


def test_a_fitted_detour_below_one_predicts_as_one() -> None:
    # Noise on short routes can fit a detour below 1: a road is never shorter than the line.
    model = DriveTimeModel().fit([10.0, 10.0], [10.0, 10.0], network_km=[9.0, 9.0])
    assert model.detour_factor_ < 1.0
    assert model.parameters[0] == 1.0


def test_a_model_round_trips_through_plain_data() -> None:
    fitted = DriveTimeModel().fit([10.0, 20.0], [15.0, 31.0], network_km=[12.0, 25.0])
    again = DriveTimeModel.from_dict(fitted.to_dict())
    assert again == fitted
    assert again.is_fitted and again.n_routes_ == 2
    assert DriveTimeModel.from_dict(DriveTimeModel().to_dict()) == DriveTimeModel()
    with pytest.raises(InvalidOptionError, match="not a drive-time model"):
        DriveTimeModel.from_dict({"detour_factor": 1.3})


def test_fitting_needs_two_usable_routes() -> None:
    with pytest.raises(InvalidOptionError, match="at least 2 routes"):
        DriveTimeModel().fit([10.0, 0.0], [12.0, 1.0], network_km=[11.0, 1.0])
