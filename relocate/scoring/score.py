"""Score villages for a profile: utilities, weighted mean, hard constraints, ranking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate._frames import number_at
from relocate._validate import validate_features
from relocate.catalogue import Catalogue, default_catalogue
from relocate.errors import ProfileError
from relocate.i18n import translator
from relocate.programme._private import PrivateSource
from relocate.scoring.profile import MAX_WEIGHT, MIN_WEIGHT, Profile
from relocate.sources.registry import OPEN_DATA, how_to_load

if TYPE_CHECKING:
    from relocate.scoring.robust import Robustness

__all__ = ["PROGRAMME_SOURCES", "Absence", "Ranking", "from_programme", "score"]

#: The programme's own sources (members, field notes, events): what the CCI programme knows,
#: imported by its advisor. A household asks the advisor, not the town hall, about them.
PROGRAMME_SOURCES: frozenset[str] = frozenset(
    key for key, source in OPEN_DATA.items() if isinstance(source, PrivateSource)
)


def from_programme(sources: Sequence[str]) -> bool:
    """True when a feature comes from the programme's own sources (members, notes, events).

    Examples
    --------
    >>> from_programme(("members",)), from_programme(("arcep",))
    (True, False)
    """
    return any(s in PROGRAMME_SOURCES for s in sources)


@dataclass(frozen=True, kw_only=True)
class Ranking:
    """The outcome of scoring villages for one profile.

    Attributes
    ----------
    profile
        The profile scored for.
    table
        One row per village, best first: ``name``, ``score`` (0-100, NaN if no
        criterion has data), ``rank`` (1 = best; missing for excluded villages),
        ``excluded``, ``reasons`` (why excluded; missing if not), ``unchecked``
        (constraints that could not be checked for lack of data; missing if
        none), ``coverage``
        (share of the weight that had data, 0-1).
    values
        Raw value of each available criterion, per village.
    utilities
        Utility in [0, 1] of each available criterion, per village.
    points
        Points each criterion contributed to the score (they add up to it).
    unavailable
        Criteria and constraints left out, with the reason (English, for the advisor).
    absences
        The same, as data (:class:`Absence`), to say in any language and to any reader.
    catalogue
        The catalogue the criteria's labels and units come from.

    """

    profile: Profile
    table: pd.DataFrame
    values: pd.DataFrame
    utilities: pd.DataFrame
    points: pd.DataFrame
    unavailable: dict[str, str]
    absences: dict[str, Absence] = field(default_factory=dict)
    catalogue: Catalogue = field(default_factory=default_catalogue)

    @property
    def criteria(self) -> list[str]:
        """The criteria that were scored (available ones)."""
        return list(self.values.columns)

    @property
    def scored_share(self) -> float:
        """The share of the profile's weight that was scored (its criteria with data here).

        A ranking on 25 % of a household's priorities is not yet a recommendation:
        every output says this share first.
        """
        weights = {name: c.weight for name, c in self.profile.criteria.items()}
        total = sum(weights.values())
        scored = sum(weights[name] for name in self.criteria)
        return scored / total if total > 0 else 0.0

    @property
    def unscored(self) -> list[str]:
        """The profile's criteria left out of the weighting (unavailable here), in its order."""
        return [name for name in self.profile.criteria if name in self.unavailable]

    def frame(self, *, robustness: Robustness | None = None) -> pd.DataFrame:
        """The ranking as one row per village, best first, with every score component.

        Columns: ``rank``, ``name``, ``score``, ``excluded``, ``reasons``,
        ``unchecked``, ``coverage``; for each scored criterion its raw value (named as
        the feature), ``utility_<criterion>`` (the satisfaction, 0-1) and
        ``points_<criterion>``; with a robustness analysis, its columns (``p_top10``,
        ``rank_p05``, ``rank_p95``...). Indexed by INSEE code.
        """
        table = self.table
        parts = [table[["rank", "name", "score", "excluded", "reasons", "unchecked", "coverage"]]]
        for name in self.criteria:
            parts.append(
                pd.DataFrame(
                    {
                        name: self.values[name],
                        f"utility_{name}": self.utilities[name],
                        f"points_{name}": self.points[name],
                    }
                ).reindex(table.index)
            )
        if robustness is not None:
            parts.append(robustness.to_frame().reindex(table.index))
        return pd.concat(parts, axis=1).rename_axis("insee")

    def to_geodataframe(
        self, geometry: gpd.GeoSeries, *, robustness: Robustness | None = None
    ) -> gpd.GeoDataFrame:
        """:meth:`frame` with the villages' polygons, for ``gdf.plot(column="score")``.

        Parameters
        ----------
        geometry
            The villages' geometry by INSEE code (``territory.villages.geometry``).
        robustness
            A robustness analysis of this ranking, to add its columns.
        """
        frame = self.frame(robustness=robustness)
        return gpd.GeoDataFrame(
            frame, geometry=geometry.reindex(frame.index).to_numpy(), crs=geometry.crs
        )

    def top_ties(self) -> int:
        """How many ranked villages share the best score (1 when the first is alone)."""
        ranked = self.table[self.table["rank"].notna()]
        if ranked.empty:
            return 0
        scores = ranked["score"].round(9)
        return int((scores == scores.iloc[0]).sum())

    def top(self, n: int) -> pd.DataFrame:
        """The ``n`` best ranked villages (not excluded, with a score)."""
        return self.table[self.table["rank"].notna()].head(n)

    def explain(self, code: str) -> pd.DataFrame:
        """One village's score breakdown, a row per criterion of the profile.

        Columns: ``label`` (English), ``value``, ``unit`` (its key), ``estimate``,
        ``weight``, ``utility``, ``points``, ``status`` (``scored``, ``missing`` for
        this village, or ``unavailable``).
        """
        rows = []
        for name, criterion in self.profile.criteria.items():
            spec = self.catalogue.require(name)
            if name in self.unavailable:
                value = utility = points = np.nan
                status = "unavailable"
            else:
                value = number_at(self.values, code, name)
                utility = number_at(self.utilities, code, name)
                points = number_at(self.points, code, name)
                status = "missing" if np.isnan(value) else "scored"
            rows.append(
                {
                    "criterion": name,
                    "label": spec.label.en,
                    "value": value,
                    "unit": spec.unit.key,
                    "estimate": spec.estimate,
                    "weight": criterion.weight,
                    "utility": utility,
                    "points": points,
                    "status": status,
                }
            )
        return pd.DataFrame(rows).set_index("criterion")


@dataclass(frozen=True, kw_only=True)
class Absence:
    """Why a criterion cannot be scored here.

    Attributes
    ----------
    kind
        ``airport`` (an airport not among the run's), ``empty`` (its source is loaded
        but has no value for any village here), ``not_loaded`` (its open-data
        source is not loaded), ``unloadable`` (a built-in source lacks it) or
        ``no_trade`` (a criterion on the members of the household's trade, and no
        trade given: ``trade`` in the profile, or ``--trade``).
    sources
        The sources concerned (for ``not_loaded``, those to load).
    airport
        The airport's code, for ``airport``.
    """

    kind: Literal["airport", "empty", "not_loaded", "unloadable", "no_trade"]
    sources: tuple[str, ...]
    airport: str | None = None

    @property
    def programme(self) -> bool:
        """True when what is missing is the programme's own data (members, notes, events)."""
        return from_programme(self.sources)

    def reason(self, lang: str = "en") -> str:
        """Why, for the advisor: what is missing, and the command that loads it."""
        tr = translator(lang)
        sources = ", ".join(self.sources)
        if self.kind == "airport":
            return tr._("airport {iata} is not loaded: add it with --airport {iata}").format(
                iata=self.airport
            )
        if self.kind == "no_trade":
            return tr._(
                'no trade is given for the household: add trade = "..." to the profile, '
                "or give --trade"
            )
        if self.kind == "empty":
            return tr._("its source ({sources}) has no value for any village here").format(
                sources=sources
            )
        if self.kind == "unloadable":
            return tr._("its source ({sources}) is not loaded").format(sources=sources)
        return tr._("its source ({sources}) is not loaded: {how}").format(
            sources=sources, how=how_to_load(list(self.sources), lang=lang)
        )

    def for_household(self, label: str, lang: str = "en") -> str:
        """What a household reads: a question to ask, never a command.

        What the programme's own data would tell (its members, field notes, events)
        is for the programme's advisor to say, not the town hall.

        Examples
        --------
        >>> Absence(kind="not_loaded", sources=("arcep",)).for_household("Fibre", "en")
        'No data on “Fibre” here: ask at the town hall.'
        >>> Absence(kind="not_loaded", sources=("notes",)).for_household("Coworking", "en")
        'No data on “Coworking” here: ask the CCI programme’s advisor.'
        """
        tr = translator(lang)
        if self.kind == "airport":
            return tr._("{label}: not computed for this map").format(label=label)
        if self.kind == "no_trade":
            return tr._(
                "“{label}”: tell the CCI programme’s advisor your trade, to count the "
                "members who share it."
            ).format(label=label)
        if self.programme:
            return tr._("No data on “{label}” here: ask the CCI programme’s advisor.").format(
                label=label
            )
        return tr._("No data on “{label}” here: ask at the town hall.").format(label=label)


def _absence(name: str, features: pd.DataFrame, catalogue: Catalogue) -> Absence | None:
    """Why a criterion cannot be scored here, or None if it can."""
    if name in features.columns and features[name].notna().any():
        return None
    spec = catalogue.require(name)
    if spec.family == "airport" and name not in features.columns:
        return Absence(kind="airport", sources=spec.sources, airport=spec.destination)
    if name in features.columns:
        if name.startswith("trade_") and from_programme(spec.sources):
            # Counted only for a household that names its trade: none was given.
            return Absence(kind="no_trade", sources=spec.sources)
        return Absence(kind="empty", sources=spec.sources)
    to_load = tuple(s for s in spec.sources if s not in catalogue.built_in)
    if not to_load:
        return Absence(kind="unloadable", sources=spec.sources)
    return Absence(kind="not_loaded", sources=to_load)


def _check_weights(profile: Profile) -> None:
    """Refuse weights a validated profile cannot have (one built without validation)."""
    bad = [
        name
        for name, c in profile.criteria.items()
        if not (c.weight == 0 or MIN_WEIGHT <= c.weight <= MAX_WEIGHT)
    ]
    if bad:
        raise ProfileError(
            f"profile {profile.title()!r}: the weight of {', '.join(bad)} is not 0 or "
            f"{MIN_WEIGHT:g} to {MAX_WEIGHT:g}; build profiles with parse_profile or load_profile"
        )


def _append(texts: np.ndarray, mask: np.ndarray, text: str, *, sep: str = "; ") -> None:
    """Add ``text`` to ``texts[mask]`` in place, after ``sep`` where there is text already."""
    empty = pd.isna(texts)
    texts[mask & empty] = text
    more = mask & ~empty
    texts[more] = texts[more] + (sep + text)


def score(
    features: pd.DataFrame,
    profile: Profile,
    *,
    names: pd.Series | None = None,
    catalogue: Catalogue | None = None,
) -> Ranking:
    """Score and rank villages for a profile.

    Each criterion's raw value goes through its utility curve to [0, 1]; the score
    is the weighted mean of the utilities on a 0-100 scale, over the criteria that
    have a value for that village. A criterion whose column is absent (or empty)
    is reported in ``unavailable`` and left out of the weighting for everyone,
    never counted as zero; a value missing for one village is left out of that
    village's weighting only, and ``coverage`` says how much weight remained.

    Villages that fail a hard constraint stay in the table, marked excluded with
    the reason, and rank after all others. Ties break by INSEE code, so the order
    is deterministic.

    Parameters
    ----------
    features
        One row per village, indexed by INSEE code; one column per feature.
    profile
        The newcomer's profile.
    names
        Village names by INSEE code, copied into the table for display.
    catalogue
        The catalogue the features are checked against (default: relocate's own).

    Returns
    -------
    Ranking

    Raises
    ------
    NonUniqueIndexError, UnknownFeatureError, FeatureTypeError
        If the feature table is not one row per village of known, numeric features
        (:func:`relocate._validate.validate_features`).

    """
    catalogue = catalogue or default_catalogue()
    validate_features(features, catalogue)
    absences: dict[str, Absence] = {}
    for name in [*profile.criteria, *profile.constraints]:
        absence = _absence(name, features, catalogue)
        if absence is not None:
            absences[name] = absence
    unavailable = {name: absence.reason() for name, absence in absences.items()}
    scored = [n for n in profile.criteria if n not in unavailable]

    index = features.index
    raw = features[scored].to_numpy(dtype=float)
    weights = np.array([profile.criteria[n].weight for n in scored], dtype=float)
    _check_weights(profile)
    util = (
        np.column_stack([profile.criteria[n].utility(raw[:, j]) for j, n in enumerate(scored)])
        if scored
        else np.empty((len(index), 0))
    )
    has = ~np.isnan(util)
    # Summed in criteria order (not through BLAS), as the map page does: same bits.
    weight_with_data = np.where(has, weights, 0.0).sum(axis=1)
    total_weight = weights.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        pts = 100.0 * np.where(has, util, 0.0) * weights / weight_with_data[:, None]
        pts = np.where(has & (weight_with_data[:, None] > 0), pts, np.nan)
        total = np.where(weight_with_data > 0, np.nansum(pts, axis=1), np.nan)
        coverage = weight_with_data / total_weight if total_weight > 0 else np.zeros(len(index))

    excluded = np.zeros(len(index), dtype=bool)
    reasons = np.full(len(index), None, dtype=object)
    unchecked = np.full(len(index), None, dtype=object)
    for name, constraint in profile.constraints.items():
        if name in unavailable:
            continue
        unit = catalogue.require(name).unit.symbol.en
        value = features[name].to_numpy(dtype=float)
        # One text per bound, not per village: the values are in the tables.
        with np.errstate(invalid="ignore"):
            if constraint.min is not None:
                low = value < constraint.min
                _append(reasons, low, f"{name} below the minimum of {constraint.min:g} {unit}")
                excluded |= low
            if constraint.max is not None:
                high = value > constraint.max
                _append(reasons, high, f"{name} above the maximum of {constraint.max:g} {unit}")
                excluded |= high
        _append(unchecked, np.isnan(value), name, sep=", ")

    # Order: not excluded first, then score descending (no score last), then INSEE code.
    codes = index.to_numpy(dtype=str)
    key_score = np.where(np.isnan(total), np.inf, -np.round(total, 9))
    order = np.lexsort((codes, key_score, excluded))
    ranked = order[~excluded[order] & ~np.isnan(total[order])]
    rank_values = np.zeros(len(index), dtype=np.int64)
    rank_values[ranked] = np.arange(1, len(ranked) + 1)
    ranks = pd.arrays.IntegerArray(rank_values, rank_values == 0)

    table = pd.DataFrame(
        {
            "name": names.reindex(index) if names is not None else None,
            "score": total,
            "rank": ranks,
            "excluded": excluded,
            "reasons": reasons,
            "unchecked": unchecked,
            "coverage": coverage,
        },
        index=index,
    ).iloc[order]
    table.index.name = "insee"
    return Ranking(
        profile=profile,
        table=table,
        values=pd.DataFrame(raw, index=index, columns=scored),
        utilities=pd.DataFrame(util, index=index, columns=scored),
        points=pd.DataFrame(pts, index=index, columns=scored),
        unavailable=unavailable,
        absences=absences,
        catalogue=catalogue,
    )
