"""Profiles and scoring: what a newcomer wants, and how well each village answers it."""

from relocate.scoring.profile import (
    Constraint,
    Criterion,
    Profile,
    list_presets,
    load_profile,
    parse_profile,
)
from relocate.scoring.score import Ranking, score

__all__ = [
    "Constraint",
    "Criterion",
    "Profile",
    "Ranking",
    "list_presets",
    "load_profile",
    "parse_profile",
    "score",
]
