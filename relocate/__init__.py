"""relocate: score, rank, explain and map the villages of a département for a newcomer.

The public API is imported on first use (PEP 562): ``import relocate`` and
``relocate --version`` load no geospatial library.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from relocate.catalogue import Catalogue, default_catalogue
    from relocate.errors import RelocateError
    from relocate.features.drive import DriveTimeModel
    from relocate.scoring import Profile, Ranking, list_presets, load_profile, score
    from relocate.scoring.robust import Robustness, WeightSpace, robustness, robustness_of
    from relocate.settings import Settings
    from relocate.territory import Territory, fit_drive_model, load_territory

_WHERE = {
    "Catalogue": "relocate.catalogue",
    "default_catalogue": "relocate.catalogue",
    "RelocateError": "relocate.errors",
    "DriveTimeModel": "relocate.features.drive",
    "Profile": "relocate.scoring",
    "Ranking": "relocate.scoring",
    "list_presets": "relocate.scoring",
    "load_profile": "relocate.scoring",
    "score": "relocate.scoring",
    "Robustness": "relocate.scoring.robust",
    "WeightSpace": "relocate.scoring.robust",
    "robustness": "relocate.scoring.robust",
    "robustness_of": "relocate.scoring.robust",
    "Settings": "relocate.settings",
    "Territory": "relocate.territory",
    "fit_drive_model": "relocate.territory",
    "load_territory": "relocate.territory",
}

__all__ = [
    "Catalogue",
    "DriveTimeModel",
    "Profile",
    "Ranking",
    "RelocateError",
    "Robustness",
    "Settings",
    "Territory",
    "WeightSpace",
    "default_catalogue",
    "fit_drive_model",
    "list_presets",
    "load_profile",
    "load_territory",
    "robustness",
    "robustness_of",
    "score",
]
__version__ = importlib.metadata.version("relocate")


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'relocate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return [*__all__, "__version__"]
