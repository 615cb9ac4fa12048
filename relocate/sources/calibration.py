"""The drive-time estimate fitted on a road network, kept for the runs that have none."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from relocate._files import atomic_path
from relocate.settings import DriveEstimate

__all__ = ["CalibratedEstimate", "load_calibration", "save_calibration"]

_FILE = "drive-estimate.json"


@dataclass(frozen=True, kw_only=True)
class CalibratedEstimate:
    """The straight-line model's parameters as last fitted on a road network, and its error."""

    detour_factor: float
    speed_kmh: float
    mae_min: float
    max_error_min: float
    n: int
    departement: str
    roads_edition: str

    @property
    def estimate(self) -> DriveEstimate:
        """The fitted model, to estimate drive times where no road network is loaded."""
        return DriveEstimate(detour_factor=max(self.detour_factor, 1.0), speed_kmh=self.speed_kmh)

    @property
    def description(self) -> str:
        """The model in one line, with where it was fitted and its error."""
        return (
            f"estimate: straight-line distance x {self.detour_factor:.2f} detour at "
            f"{self.speed_kmh:.0f} km/h, fitted on the road network of département "
            f"{self.departement} (OpenStreetMap {self.roads_edition}; mean error "
            f"{self.mae_min:.1f} min, largest {self.max_error_min:.0f} min, {self.n} routes)"
        )


def save_calibration(cache_dir: Path, calibration: CalibratedEstimate) -> None:
    """Keep a fit in the cache (atomically); an unwritable cache only loses the fit."""
    try:
        with atomic_path(cache_dir / _FILE) as tmp:
            tmp.write_text(json.dumps(asdict(calibration), indent=2), encoding="utf-8")
    except OSError:
        pass


def load_calibration(cache_dir: Path) -> CalibratedEstimate | None:
    """The last fit kept in the cache, or None (none yet, or unreadable)."""
    try:
        data = json.loads((cache_dir / _FILE).read_text(encoding="utf-8"))
        return CalibratedEstimate(**data)
    except (OSError, ValueError, TypeError):
        return None
