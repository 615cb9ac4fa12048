r"""A profile learned from where the programme's members chose to settle.

Each village is *settled* (at least one member lives there) or not. Each
candidate criterion (a numeric feature of the open data or the built-in sources;
none of the programme's own, which would give the answer away) enters as a
piecewise-linear utility to be learned, through knots at

- the feature's **deciles** over the villages (its 0th, 10th ... 100th
  percentiles: a min-max scaling robust to a few extreme villages), and
- the thresholds the **preset** profiles give it (``full``, ``zero``, their
  points), so that a learned curve can bend where a preset's does.

Between consecutive knots ``k_j < k_{j+1}`` a *ramp* column
``clip((x - k_j) / (k_{j+1} - k_j), 0, 1)`` goes from 0 to 1: the feature's
curve is the sum of its ramps, each times its coefficient (the rise of the curve
over that segment). A logistic regression with an L2 penalty (scikit-learn's
``LogisticRegression``, classes weighted by their inverse frequency for the
imbalance; its ``C`` chosen among 0.03 to 3 by the ROC AUC of an inner stratified
5-fold cross-validation) of settled against not, on every ramp, learns those rises;
the penalty on them keeps each curve smooth (it shrinks every change of slope
towards a flat curve), and a curve may go up then down: a band, ``300 to 1,500
inhabitants``, is learned as such.

Each feature's learned curve, the cumulated rises at its knots, is scaled to
utilities from 0 (its lowest) to 1 (its highest); its weight is its range (the
most it moves the model's log-odds), the strongest scaled to 5. Features under
1 on that scale (a fifth of the strongest) are left out, and at most 8 are kept:
on complete data the profile's score ranks villages as the model's linear
predictor does, less the features left out.

How well it explains the choices is cross-validated: in each of 5 stratified
folds (a fixed seed), the profile learned on the other folds scores the held-out
villages; the share of settled villages among the 30 best of those out-of-fold
scores is set beside the same share for each preset's own ranking (its hard
constraints applied), with each ranking's ROC AUC. The profile written is then
learned on every village.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import tomlkit
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score

from relocate._files import write_files
from relocate.errors import InvalidOptionError
from relocate.i18n import translator
from relocate.programme.privacy import members_of
from relocate.scoring import Profile, list_presets, load_profile, parse_profile, score
from relocate.scoring.score import PROGRAMME_SOURCES
from relocate.territory import Territory

__all__ = [
    "Basis",
    "Evaluation",
    "Learned",
    "candidate_bases",
    "eligible_features",
    "learn_profile",
    "settled_villages",
    "write_learned",
]

#: Features that say how well a value is known, not what a household prefers.
NOT_PREFERENCES = frozenset({"snap_m", "house_price_low_confidence"})
#: The heaviest weight of a learned profile; the lightest kept is 1.
MAX_WEIGHT = 5.0
#: The penalties tried (scikit-learn's ``C``, the inverse of the L2 penalty's strength).
C_GRID: tuple[float, ...] = (0.03, 0.1, 0.3, 1.0, 3.0)
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class Basis:
    """The knots of one feature's learned curve, and its ramp columns.

    Attributes
    ----------
    feature
        The feature's name.
    knots
        The curve's knots, increasing (at least two): the feature's deciles and
        the presets' thresholds within its range.
    """

    feature: str
    knots: tuple[float, ...]

    def ramps(self, values: npt.ArrayLike) -> FloatArray:
        """One column per segment: 0 below it, 1 above it, linear along it (NaN stays NaN)."""
        x = np.asarray(values, dtype=float)[:, None]
        lo = np.asarray(self.knots[:-1])[None, :]
        hi = np.asarray(self.knots[1:])[None, :]
        out = np.clip((x - lo) / (hi - lo), 0.0, 1.0)
        return np.where(np.isnan(x), np.nan, out)

    def curve(self, rises: FloatArray) -> tuple[FloatArray, float]:
        """The utilities at the knots (0 to 1) of the curve with these rises, and its range."""
        values = np.concatenate([[0.0], np.cumsum(rises)])
        spread = float(values.max() - values.min())
        if spread <= 0:
            return np.zeros(len(values)), 0.0
        return (values - values.min()) / spread, spread


def settled_villages(territory: Territory) -> pd.Series:
    """Which villages of the territory at least one member lives in (boolean, by INSEE code).

    Raises
    ------
    InvalidOptionError
        If no members edition is loaded.
    """
    members = members_of(territory)
    if members is None:
        raise InvalidOptionError(
            "no programme members are loaded: import them with `relocate network import FILE`"
        )
    return pd.Series(
        territory.villages.index.isin(members["insee"]), index=territory.villages.index
    )


def eligible_features(territory: Territory, *, exclude: Collection[str] = ()) -> list[str]:
    """The features a profile may be learned on: numeric, known, not the programme's own.

    Left out: text; distances (their drive time says the same); the programme's
    sources' features; quality flags (:data:`NOT_PREFERENCES`); features known for
    fewer than half the villages or with a single value; and ``exclude``.
    """
    names = []
    for name in territory.features.columns:
        spec = territory.catalogue.spec(str(name))
        if spec is None or not spec.unit.numeric or spec.role in ("dist", "name"):
            continue
        # The programme's own features are left out: they would give the answer.
        if set(spec.sources) & PROGRAMME_SOURCES or name in NOT_PREFERENCES or name in exclude:
            continue
        values = pd.to_numeric(territory.features[name], errors="coerce").astype(float)
        if values.notna().mean() < 0.5 or values.nunique() < 2:
            continue
        names.append(str(name))
    return names


def _knots(values: pd.Series, thresholds: Sequence[float]) -> tuple[float, ...]:
    """The deciles, and the thresholds within the range, without knots very close together.

    Two knots closer than a twentieth of the deciles' median step are one (a preset's
    30 min and a decile at 30.2 min would make a segment too short to learn).
    """
    finite = values.to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    low, high = float(finite.min()), float(finite.max())
    deciles = np.quantile(finite, np.linspace(0.0, 1.0, 11))
    inside = [t for t in thresholds if low < t < high]
    candidates = np.unique(np.concatenate([deciles, np.asarray(inside, dtype=float)]))
    steps = np.diff(np.unique(deciles))
    gap = 0.05 * float(np.median(steps)) if len(steps) else 0.0
    knots: list[float] = []
    for knot in candidates:
        if not knots or knot - knots[-1] > gap:
            knots.append(float(knot))
    if knots[-1] < high:
        knots[-1] = high  # the last knot is the largest value
    return tuple(knots)


def candidate_bases(
    territory: Territory,
    *,
    presets: Mapping[str, Profile],
    exclude: Collection[str] = (),
) -> list[Basis]:
    """The knots of every eligible feature: its deciles, and the presets' thresholds of it."""
    bases = []
    for feature in eligible_features(territory, exclude=exclude):
        values = pd.to_numeric(territory.features[feature], errors="coerce").astype(float)
        thresholds: list[float] = []
        for profile in presets.values():
            criterion = profile.criteria.get(feature)
            if criterion is not None:
                thresholds += [float(x) for x in criterion.curve[0]]
        knots = _knots(values, thresholds)
        if len(knots) >= 2:
            bases.append(Basis(feature=feature, knots=knots))
    return bases


def _columns(territory: Territory, bases: Sequence[Basis]) -> FloatArray:
    columns = [
        b.ramps(pd.to_numeric(territory.features[b.feature], errors="coerce").astype(float))
        for b in bases
    ]
    return np.column_stack(columns) if columns else np.empty((len(territory.features), 0))


def _model(c: float) -> LogisticRegression:
    """The regression: L2-penalised, classes weighted for the imbalance (Newton-CG: fast here)."""
    return LogisticRegression(C=c, class_weight="balanced", solver="newton-cg", max_iter=10_000)


def _fit(
    u: FloatArray, y: npt.NDArray[np.bool_], *, c: float | None, seed: int
) -> tuple[FloatArray, float]:
    """The model's coefficients and its ``C``; missing values take their training mean.

    With ``c`` None, ``C`` is chosen among :data:`C_GRID` by the ROC AUC of a
    stratified 5-fold cross-validation of these villages alone.
    """
    means = np.nanmean(np.where(np.isnan(u).all(axis=0), 0.5, u), axis=0)
    filled = np.where(np.isnan(u), means, u)
    if c is None:
        inner = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
        aucs = [
            float(cross_val_score(_model(grid), filled, y, cv=inner, scoring="roc_auc").mean())
            for grid in C_GRID
        ]
        c = C_GRID[int(np.argmax(aucs))]  # the first best: the strongest penalty among ties
    model = _model(c).fit(filled, y)
    return np.asarray(model.coef_[0], dtype=float), c


def _round(value: float) -> float:
    return float(f"{value:.4g}")


@dataclass(frozen=True, kw_only=True)
class _Part:
    feature: str
    weight: float
    points: list[list[float]]


def _parts(bases: Sequence[Basis], beta: FloatArray) -> list[_Part]:
    """Each feature's learned curve as profile points, and its range, strongest first."""
    parts = []
    at = 0
    for basis in bases:
        n = len(basis.knots) - 1
        utilities, spread = basis.curve(beta[at : at + n])
        at += n
        if spread < 1e-6:
            continue
        points: list[list[float]] = []
        for x, u in zip(basis.knots, utilities, strict=True):
            rx = _round(x)
            if points and rx <= points[-1][0]:
                continue
            points.append([rx, round(float(u), 3)])
        if len(points) >= 2 and max(p[1] for p in points) > min(p[1] for p in points):
            parts.append(_Part(feature=basis.feature, weight=spread, points=points))
    return sorted(parts, key=lambda p: (-p.weight, p.feature))


def _criteria(parts: Sequence[_Part], *, max_criteria: int) -> list[tuple[_Part, float]]:
    if not parts:
        return []
    strongest = parts[0].weight
    chosen = []
    for part in parts[:max_criteria]:
        weight = round(MAX_WEIGHT * part.weight / strongest, 1)
        if weight >= 1.0:
            chosen.append((part, weight))
    return chosen


_NAME = {
    "fr": "Profil appris des installations du programme",
    "en": "Profile learned from the programme's settlements",
}


def _profile_data(
    chosen: Sequence[tuple[_Part, float]], description: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "name": dict(_NAME),
        "description": dict(description),
        "criteria": {part.feature: {"weight": w, "points": part.points} for part, w in chosen},
    }


def _ranked(scores: pd.Series) -> pd.Index:
    """The villages best first: by score, missing last, ties by INSEE code."""
    frame = pd.DataFrame({"score": scores.fillna(-np.inf)}).rename_axis("insee").reset_index()
    frame = frame.sort_values(["score", "insee"], ascending=[False, True], kind="stable")
    return pd.Index(frame["insee"])


def _auc(y: pd.Series, scores: pd.Series) -> float:
    return float(roc_auc_score(y.to_numpy(dtype=bool), scores.fillna(-1.0).to_numpy(dtype=float)))


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """How well one profile's ranking finds the settled villages.

    Attributes
    ----------
    key
        ``learned`` or the preset's name.
    title
        The profile's name.
    hits
        Settled villages among its ``top`` best.
    top
        How many of the best villages are looked at.
    auc
        ROC AUC of its scores against settled (excluded villages scored lowest).
    scored_share
        The share of its weight scored here (criteria whose sources are not loaded
        are left out; 1 for the learned profile).
    """

    key: str
    title: str
    hits: int
    top: int
    auc: float
    scored_share: float = 1.0

    @property
    def share(self) -> float:
        """Settled villages among the best ``top``, as a share."""
        return self.hits / self.top if self.top else 0.0


@dataclass(frozen=True, kw_only=True)
class Learned:
    """A learned profile, how it was learned, and how well it explains the settlements.

    Attributes
    ----------
    profile
        The profile, validated against the territory's catalogue.
    toml
        The profile as a commented TOML file.
    weights
        Per criterion: ``weight``, ``label``, ``range`` (the most it moves the model's
        log-odds) and ``knots``.
    coefficients
        Per candidate curve of the final model: ``feature``, ``origin``, ``coefficient``.
    evaluations
        The learned profile (cross-validated) first, then each preset.
    settled, villages, members
        Settled villages, villages, members.
    folds, seed, top
        The cross-validation's folds and seed, and the size of the top looked at.
    edition
        The members edition learned from.
    c
        The ``C`` of the final model (chosen by cross-validation unless given).
    fold_hits
        Settled villages among each fold's best (its share of ``top``).
    """

    profile: Profile
    toml: str
    weights: pd.DataFrame
    coefficients: pd.DataFrame
    evaluations: tuple[Evaluation, ...]
    settled: int
    villages: int
    members: int
    folds: int
    seed: int
    top: int
    edition: str
    c: float = 1.0
    fold_hits: tuple[int, ...] = field(default_factory=tuple)

    @property
    def base_rate(self) -> float:
        """The share of settled villages: what any ``top`` villages hold on average."""
        return self.settled / self.villages if self.villages else 0.0

    def report(self, lang: str = "en") -> str:
        """How well each profile explains the settlements, as lines for the terminal."""
        tr = translator(lang)
        lines = [
            tr._(
                "Learned from {members} members in {settled} of {villages} villages (members "
                "edition {edition}); {folds}-fold cross-validation, seed {seed}."
            ).format(
                members=tr.number(self.members),
                settled=tr.number(self.settled),
                villages=tr.number(self.villages),
                edition=self.edition,
                folds=self.folds,
                seed=self.seed,
            ),
            tr._("Settled villages among the {top} best of each profile:").format(top=self.top),
        ]
        width = max(len(e.key) for e in self.evaluations)
        for e in self.evaluations:
            scored = (
                ""
                if e.scored_share >= 0.999
                else " "
                + tr._("(scored on {share} of its weight)").format(share=tr.percent(e.scored_share))
            )
            lines.append(
                f"  {e.key:<{width}}  "
                + tr._("{hits}/{top} ({share}), ROC AUC {auc}").format(
                    hits=e.hits,
                    top=e.top,
                    share=tr.percent(e.share),
                    auc=tr.number(e.auc, digits=2),
                )
                + scored
            )
        lines.append(
            tr._("  (any {top} villages: {share} settled on average)").format(
                top=self.top, share=tr.percent(self.base_rate)
            )
        )
        return "\n".join(lines)


def _presets(territory: Territory, names: Sequence[str] | None) -> dict[str, Profile]:
    chosen = list_presets() if names is None else list(names)
    return {name: load_profile(name, catalogue=territory.catalogue) for name in chosen}


def _learned_scores(
    territory: Territory, bases: Sequence[Basis], beta: FloatArray, *, max_criteria: int
) -> pd.Series:
    chosen = _criteria(_parts(bases, beta), max_criteria=max_criteria)
    if not chosen:
        return pd.Series(np.nan, index=territory.villages.index)
    profile = parse_profile(
        _profile_data(chosen, {"en": "fold"}), origin="learned", catalogue=territory.catalogue
    )
    ranking = score(territory.features, profile, catalogue=territory.catalogue)
    return ranking.table["score"].reindex(territory.villages.index).astype(float)


def _preset_evaluation(
    territory: Territory, key: str, profile: Profile, y: pd.Series, *, top: int
) -> Evaluation:
    ranking = score(territory.features, profile, catalogue=territory.catalogue)
    table = ranking.table.reindex(territory.villages.index)
    scores = table["score"].astype(float).where(~table["excluded"].astype(bool), -1.0)
    best = _ranked(scores)[:top]
    return Evaluation(
        key=key,
        title=profile.title(),
        hits=int(y.loc[best].sum()),
        top=top,
        auc=_auc(y, scores),
        scored_share=ranking.scored_share,
    )


def learn_profile(
    territory: Territory,
    *,
    top: int = 30,
    folds: int = 5,
    seed: int = 0,
    c: float | None = None,
    max_criteria: int = 8,
    presets: Sequence[str] | None = None,
    exclude: Collection[str] = (),
) -> Learned:
    """Learn, from where the members settled, the profile that best explains their choices.

    Parameters
    ----------
    territory
        The territory, with a members edition loaded.
    top
        How many of the best villages the evaluation looks at.
    folds
        Folds of the stratified cross-validation.
    seed
        The seed of its shuffle.
    c
        The inverse of the L2 penalty's strength (scikit-learn's ``C``); None to
        choose it among :data:`C_GRID` by an inner cross-validation (nested in
        each fold of the evaluation, so that the evaluation stays honest).
    max_criteria
        The most criteria the profile keeps.
    presets
        The presets to compare with (and take knots from); default all.
    exclude
        Features not to learn on.

    Returns
    -------
    Learned

    Raises
    ------
    InvalidOptionError
        If no members are loaded, too few villages are settled (or not) for the
        folds, or no feature is usable.
    """
    y = settled_villages(territory)
    n_settled, n = int(y.sum()), len(y)
    if n_settled < 2 * folds or n - n_settled < 2 * folds:
        raise InvalidOptionError(
            f"{n_settled} of {n} villages are settled: at least {2 * folds} settled and "
            f"{2 * folds} not are needed for a {folds}-fold cross-validation"
        )
    if not 1 <= top <= n:
        raise InvalidOptionError(f"the top looked at is 1 to {n} villages (got {top})")
    profiles = _presets(territory, presets)
    bases = candidate_bases(territory, presets=profiles, exclude=exclude)
    if not bases:
        raise InvalidOptionError("no feature to learn on: load some open data first")
    u = _columns(territory, bases)
    labels = y.to_numpy(dtype=bool)
    oof = pd.Series(np.nan, index=y.index)
    fold_hits = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(u, labels):
        beta, _ = _fit(u[train], labels[train], c=c, seed=seed)
        scores = _learned_scores(territory, bases, beta, max_criteria=max_criteria)
        oof.iloc[test] = scores.iloc[test].to_numpy()
        held = y.iloc[test]
        best = _ranked(scores.iloc[test])[: max(1, round(top * len(test) / n))]
        fold_hits.append(int(held.loc[best].sum()))
    best = _ranked(oof)[:top]
    learned_eval = Evaluation(
        key="learned", title=_NAME["en"], hits=int(y.loc[best].sum()), top=top, auc=_auc(y, oof)
    )
    evaluations = (
        learned_eval,
        *(_preset_evaluation(territory, k, p, y, top=top) for k, p in profiles.items()),
    )
    beta, chosen_c = _fit(u, labels, c=c, seed=seed)
    chosen = _criteria(_parts(bases, beta), max_criteria=max_criteria)
    if not chosen:
        raise InvalidOptionError("the model found no feature that explains the settlements")
    members = members_of(territory)
    assert members is not None
    edition = territory.open_data["members"].info.edition
    partial = Learned(
        profile=parse_profile(_profile_data(chosen, {"en": ""}), catalogue=territory.catalogue),
        toml="",
        weights=_weights_frame(territory, chosen),
        coefficients=pd.DataFrame(
            {
                "feature": [b.feature for b in bases for _ in b.knots[1:]],
                "from": [k for b in bases for k in b.knots[:-1]],
                "to": [k for b in bases for k in b.knots[1:]],
                "coefficient": beta,
            }
        ),
        evaluations=evaluations,
        settled=n_settled,
        villages=n,
        members=len(members),
        folds=folds,
        seed=seed,
        top=top,
        edition=edition,
        c=chosen_c,
        fold_hits=tuple(fold_hits),
    )
    description = _description(partial)
    data = _profile_data(chosen, description)
    profile = parse_profile(data, origin="learned", catalogue=territory.catalogue)
    return replace(partial, profile=profile, toml=_toml(partial, chosen, description, territory))


def _weights_frame(territory: Territory, chosen: Sequence[tuple[_Part, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "weight": [w for _, w in chosen],
            "label": [territory.catalogue.require(p.feature).label("en") for p, _ in chosen],
            "range": [round(p.weight, 3) for p, _ in chosen],
            "knots": [len(p.points) for p, _ in chosen],
        },
        index=pd.Index([p.feature for p, _ in chosen], name="criterion"),
    )


def _description(learned: Learned) -> dict[str, str]:
    first = learned.evaluations[0]
    out = {}
    for lang in ("fr", "en"):
        tr = translator(lang)
        out[lang] = tr._(
            "Learned from where {members} programme members settled ({settled} of {villages} "
            "villages, members edition {edition}): {hits} of its {top} best villages are "
            "settled ones, cross-validated."
        ).format(
            members=tr.number(learned.members),
            settled=tr.number(learned.settled),
            villages=tr.number(learned.villages),
            edition=learned.edition,
            hits=first.hits,
            top=first.top,
        )
    return out


def _toml(
    learned: Learned,
    chosen: Sequence[tuple[_Part, float]],
    description: Mapping[str, str],
    territory: Territory,
) -> str:
    doc = tomlkit.document()
    doc.add(
        tomlkit.comment("Made by `relocate network learn` on " + date.today().isoformat() + ".")
    )
    doc.add(
        tomlkit.comment(
            "A regularised logistic regression (L2, balanced classes) of settled villages vs "
            f"not, on piecewise-linear utilities of the features (C = {learned.c:g})."
        )
    )
    for line in learned.report("en").splitlines():
        doc.add(tomlkit.comment(line))
    doc.add(tomlkit.nl())
    name = tomlkit.table()
    for lang, text in _NAME.items():
        name.add(lang, text)
    doc.add("name", name)
    desc = tomlkit.table()
    for lang, text in description.items():
        desc.add(lang, text)
    doc.add("description", desc)
    criteria = tomlkit.table(is_super_table=True)
    for part, weight in chosen:
        table = tomlkit.table()
        label = territory.catalogue.require(part.feature).label("en")
        table.add(
            tomlkit.comment(
                f"{label}: moves the model's log-odds by up to {part.weight:.2f}, "
                f"through {len(part.points)} knots."
            )
        )
        table.add("weight", weight)
        points = tomlkit.array()
        for x, u in part.points:
            points.append([x, u])
        points.multiline(True)
        table.add("points", points)
        criteria.add(part.feature, table)
    doc.add("criteria", criteria)
    return tomlkit.dumps(doc)


def write_learned(learned: Learned, path: Path) -> Path:
    """Write the learned profile's TOML to ``path``, atomically.

    Raises
    ------
    OutputError
        If the file cannot be written (a previous file is left intact).
    """
    write_files({Path(path): learned.toml})
    return Path(path)
