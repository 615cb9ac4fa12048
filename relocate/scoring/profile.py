"""A newcomer's profile: criteria with weights and utility curves, and hard constraints."""

from __future__ import annotations

import contextlib
import datetime
import itertools
import os
import re
import stat
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

from relocate._names import nearest, suggest
from relocate.catalogue import Catalogue, default_catalogue
from relocate.errors import ProfileError
from relocate.i18n import translator
from relocate.settings import DEFAULT_AIRPORTS

__all__ = [
    "MAX_BYTES",
    "MAX_DESCRIPTION",
    "MAX_NAME",
    "MAX_TRADE",
    "MAX_VALUE",
    "MAX_WEIGHT",
    "MIN_WEIGHT",
    "Constraint",
    "Criterion",
    "Profile",
    "list_presets",
    "load_profile",
    "presets_dir",
    "profile_path",
]

#: Weights are relative: 0 (ignored) or from ``MIN_WEIGHT`` to ``MAX_WEIGHT``. Beyond these
#: the arithmetic of the weighted mean loses the small ones (1e308 made every score 0).
MAX_WEIGHT = 100.0
MIN_WEIGHT = 0.01
#: Thresholds and bounds lie within plus or minus this (no criterion's values come near it).
MAX_VALUE = 1e9
#: The longest profile name (a one-line title of the map, the brief and the calendar).
MAX_NAME = 200
#: The longest description.
MAX_DESCRIPTION = 5000
#: The longest trade (``graphiste``, ``traductrice technique``): a few words.
MAX_TRADE = 100
#: The largest profile file read: a profile is a few hundred bytes of TOML.
MAX_BYTES = 1_000_000
#: Control characters allowed in a description (none in a name).
_LAYOUT = frozenset("\n\t")


def _check_weight(weight: float) -> float:
    if not np.isfinite(weight) or not 0 <= weight <= MAX_WEIGHT:
        raise ValueError(
            f"weight must be a number of zero or more, at most {MAX_WEIGHT:g} "
            f"(got {weight:g}); weights are relative: 2 counts twice as much as 1"
        )
    if 0 < weight < MIN_WEIGHT:
        raise ValueError(
            f"weight {weight:g} is too small: give 0 to leave the criterion out, "
            f"or at least {MIN_WEIGHT:g}"
        )
    return weight


def _check_value(value: float) -> float:
    if not np.isfinite(value) or abs(value) > MAX_VALUE:
        raise ValueError(
            f"thresholds must be finite numbers between {-MAX_VALUE:g} and {MAX_VALUE:g} "
            f"(got {value:g})"
        )
    return value


class Criterion(BaseModel):
    """One criterion: how much it matters and how a raw value maps to a utility in [0, 1].

    Two curves:

    - linear between two thresholds: ``full`` (utility 1 at or beyond it) and ``zero``
      (utility 0 at or beyond it). With ``better = "lower"`` (drive times, distances)
      ``full`` must be below ``zero``; with ``better = "higher"`` (population, opening
      hours) it must be above;
    - piecewise linear through ``points`` (``[[0, 0], [300, 1], [1500, 1], [5000, 0.2]]``:
      a village of 300 to 1,500 people is ideal), the values increasing, the utilities
      in [0, 1]; flat beyond the first and the last point.

    The weight is a number, or a range ``[low, high]`` when the household is unsure:
    it is scored at the middle of the range, and ``relocate rank --robust`` samples
    the range to say how sure each rank is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    weight: float = Field(description="Relative importance: 0, or 0.01 to 100.")
    weight_range: tuple[float, float] | None = Field(
        default=None, description="The range the weight lies in, when given as [low, high]."
    )
    better: Literal["lower", "higher"] | None = Field(
        default=None, description="Which direction is better."
    )
    full: float | None = Field(default=None, description="Value where the utility reaches 1.")
    zero: float | None = Field(default=None, description="Value where the utility reaches 0.")
    points: list[list[float]] | None = Field(
        default=None, description="[value, utility] points of a piecewise-linear curve."
    )

    @model_validator(mode="before")
    @classmethod
    def _range_of_weights(cls, data: Any) -> Any:
        """``weight = [3, 5]`` is the range the weight lies in; it is scored at 4."""
        if isinstance(data, dict) and isinstance(data.get("weight"), list | tuple):
            given = data["weight"]
            if len(given) != 2 or not all(
                isinstance(w, int | float) and not isinstance(w, bool) for w in given
            ):
                raise ValueError(
                    "weight: give a number, or a range of two numbers [low, high] (e.g. [3, 5])"
                )
            low, high = (float(w) for w in given)
            if low > high:
                raise ValueError(f"weight: the range [{low:g}, {high:g}] must go from low to high")
            data = {**data, "weight": (low + high) / 2, "weight_range": (low, high)}
        return data

    @field_validator("weight")
    @classmethod
    def _weight_in_range(cls, weight: float) -> float:
        return _check_weight(weight)

    @field_validator("weight_range")
    @classmethod
    def _range_in_range(cls, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
        if bounds is not None:
            for weight in bounds:
                _check_weight(weight)
        return bounds

    @field_validator("full", "zero")
    @classmethod
    def _finite_threshold(cls, value: float | None) -> float | None:
        return None if value is None else _check_value(value)

    @field_validator("points")
    @classmethod
    def _curve(cls, points: list[list[float]] | None) -> list[list[float]] | None:
        if points is None:
            return None
        if any(len(point) != 2 for point in points):
            raise ValueError("each point is a pair [value, utility]")
        if len(points) < 2:
            raise ValueError("a curve needs at least two points [[value, utility], ...]")
        xs = [_check_value(x) for x, _ in points]
        if any(b <= a for a, b in itertools.pairwise(xs)):
            raise ValueError("the points' values must increase from one point to the next")
        for _, u in points:
            if not 0.0 <= u <= 1.0:
                raise ValueError(f"a point's utility is between 0 and 1 (got {u:g})")
        return points

    @model_validator(mode="after")
    def _one_curve(self) -> Criterion:
        linear = [self.better, self.full, self.zero]
        if self.points is not None:
            if any(v is not None for v in linear):
                raise ValueError("give either points or better, full and zero, not both")
            return self
        if any(v is None for v in linear):
            missing = [
                n for n, v in zip(("better", "full", "zero"), linear, strict=True) if v is None
            ]
            raise ValueError(
                f"{', '.join(missing)}: required field is missing (or give points = [[value, "
                "utility], ...])"
            )
        full, zero = float(self.full), float(self.zero)  # type: ignore[arg-type]
        if self.better == "lower" and not full < zero:
            raise ValueError(
                f"with better = 'lower', full ({full:g}) must be below zero ({zero:g})"
            )
        if self.better == "higher" and not full > zero:
            raise ValueError(
                f"with better = 'higher', full ({full:g}) must be above zero ({zero:g})"
            )
        return self

    @property
    def curve(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """The curve as numpy.interp reads it: ``(values, utilities)``, the values increasing."""
        if self.points is not None:
            return tuple(x for x, _ in self.points), tuple(u for _, u in self.points)
        full, zero = float(self.full), float(self.zero)  # type: ignore[arg-type]
        if self.better == "lower":
            return (full, zero), (1.0, 0.0)
        return (zero, full), (0.0, 1.0)

    def utility(self, values: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Map raw values to utilities in [0, 1] (NaN stays NaN)."""
        x = np.asarray(values, dtype=float)
        xs, us = self.curve
        out = np.interp(x, xs, us)
        return np.where(np.isnan(x), np.nan, out)

    def describe(self, unit: str, *, lang: str = "en") -> str:
        """Say the curve in words: ``full satisfaction at 30 min or less, none at 90 min ...``."""
        tr = translator(lang)
        if self.points is not None:
            steps = [
                tr._("{share} at {value} {unit}").format(
                    share=tr.percent(u), value=tr.decimal(x), unit=unit
                )
                for x, u in self.points
            ]
            return _tidy(tr._("satisfaction {steps}").format(steps=", ".join(steps)))
        full = tr.decimal(float(self.full))  # type: ignore[arg-type]
        zero = tr.decimal(float(self.zero))  # type: ignore[arg-type]
        if self.better == "lower":
            text = tr._("full satisfaction at {full} {unit} or less, none at {zero} {unit} or more")
        else:
            text = tr._("full satisfaction at {full} {unit} or more, none at {zero} {unit} or less")
        return _tidy(text.format(full=full, zero=zero, unit=unit))


class Constraint(BaseModel):
    """A hard constraint on one feature: a village outside ``[min, max]`` is excluded."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    min: float | None = None
    max: float | None = None

    @field_validator("min", "max")
    @classmethod
    def _finite_bound(cls, value: float | None) -> float | None:
        if value is not None and (not np.isfinite(value) or abs(value) > MAX_VALUE):
            raise ValueError(
                f"bounds must be finite numbers between {-MAX_VALUE:g} and {MAX_VALUE:g} "
                f"(got {value:g})"
            )
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

    def describe(self, unit: str, *, lang: str = "en") -> str:
        """Say the constraint in words: ``at least 300 inhabitants``."""
        tr = translator(lang)
        parts = []
        if self.min is not None:
            bound = tr.decimal(self.min)
            parts.append(tr._("at least {bound} {unit}").format(bound=bound, unit=unit))
        if self.max is not None:
            bound = tr.decimal(self.max)
            parts.append(tr._("at most {bound} {unit}").format(bound=bound, unit=unit))
        return _tidy(tr._(" and ").join(parts))


def _tidy(text: str) -> str:
    """Words without the double or trailing spaces an empty unit leaves."""
    return re.sub(r" {2,}", " ", text).replace(" ,", ",").strip()


def _check_name(name: str) -> None:
    if not name.strip():
        raise ValueError("the name is blank; give the profile a name")
    if len(name) > MAX_NAME:
        raise ValueError(
            f"the name is {len(name)} characters long; give at most {MAX_NAME} "
            "(and say more in description)"
        )
    if _control_characters(name):
        raise ValueError(
            "the name must be one line of text, without line breaks or control "
            "characters (it titles the map, the brief and the calendar); "
            "say more in description"
        )


def _check_description(description: str) -> None:
    if len(description) > MAX_DESCRIPTION:
        raise ValueError(
            f"the description is {len(description)} characters long; give at most {MAX_DESCRIPTION}"
        )
    if _control_characters(description, allowed=_LAYOUT):
        raise ValueError(
            "the description has control characters; only line breaks and tabs may be in it"
        )


def _check_trade(trade: str) -> str:
    """A household's trade as it is kept: one line of a few words, spaces tidied."""
    if _control_characters(trade):
        raise ValueError(
            "the trade must be one line of text, without line breaks or control characters "
            '(e.g. trade = "graphiste")'
        )
    tidy = " ".join(trade.split())
    if not tidy:
        raise ValueError('the trade is blank; name it (e.g. trade = "graphiste") or leave it out')
    if len(tidy) > MAX_TRADE:
        raise ValueError(
            f"the trade is {len(tidy)} characters long; give at most {MAX_TRADE} "
            "(a few words: graphiste, traductrice technique)"
        )
    return tidy


class Localized(BaseModel):
    """A text given per language (``name = { fr = "...", en = "..." }``); one is enough.

    A language not given reads the other one.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    fr: str | None = None
    en: str | None = None

    @model_validator(mode="after")
    def _one_at_least(self) -> Localized:
        if self.fr is None and self.en is None:
            raise ValueError("give the text in French (fr = ...), English (en = ...) or both")
        return self

    def get(self, lang: str) -> str:
        """The text in ``lang``, else in the other language."""
        mine = self.fr if lang == "fr" else self.en
        other = self.en if lang == "fr" else self.fr
        return mine if mine is not None else other or ""

    def texts(self) -> list[str]:
        """Every text given."""
        return [t for t in (self.fr, self.en) if t is not None]


def _text_in(value: str | Localized, lang: str) -> str:
    return value if isinstance(value, str) else value.get(lang)


class Profile(BaseModel):
    """A newcomer's profile, as read from a TOML file.

    Examples
    --------
    .. code-block:: toml

        name = "Remote worker who flies every month"
        trade = "graphiste"   # optional: the household's trade, for the programme's criteria

        [criteria.drive_min_TLS]
        weight = 3
        better = "lower"
        full = 45
        zero = 120

        [constraints.drive_min_airport]
        max = 75

    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    name: str | Localized
    description: str | Localized = ""
    criteria: dict[str, Criterion] = Field(min_length=1)
    constraints: dict[str, Constraint] = Field(default_factory=dict)
    order: tuple[str, ...] | None = Field(
        default=None,
        strict=False,  # TOML gives an array: a list becomes the tuple
        description="Criteria in decreasing importance, for those whose weight is not known.",
    )
    trade: str | None = Field(
        default=None,
        description="The household's trade or activity (graphiste), for the programme's "
        "trade_members_within_* criteria; the command line's --trade overrides it.",
    )

    @model_validator(mode="before")
    @classmethod
    def _weights_from_the_order(cls, data: Any) -> Any:
        r"""Criteria listed in ``order`` without a weight get the rank-order centroid weights.

        For ``k`` criteria in order, the ``i``-th weighs :math:`\sum_{j=i}^{k} 1/j`
        (the rank-order centroid, scaled so that they weigh 1 on average): the
        expected weights when all orderings of the simplex are equally likely.
        ``relocate rank --robust`` samples every weight that keeps the order.
        """
        if not isinstance(data, dict) or not isinstance(data.get("order"), list):
            return data
        order, criteria = data["order"], data.get("criteria")
        if not isinstance(criteria, dict) or not all(isinstance(n, str) for n in order):
            return data
        k = len(order)
        centroid = {name: sum(1 / j for j in range(i, k + 1)) for i, name in enumerate(order, 1)}
        filled = dict(criteria)
        for name, weight in centroid.items():
            table = filled.get(name)
            if isinstance(table, dict) and "weight" not in table:
                filled[name] = {**table, "weight": round(weight, 6)}
        return {**data, "criteria": filled}

    @field_validator("name")
    @classmethod
    def _one_line_name(cls, name: str | Localized) -> str | Localized:
        for text in [name] if isinstance(name, str) else name.texts():
            _check_name(text)
        return name

    @field_validator("description")
    @classmethod
    def _plain_description(cls, description: str | Localized) -> str | Localized:
        for text in [description] if isinstance(description, str) else description.texts():
            _check_description(text)
        return description

    @field_validator("trade")
    @classmethod
    def _one_line_trade(cls, trade: str | None) -> str | None:
        return None if trade is None else _check_trade(trade)

    def title(self, lang: str = "en") -> str:
        """The profile's name in ``lang`` (the other language where it gives only one)."""
        return _text_in(self.name, lang)

    def summary(self, lang: str = "en") -> str:
        """The profile's description in ``lang`` (empty where it gives none)."""
        return _text_in(self.description, lang)

    @model_validator(mode="after")
    def _known_names_and_weights(self, info: ValidationInfo) -> Profile:
        catalogue = _catalogue_of(info)
        for key, names in (("criteria", self.criteria), ("constraints", self.constraints)):
            for name in names:
                if not catalogue.is_known(name):
                    raise ValueError(_unknown_criterion(name, key, catalogue))
                if not catalogue.require(name).unit.numeric:
                    raise ValueError(
                        f"{name!r} in {key} is a name, not a number: it cannot be scored; "
                        "`relocate criteria` lists the criteria"
                    )
        if self.order is not None:
            unknown = [n for n in self.order if n not in self.criteria]
            if unknown:
                raise ValueError(
                    f"order: {unknown[0]!r} is not one of the profile's criteria; order lists "
                    "criteria in decreasing importance"
                )
            if len(set(self.order)) != len(self.order):
                raise ValueError("order: a criterion is listed twice")
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
                f"not a criterion of profile {self.title()!r}: {', '.join(unknown)}; "
                f"its criteria: {', '.join(self.criteria)}"
            )
        data = self.model_dump()
        for name, weight in weights.items():
            data["criteria"][name]["weight"] = weight
        return parse_profile(data, origin=f"{self.title()!r} re-weighted", catalogue=catalogue)


def _control_characters(text: str, *, allowed: frozenset[str] = frozenset()) -> bool:
    """True if ``text`` has a control character (other than the allowed ones)."""
    return any(
        (ch < " " or "\x7f" <= ch <= "\x9f" or ch in "\u2028\u2029") and ch not in allowed
        for ch in text
    )


def _shown(text: str, limit: int = 80) -> str:
    """Text as a message quotes it: repr (line breaks escaped); a long one keeps its two ends."""
    if len(text) <= limit:
        return repr(text)
    half = limit // 2
    return f"{text[:half]!r}...{text[-half:]!r}"


def _unknown_criterion(name: str, key: str, catalogue: Catalogue) -> str:
    """The message for a criterion no source declares: the three nearest, where the rest are."""
    close = nearest(name, catalogue.names(DEFAULT_AIRPORTS), n=3, cutoff=0.5, parts=True)
    hint = ";"
    if close:
        quoted = [repr(c) for c in close]
        listed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        hint = f"; did you mean {listed}?"
    return (
        f"unknown criterion {_shown(name)} in {key}{hint} `relocate criteria` lists every "
        "criterion (dist_km_<IATA> and drive_min_<IATA> take any airport in or near France)"
    )


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


def profile_path(profile: str | Path) -> Path:
    """Return the file a profile argument names: a path, or else a preset's file.

    A bare name (no folder, no extension) that is not a file here names a preset.

    Raises
    ------
    ProfileError
        If it names no file, or something that is not a readable profile file
        (a folder, a pipe, a device, a file larger than :data:`MAX_BYTES`).

    """
    text = str(profile)
    presets = ", ".join(list_presets())
    if not text.strip():
        raise ProfileError(
            f"no profile given; give a preset ({presets}) or the path of a .toml file"
        )
    if "\0" in text:
        raise ProfileError(
            f"profile path {_shown(text, 300)} has a NUL character; give a file's path"
        )
    path = Path(profile)
    try:
        info: os.stat_result | None = path.stat()
        error: OSError | None = None
    except OSError as exc:
        info, error = None, exc
    bare = path.suffix == "" and path.parent == Path(".")
    if bare and (info is None or stat.S_ISDIR(info.st_mode)):
        preset = presets_dir() / f"{path.name}.toml"
        with contextlib.suppress(OSError):  # a name too long for a file is no preset's either
            if preset.is_file():
                return preset
        if info is None:
            raise ProfileError(
                f"no profile file or preset named {_shown(text, 300)}; "
                f"presets: {presets}, or give the path of a .toml file"
            )
    if info is None:
        assert error is not None
        if isinstance(error, (FileNotFoundError, NotADirectoryError)):
            raise ProfileError(
                f"profile file {_shown(text, 300)} not found; give the path of a .toml file "
                f"or a preset: {presets}"
            )
        raise ProfileError(f"cannot read profile {_shown(text, 300)}: {error.strerror or error}")
    _check_regular(text, info)
    return path


def _check_regular(text: str, info: os.stat_result) -> None:
    """Refuse what is not a regular file of a profile's size (reading a pipe would hang)."""
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise ProfileError(
            f"profile {_shown(text, 300)} is a folder, not a file; give the path of a .toml file"
        )
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a socket"
            if stat.S_ISSOCK(mode)
            else "a device"
        )
        raise ProfileError(
            f"profile {_shown(text, 300)} is {kind}, not a file; give the path of a .toml file"
        )
    if info.st_size > MAX_BYTES:
        raise ProfileError(
            f"profile {_shown(text, 300)} is {info.st_size:,} bytes; a profile is a small "
            f"TOML file (at most {MAX_BYTES:,} bytes)"
        )


_FIELDS = sorted({*Criterion.model_fields, *Constraint.model_fields, *Profile.model_fields})
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]{1,60}")
_KINDS: tuple[tuple[type, str], ...] = (
    (bool, "true or false"),
    (str, "text"),
    (list, "an array"),
    (dict, "a table"),
    (datetime.datetime, "a date and time"),
    (datetime.date, "a date"),
    (datetime.time, "a time"),
)


def _kind(value: object) -> str:
    """What a TOML value is, in words."""
    for kind, words in _KINDS:
        if isinstance(value, kind):
            return words
    return "a number" if isinstance(value, int | float) else type(value).__name__


def _where(loc: tuple[int | str, ...]) -> str:
    """The place of an error, as a TOML key path: ``criteria.population.weight``."""
    return ".".join(
        str(part) if _PLAIN_KEY.fullmatch(str(part)) else _shown(str(part)) for part in loc
    )


def _type_message(field: str, value: object) -> str:
    """Why a value of the wrong type is refused, and how to write it."""
    if field in {"name", "description", "trade"}:
        return f"must be text in quotes, not {_kind(value)}"
    if field in {"weight", "full", "zero", "min", "max"}:
        if isinstance(value, str):
            return f"must be a number, not text ({_shown(value, 20)}): write it without quotes"
        if isinstance(value, int) and not isinstance(value, bool):
            return f"the number has {len(str(abs(value)))} digits: too large to be a {field}"
        return f"must be a number, not {_kind(value)}"
    if field == "better":
        return f"better must be 'lower' or 'higher', in quotes, not {_kind(value)}"
    return f"must be a table, not {_kind(value)}"


#: The members of a text-or-languages field, as pydantic names them in an error's place.
_UNION_MEMBERS = {"str", "Localized"}


def _in_union(loc: tuple[int | str, ...]) -> bool:
    """True for an error of the per-language branch of a text (reported after the text one)."""
    return any(str(part) == "Localized" or str(part).startswith("function-") for part in loc)


def _first_error(exc: ValidationError) -> str:
    # A misspelt field also makes the right one "missing": report the misspelling. A text
    # that may also be given per language fails both ways: report it as text.
    found = exc.errors()
    # A table given for a text: the per-language branch says what is wrong with it.
    per_language = any("str" in e["loc"] and isinstance(e.get("input"), dict) for e in found)
    found = [e for e in found if not (per_language and "str" in e["loc"])]
    errors = sorted(
        found,
        key=lambda e: (e["type"] != "extra_forbidden", _in_union(e["loc"])),
    )
    error = errors[0]
    place = tuple(
        part
        for part in error["loc"]
        if part not in _UNION_MEMBERS and not str(part).startswith("function-")
    )
    loc = _where(place)
    field = str(place[-1]) if place else ""
    kind = error["type"]
    message = " ".join(str(error["msg"]).removeprefix("Value error, ").split())
    # A criterion's own checks name the field they are about first: put it in the place.
    about = re.match(r"^(weight|better|full|zero|points)(?:, \w+)*: (.*)$", message)
    if about and kind == "value_error":
        place = (*place, about.group(1))
        loc, field = _where(place), about.group(1)
        message = about.group(2)
    if kind == "missing":
        message = "required field is missing"
    elif kind == "extra_forbidden":
        close = suggest(field, _FIELDS)
        message = f"unknown field; did you mean {close!r}?" if close else "unknown field"
    elif kind == "literal_error" and field == "better":
        message = "better must be 'lower' or 'higher'"
    elif kind in {"float_type", "string_type", "dict_type", "model_type", "literal_error"}:
        message = _type_message(field, error.get("input"))
    elif kind == "string_too_short" and field == "name":
        message = "the name is blank; give the profile a name"
    elif kind == "too_short" and field in {"criteria", "constraints"}:
        message = "a profile needs at least one criterion, as a [criteria.<name>] table"
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

    Raises
    ------
    ProfileError
        With one line saying what is wrong and where.

    """
    try:
        return Profile.model_validate(data, context={"catalogue": catalogue or default_catalogue()})
    except ValidationError as exc:
        raise ProfileError(f"profile {origin}: {_first_error(exc)}") from None
    except RecursionError:
        raise ProfileError(f"profile {origin}: {_TOO_DEEP}") from None


_TOO_DEEP = (
    "its tables or arrays are nested too deeply to read; a profile needs only "
    "[criteria.<name>] and [constraints.<name>] tables of numbers"
)


def load_profile(profile: str | Path, *, catalogue: Catalogue | None = None) -> Profile:
    """Load and validate a profile from a TOML file or a preset name.

    The file is UTF-8 text (a leading byte-order mark is allowed) of at most
    :data:`MAX_BYTES` bytes.

    Parameters
    ----------
    profile
        A path to a ``.toml`` file, or the name of a preset (``remote-worker``).
    catalogue
        The catalogue its criteria are checked against (default: relocate's own).

    Raises
    ------
    ProfileError
        With one line saying what is wrong: missing file, a folder, pipe or
        device, bad TOML or encoding, unknown criterion (with the nearest
        names), a weight, threshold or bound of the wrong type or out of range,
        all-zero weights, thresholds in the wrong order, a name on several lines.

    """
    path = profile_path(profile)
    origin = _shown(str(path), 200) if _control_characters(str(path)) else str(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ProfileError(f"cannot read profile {origin}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise ProfileError(f"profile {origin} is larger than {MAX_BYTES:,} bytes; is it a profile?")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark, as some editors write, is skipped
    except UnicodeDecodeError as exc:
        raise ProfileError(
            f"cannot read profile {origin}: it is not UTF-8 text (byte 0x{raw[exc.start]:02x} "
            f"at position {exc.start}); save it as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = " ".join(str(exc).split())
        raise ProfileError(f"profile {origin} is not valid TOML: {reason}") from None
    except RecursionError:
        raise ProfileError(f"profile {origin}: {_TOO_DEEP}") from None
    return parse_profile(data, origin=origin, catalogue=catalogue)
