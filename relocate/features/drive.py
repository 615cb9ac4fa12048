"""The drive-time model: minutes from a straight-line distance, stated or fitted on roads."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from relocate.errors import InvalidOptionError, NotFittedError

__all__ = ["DriveTimeModel"]

FloatArray = npt.NDArray[np.float64]


class DriveTimeModel:
    r"""Drive time from a straight-line distance: a detour factor and a mean speed.

    .. math::

        t_{\mathrm{min}} = d_{\mathrm{km}} \times \frac{k}{v_{\mathrm{km/h}}} \times 60

    where :math:`d` is the geodesic distance, :math:`k` the detour factor (road
    distance over straight-line distance) and :math:`v` the mean door-to-door speed.
    This is the one place the formula is written.

    Until it is fitted, the model predicts with the parameters it was given: the
    stated assumptions of a detour factor of 1.3, in the range reported for rural
    road networks in Europe, and 70 km/h, between the 80 km/h limit of French
    two-lane roads and the 50 km/h of village crossings. :meth:`fit` measures both
    on routes along a road network (scikit-learn's conventions: the learned values
    end in ``_``), with the error of the fitted model.

    Parameters
    ----------
    detour_factor
        Road distance over straight-line distance, at least 1.
    speed_kmh
        Mean speed along the road, in km/h, above 0.

    Attributes
    ----------
    detour_factor_, speed_kmh_
        The fitted detour factor (the slope, without intercept, of road km on
        straight-line km) and speed (of road km on road hours).
    mae_min_, max_error_min_
        Mean and largest absolute error of the fitted model on the routes, in minutes.
    n_routes_
        How many routes it was fitted on.

    Examples
    --------
    >>> model = DriveTimeModel()
    >>> model.predict([35.0, 70.0]).round(1).tolist()
    [39.0, 78.0]
    >>> fitted = DriveTimeModel().fit([10.0, 20.0], [15.0, 30.0], network_km=[12.0, 24.0])
    >>> round(fitted.detour_factor_, 2), round(fitted.speed_kmh_, 1), fitted.mae_min_
    (1.2, 48.0, 0.0)
    """

    def __init__(self, *, detour_factor: float = 1.3, speed_kmh: float = 70.0) -> None:
        if not (math.isfinite(detour_factor) and detour_factor >= 1.0):
            raise InvalidOptionError(f"detour factor must be at least 1 (got {detour_factor})")
        if not (math.isfinite(speed_kmh) and speed_kmh > 0):
            raise InvalidOptionError(f"mean speed must be positive (got {speed_kmh} km/h)")
        self.detour_factor = float(detour_factor)
        self.speed_kmh = float(speed_kmh)

    # -- scikit-learn conventions -----------------------------------------------------------

    def get_params(self) -> dict[str, float]:
        """The constructor's parameters."""
        return {"detour_factor": self.detour_factor, "speed_kmh": self.speed_kmh}

    @property
    def is_fitted(self) -> bool:
        """True once :meth:`fit` has measured the parameters."""
        return hasattr(self, "detour_factor_")

    def fit(
        self,
        straight_km: npt.ArrayLike,
        network_min: npt.ArrayLike,
        *,
        network_km: npt.ArrayLike,
    ) -> DriveTimeModel:
        """Measure the detour factor and the speed on routes along a road network.

        Routes with a missing value, or a zero straight-line distance, road length
        or time (a village routed to itself), are left out.

        Parameters
        ----------
        straight_km
            Geodesic distance of each route, in km (``X``).
        network_min
            Drive time of each route along the network, in minutes (``y``).
        network_km
            Length of each route along the network, in km.

        Returns
        -------
        DriveTimeModel
            ``self``, fitted.

        Raises
        ------
        InvalidOptionError
            If the arrays differ in length or fewer than two routes are usable.
        """
        straight, minutes, road = (
            np.asarray(a, dtype=float).ravel() for a in (straight_km, network_min, network_km)
        )
        if not straight.shape == road.shape == minutes.shape:
            raise InvalidOptionError("straight_km, network_min and network_km differ in length")
        ok = np.isfinite(straight) & np.isfinite(road) & np.isfinite(minutes)
        ok &= (straight > 0) & (road > 0) & (minutes > 0)
        if ok.sum() < 2:
            raise InvalidOptionError(
                f"need at least 2 routes to fit the drive-time model (got {int(ok.sum())})"
            )
        straight, road, minutes = straight[ok], road[ok], minutes[ok]
        hours = minutes / 60.0
        # Least squares through the origin: the slope is sum(x y) / sum(x x).
        detour = float(np.dot(straight, road) / np.dot(straight, straight))
        speed = float(np.dot(hours, road) / np.dot(hours, hours))
        self.detour_factor_ = detour
        self.speed_kmh_ = speed
        error = np.abs(self._minutes(straight, detour, speed) - minutes)
        self.mae_min_ = float(error.mean())
        self.max_error_min_ = float(error.max())
        self.n_routes_ = int(ok.sum())
        return self

    def predict(self, dist_km: npt.ArrayLike) -> FloatArray:
        """Drive minutes for straight-line distances in km (NaN stays NaN).

        A fitted model uses its fitted parameters (a fitted detour factor below 1,
        which noise can give on short routes, counts as 1); an unfitted one, the
        parameters it was given.
        """
        detour, speed = self.parameters
        return self._minutes(np.asarray(dist_km, dtype=float), detour, speed)

    @staticmethod
    def _minutes(dist_km: FloatArray, detour: float, speed: float) -> FloatArray:
        return np.asarray(dist_km * detour / speed * 60.0, dtype=float)

    @property
    def parameters(self) -> tuple[float, float]:
        """The detour factor and speed :meth:`predict` uses."""
        if self.is_fitted:
            return max(self.detour_factor_, 1.0), self.speed_kmh_
        return self.detour_factor, self.speed_kmh

    # -- keeping a fitted model ---------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The parameters and, once fitted, the fitted values, as plain data."""
        data: dict[str, Any] = dict(self.get_params())
        if self.is_fitted:
            data |= {
                "detour_factor_": self.detour_factor_,
                "speed_kmh_": self.speed_kmh_,
                "mae_min_": self.mae_min_,
                "max_error_min_": self.max_error_min_,
                "n_routes_": self.n_routes_,
            }
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DriveTimeModel:
        """The model :meth:`to_dict` describes.

        Raises
        ------
        InvalidOptionError
            If the data does not describe a model.
        """
        try:
            model = cls(
                detour_factor=float(data["detour_factor"]), speed_kmh=float(data["speed_kmh"])
            )
            if "detour_factor_" in data:
                model.detour_factor_ = float(data["detour_factor_"])
                model.speed_kmh_ = float(data["speed_kmh_"])
                model.mae_min_ = float(data["mae_min_"])
                model.max_error_min_ = float(data["max_error_min_"])
                model.n_routes_ = int(data["n_routes_"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidOptionError(f"not a drive-time model: {exc}") from None
        return model

    def check_fitted(self) -> None:
        """Raise :class:`~relocate.errors.NotFittedError` unless the model is fitted."""
        if not self.is_fitted:
            raise NotFittedError("the drive-time model is not fitted: call fit() first")

    @property
    def description(self) -> str:
        """The model in one line, for analysts' source notes (English)."""
        detour, speed = self.parameters
        if not self.is_fitted:
            return f"estimate: straight-line distance x {detour:g} detour at {speed:g} km/h"
        return (
            f"estimate: straight-line distance x {detour:.2f} detour at {speed:.0f} km/h, "
            f"fitted on {self.n_routes_} road-network routes (mean error "
            f"{self.mae_min_:.1f} min, largest {self.max_error_min_:.0f} min)"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DriveTimeModel) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.to_dict().items())))

    def __repr__(self) -> str:
        state = ", fitted" if self.is_fitted else ""
        return (
            f"DriveTimeModel(detour_factor={self.detour_factor:g}, "
            f"speed_kmh={self.speed_kmh:g}{state})"
        )
