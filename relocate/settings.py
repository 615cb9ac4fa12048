"""The explicit settings a run depends on, passed in rather than read from globals."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from relocate.errors import InvalidOptionError

__all__ = ["DEFAULT_AIRPORTS", "DriveEstimate", "Settings", "default_cache_dir"]

#: Toulouse-Blagnac and Agen-La Garenne, the two airports Gers newcomers ask about.
DEFAULT_AIRPORTS: tuple[str, ...] = ("TLS", "AGF")

CACHE_ENV_VAR = "RELOCATE_CACHE_DIR"


def default_cache_dir() -> Path:
    """Return the cache directory: ``$RELOCATE_CACHE_DIR`` or the per-user cache."""
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("relocate", appauthor=False))


@dataclass(frozen=True, kw_only=True)
class DriveEstimate:
    """The straight-line model that estimates a drive time until road networks arrive.

    ``drive_min = dist_km * detour_factor / speed_kmh * 60``

    Both parameters are stated assumptions, not fitted values: a detour factor
    (road distance / straight-line distance) of 1.3, in the range reported for
    rural road networks in Europe, and a mean door-to-door speed of 70 km/h, between
    the 80 km/h limit of French two-lane roads and the 50 km/h of village crossings.
    Every time it produces is labelled an estimate.
    """

    detour_factor: float = 1.3
    speed_kmh: float = 70.0

    def __post_init__(self) -> None:
        if not self.detour_factor >= 1.0:
            raise InvalidOptionError(f"detour factor must be at least 1 (got {self.detour_factor})")
        if not self.speed_kmh > 0:
            raise InvalidOptionError(f"mean speed must be positive (got {self.speed_kmh} km/h)")

    def minutes(self, dist_km: float) -> float:
        """Return the estimated drive time in minutes for a straight-line distance."""
        return dist_km * self.detour_factor / self.speed_kmh * 60.0

    @property
    def description(self) -> str:
        """A one-line statement of the model, shown beside every estimate."""
        return (
            f"estimate: straight-line distance x {self.detour_factor:g} detour"
            f" at {self.speed_kmh:g} km/h"
        )


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Everything a run depends on besides the data and the profile.

    Parameters
    ----------
    departement
        Code of the département whose villages are scored (``"32"`` is the Gers).
    airports
        IATA codes of the airports to measure against.
    town_min_population
        A "town" for ``dist_km_town`` has at least this many inhabitants.
    drive_estimate
        The model that estimates drive times from straight-line distances.
    cache_dir
        Where parsed sources are cached.

    """

    departement: str = "32"
    airports: tuple[str, ...] = DEFAULT_AIRPORTS
    town_min_population: int = 2000
    drive_estimate: DriveEstimate = field(default_factory=DriveEstimate)
    cache_dir: Path = field(default_factory=default_cache_dir)
    calibrate_estimate: bool = True

    def __post_init__(self) -> None:
        given = (self.airports,) if isinstance(self.airports, str) else self.airports
        codes = tuple(code.strip().upper() for code in given)
        if not codes or not all(codes):
            raise InvalidOptionError("give at least one airport, as IATA codes (e.g. TLS)")
        if len(set(codes)) != len(codes):
            raise InvalidOptionError(f"airport listed twice in {', '.join(codes)}")
        object.__setattr__(self, "airports", codes)
        object.__setattr__(self, "departement", self.departement.strip().upper())
        if self.town_min_population < 1:
            raise InvalidOptionError(
                f"town minimum population must be at least 1 (got {self.town_min_population})"
            )
