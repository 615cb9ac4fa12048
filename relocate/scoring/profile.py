"""A newcomer's profile: criteria with weights and utility curves, and hard constraints."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from relocate._names import suggest
from relocate.catalogue import Catalogue, default_catalogue
from relocate.errors import ProfileError
from relocate.settings import DEFAULT_AIRPORTS

__all__ = ["Constraint", "Criterion", "Profile", "list_presets", "load_profile", "presets_dir"]


class Criterion(BaseModel):
    """One criterion: how much it matters and how a raw value maps to a utility in [0, 1].

    The utility curve is linear between two thresholds: ``full`` (utility 1 at or
    beyond it) and ``zero`` (utility 0 at or beyond it). With ``better = "lower"``
    (drive times, distances) ``full`` must be below ``zero``; with
    ``better = "higher"`` (population, opening hours) it must be above.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    weight: float = Field(description="Relative importance, zero or more.")
    better: Literal["lower", "higher"] = Field(description="Which direction is better.")
    full: float = Field(description="Value at and beyond which the utility is 1.")
    zero: float = Field(description="Value at and beyond which the utility is 0.")

    @field_validator("weight")
    @classmethod
    def _weight_not_negative(cls, weight: float) -> float:
        if not np.isfinite(weight) or weight < 0:
            raise ValueError(f"weight must be a number of zero or more (got {weight})")
        return weight

    @field_validator("full", "zero")
    @classmethod
    def _finite_threshold(cls, value: float) -> float:
        if not np.isfinite(value):
            raise ValueError(f"thresholds must be finite numbers (got {value})")
        return value

    @model_validator(mode="after")
    def _thresholds_in_order(self) -> Criterion:
        if self.better == "lower" and not self.full < self.zero:
            raise ValueError(
                f"with better = 'lower', full ({self.full:g}) must be below zero ({self.zero:g})"
            )
        if self.better == "higher" and not self.full > self.zero:
            raise ValueError(
                f"with better = 'higher', full ({self.full:g}) must be above zero ({self.zero:g})"
            )
        return self

    def utility(self, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Map raw values to utilities in [0, 1] (NaN stays NaN)."""
        x = np.asarray(values, dtype=float)
        if self.better == "lower":
            out = np.interp(x, [self.full, self.zero], [1.0, 0.0])
        else:
            out = np.interp(x, [self.zero, self.full], [0.0, 1.0])
        return np.where(np.isnan(x), np.nan, out)

    def describe(self, unit: str) -> str:
        """Say the curve in words: ``full marks at 30 min or less, none at 90 min or more``."""
        if self.better == "lower":
            return (
                f"full marks at {self.full:g} {unit} or less, none at {self.zero:g} {unit} or more"
            )
        return f"full marks at {self.full:g} {unit} or more, none at {self.zero:g} {unit} or less"


class Constraint(BaseModel):
    """A hard constraint on one feature: a village outside ``[min, max]`` is excluded."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: float | None = None
    max: float | None = None

    @field_validator("min", "max")
    @classmethod
    def _finite_bound(cls, value: float | None) -> float | None:
        if value is not None and not np.isfinite(value):
            raise ValueError(f"bounds must be finite numbers (got {value})")
        return value

    @model_validator(mode="after")
    def _bounds(self) -> Constraint:
        if self.min is None and self.max is None:
            raise ValueError("a constraint needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) must not be above max ({self.max:g})")
        return self

    def admits(self, value: float) -> bool:
        """True if ``value`` is within the bounds (a missing value is not judged here)."""
        return not (
            (self.min is not None and value < self.min)
            or (self.max is not None and value > self.max)
        )

    def describe(self, unit: str) -> str:
        """Say the constraint in words."""
        parts = []
        if self.min is not None:
            parts.append(f"at least {self.min:g} {unit}")
        if self.max is not None:
            parts.append(f"at most {self.max:g} {unit}")
        return " and ".join(parts)


class Profile(BaseModel):
    """A newcomer's profile, as read from a TOML file.

    Examples
    --------
    .. code-block:: toml

        name = "Remote worker who flies every month"

        [criteria.drive_min_TLS]
        weight = 3
        better = "lower"
        full = 45
        zero = 120

        [constraints.drive_min_airport]
        max = 75

    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    description: str = ""
    criteria: dict[str, Criterion] = Field(min_length=1)
    constraints: dict[str, Constraint] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_names_and_weights(self, info: ValidationInfo) -> Profile:
        catalogue = _catalogue_of(info)
        for key, names in (("criteria", self.criteria), ("constraints", self.constraints)):
            for name in names:
                if not catalogue.is_known(name):
                    known = catalogue.names(DEFAULT_AIRPORTS)
                    close = suggest(name, known)
                    hint = f" Did you mean {close!r}?" if close else ""
                    raise ValueError(
                        f"unknown criterion {name!r} in {key}.{hint} Known: {', '.join(known)}"
                        " (and dist_km_<IATA>, drive_min_<IATA> for airports in or near France)"
                    )
        if not any(c.weight > 0 for c in self.criteria.values()):
            raise ValueError("every criterion has weight 0; give at least one a positive weight")
        return self

    def with_weights(
        self, weights: dict[str, float], *, catalogue: Catalogue | None = None
    ) -> Profile:
        """Return a copy with some criteria re-weighted, validated like a loaded profile.

        Parameters
        ----------
        weights
            New weight by criterion name; criteria not named keep theirs.
        catalogue
            The catalogue the criteria are checked against (default: relocate's own).

        Raises
        ------
        ProfileError
            If a name is not a criterion of this profile, or a weight is invalid.

        """
        unknown = sorted(set(weights) - set(self.criteria))
        if unknown:
            raise ProfileError(
                f"not a criterion of profile {self.name!r}: {', '.join(unknown)}; "
                f"its criteria: {', '.join(self.criteria)}"
            )
        data = self.model_dump()
        for name, weight in weights.items():
            data["criteria"][name]["weight"] = weight
        return parse_profile(data, origin=f"{self.name!r} re-weighted", catalogue=catalogue)


def presets_dir() -> Path:
    """Return the folder the preset profiles are read from.

    In a source checkout that is ``data/profiles/``; an installed wheel carries
    a copy as ``relocate/presets/``.
    """
    package = Path(__file__).resolve().parent.parent
    checkout = package.parent / "data" / "profiles"
    return checkout if checkout.is_dir() else package / "presets"


def list_presets() -> list[str]:
    """Return the names of the preset profiles."""
    return sorted(p.stem for p in presets_dir().glob("*.toml"))


def _resolve(profile: str | Path) -> Path:
    path = Path(profile)
    if path.suffix == "" and path.parent == Path(".") and not path.exists():
        preset = presets_dir() / f"{path.name}.toml"
        if preset.exists():
            return preset
        raise ProfileError(
            f"no profile file or preset named {str(profile)!r}; "
            f"presets: {', '.join(list_presets())}, or give the path of a .toml file"
        )
    if not path.is_file():
        raise ProfileError(
            f"profile file {str(path)!r} not found; give the path of a .toml file "
            f"or a preset: {', '.join(list_presets())}"
        )
    return path


_FIELDS = sorted({*Criterion.model_fields, *Constraint.model_fields, *Profile.model_fields})


def _first_error(exc: ValidationError) -> str:
    # A misspelt field also makes the right one "missing": report the misspelling.
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    error = errors[0]
    loc = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        message = "required field is missing"
    elif error["type"] == "extra_forbidden":
        close = suggest(str(error["loc"][-1]), _FIELDS)
        message = f"unknown field; did you mean {close!r}?" if close else "unknown field"
    elif error["type"] == "literal_error" and loc.endswith("better"):
        message = "better must be 'lower' or 'higher'"
    return f"{loc}: {message}" if loc else message


def _catalogue_of(info: ValidationInfo) -> Catalogue:
    context = info.context if isinstance(info.context, dict) else {}
    catalogue = context.get("catalogue")
    return catalogue if isinstance(catalogue, Catalogue) else default_catalogue()


def parse_profile(
    data: dict[str, Any], *, origin: str = "<profile>", catalogue: Catalogue | None = None
) -> Profile:
    """Validate a profile given as a dictionary (as read from TOML).

    Parameters
    ----------
    data
        The profile's tables.
    origin
        Where it comes from, for messages.
    catalogue
        The catalogue its criteria are checked against (default: relocate's own).
    """
    try:
        return Profile.model_validate(data, context={"catalogue": catalogue or default_catalogue()})
    except ValidationError as exc:
        raise ProfileError(f"profile {origin}: {_first_error(exc)}") from None


def load_profile(profile: str | Path, *, catalogue: Catalogue | None = None) -> Profile:
    """Load and validate a profile from a TOML file or a preset name.

    Parameters
    ----------
    profile
        A path to a ``.toml`` file, or the name of a preset (``remote-worker``).
    catalogue
        The catalogue its criteria are checked against (default: relocate's own).

    Raises
    ------
    ProfileError
        With one line saying what is wrong: missing file, bad TOML, unknown
        criterion (with the nearest name), negative or all-zero weights,
        thresholds in the wrong order.

    """
    path = _resolve(profile)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {path} is not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"cannot read profile {path}: {exc}") from None
    return parse_profile(data, origin=str(path), catalogue=catalogue)
