"""Write the fixtures of the page's scoring tests: small fake villages, scored by Python.

Each ``fixtures/score-<case>.json`` holds what the page is given (criteria and constraints
entries with ``col``, ``weight``, ``better``, ``full``, ``zero``, ``min``, ``max``; villages
with ``insee`` and ``v``; the profile's ``criteria_order`` and its ``unavailable`` criteria with
their weights, as :func:`relocate.outputs.map.page_data` writes them), the sliders and
switches moved in the page (``weights``, ``switches``), and what
:func:`relocate.scoring.score` computes for the same profile: ``order``, ``scored_share``,
``top_ties`` and, per village,
``score``, ``rank``, ``excluded``, ``coverage``, ``utilities``, ``points``, ``failed``
(constraint and bound) and ``unchecked``. ``fixtures/numpy.json`` holds numpy's own rint,
round, sum and interp on awkward numbers. ``tests/js/*.test.js`` checks that
``relocate/outputs/static/score.js`` computes the same, bit for bit.

Run ``.venv/bin/python tests/js/make_fixtures.py`` after changing the scoring; the test
``tests/outputs/test_js_fixtures.py`` fails while the committed files differ from these.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from relocate.scoring import Profile, Ranking, parse_profile, score

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: Lines of the JSON files are kept about this long.
WIDTH = 100

Row = dict[str, float | None]

TLS = {"weight": 3, "better": "lower", "full": 45, "zero": 120}
POP = {"weight": 2, "better": "higher", "full": 2000, "zero": 100}
HOURS = {"weight": 1, "better": "higher", "full": 30, "zero": 5}
FIBRE = {"weight": 1, "better": "higher", "full": 90, "zero": 10}


@dataclass(frozen=True)
class Case:
    """One scoring case: fake villages, a profile, and what the page's user moved."""

    name: str
    about: str
    #: Feature values by INSEE code (None: missing), in the order the page lists villages.
    villages: dict[str, Row]
    profile: dict[str, Any]
    #: Sliders moved in the page: weight by criterion name.
    weights: dict[str, float] = field(default_factory=dict)
    #: Constraint switches turned off in the page.
    off: tuple[str, ...] = ()
    #: Columns shown but not scored; listed first, so that ``col`` matters.
    facts: tuple[str, ...] = ()
    #: A check that the case tests what it says (given Python's ranking), or None.
    check: Callable[[Ranking], None] | None = None


def _profile(criteria: dict[str, Any], constraints: dict[str, Any] | None = None) -> dict:
    return {"name": "fixture", "criteria": criteria, "constraints": constraints or {}}


def _features(case: Case) -> pd.DataFrame:
    columns = list(dict.fromkeys(name for row in case.villages.values() for name in row))
    frame = pd.DataFrame.from_dict(case.villages, orient="index", columns=columns, dtype=float)
    frame.index = pd.Index([str(code) for code in frame.index], name="insee")
    return frame


def _page_profile(case: Case) -> Profile:
    return parse_profile(case.profile, origin=f"fixture {case.name}")


def _python_profile(case: Case) -> Profile:
    """The profile the page scores once its sliders and switches are moved.

    Built with ``model_copy``: Python's profiles refuse weights that are all zero, the
    page's sliders reach them, and :func:`relocate.scoring.score` handles them.
    """
    profile = _page_profile(case)
    criteria = {
        name: c.model_copy(update={"weight": float(case.weights[name])})
        if name in case.weights
        else c
        for name, c in profile.criteria.items()
    }
    constraints = {n: c for n, c in profile.constraints.items() if n not in case.off}
    return profile.model_copy(update={"criteria": criteria, "constraints": constraints})


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number


_REASON = re.compile(r"^(\w+) (below the minimum|above the maximum) of ")


def _failed(reasons: object) -> list[list[str]]:
    """Python's reasons for an exclusion, as [constraint, bound] pairs in its order."""
    if pd.isna(reasons):  # type: ignore[call-overload]
        return []
    pairs = []
    for reason in str(reasons).split("; "):
        found = _REASON.match(reason)
        if found is None:
            raise ValueError(f"unexpected reason {reason!r}")
        pairs.append([found.group(1), "min" if found.group(2).startswith("below") else "max"])
    return pairs


def page_inputs(case: Case, features: pd.DataFrame) -> dict[str, Any]:
    """What the page is given, shaped as ``page_data`` shapes it."""
    profile = _page_profile(case)
    unavailable = score(features, profile).unavailable
    criteria = [n for n in profile.criteria if n not in unavailable]
    constraints = [n for n in profile.constraints if n not in unavailable]
    facts = [n for n in case.facts if n not in criteria and n not in constraints]
    columns = list(dict.fromkeys([*facts, *criteria, *constraints]))
    col = {name: j for j, name in enumerate(columns)}
    values = features.reindex(columns=columns)
    return {
        "criteria": [
            {
                "name": n,
                "col": col[n],
                **profile.criteria[n].model_dump(),
                "curve": [list(side) for side in profile.criteria[n].curve],
            }
            for n in criteria
        ],
        "constraints": [
            {"name": n, "col": col[n], **profile.constraints[n].model_dump()} for n in constraints
        ],
        "villages": [
            {"insee": str(code), "v": [_number(x) for x in values.loc[code]]}
            for code in features.index
        ],
        "criteria_order": list(profile.criteria),
        "unavailable": [
            {"name": n, "weight": profile.criteria[n].weight if n in profile.criteria else None}
            for n in unavailable
        ],
    }


def python_results(ranking: Ranking) -> dict[str, Any]:
    """Python's ranking, per village in the page's order (its INSEE codes as keys)."""
    table = ranking.table
    villages = {}
    for code in ranking.values.index:
        row = table.loc[code]
        villages[str(code)] = {
            "score": _number(row["score"]),
            "rank": None if pd.isna(row["rank"]) else int(row["rank"]),
            "excluded": bool(row["excluded"]),
            "coverage": float(row["coverage"]),
            "utilities": [_number(x) for x in ranking.utilities.loc[code]],
            "points": [_number(x) for x in ranking.points.loc[code]],
            "failed": _failed(row["reasons"]),
            "unchecked": [] if pd.isna(row["unchecked"]) else str(row["unchecked"]).split(", "),
        }
    return {
        "order": [str(code) for code in table.index],
        "scored_share": ranking.scored_share,
        "top_ties": ranking.top_ties(),
        "villages": villages,
    }


def build_case(case: Case) -> dict[str, Any]:
    """One fixture: the page's inputs and Python's results."""
    features = _features(case)
    page = page_inputs(case, features)
    ranking = score(features, _python_profile(case))
    if case.check is not None:
        case.check(ranking)
    names = {c["name"] for c in page["criteria"]}
    assert set(case.weights) <= names, "a moved slider is no criterion of the page"
    return {
        "case": case.name,
        "about": case.about,
        "page": page,
        "weights": case.weights,
        "switches": {c["name"]: c["name"] not in case.off for c in page["constraints"]},
        "python": python_results(ranking),
    }


# -- the cases ------------------------------------------------------------------------------


def _village(
    tls: float | None = None,
    pop: float | None = None,
    hours: float | None = None,
    fibre: float | None = None,
) -> Row:
    return {
        "drive_min_TLS": tls,
        "population": pop,
        "townhall_hours_per_week": hours,
        "fibre_share_pct": fibre,
    }


FOUR = {
    "drive_min_TLS": TLS,
    "population": POP,
    "townhall_hours_per_week": HOURS,
    "fibre_share_pct": FIBRE,
}


def _basic() -> Case:
    return Case(
        name="basic",
        about="Four criteria, two constraints, villages listed out of code order.",
        villages={
            "99005": _village(50, 1200, 20, 80),
            "99001": _village(30, 3000, 35, 95),
            "99007": _village(95, 400, 10, 30),
            "99002": _village(130, 800, 25, 60),  # too far from TLS: excluded
            "99004": _village(70, 120, 12, 50),  # too small: excluded
            "99003": _village(61.5, 1733.3, 27.25, 12.5),
            "99006": _village(125, 90, 4, 5),  # fails both constraints
            "99008": _village(45, 2000, 30, 90),  # full marks everywhere
        },
        profile=_profile(
            FOUR,
            {"population": {"min": 150}, "drive_min_TLS": {"max": 100}},
        ),
        facts=("house_price_eur_m2",),
    )


def _missing() -> Case:
    def check(ranking: Ranking) -> None:
        table = ranking.table
        assert table["score"].isna().sum() == 1
        assert (table["coverage"] < 1).sum() >= 4
        assert table["unchecked"].notna().sum() >= 2

    return Case(
        name="missing",
        about=(
            "Values missing for some villages: left out of their weighting (coverage < 1),"
            " never excluding; a village with no data at all has no score and no rank."
        ),
        villages={
            "99011": _village(40, 1500, None, 70),
            "99012": _village(None, 900, 28, None),
            "99013": _village(None, None, None, None),  # no data at all
            "99014": _village(80, None, 15, 40),  # population missing: unchecked
            "99015": _village(60, 600, 30, 85),
            "99016": _village(None, 50, 20, 60),  # too small: excluded
            "99017": _village(110, 700, None, None),
            "99018": _village(None, None, 33, None),  # only hours: score 100
        },
        profile=_profile(FOUR, {"population": {"min": 150}, "drive_min_TLS": {"max": 100}}),
        check=check,
    )


def _near_tie_populations() -> tuple[float, float]:
    """Two populations whose scores (TLS at full marks) round apart at 9 decimals.

    Their scores differ by far less than 1e-9 but straddle a rounding boundary, so the
    order is by score, not by INSEE code.
    """
    target = 80.1234567885  # a half at the 10th decimal
    pop = 100 + (target - 75) * 1900 / 25
    candidates = [pop]
    for _ in range(300):
        candidates.append(float(np.nextafter(candidates[-1], np.inf)))
    for _ in range(300):
        candidates.insert(0, float(np.nextafter(candidates[0], -np.inf)))
    frame = pd.DataFrame(
        {"drive_min_TLS": 30.0, "population": candidates},
        index=pd.Index([f"99{k:05d}" for k in range(len(candidates))], name="insee"),
    )
    profile = parse_profile(
        _profile({"drive_min_TLS": TLS, "population": {**POP, "weight": 1}}), origin="search"
    )
    scores = score(frame, profile).table.sort_index()["score"].to_numpy()
    keys = np.round(scores, 9)
    for k in range(len(candidates) - 1):
        if keys[k] != keys[k + 1] and abs(scores[k + 1] - scores[k]) < 1e-10:
            return candidates[k], candidates[k + 1]
    raise AssertionError("no populations straddle a rounding boundary")


def _ties() -> Case:
    low, high = _near_tie_populations()

    def check(ranking: Ranking) -> None:
        s = ranking.table["score"]
        # Noise below 1e-9: a tie, broken by INSEE code although 99025 scores a bit less.
        assert s["99025"] < s["99026"] and round(s["99026"] - s["99025"], 9) == 0
        order = list(ranking.table.index)
        assert order.index("99025") < order.index("99026")
        # Less than 1e-10 apart but on both sides of a rounding boundary: by score.
        assert 0 < s["99028"] - s["99027"] < 1e-10
        assert order.index("99028") < order.index("99027")
        # Full marks: ties at 100 by code.
        assert [c for c in order if s[c] == 100] == ["99021", "99022", "99023", "99024"]

    tie = {"drive_min_TLS": TLS, "population": {**POP, "weight": 1}}
    return Case(
        name="ties",
        about=(
            "Equal scores ranked by INSEE code; scores apart by float noise below 1e-9 are"
            " ties too; scores closer still but rounding apart at 9 decimals are not."
        ),
        villages={
            "99024": {"drive_min_TLS": 10, "population": 5000},
            "99022": {"drive_min_TLS": 45, "population": 2000},
            "99023": {"drive_min_TLS": 20, "population": 2500},
            "99021": {"drive_min_TLS": 0, "population": 2001},
            "99026": {"drive_min_TLS": 60, "population": 500},
            "99025": {"drive_min_TLS": 60.000000000001, "population": 500},
            "99029": {"drive_min_TLS": 60.0000001, "population": 500},
            "99027": {"drive_min_TLS": 30, "population": low},
            "99028": {"drive_min_TLS": 30, "population": high},
            "99030": {"drive_min_TLS": 120, "population": 100},  # score 0: ranked, last
            "99031": {"drive_min_TLS": 200, "population": 50},
        },
        profile=_profile(tie),
        check=check,
    )


def _zero_weight() -> Case:
    def check(ranking: Ranking) -> None:
        table = ranking.table
        assert np.isnan(table.at["99034", "score"]) and table.at["99034", "coverage"] == 0

    return Case(
        name="zero-weight",
        about=(
            "A criterion of weight 0 in the profile: it gives no points; a village with data"
            " for it alone has no score."
        ),
        villages={
            "99031": _village(50, 1200, 20, 80),
            "99032": _village(90, 300, 30, 20),
            "99033": _village(None, 1500, None, 60),
            "99034": _village(None, None, None, 75),  # only the zero-weight criterion
            "99035": _village(45, 2000, 30, 10),
        },
        profile=_profile({**FOUR, "fibre_share_pct": {**FIBRE, "weight": 0}}),
        check=check,
    )


def _all_zero() -> Case:
    return Case(
        name="all-zero",
        about=(
            "Every slider moved to 0: no score, no rank; the order is by exclusion, then"
            " INSEE code; coverage is 0."
        ),
        villages={
            "99043": _village(50, 1200, 20, 80),
            "99041": _village(130, 300, 30, 20),  # excluded
            "99042": _village(None, 1500, None, 60),
            "99044": _village(45, 100, 30, 10),  # excluded
            "99040": _village(None, None, None, None),
        },
        profile=_profile(FOUR, {"population": {"min": 150}, "drive_min_TLS": {"max": 100}}),
        weights=dict.fromkeys(FOUR, 0.0),
    )


def _reweighted() -> Case:
    return Case(
        name="reweighted",
        about="Sliders moved: one criterion to 0, others up and down by half steps.",
        villages=_basic().villages,
        profile=_basic().profile,
        weights={"drive_min_TLS": 0.0, "population": 9.5, "fibre_share_pct": 2.5},
        facts=("house_price_eur_m2",),
    )


def _switched_off() -> Case:
    def check(ranking: Ranking) -> None:
        assert list(ranking.profile.constraints) == ["drive_min_TLS"]

    return Case(
        name="switched-off",
        about=(
            "A constraint switched off in the page: Python scores the profile without it;"
            " the other still excludes."
        ),
        villages=_basic().villages,
        profile=_basic().profile,
        off=("population",),
        check=check,
    )


def _constraints() -> Case:
    def check(ranking: Ranking) -> None:
        table = ranking.table
        assert not table.at["99051", "excluded"] and not table.at["99052", "excluded"]
        assert table.at["99055", "reasons"].count(";") == 3

    def row(tls: float | None, pop: float, hours: float | None, price: float | None) -> Row:
        return {**_village(tls, pop, hours), "house_price_eur_m2": price}

    return Case(
        name="constraints",
        about=(
            "Constraints with a min, a max, both, on a feature that is no criterion; values"
            " on a bound pass; a village fails four bounds; missing values go unchecked."
        ),
        villages={
            "99051": row(20, 150, 10, 1500),  # on every bound: passes
            "99052": row(45, 5000, 60, 3000),  # on the other bounds
            "99053": row(46, 900, 20, 1200),  # TLS above max
            "99054": row(30, 149.99, 20, 2000),  # population just below min
            "99055": row(80, 100, 61, 3500),  # four bounds failed
            "99056": row(None, 800, None, None),  # unchecked: TLS, hours, price
            "99057": row(19, 4000, 9.5, 999),  # hours below min, price below min
            "99058": row(25, 5001, 30, 2500),  # population above max
        },
        profile=_profile(
            {"drive_min_TLS": TLS, "population": POP},
            {
                "drive_min_TLS": {"max": 45},
                "population": {"min": 150, "max": 5000},
                "townhall_hours_per_week": {"min": 10, "max": 60},
                "house_price_eur_m2": {"min": 1000, "max": 3000},
            },
        ),
        facts=("fibre_share_pct",),
        check=check,
    )


def _unavailable() -> Case:
    def check(ranking: Ranking) -> None:
        assert set(ranking.unavailable) == {"fibre_share_pct", "drive_min_AGF", "dist_km_gp"}

    return Case(
        name="unavailable",
        about=(
            "A criterion whose column is empty and one that is absent, and a constraint on"
            " an absent column: left out of the page and of Python's weighting."
        ),
        villages={
            "99063": _village(50, 1200, 20, None),
            "99061": _village(90, 300, 30, None),
            "99062": _village(None, 1500, 8, None),
            "99064": _village(45, 2000, None, None),
        },
        profile=_profile(
            {**FOUR, "drive_min_AGF": {**TLS, "weight": 2}},
            {"dist_km_gp": {"max": 10}, "population": {"min": 150}},
        ),
        check=check,
    )


def _partly_scored() -> Case:
    def check(ranking: Ranking) -> None:
        assert ranking.unscored == ["fibre_share_pct", "drive_min_station", "count_bakery"]
        assert 0 < ranking.scored_share < 0.6
        assert ranking.top_ties() == 3

    return Case(
        name="partly-scored",
        about=(
            "Criteria the page cannot score between those it can, weights that do not add up"
            " exactly in floats, one of weight 0, a slider moved: the share of the profile's"
            " weight scored, as Ranking.scored_share computes it; three villages tie at 100."
        ),
        villages={
            "99073": {"drive_min_TLS": 30, "population": 2500, "townhall_hours_per_week": 40},
            "99071": {"drive_min_TLS": 20, "population": 3000, "townhall_hours_per_week": 35},
            "99072": {"drive_min_TLS": 10, "population": 2100, "townhall_hours_per_week": 31},
            "99074": {"drive_min_TLS": 80, "population": 900, "townhall_hours_per_week": 12},
            "99075": {"drive_min_TLS": None, "population": 400, "townhall_hours_per_week": None},
        },
        profile=_profile(
            {
                "drive_min_TLS": {**TLS, "weight": 0.3},
                "fibre_share_pct": {**FIBRE, "weight": 2.7},
                "population": {**POP, "weight": 0.1},
                "drive_min_station": {**TLS, "weight": 1.9},
                "townhall_hours_per_week": {**HOURS, "weight": 0.7},
                "count_bakery": {"weight": 0, "better": "higher", "full": 3, "zero": 0},
            }
        ),
        weights={"population": 0.2},
        check=check,
    )


MANY = {
    "drive_min_TLS": {"weight": 3, "better": "lower", "full": 45, "zero": 120},
    "drive_min_AGF": {"weight": 1.5, "better": "lower", "full": 30, "zero": 90},
    "dist_km_TLS": {"weight": 0.5, "better": "lower", "full": 20, "zero": 110},
    "population": {"weight": 2, "better": "higher", "full": 2000, "zero": 100},
    "townhall_hours_per_week": {"weight": 1, "better": "higher", "full": 30, "zero": 5},
    "fibre_share_pct": {"weight": 2.5, "better": "higher", "full": 90, "zero": 10},
    "wired_100mbps_share_pct": {"weight": 0, "better": "higher", "full": 80, "zero": 0},
    "house_price_eur_m2": {"weight": 1, "better": "lower", "full": 1200, "zero": 3500},
    "dist_km_gp": {"weight": 4, "better": "lower", "full": 2, "zero": 25},
    "drive_min_pharmacy": {"weight": 0.5, "better": "lower", "full": 5, "zero": 30},
    "count_bakery": {"weight": 1, "better": "higher", "full": 3, "zero": 0},
}
#: Range of the random values of each criterion of ``MANY`` (a little beyond its curve).
_SPREAD = {
    name: (min(c["full"], c["zero"]) * 0.8 - 1, max(c["full"], c["zero"]) * 1.2)
    for name, c in MANY.items()
}


def _many() -> Case:
    rng = np.random.default_rng(20240611)
    villages = {}
    codes = rng.permutation(np.arange(99100, 99140))
    for code in codes:
        villages[str(code)] = {
            name: None if rng.random() < 0.12 else float(rng.uniform(low, high))
            for name, (low, high) in _SPREAD.items()
        }

    def check(ranking: Ranking) -> None:
        # Some scores are not the points added up in order (numpy's sum is pairwise): the
        # case tests that the page adds them up as numpy does.
        scores = ranking.table["score"].reindex(ranking.points.index)
        in_order = [sum(x for x in row if not math.isnan(x)) for row in ranking.points.values]
        assert any(a != b for a, b in zip(scores, in_order, strict=True))

    return Case(
        name="many-criteria",
        about=(
            "Eleven criteria (one of weight 0), forty villages of random values, some"
            " missing: the weighted sums take numpy's pairwise path (8 values and more)."
        ),
        villages=villages,
        profile=_profile(
            MANY,
            {"drive_min_TLS": {"max": 110}, "population": {"min": 120}, "dist_km_gp": {"max": 28}},
        ),
        weights={"dist_km_gp": 3.5, "count_bakery": 7},
        check=check,
    )


def _curves() -> Case:
    """Curves through points: a village of 300-1,500 people ideal, a town 5-15 minutes away."""
    population = [[100, 0], [300, 1], [1500, 1], [4000, 0.2]]
    town = [[0, 0.6], [5, 1], [15, 1], [30, 0]]
    pops = [50, 100, 200, 300, 299.9, 700, 1500, 1500.5, 2750, 4000, 9000, 1234.5]
    towns = [0, 2.5, 5, 7, 15, 15.01, 22.5, 30, 45, 3.3, 11, 29.99]
    villages = {
        f"99{200 + k:03d}": {"population": p, "drive_min_town": m, "drive_min_TLS": 40 + 3 * k}
        for k, (p, m) in enumerate(zip(pops, towns, strict=True))
    }
    return Case(
        name="curves",
        about="Utility curves through points (numpy.interp on 4 points), values on and "
        "between them and beyond both ends, next to a linear criterion.",
        villages=villages,
        profile=_profile(
            {
                "population": {"weight": 3, "points": population},
                "drive_min_town": {"weight": 2, "points": town},
                "drive_min_TLS": {"weight": 1, "better": "lower", "full": 45, "zero": 120},
            }
        ),
    )


CASES: tuple[Callable[[], Case], ...] = (
    _basic,
    _missing,
    _ties,
    _zero_weight,
    _all_zero,
    _reweighted,
    _switched_off,
    _constraints,
    _unavailable,
    _partly_scored,
    _many,
    _curves,
)


# -- numpy's own arithmetic -----------------------------------------------------------------


def _awkward_numbers(rng: np.random.Generator) -> list[float]:
    halves = [k + 0.5 for k in range(-4, 5)]
    near = [0.49999999999999994, 0.5000000000000001, 2.5000000000000004, 1.4999999999999998]
    big = [4503599627370495.5, 4503599627370496.0, 9007199254740993.0, 1e300, -1e300]
    tiny = [0.0, -0.0, 5e-324, -5e-324, 1e-300, 0.3, -0.3]
    random = list(rng.uniform(-1000, 1000, 24)) + list(rng.normal(0, 1e-8, 12))
    return [float(x) for x in [*halves, *near, *big, *tiny, *random]]


def _nine_decimal_halves(rng: np.random.Generator) -> list[float]:
    """Scores about half a unit of the 9th decimal from a boundary, either side."""
    out = []
    for base in rng.uniform(0, 100, 30):
        x = (math.floor(base * 1e9) + 0.5) / 1e9
        out += [x, float(np.nextafter(x, np.inf)), float(np.nextafter(x, -np.inf))]
    return out


def _utility_cases(rng: np.random.Generator) -> list[list[Any]]:
    cases = []
    for better, full, zero in [("lower", 45, 120), ("higher", 2000, 100), ("lower", -3, 7.5)]:
        lo, hi = min(full, zero), max(full, zero)
        xs = [lo, hi, lo - 1, hi + 1, (lo + hi) / 2, float(np.nextafter(lo, np.inf))]
        xs += [float(x) for x in rng.uniform(lo, hi, 12)]
        criterion = parse_profile(
            _profile({"population": {"weight": 1, "better": better, "full": full, "zero": zero}}),
            origin="utility",
        ).criteria["population"]
        for x, u in zip(xs, criterion.utility(xs), strict=True):
            cases.append([better, full, zero, float(x), float(u)])
    return cases


def build_numpy() -> dict[str, Any]:
    """numpy's rint, round, sum and Criterion.utility on numbers chosen to be awkward."""
    rng = np.random.default_rng(7)
    numbers = _awkward_numbers(rng)
    halves = _nine_decimal_halves(rng)
    lengths = [*range(18), 23, 31, 64, 100, 127, 128, 129, 136, 200, 256, 257, 300]
    sums = []
    for n in lengths:
        scale = 10.0 ** rng.integers(-3, 6, n)
        values = rng.uniform(0, 1, n) * scale
        sums.append([[float(x) for x in values], float(np.sum(values))])
    rows = []
    for k in (3, 8, 9, 11, 17):
        matrix = rng.uniform(0, 100, (6, k)) * 10.0 ** rng.integers(-2, 3, (6, k))
        for values, total in zip(matrix, matrix.sum(axis=1), strict=True):
            rows.append([[float(x) for x in values], float(total)])
    return {
        "about": "numpy's own results, which score.js must reproduce bit for bit.",
        "rint": [[x, float(np.rint(x))] for x in numbers],
        "round": [
            [x, d, float(np.round(x, d))]
            for x in numbers + halves
            if abs(x) < 1e15
            for d in (0, 2, 9)
        ],
        "sum": sums,
        "row_sum": rows,
        "utility": _utility_cases(rng),
    }


# -- writing --------------------------------------------------------------------------------


def dumps(value: Any, indent: int = 0, key: str = "") -> str:
    """JSON with what fits in a line on one line, the rest indented: easy to diff."""
    flat = json.dumps(value, ensure_ascii=False, allow_nan=False)
    fits = indent + len(key) + len(flat) < WIDTH
    if fits or not isinstance(value, dict | list) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            name = json.dumps(k) + ": "
            items.append(pad + name + dumps(v, indent + 2, name))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + dumps(v, indent + 2) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def build_all() -> dict[str, str]:
    """Every fixture file's name and text."""
    files = {"numpy.json": dumps(build_numpy()) + "\n"}
    for make in CASES:
        case = make()
        files[f"score-{case.name}.json"] = dumps(build_case(case)) + "\n"
    return files


def main() -> int:
    FIXTURES.mkdir(exist_ok=True)
    files = build_all()
    for stale in sorted(set(p.name for p in FIXTURES.glob("*.json")) - set(files)):
        (FIXTURES / stale).unlink()
        print(f"removed {stale}")
    for name, text in files.items():
        (FIXTURES / name).write_text(text, encoding="utf-8")
        print(f"wrote {FIXTURES.name}/{name} ({len(text):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
