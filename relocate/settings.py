"""The explicit settings a run depends on, passed in rather than read from globals."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from relocate.errors import InvalidOptionError

if TYPE_CHECKING:
    from relocate.features.drive import DriveTimeModel

__all__ = ["DEFAULT_AIRPORTS", "Settings", "default_cache_dir"]

#: Toulouse-Blagnac and Agen-La Garenne, the two airports Gers newcomers ask about.
DEFAULT_AIRPORTS: tuple[str, ...] = ("TLS", "AGF")

CACHE_ENV_VAR = "RELOCATE_CACHE_DIR"


def default_cache_dir() -> Path:
    """Return the cache directory: ``$RELOCATE_CACHE_DIR`` or the per-user cache."""
    env = os.environ.get(CACHE_ENV_VAR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("relocate", appauthor=False))


def _stated_model() -> DriveTimeModel:
    # Imported here: the command line reads these settings' defaults before it needs numpy.
    from relocate.features.drive import DriveTimeModel

    return DriveTimeModel()


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
    drive_model
        The stated drive-time model (:class:`~relocate.features.DriveTimeModel`) that
        estimates drive times from straight-line distances where no road network
        is loaded.
    cache_dir
        Where parsed sources and editions are kept.
    calibrate_estimate
        Where no road network is loaded, estimate with the model fitted on one
        (a ``drive-model`` edition of the store, made when a network is imported,
        and named in every output) rather than the stated one.
    min_scored_share
        Below this share of a profile's weight scored, outputs say plainly that the
        ranking is not a recommendation yet (0-1; default 0.6).
    trade
        The household's trade or activity (``graphiste``), for the programme's
        ``trade_members_within_*`` criteria; None when the household names none.
    min_members_shown
        The programme's members are shown to households only as counts of at least
        this many (per commune, or within a drive time); fewer read "a few" at the
        level of the intercommunality (default 3).
    today
        The day the run is for: the advisor's field notes past their end are
        expired on it (default: the day the features are computed).

    """

    departement: str = "32"
    airports: tuple[str, ...] = DEFAULT_AIRPORTS
    town_min_population: int = 2000
    drive_model: DriveTimeModel = field(default_factory=_stated_model)
    cache_dir: Path = field(default_factory=default_cache_dir)
    calibrate_estimate: bool = True
    min_scored_share: float = 0.6
    trade: str | None = None
    min_members_shown: int = 3
    today: date | None = None

    def __post_init__(self) -> None:
        given = (self.airports,) if isinstance(self.airports, str) else self.airports
        codes = tuple(code.strip().upper() for code in given)
        if not codes or not all(codes):
            raise InvalidOptionError("give at least one airport, as IATA codes (e.g. TLS)")
        if len(set(codes)) != len(codes):
            raise InvalidOptionError(f"airport listed twice in {', '.join(codes)}")
        object.__setattr__(self, "airports", codes)
        object.__setattr__(self, "departement", self.departement.strip().upper())
        if not 0.0 <= self.min_scored_share <= 1.0:
            raise InvalidOptionError(
                f"the share of the profile a ranking must score is between 0 and 1 "
                f"(got {self.min_scored_share})"
            )
        if self.town_min_population < 1:
            raise InvalidOptionError(
                f"town minimum population must be at least 1 (got {self.town_min_population})"
            )
        if self.trade is not None:
            trade = " ".join(self.trade.split())
            if not trade:
                raise InvalidOptionError("the trade is blank: name it (e.g. graphiste) or omit it")
            object.__setattr__(self, "trade", trade)
        if self.min_members_shown < 1:
            raise InvalidOptionError(
                f"the smallest count of members shown must be at least 1 "
                f"(got {self.min_members_shown})"
            )
