"""Profiles and scoring: what a newcomer wants, and how well each village answers it.

:mod:`relocate.scoring.robust` (``robustness``) says how sure each rank is; it is
imported on first use (its names are listed here too).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from relocate.scoring.profile import (
    Constraint,
    Criterion,
    Localized,
    Profile,
    list_presets,
    load_profile,
    parse_profile,
)
from relocate.scoring.score import Absence, Ranking, score

if TYPE_CHECKING:
    from relocate.scoring.robust import (
        DrawsNoise,
        GaussianNoise,
        Robustness,
        WeightSpace,
        robustness,
    )

_ROBUST = {"DrawsNoise", "GaussianNoise", "Robustness", "WeightSpace", "robustness"}

__all__ = [
    "Absence",
    "Constraint",
    "Criterion",
    "DrawsNoise",
    "GaussianNoise",
    "Localized",
    "Profile",
    "Ranking",
    "Robustness",
    "WeightSpace",
    "list_presets",
    "load_profile",
    "parse_profile",
    "robustness",
    "score",
]


def __getattr__(name: str) -> Any:
    if name in _ROBUST:
        return getattr(importlib.import_module("relocate.scoring.robust"), name)
    raise AttributeError(f"module 'relocate.scoring' has no attribute {name!r}")
