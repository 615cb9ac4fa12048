"""relocate: score, rank, explain and map the villages of a département for a newcomer."""

from relocate.errors import RelocateError
from relocate.scoring import Profile, Ranking, list_presets, load_profile, score
from relocate.settings import DriveEstimate, Settings
from relocate.territory import Territory, load_territory

__all__ = [
    "DriveEstimate",
    "Profile",
    "Ranking",
    "RelocateError",
    "Settings",
    "Territory",
    "list_presets",
    "load_profile",
    "load_territory",
    "score",
]
__version__ = "0.1.0"
