r"""How sure each rank is: SMAA-2 rank acceptabilities under uncertain weights and values.

A profile's weights are rarely known to the unit: a household may say that a
criterion weighs "between 3 and 5", or only that it matters more than another.
Measured values are uncertain too: a drive time estimated from the straight-line
distance has the fitted model's error, a median house price over a handful of
sales has a wide bootstrap spread. Stochastic multicriteria acceptability analysis
(SMAA-2, Lahdelma & Salminen 2001) answers "how sure is this rank?" by drawing
many weight vectors (and values) from what is known, ranking the villages for
each draw exactly as :func:`relocate.scoring.score` does, and counting.

For a draw of the (relative) weights :math:`w` and of the raw values, the score
of village :math:`i` is the one :func:`~relocate.scoring.score` computes:

.. math::

    s_i(w) = 100 \, \frac{\sum_{j \in J_i} w_j \, u_j(x_{ij})}{\sum_{j \in J_i} w_j}

where :math:`J_i` is the set of scored criteria with a value for village
:math:`i` and :math:`u_j` the utility curve of criterion :math:`j`. Villages are
ranked by :math:`-\mathrm{round}(s_i, 9)`, then by INSEE code; a hard constraint
excludes a village from every draw (constraints are checked on the measured
values, once, by :func:`~relocate.scoring.score`). Over :math:`S` draws the
*rank acceptability* :math:`b_i^r` is the share of draws in which village
:math:`i` has rank :math:`r`, and ``p_top{t}`` is :math:`\sum_{r \le t} b_i^r`.
The *central weight vector* of a village is the mean of the (normalised) weight
vectors under which it ranks first, and its *confidence factor* is the share of
the value draws in which it ranks first when the weights are fixed at its
central weights:

.. math::

    w_i^c = \frac{\sum_{s : r_i^{(s)} = 1} w^{(s)}}{\#\{s : r_i^{(s)} = 1\}},
    \qquad
    p_i^c = \frac{1}{S} \sum_{s=1}^{S}
        \mathbf{1}\left[r_i\left(w_i^c, \xi^{(s)}\right) = 1\right]

where :math:`\xi^{(s)}` is the :math:`s`-th draw of the uncertain values
(without any :class:`Noise` the values are fixed and :math:`p_i^c` is 0 or 1).

References
----------
.. [1] R. Lahdelma and P. Salminen, "SMAA-2: Stochastic multicriteria
   acceptability analysis for group decision making", *Operations Research*
   49(3):444-454, 2001. doi:10.1287/opre.49.3.444.11220
.. [2] T. Tervonen and J. R. Figueira, "A survey on stochastic multicriteria
   acceptability analysis methods", *Journal of Multi-Criteria Decision
   Analysis* 15(1-2):1-14, 2008. doi:10.1002/mcda.407
.. [3] T. Tervonen and R. Lahdelma, "Implementing stochastic multicriteria
   acceptability analysis", *European Journal of Operational Research*
   178(2):500-513, 2007 (weight generation, including ordinal information).
.. [4] L. Devroye, *Non-Uniform Random Variate Generation*, Springer, 1986,
   ch. V (uniform spacings: the gaps between sorted uniforms are Dirichlet(1),
   uniform on the simplex).
.. [5] F. H. Barron and B. E. Barrett, "Decision quality using ranked attribute
   weights", *Management Science* 42(11):1515-1523, 1996 (rank-order centroid:
   the mean of the uniform distribution on the ordered simplex).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import pandas as pd

from relocate.catalogue import Catalogue, default_catalogue
from relocate.errors import InvalidOptionError, ProfileError
from relocate.features.drive import DriveTimeModel
from relocate.scoring.profile import Profile
from relocate.scoring.score import Ranking, score

if TYPE_CHECKING:
    from relocate.territory import Territory

__all__ = [
    "DrawsNoise",
    "GaussianNoise",
    "Noise",
    "RankChunk",
    "Robustness",
    "WeightSpace",
    "bootstrap_medians",
    "drive_time_noise",
    "house_price_noise",
    "robustness",
    "robustness_of",
    "sample_ranks",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Cells (samples x villages) of one chunk's working arrays when ``chunk`` is not
#: given: 2**18 float64 cells are 2 MiB, small enough to stay in the CPU caches.
CHUNK_CELLS = 2**18
#: Cells (samples x villages) of one block when the rank percentiles are taken.
BLOCK_CELLS = 2**19
#: The acceptabilities always reported, besides the requested ``top``.
TOPS = (1, 3, 10)
#: The percentiles of the rank reported (``rank_p05``, ``rank_p50``, ``rank_p95``).
PERCENTILES = (5, 50, 95)
#: Scores are rounded to this many decimals before ranking, as ``score()`` does.
DECIMALS = 9
_SCALE = 10.0**DECIMALS
#: ``-round(score, 9) * 1e9 + _OFFSET`` is an integer in [0, 1e11] for a score in [0, 100].
_OFFSET = 100.0 * _SCALE
_NO_SCORE = _OFFSET + 1.0


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True, eq=False)
class WeightSpace:
    r"""What is known of a profile's weights: an interval per criterion, and an order.

    Parameters
    ----------
    names
        The criteria, in the profile's order.
    low, high
        The bounds of each criterion's weight, on the profile's scale (``low ==
        high`` for a weight given as a plain number). All at least 0, ``low <=
        high``, and some ``high`` above 0. Sequences are converted to arrays.
    order
        ``None``, or criteria in decreasing importance: every draw satisfies
        ``w[order[0]] >= w[order[1]] >= ...``. Criteria not in ``order`` keep
        their interval.

    Notes
    -----
    Scores do not change when every weight is multiplied by the same number, so
    only the ratios of the weights matter, and a weight given as a plain number
    anchors the scale the intervals are on. A criterion **not in** ``order`` is
    drawn uniformly within its interval, independently of the others:

    .. math::

        w_j = l_j + (h_j - l_j) \, U_j, \qquad U_j \sim \mathcal{U}(0, 1),

    and the vector is used as relative weights. This keeps the meaning of
    ``weight = [3, 5]`` next to ``weight = 2``: "one and a half to two and a half
    times as important", every ratio in the box equally likely. (Normalising the
    bounds onto the simplex first would need a total weight the profile does not
    give.) Note that independent uniforms over ``[0, c]`` for every criterion,
    normalised, are *not* uniform on the simplex: they favour its centre.

    The criteria **in** ``order`` share a total weight :math:`T` drawn uniformly
    between the sum of their lower bounds and the sum of their upper bounds (a
    fixed number if they are all plain numbers), split uniformly among the splits
    that respect the order: the :math:`m - 1` gaps between sorted uniforms on
    :math:`[0, 1]` (with 0 and 1) are Dirichlet(1), uniform on the simplex
    (Devroye 1986, ch. V), and sorting them in decreasing order gives the uniform
    distribution on the ordered simplex (Tervonen & Lahdelma 2007). Their
    individual bounds only set :math:`T`. When every criterion is in ``order``
    the normalised weights are uniform on the ordered simplex, whose mean is the
    rank-order centroid :math:`E[w_i] = \frac{1}{k} \sum_{j=i}^{k} \frac{1}{j}`
    (Barron & Barrett 1996).

    Examples
    --------
    >>> import numpy as np
    >>> space = WeightSpace(("a", "b"), np.array([1.0, 3.0]), np.array([1.0, 5.0]))
    >>> w = space.sample(4, np.random.default_rng(0))
    >>> w.shape, bool((w[:, 0] == 1).all()), bool(((w[:, 1] >= 3) & (w[:, 1] <= 5)).all())
    ((4, 2), True, True)
    """

    names: tuple[str, ...]
    low: FloatArray
    high: FloatArray
    order: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.names)
        low = np.array(self.low, dtype=float).ravel()
        high = np.array(self.high, dtype=float).ravel()
        if not names or len(set(names)) != len(names):
            raise InvalidOptionError(f"a weight space needs distinct criteria (got {names})")
        if low.shape != (len(names),) or high.shape != (len(names),):
            raise InvalidOptionError(
                f"low and high need one bound per criterion ({len(names)}); "
                f"got {low.size} and {high.size}"
            )
        if not (np.isfinite(low).all() and np.isfinite(high).all()):
            raise InvalidOptionError("weight bounds must be finite numbers")
        if (low < 0).any() or (low > high).any():
            bad = [n for n, lo, hi in zip(names, low, high, strict=True) if lo < 0 or lo > hi]
            raise InvalidOptionError(
                f"weight bounds must satisfy 0 <= low <= high; not so for {', '.join(bad)}"
            )
        if not (high > 0).any():
            raise InvalidOptionError("every weight is 0; give at least one a positive upper bound")
        order = None if self.order is None else tuple(str(n) for n in self.order)
        if order is not None:
            unknown = [n for n in order if n not in names]
            if unknown or len(set(order)) != len(order):
                raise InvalidOptionError(
                    f"order must list distinct criteria of the space ({', '.join(names)}); "
                    f"got {', '.join(order)}"
                )
        low.setflags(write=False)
        high.setflags(write=False)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "order", order or None)

    @classmethod
    def fixed(cls, profile: Profile) -> WeightSpace:
        """The profile's own weights, as plain numbers (every draw is the same)."""
        return cls.from_profile(profile)

    @classmethod
    def from_profile(
        cls,
        profile: Profile,
        *,
        ranges: Mapping[str, tuple[float, float]] | None = None,
        order: Sequence[str] | None = None,
    ) -> WeightSpace:
        """The profile's weights, with some given as ranges and an optional order.

        Parameters
        ----------
        profile
            The profile; its weights are the bounds of the criteria not in ``ranges``.
        ranges
            ``(low, high)`` by criterion name (default: the profile's ``weight = [low,
            high]`` ranges).
        order
            Criteria in decreasing importance (see the class's notes; default: the
            profile's ``order``).

        Raises
        ------
        ProfileError
            If a name is not a criterion of the profile.
        InvalidOptionError
            If the bounds are invalid.
        """
        if ranges is None:  # the ranges the profile gives (weight = [low, high])
            ranges = {
                name: c.weight_range
                for name, c in profile.criteria.items()
                if c.weight_range is not None
            }
        if order is None:
            order = profile.order
        ranges = dict(ranges)
        names = tuple(profile.criteria)
        unknown = sorted({*ranges, *(order or ())} - set(names))
        if unknown:
            raise ProfileError(
                f"not a criterion of profile {profile.title()!r}: {', '.join(unknown)}; "
                f"its criteria: {', '.join(names)}"
            )
        bounds = [ranges.get(n, (c.weight, c.weight)) for n, c in profile.criteria.items()]
        low = np.array([lo for lo, _ in bounds], dtype=float)
        high = np.array([hi for _, hi in bounds], dtype=float)
        return cls(names, low, high, None if order is None else tuple(order))

    @property
    def is_fixed(self) -> bool:
        """True if every draw gives the same weights (plain numbers, no order)."""
        return bool((self.low == self.high).all()) and (self.order is None or len(self.order) < 2)

    def can_be_positive(self) -> npt.NDArray[np.bool_]:
        """For each criterion, whether a draw may give it a positive weight."""
        positive = self.high > 0
        if self.order is not None:
            ordered = [self.names.index(n) for n in self.order]
            positive[ordered] = self.high[ordered].sum() > 0
        return positive

    def sample(self, n: int, rng: np.random.Generator) -> FloatArray:
        """Draw ``n`` weight vectors (see the class's notes for the distribution).

        The weights are relative (on the profile's scale, not normalised): scale
        any row and the scores stay the same. Only ``rng.random`` is used, one
        row of ``k`` (plus ``len(order)``) uniforms per draw, so drawing ``n``
        rows at once or in pieces gives the same rows.

        Parameters
        ----------
        n
            How many draws.
        rng
            The random generator.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, k)``, columns in the order of :attr:`names`.
        """
        if n < 0:
            raise InvalidOptionError(f"cannot draw a negative number of weights ({n})")
        k = len(self.names)
        extra = len(self.order) if self.order is not None else 0
        u = rng.random((n, k + extra))
        weights = self.low + (self.high - self.low) * u[:, :k]
        if self.order is not None:
            ordered = [self.names.index(name) for name in self.order]
            total_low = self.low[ordered].sum()
            total = total_low + (self.high[ordered].sum() - total_low) * u[:, k]
            cuts = np.sort(u[:, k + 1 :], axis=1)
            gaps = np.diff(cuts, axis=1, prepend=0.0, append=1.0)
            split = -np.sort(-gaps, axis=1)
            weights[:, ordered] = total[:, None] * split
        return weights

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WeightSpace):
            return NotImplemented
        return (
            self.names == other.names
            and np.array_equal(self.low, other.low)
            and np.array_equal(self.high, other.high)
            and self.order == other.order
        )

    def __hash__(self) -> int:
        return hash((self.names, self.low.tobytes(), self.high.tobytes(), self.order))


# --------------------------------------------------------------------------- noise


@runtime_checkable
class Noise(Protocol):
    """A perturbation of the raw values of some criteria, drawn with the weights.

    ``perturb`` is called once per chunk of draws, in order, with the same
    generator each time; it must give the same draws however the samples are
    split into chunks (draw with ``rng.random`` or ``rng.standard_normal``, which
    consume the stream element by element, rather than ``rng.integers``), and keep
    a missing value missing and a present one present. Constraints are not
    re-checked on perturbed values.
    """

    @property
    def criteria(self) -> tuple[str, ...]:
        """The criteria whose raw values it perturbs."""
        ...

    def perturb(
        self,
        values: FloatArray,
        codes: npt.NDArray[np.str_],
        *,
        n: int,
        rng: np.random.Generator,
    ) -> FloatArray:
        """Draw ``n`` perturbed copies of ``values``.

        Parameters
        ----------
        values
            Shape ``(villages, len(criteria))``: the measured raw values (NaN where
            missing, or where the feature is not in the table).
        codes
            The villages' INSEE codes, one per row of ``values``.
        n
            How many draws.
        rng
            The generator of this noise's stream.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, villages, len(criteria))``.
        """
        ...


@dataclass(frozen=True)
class GaussianNoise:
    r"""Add an independent normal error to the raw values of some criteria.

    .. math::

        \tilde x_{ij} = \max\left(x_{ij} + \sigma_j \varepsilon_{ij}, \; \ell\right),
        \qquad \varepsilon_{ij} \sim \mathcal{N}(0, 1)

    independently per village, criterion and draw (a simplification: the errors
    of two drive times from one village are in fact correlated).

    Parameters
    ----------
    criteria
        The criteria perturbed.
    sigma
        The standard deviation of the error, one for all or one per criterion.
    lower
        The smallest value a perturbed value may take (0 for drive times and
        distances), or ``None``.
    """

    criteria: tuple[str, ...]
    sigma: tuple[float, ...] | float
    lower: float | None = 0.0

    def __post_init__(self) -> None:
        criteria = tuple(self.criteria)
        sigma = np.broadcast_to(np.asarray(self.sigma, dtype=float), (len(criteria),))
        if not criteria or not (np.isfinite(sigma).all() and (sigma >= 0).all()):
            raise InvalidOptionError("GaussianNoise needs criteria and finite sigmas of 0 or more")
        object.__setattr__(self, "criteria", criteria)
        object.__setattr__(self, "sigma", tuple(float(s) for s in sigma))

    @classmethod
    def from_mae(
        cls, criteria: Iterable[str], mae: float, *, lower: float | None = 0.0
    ) -> GaussianNoise:
        r"""The normal error whose mean absolute value is ``mae``.

        For :math:`e \sim \mathcal{N}(0, \sigma^2)`,
        :math:`E|e| = \sigma \sqrt{2/\pi}`, so :math:`\sigma = \mathrm{MAE} \sqrt{\pi/2}`.

        Examples
        --------
        >>> round(GaussianNoise.from_mae(["drive_min_TLS"], 4.0).sigma[0], 3)
        5.013
        """
        return cls(tuple(criteria), float(mae) * math.sqrt(math.pi / 2), lower)

    def perturb(
        self,
        values: FloatArray,
        codes: npt.NDArray[np.str_],
        *,
        n: int,
        rng: np.random.Generator,
    ) -> FloatArray:
        """``n`` copies of ``values`` plus normal errors (see :class:`Noise`)."""
        del codes
        base = np.asarray(values, dtype=float)
        out: FloatArray = base[None] + rng.standard_normal((n, *base.shape)) * np.asarray(
            self.sigma
        )
        if self.lower is not None:
            np.maximum(out, self.lower, out=out)
        return out


@dataclass(frozen=True, eq=False)
class DrawsNoise:
    """Replace one criterion's value, in some villages, by one of given draws.

    In each draw, a village listed in ``draws`` takes one of its values, each
    equally likely (for instance the bootstrap medians of the sales behind a
    low-confidence house price, from :func:`bootstrap_medians`); other villages
    keep their measured value.

    Parameters
    ----------
    criterion
        The criterion perturbed.
    draws
        The values each listed village may take, by INSEE code (at least one each).
    """

    criterion: str
    draws: Mapping[str, npt.ArrayLike] = field(default_factory=dict)

    def __post_init__(self) -> None:
        draws = {str(code): np.asarray(v, dtype=float).ravel() for code, v in self.draws.items()}
        empty = sorted(code for code, v in draws.items() if v.size == 0 or np.isnan(v).any())
        if empty:
            raise InvalidOptionError(
                f"DrawsNoise needs at least one value, none missing, for {', '.join(empty)}"
            )
        object.__setattr__(self, "draws", draws)

    @property
    def criteria(self) -> tuple[str, ...]:
        """The one criterion perturbed."""
        return (self.criterion,)

    def perturb(
        self,
        values: FloatArray,
        codes: npt.NDArray[np.str_],
        *,
        n: int,
        rng: np.random.Generator,
    ) -> FloatArray:
        """``n`` copies of ``values``, listed villages drawn from theirs (see :class:`Noise`)."""
        base = np.asarray(values, dtype=float)
        out: FloatArray = np.repeat(base[None], n, axis=0)
        rows = [i for i, code in enumerate(codes) if str(code) in self.draws]
        if not rows:
            return out
        options = [np.asarray(self.draws[str(codes[i])], dtype=float) for i in rows]
        lengths = np.array([len(o) for o in options])
        table = np.full((len(rows), int(lengths.max())), np.nan)
        for r, o in enumerate(options):
            table[r, : len(o)] = o
        pick = np.minimum((rng.random((n, len(rows))) * lengths).astype(np.int64), lengths - 1)
        out[:, rows, 0] = table[np.arange(len(rows)), pick]
        return out


def bootstrap_medians(
    prices: Mapping[str, npt.ArrayLike], *, draws: int = 1000, rng: np.random.Generator
) -> dict[str, FloatArray]:
    """Bootstrap the median of each village's sale prices.

    Parameters
    ----------
    prices
        The price per m² of each sale, by INSEE code (missing values are dropped).
    draws
        How many bootstrap medians per village.
    rng
        The random generator (villages are resampled in the order of their codes).

    Returns
    -------
    dict
        ``draws`` medians of resampled sales, by INSEE code (villages without a
        sale are left out), ready for :class:`DrawsNoise`.

    Examples
    --------
    >>> medians = bootstrap_medians({"99001": [1000.0, 1200.0, 2000.0]}, draws=5,
    ...                             rng=np.random.default_rng(0))
    >>> medians["99001"].shape, bool(set(medians["99001"]) <= {1000.0, 1200.0, 2000.0})
    ((5,), True)
    """
    if draws < 1:
        raise InvalidOptionError(f"need at least one bootstrap draw (got {draws})")
    out: dict[str, FloatArray] = {}
    for code in sorted(prices):
        sales = np.asarray(prices[code], dtype=float).ravel()
        sales = sales[~np.isnan(sales)]
        if sales.size:
            picks = rng.integers(0, sales.size, size=(draws, sales.size))
            out[str(code)] = np.median(sales[picks], axis=1)
    return out


def drive_time_noise(
    estimated: Iterable[str],
    model: DriveTimeModel,
    *,
    lower: float | None = 0.0,
    catalogue: Catalogue | None = None,
) -> GaussianNoise | None:
    r"""The error of estimated drive times, from a fitted drive-time model.

    Parameters
    ----------
    estimated
        The features whose values are estimates (``Territory.estimated``: the drive
        times estimated from distances), which are perturbed.
    model
        The model that estimated them (``Territory.drive_model``).
    lower
        The smallest perturbed drive time.
    catalogue
        Where the drive times are told from the other features (default: relocate's own).

    Returns
    -------
    GaussianNoise or None
        Normal errors with :math:`\sigma = \mathrm{MAE} \sqrt{\pi/2}`, the MAE
        measured when the model was fitted on routes; ``None`` if the model is the
        stated one (its error was never measured) or no drive time is estimated.
    """
    specs = catalogue or default_catalogue()
    names = sorted(n for n in estimated if (spec := specs.spec(n)) and spec.role == "drive")
    if not model.is_fitted or not names:
        return None
    return GaussianNoise.from_mae(names, model.mae_min_, lower=lower)


def house_price_noise(
    dvf: pd.DataFrame | None, *, draws: int = 1000, seed: int = 0
) -> DrawsNoise | None:
    """The spread of the low-confidence house prices: bootstrap medians of their few sales.

    Parameters
    ----------
    dvf
        The DVF table (``Territory.open_data["dvf"].table``), with, for the communes
        whose median rests on fewer than 5 sales, their prices per m²
        (``low_confidence_prices_eur_m2``); None when DVF is not loaded.
    draws
        Bootstrap medians per commune.
    seed
        Seeds the resampling, so that a run is reproducible.

    Returns
    -------
    DrawsNoise or None
        ``house_price_eur_m2`` drawn among those medians in the low-confidence
        communes; None when DVF is not loaded, is an edition without the sales'
        prices, or has no low-confidence commune.
    """
    column = "low_confidence_prices_eur_m2"
    if dvf is None or column not in dvf.columns:
        return None
    table = dvf.set_index("insee") if "insee" in dvf.columns else dvf
    prices = {
        str(code): np.asarray(values, dtype=float)
        for code, values in table[column].items()
        if values is not None and not (np.ndim(values) == 0 and pd.isna(values)) and len(values)
    }
    if not prices:
        return None
    rng = np.random.default_rng([seed, 1])  # a stream of its own: the weights keep theirs
    return DrawsNoise("house_price_eur_m2", bootstrap_medians(prices, draws=draws, rng=rng))


# --------------------------------------------------------------------------- the problem


@dataclass(frozen=True)
class _Problem:
    """What every draw shares: the villages that can rank, their utilities, the noise."""

    ranking: Ranking
    space: WeightSpace
    criteria: tuple[str, ...]
    columns: IntArray
    candidates: IntArray
    codes: npt.NDArray[np.str_]
    utilities: FloatArray
    has: npt.NDArray[np.bool_]
    patterns: FloatArray
    pattern_of: IntArray
    noise: tuple[tuple[int, Noise, FloatArray, IntArray, IntArray], ...]
    streams: int

    @property
    def n(self) -> int:
        return len(self.candidates)

    @property
    def rank_dtype(self) -> type[np.unsignedinteger]:
        return np.uint16 if self.n < 2**16 else np.uint32


def _prepare(
    features: pd.DataFrame,
    profile: Profile,
    space: WeightSpace,
    noise: tuple[Noise, ...],
    catalogue: Catalogue | None,
) -> _Problem:
    ranking = score(features, profile, catalogue=catalogue)
    if set(space.names) != set(profile.criteria):
        raise ProfileError(
            f"the weight space's criteria ({', '.join(space.names)}) are not those of "
            f"profile {profile.title()!r} ({', '.join(profile.criteria)})"
        )
    criteria = tuple(ranking.criteria)
    columns = np.array([space.names.index(n) for n in criteria], dtype=np.int64)
    # score()'s own utilities (its curves, its missing values).
    util = ranking.utilities.to_numpy(dtype=float)
    has = ~np.isnan(util)
    excluded = ranking.table["excluded"].reindex(features.index).to_numpy(dtype=bool)
    weighable = space.can_be_positive()[columns]
    can_rank = ~excluded & (has & weighable).any(axis=1)
    codes_all = features.index.to_numpy(dtype=str)
    where = np.flatnonzero(can_rank)
    candidates = where[np.argsort(codes_all[where], kind="stable")].astype(np.int64)
    has_c = has[candidates]
    if len(candidates):
        patterns, pattern_of = np.unique(has_c, axis=0, return_inverse=True)
    else:
        patterns, pattern_of = np.zeros((0, len(criteria)), dtype=bool), np.zeros(0, np.int64)
    return _Problem(
        ranking=ranking,
        space=space,
        criteria=criteria,
        columns=columns,
        candidates=candidates,
        codes=codes_all[candidates],
        utilities=np.ascontiguousarray(np.where(has_c, util[candidates], 0.0).T),
        has=has_c,
        patterns=patterns.astype(float).reshape(-1, len(criteria)),
        pattern_of=np.asarray(pattern_of, dtype=np.int64).ravel(),
        noise=_bind_noise(noise, ranking.values, criteria, candidates),
        streams=len(noise),
    )


def _bind_noise(
    noise: tuple[Noise, ...],
    values: pd.DataFrame,
    criteria: tuple[str, ...],
    candidates: IntArray,
) -> tuple[tuple[int, Noise, FloatArray, IntArray, IntArray], ...]:
    """Each noise that perturbs a scored criterion: (stream, noise, values, its columns, ours)."""
    bound = []
    seen: set[str] = set()
    for stream, item in enumerate(noise):
        if not isinstance(item, Noise):
            raise InvalidOptionError(f"not a Noise (criteria and perturb): {item!r}")
        names = tuple(item.criteria)
        mine = [t for t, name in enumerate(names) if name in criteria]
        twice = sorted(seen & {names[t] for t in mine})
        if twice:
            raise InvalidOptionError(f"two noises perturb {', '.join(twice)}")
        if not mine:
            continue
        seen |= {names[t] for t in mine}
        # The measured values of its scored criteria (NaN for its others).
        base = np.column_stack(
            [
                values[name].to_numpy(dtype=float)[candidates]
                if name in criteria
                else np.full(len(candidates), np.nan)
                for name in names
            ]
        )
        ours = np.array([criteria.index(names[t]) for t in mine], dtype=np.int64)
        bound.append((stream, item, base, np.array(mine, dtype=np.int64), ours))
    return tuple(bound)


def _streams(seed: int, noise: int) -> list[np.random.SeedSequence]:
    """The independent streams of a run: the weights' first, then one per noise given."""
    return np.random.SeedSequence(seed).spawn(1 + noise)


def _normalised(weights: FloatArray) -> FloatArray:
    """Rows scaled to sum 1 (a row of zeros stays zeros: no village has a score)."""
    total = weights.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, weights / total, 0.0)


# --------------------------------------------------------------------------- one chunk


def _noisy_utilities(
    p: _Problem, rngs: Sequence[np.random.Generator], n: int
) -> tuple[dict[int, FloatArray], dict[str, FloatArray]]:
    """Draw ``n`` perturbed values of the noisy criteria: utilities by column, and values."""
    utilities: dict[int, FloatArray] = {}
    values: dict[str, FloatArray] = {}
    for stream, item, base, theirs, ours in p.noise:
        drawn = np.asarray(
            item.perturb(base, p.codes, n=n, rng=rngs[stream]),
            dtype=float,
        )
        if drawn.shape != (n, *base.shape):
            raise InvalidOptionError(
                f"{item!r}.perturb gave shape {drawn.shape}, not {(n, *base.shape)}"
            )
        for t, j in zip(theirs, ours, strict=True):
            name = p.criteria[j]
            x = drawn[:, :, t]
            if np.isnan(x[:, p.has[:, j]]).any():
                raise InvalidOptionError(f"{item!r} gave a missing {name} where there is one")
            u = p.ranking.profile.criteria[name].utility(x)
            utilities[int(j)] = np.where(p.has[:, j], u, 0.0)
            values[name] = np.where(p.has[:, j], x, np.nan)
    return utilities, values


def _keys(p: _Problem, weights: FloatArray, noisy: Mapping[int, FloatArray]) -> IntArray:
    """The sort key of every village in every draw: ``-round(score, 9)``, then INSEE code.

    The weighted sums run criterion by criterion (not through BLAS), so that a
    village's score has the same bits whatever the chunk; they differ from
    ``score()``'s (which divides each criterion's points before adding them) by a
    few units in the last place of 100 (~1e-13), which only matters where two
    villages' scores straddle a 1e-9 rounding boundary within that distance.
    """
    c, n = weights.shape[0], p.n
    num = np.zeros((c, n))
    term = np.empty((c, n))
    den_by_pattern = np.zeros((c, len(p.patterns)))
    for j in range(len(p.criteria)):
        u = noisy.get(j)
        np.multiply(weights[:, j, None], p.utilities[j] if u is None else u, out=term)
        num += term
        den_by_pattern += weights[:, j, None] * p.patterns[:, j]
    den = den_by_pattern[:, p.pattern_of]
    with np.errstate(invalid="ignore", divide="ignore"):
        num *= 100.0
        num /= den
    num *= -_SCALE
    np.rint(num, out=num)
    num += _OFFSET
    num[~(den > 0)] = _NO_SCORE
    np.clip(num, 0.0, _NO_SCORE, out=num)
    keys = num.astype(np.int64)
    keys *= n
    keys += np.arange(n, dtype=np.int64)
    return keys


def _noise_rngs(p: _Problem, seed: int) -> list[np.random.Generator]:
    """A fresh generator per noise given, in order (the same draws each time)."""
    return [np.random.default_rng(s) for s in _streams(seed, p.streams)[1:]]


@dataclass(frozen=True)
class _Chunk:
    start: int
    weights: FloatArray
    order: IntArray
    ranks: npt.NDArray[np.unsignedinteger]
    values: dict[str, FloatArray]


def _chunks(p: _Problem, normalised: FloatArray, *, seed: int, chunk: int) -> Iterator[_Chunk]:
    """Rank the villages for every draw, ``chunk`` draws at a time."""
    rngs = _noise_rngs(p, seed)
    positions = np.arange(1, p.n + 1, dtype=p.rank_dtype)
    for start in range(0, normalised.shape[0], chunk):
        w = normalised[start : start + chunk]
        c = w.shape[0]
        noisy, values = _noisy_utilities(p, rngs, c) if p.noise else ({}, {})
        order = np.argsort(_keys(p, w, noisy), axis=1)
        ranks = np.empty((c, p.n), dtype=p.rank_dtype)
        ranks[np.arange(c)[:, None], order] = positions
        yield _Chunk(start=start, weights=w, order=order, ranks=ranks, values=values)


def _chunk_size(chunk: int | None, n: int, samples: int) -> int:
    if chunk is None:
        return max(1, min(samples, CHUNK_CELLS // max(n, 1)))
    if chunk < 1:
        raise InvalidOptionError(f"chunk must be at least 1 (got {chunk})")
    return int(chunk)


def _check_counts(*, samples: int, top: int) -> None:
    if samples < 1:
        raise InvalidOptionError(f"samples must be at least 1 (got {samples})")
    if top < 1:
        raise InvalidOptionError(f"top must be at least 1 (got {top})")


def _draw_weights(p: _Problem, samples: int, seed: int) -> tuple[FloatArray, FloatArray]:
    """Every draw of the weights: raw (all the space's criteria) and normalised (scored ones)."""
    raw = p.space.sample(samples, np.random.default_rng(_streams(seed, p.streams)[0]))
    return raw, _normalised(raw[:, p.columns])


# --------------------------------------------------------------------------- the sampler


@dataclass(frozen=True, kw_only=True)
class RankChunk:
    """The ranks of a chunk of draws, as :func:`sample_ranks` yields them.

    Attributes
    ----------
    start
        The index of the chunk's first draw.
    weights
        Shape ``(draws, k)``: the raw relative weights drawn, columns in the
        order of the space's ``names`` (as given to ``Profile.with_weights``).
    ranks
        Shape ``(draws, villages)``: each village's rank (1 = best) in each draw.
    codes
        The villages that can rank (not excluded, with data), sorted by INSEE code.
    values
        The perturbed raw values drawn for each noisy criterion, ``(draws, villages)``
        (NaN where the village has no value).
    """

    start: int
    weights: FloatArray
    ranks: npt.NDArray[np.unsignedinteger]
    codes: npt.NDArray[np.str_]
    values: dict[str, FloatArray]


def sample_ranks(
    features: pd.DataFrame,
    profile: Profile,
    *,
    space: WeightSpace | None = None,
    samples: int = 10_000,
    seed: int = 0,
    noise: Sequence[Noise] = (),
    chunk: int | None = None,
    catalogue: Catalogue | None = None,
) -> Iterator[RankChunk]:
    """Draw weights (and values) and rank the villages in each draw, a chunk at a time.

    These are the draws and ranks :func:`robustness` counts, for checks and for
    other statistics; the parameters are the same.

    Yields
    ------
    RankChunk
    """
    _check_counts(samples=samples, top=1)
    space = space if space is not None else WeightSpace.fixed(profile)
    p = _prepare(features, profile, space, tuple(noise), catalogue)
    raw, normalised = _draw_weights(p, samples, seed)
    size = _chunk_size(chunk, p.n, samples)
    for part in _chunks(p, normalised, seed=seed, chunk=size):
        yield RankChunk(
            start=part.start,
            weights=raw[part.start : part.start + len(part.weights)],
            ranks=part.ranks,
            codes=p.codes,
            values=part.values,
        )


# --------------------------------------------------------------------------- counting


class _Tally:
    """What is counted while the chunks go by: top counts, wins and their weights, ranks."""

    def __init__(self, p: _Problem, samples: int, tops: tuple[int, ...]) -> None:
        self.samples = samples
        self.tops = tops
        self.top_counts = {t: np.zeros(p.n, dtype=np.int64) for t in tops}
        self.wins = np.zeros(p.n, dtype=np.int64)
        self.win_weights = np.zeros((p.n, len(p.criteria)))
        # Every rank, 2 bytes a cell (4 beyond 65,535 villages): the exact percentiles.
        self.ranks = np.empty((samples, p.n), dtype=p.rank_dtype)
        # Filled in once every chunk is counted.
        self.quantiles = np.empty((p.n, len(PERCENTILES)))
        self.displacement = np.empty(len(p.criteria))
        self.central = np.empty((0, len(p.criteria)))
        self.confidence = np.empty(0)

    def add(self, part: _Chunk) -> None:
        n = self.ranks.shape[1]
        for t in self.tops:
            best = part.order[:, : min(t, n)].ravel()
            self.top_counts[t] += np.bincount(best, minlength=n)
        first = part.order[:, 0]
        self.wins += np.bincount(first, minlength=n)
        # In draw order, one at a time: the same sums whatever the chunks.
        np.add.at(self.win_weights, first, part.weights)
        self.ranks[part.start : part.start + len(part.order)] = part.ranks


def _percentile_rows(samples: int) -> list[int]:
    """Where each percentile sits in the sorted ranks (the inverted CDF, exact integers)."""
    return [max(-(-q * samples // 100), 1) - 1 for q in PERCENTILES]


def _rank_summary(
    ranks: npt.NDArray[np.unsignedinteger], high: npt.NDArray[np.bool_]
) -> tuple[FloatArray, FloatArray]:
    """Rank percentiles per village, and each criterion's mean rank displacement.

    Parameters
    ----------
    ranks
        Shape ``(samples, villages)``.
    high
        Shape ``(samples, k)``: whether each draw of a criterion's weight is above
        that weight's median over the draws.
    """
    samples, n = ranks.shape
    rows = _percentile_rows(samples)
    n_high = high.sum(axis=0).astype(float)
    split = (n_high > 0) & (n_high < samples)
    high_f = high.astype(float)
    quantiles = np.full((n, len(rows)), np.nan)
    displacement = np.zeros(high.shape[1])
    block = max(1, BLOCK_CELLS // samples)
    for v0 in range(0, n, block):
        part = ranks[:, v0 : v0 + block]
        as_float = part.astype(float)
        # Sums of integers below 2**53, so exact in any order. (einsum's own loops:
        # BLAS threads only slow this down on a small machine.)
        total = as_float.sum(axis=0)
        upper = np.einsum("sk,sn->kn", high_f, as_float, optimize=False)
        with np.errstate(invalid="ignore", divide="ignore"):
            gap = upper / n_high[:, None] - (total - upper) / (samples - n_high)[:, None]
        displacement += np.where(split[:, None], np.abs(gap), 0.0).sum(axis=1)
        # A stable sort of 16-bit integers is a radix sort: faster than a partition.
        by_village = np.sort(np.ascontiguousarray(part.T), axis=1, kind="stable")
        quantiles[v0 : v0 + part.shape[1]] = by_village[:, rows]
    return quantiles, displacement / n if n else np.full(high.shape[1], np.nan)


def _confidence(
    p: _Problem, wins: IntArray, win_weights: FloatArray, *, samples: int, seed: int, chunk: int
) -> tuple[FloatArray, FloatArray]:
    """Central weights (rows sum to 1) and confidence factors of the villages that ever win."""
    winners = np.flatnonzero(wins)
    central = win_weights[winners] / wins[winners, None]
    central /= central.sum(axis=1, keepdims=True)
    if not len(winners):
        return central, np.empty(0)
    if not p.noise:
        first = np.argmin(_keys(p, central, {}), axis=1)
        return central, (first == winners).astype(float)
    counts = np.zeros(len(winners))
    rngs = _noise_rngs(p, seed)
    for start in range(0, samples, chunk):
        c = min(chunk, samples - start)
        noisy, _ = _noisy_utilities(p, rngs, c)
        for b, village in enumerate(winners):
            weights = np.broadcast_to(central[b], (c, len(p.criteria)))
            counts[b] += np.count_nonzero(np.argmin(_keys(p, weights, noisy), axis=1) == village)
    return central, counts / samples


# --------------------------------------------------------------------------- the result


@dataclass(frozen=True, kw_only=True)
class Robustness:
    r"""How sure each village's rank is, over draws of the weights (and values).

    Attributes
    ----------
    table
        One row per village of the feature table, indexed by INSEE code, in the
        order of the profile's ranking (``score()``'s, best first): ``p_top1``,
        ``p_top3``, ``p_top10`` and ``p_top`` (the share of draws in which the
        village ranks in the top 1, 3, 10 and :attr:`top`), ``rank_p05``,
        ``rank_p50``, ``rank_p95`` (percentiles of its rank among the villages
        that can rank, by the inverted CDF: the smallest rank ``r`` with at least
        that share of draws at ``r`` or better; NaN for excluded villages and
        villages without data), ``confidence`` (the SMAA-2 confidence factor; NaN
        where the village never ranks first).
    central_weights
        Villages x scored criteria: the mean of the normalised weights of the
        draws in which the village ranks first (rows sum to 1; NaN where never).
    sensitivity
        By scored criterion, how far the ranking moves with its weight: the
        mean over the villages that can rank of
        :math:`|\bar r_i^{+} - \bar r_i^{-}|`, the difference of the village's
        mean rank between the draws whose raw weight for the criterion is above
        its median and the others, in places. It says which uncertain weight,
        once pinned down, would move the ranking most: exactly 0 for a weight
        the profile fixes; a Monte Carlo estimate otherwise, so a weight that
        changes no rank still gets a small value, of the order of the ranks'
        spread over :math:`\sqrt{S}`.
    samples, seed, top
        The number of draws, the seed, the N of ``p_top``.
    space
        The weights drawn from.
    noisy
        The criteria whose values were perturbed.
    profile
        The profile.
    unavailable
        Criteria and constraints left out, with the reason (as ``score()``'s).
    """

    table: pd.DataFrame
    central_weights: pd.DataFrame
    sensitivity: pd.Series
    samples: int
    seed: int
    top: int
    space: WeightSpace
    noisy: tuple[str, ...]
    profile: Profile
    unavailable: dict[str, str]

    @property
    def criteria(self) -> list[str]:
        """The criteria that were scored."""
        return list(self.central_weights.columns)

    @property
    def most_sensitive(self) -> str | None:
        """The criterion whose weight moves the ranking most (None if none moves it)."""
        moving = self.sensitivity[self.sensitivity > 0]
        return str(moving.idxmax()) if len(moving) else None

    def to_frame(self) -> pd.DataFrame:
        """The columns the analysts' tables add, one row per village.

        ``p_top1``, ``p_top3``, ``p_top10``, ``p_top<N>`` (unless N is one of
        those), ``rank_p05``, ``rank_p50``, ``rank_p95``, ``confidence`` and
        ``central_weight_<criterion>``.
        """
        table = self.table.drop(columns="p_top")
        if self.top not in TOPS:
            table.insert(3, f"p_top{self.top}", self.table["p_top"])
        central = self.central_weights.add_prefix("central_weight_")
        return pd.concat([table, central], axis=1)


def robustness(  # noqa: PLR0913 - the API's nine options, keyword-only (see the issue)
    features: pd.DataFrame,
    profile: Profile,
    *,
    space: WeightSpace | None = None,
    samples: int = 10_000,
    seed: int = 0,
    top: int = 10,
    noise: Sequence[Noise] = (),
    chunk: int | None = None,
    catalogue: Catalogue | None = None,
) -> Robustness:
    """How sure each rank is: SMAA-2 rank acceptabilities, percentiles, central weights.

    Draws ``samples`` weight vectors from ``space`` (and values from ``noise``),
    ranks the villages in each draw by the rules of :func:`~relocate.scoring.score`
    (the same utilities, constraints, unavailable criteria and tie-break) and
    counts; see the module's documentation for the formulas.

    Parameters
    ----------
    features
        One row per village, indexed by INSEE code; one column per feature.
    profile
        The profile: its utility curves, constraints and (fixed) weights.
    space
        What is known of the weights (default: the profile's weights, fixed;
        then every probability is 0 or 1).
    samples
        How many draws.
    seed
        The seed: the same seed gives the same result, whatever ``chunk``.
    top
        The N of ``p_top`` (the profile's or the report's top N).
    noise
        Perturbations of measured values (:class:`GaussianNoise`,
        :class:`DrawsNoise`, or any :class:`Noise`); a noise on a criterion that
        is not scored is ignored (``noisy`` lists the criteria perturbed).
    chunk
        How many draws are ranked at a time (default: about 2**18 cells of
        villages x draws). It bounds the working memory, not the results.
    catalogue
        The catalogue the features are checked against (default: relocate's own).

    Returns
    -------
    Robustness

    Raises
    ------
    ProfileError
        If ``space`` is not over the profile's criteria.
    InvalidOptionError
        If ``samples``, ``top`` or ``chunk`` is below 1, or a noise is invalid.
    NonUniqueIndexError, UnknownFeatureError, FeatureTypeError
        As :func:`~relocate.scoring.score`.

    Notes
    -----
    *Rules.* :func:`~relocate.scoring.score` is called once: its utilities, its
    exclusions and its unavailable criteria are used for every draw. Unavailable
    criteria are drawn with the others (the draws do not depend on the data) and
    left out, as ``score()`` leaves them out of a profile re-weighted with
    ``Profile.with_weights``. Ranks are among the villages that can rank: not
    excluded, with a value for a criterion whose weight can be positive; in a
    draw where a village's criteria with data all weigh 0 it has no score and
    ranks after the others (``score()`` would leave it unranked).

    *Exactness.* The sort key is ``-round(score, 9)`` then the INSEE code, as in
    ``score()``. The weighted sums are added criterion by criterion, not through
    BLAS, so results do not depend on ``chunk`` or on the BLAS build, but not in
    ``score()``'s order: scores agree with ``score()``'s to a few units in the
    last place of 100 (about 1e-13), and ranks agree exactly unless two villages'
    scores straddle a 1e-9 rounding boundary within that distance (the tests
    compare ranks on fixtures without such near-ties).

    *Randomness.* ``np.random.SeedSequence(seed).spawn(1 + len(noise))``: the
    first stream draws every weight vector (:meth:`WeightSpace.sample`, all at
    once), the others one per noise given, in order, chunk after chunk (and
    again, the same draws, for the confidence factors).

    *Cost.* Time is dominated by one sort of the villages per draw. Memory: the draws of
    the weights (8 bytes x samples x criteria), every rank (2 bytes x samples x
    villages, to give exact percentiles: 70 MB for 1,000 draws over France) and
    a few arrays of ``chunk`` x villages. The confidence factors take one more
    scoring per village that ever ranks first (per draw of the values, with
    noise).
    """
    _check_counts(samples=samples, top=top)
    space = space if space is not None else WeightSpace.fixed(profile)
    p = _prepare(features, profile, space, tuple(noise), catalogue)
    raw, normalised = _draw_weights(p, samples, seed)
    size = _chunk_size(chunk, p.n, samples)
    tally = _Tally(p, samples, tuple(sorted({*TOPS, top})))
    for part in _chunks(p, normalised, seed=seed, chunk=size):
        tally.add(part)
    raw_scored = raw[:, p.columns]
    high = raw_scored > np.median(raw_scored, axis=0)
    tally.quantiles, tally.displacement = _rank_summary(tally.ranks, high)
    tally.ranks = tally.ranks[:0]  # the ranks are counted: free them
    tally.central, tally.confidence = _confidence(
        p, tally.wins, tally.win_weights, samples=samples, seed=seed, chunk=size
    )
    return _result(p, tally, top=top, seed=seed)


def _spread(values: FloatArray, where: IntArray, n: int, fill: float) -> FloatArray:
    """``values`` placed at positions ``where`` of an array of ``n`` ``fill``."""
    out = np.full(n, fill)
    out[where] = values
    return out


def _result(p: _Problem, tally: _Tally, *, top: int, seed: int) -> Robustness:
    """Put the counts in tables, in the order of the profile's ranking."""
    ranking = p.ranking
    index = ranking.values.index
    where = p.candidates
    columns: dict[str, FloatArray] = {}
    for t in TOPS:
        columns[f"p_top{t}"] = _spread(tally.top_counts[t] / tally.samples, where, len(index), 0.0)
    columns["p_top"] = _spread(tally.top_counts[top] / tally.samples, where, len(index), 0.0)
    for q, name in enumerate(("rank_p05", "rank_p50", "rank_p95")):
        columns[name] = _spread(tally.quantiles[:, q], where, len(index), np.nan)
    winners = np.flatnonzero(tally.wins)
    confidence = _spread(tally.confidence, winners, p.n, np.nan)
    columns["confidence"] = _spread(confidence, where, len(index), np.nan)
    table = pd.DataFrame(columns, index=index).reindex(ranking.table.index)
    weights = np.full((len(index), len(p.criteria)), np.nan)
    weights[where[winners]] = tally.central
    central = pd.DataFrame(weights, index=index, columns=list(p.criteria))
    central = central.reindex(ranking.table.index)
    table.index.name = central.index.name = "insee"
    return Robustness(
        table=table,
        central_weights=central,
        sensitivity=pd.Series(tally.displacement, index=list(p.criteria), name="sensitivity"),
        samples=tally.samples,
        seed=seed,
        top=top,
        space=p.space,
        noisy=tuple(p.criteria[int(j)] for *_, ours in p.noise for j in ours),
        profile=ranking.profile,
        unavailable=ranking.unavailable,
    )


def robustness_of(
    territory: Territory,
    profile: Profile,
    *,
    samples: int = 10_000,
    seed: int = 0,
    top: int = 10,
) -> Robustness:
    """How sure each rank of a territory is, for a profile: its weights and known errors.

    The weights are sampled within the profile's ranges and order
    (:meth:`WeightSpace.from_profile`); the drive times estimated with a fitted
    model are perturbed by its measured error (:func:`drive_time_noise`), and a
    house price resting on fewer than 5 sales by the bootstrap of those sales
    (:func:`house_price_noise`).

    Parameters
    ----------
    territory
        The département's features, their estimates and the model behind them.
    profile
        The household's profile.
    samples, seed, top
        As :func:`robustness`.
    """
    used = set(profile.criteria)
    noise = drive_time_noise(
        [n for n in territory.estimated if n in used],
        territory.estimate_model,
        catalogue=territory.catalogue,
    )
    dvf = territory.open_data.get("dvf")
    prices = (
        house_price_noise(dvf.table, seed=seed)
        if dvf is not None and "house_price_eur_m2" in used
        else None
    )
    return robustness(
        territory.features,
        profile,
        space=WeightSpace.from_profile(profile),
        samples=samples,
        seed=seed,
        top=top,
        noise=tuple(n for n in (noise, prices) if n is not None),
        catalogue=territory.catalogue,
    )
