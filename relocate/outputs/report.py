"""Plain-text reports for the terminal: the ranked table and one village's breakdown."""

from __future__ import annotations

import pandas as pd

from relocate.features import feature_spec, format_opening_hours
from relocate.outputs.tables import sources_text
from relocate.scoring import Ranking
from relocate.sources.registry import BUILT_IN
from relocate.territory import Territory

__all__ = [
    "format_explanation",
    "format_ranking",
    "format_value",
    "is_missing",
    "low_confidence",
    "source_label",
]


def source_label(territory: Territory, feature: str) -> str:
    """Where a feature comes from, shortly: ``communes`` or ``arcep 2025-T2``."""
    keys = territory.feature_sources.get(feature, ())
    if all(k in BUILT_IN for k in keys):
        return ", ".join(keys)
    return ", ".join(
        f"{info.key} {info.edition}" for info in territory.sources_of(feature)
    ) or ", ".join(keys)


def low_confidence(territory: Territory, feature: str, code: str) -> str | None:
    """A warning when a value rests on too little data (house prices on few sales)."""
    if feature != "house_price_eur_m2":
        return None
    features = territory.features
    if "house_price_low_confidence" not in features or "house_sales" not in features:
        return None
    flag = features.at[code, "house_price_low_confidence"]
    if is_missing(flag) or not bool(flag):
        return None
    return f"low confidence: {features.at[code, 'house_sales']:.0f} sales"


def is_missing(value: object) -> bool:
    """True for None, NaN and pandas' NA: a value the source does not have."""
    return value is None or bool(pd.isna(value))


def format_value(value: float, unit: str) -> str:
    """A raw value with its unit, or ``missing``."""
    if is_missing(value):
        return "missing"
    if unit == "flag":
        return "yes" if value else "no"
    if unit in ("inhabitants", "sales", ""):
        return f"{value:,.0f} {unit}".rstrip()
    return f"{value:,.1f} {unit}"


def _header(ranking: Ranking, territory: Territory) -> list[str]:
    lines = [
        f"Profile: {ranking.profile.name}",
        f"Département: {territory.name} ({territory.code}), {len(territory.villages)} villages",
    ]
    if any(territory.is_estimate(n) for n in ranking.criteria):
        lines.append(f"Drive times are estimates ({territory.drive_times}).")
    elif any(n.startswith("drive_min_") for n in ranking.criteria):
        lines.append(f"Drive times: {territory.drive_times}.")
    if (fit := territory.drive_fit) is not None:
        lines.append(
            f"Straight-line model fitted to the road network: detour {fit.detour_factor:.2f}, "
            f"{fit.speed_kmh:.0f} km/h, mean error {fit.mae_min:.1f} min "
            f"(largest {fit.max_error_min:.0f} min, {fit.n} village-airport pairs)."
        )
    for name, reason in ranking.unavailable.items():
        lines.append(f"Unavailable, left out of the weighting: {name}: {reason}.")
    return lines


def format_ranking(ranking: Ranking, territory: Territory, *, top: int = 10) -> str:
    """The ``top`` best villages as a text table, with the criteria's raw values."""
    best = ranking.top(top)
    rows = []
    for code, row in best.iterrows():
        cells = {
            "rank": str(row["rank"]),
            "insee": str(code),
            "village": str(row["name"]),
            "score": f"{row['score']:.1f}",
        }
        for name in ranking.criteria:
            spec = feature_spec(name)
            unit = spec.unit if spec else ""
            cells[f"{name}"] = format_value(ranking.values.at[code, name], unit)
        rows.append(cells)
    lines = _header(ranking, territory)
    n_excluded = int(ranking.table["excluded"].sum())
    lines.append(
        f"{n_excluded} of {len(ranking.table)} villages excluded by the profile's constraints."
    )
    lines.append("")
    if rows:
        lines.append(pd.DataFrame(rows).to_string(index=False))
    else:
        lines.append("No village meets every constraint.")
    lines += ["", "Sources:", sources_text(territory)]
    return "\n".join(lines)


def format_explanation(ranking: Ranking, territory: Territory, code: str) -> str:
    """One village's score, explained criterion by criterion, with its town hall."""
    village = territory.villages.loc[code]
    row = ranking.table.loc[code]
    ranked = int(ranking.table["rank"].notna().sum())
    if row["excluded"]:
        standing = f"excluded ({row['reasons']})"
    elif pd.isna(row["rank"]):
        standing = "not ranked (no data for any criterion)"
    else:
        standing = f"rank {row['rank']} of {ranked}"
    score = "no score" if pd.isna(row["score"]) else f"score {row['score']:.1f}/100"
    lines = [f"{village['name']} ({code}): {score}, {standing}", *_header(ranking, territory), ""]

    breakdown = ranking.explain(code)
    table = []
    for name, item in breakdown.iterrows():
        criterion = ranking.profile.criteria[str(name)]
        label = item["label"] + (" (estimate)" if territory.is_estimate(str(name)) else "")
        value = (
            format_value(item["value"], item["unit"])
            if item["status"] != "unavailable"
            else "unavailable"
        )
        if (doubt := low_confidence(territory, str(name), code)) is not None:
            value += f" ({doubt})"
        table.append(
            {
                "criterion": label,
                "value": value,
                "source": source_label(territory, str(name)),
                "weight": f"{item['weight']:g}",
                "utility": "-" if pd.isna(item["utility"]) else f"{item['utility']:.2f}",
                "points": "-" if pd.isna(item["points"]) else f"{item['points']:.1f}",
                "curve": criterion.describe(item["unit"]),
            }
        )
    lines.append(pd.DataFrame(table).to_string(index=False))
    if row["coverage"] < 1:
        lines.append(
            f"Only {row['coverage']:.0%} of the weight had data for this village; "
            "the score is the weighted mean of the rest."
        )
    for name, constraint in ranking.profile.constraints.items():
        spec = feature_spec(name)
        unit = spec.unit if spec else ""
        if name in ranking.unavailable:
            verdict = "not checked (unavailable)"
        else:
            value = territory.features.at[code, name]
            state = (
                "not checked"
                if is_missing(value)
                else "met"
                if constraint.admits(value)
                else "FAILED"
            )
            verdict = f"{format_value(value, unit)}: {state}"
        lines.append(f"Constraint {name} {constraint.describe(unit)}: {verdict}")

    notes = territory.drive_notes
    if notes is not None:
        for name, reason in notes.loc[code].items():
            if not is_missing(reason):
                lines.append(f"No drive time for {name}: {reason}")
    opened = [
        n
        for n in territory.features.columns
        if n not in ranking.profile.criteria
        and not set(territory.feature_sources.get(n, ())) <= set(BUILT_IN)
    ]
    if opened:
        lines += ["", "From open data:"]
        for name in opened:
            spec = feature_spec(name)
            value = format_value(territory.features.at[code, name], spec.unit if spec else "")
            if (doubt := low_confidence(territory, name, code)) is not None:
                value += f" ({doubt})"
            label = (spec.label if spec else name) + (
                " (estimate)" if territory.is_estimate(name) else ""
            )
            lines.append(f"  {label}: {value} [{source_label(territory, name)}]")

    hours = format_opening_hours(village["townhall_hours"])
    lines += [
        "",
        "Town hall:",
        f"  address: {_text(village['townhall_address'])}",
        f"  phone:   {_text(village['townhall_phone'])}",
        f"  e-mail:  {_text(village['townhall_email'])}",
        f"  website: {_text(village['townhall_website'])}",
        f"  hours:   {hours or 'not published'}",
        "",
        "Sources:",
        sources_text(territory),
    ]
    return "\n".join(lines)


def _text(value: object) -> str:
    if is_missing(value):
        return "not published"
    return " ".join(str(value).split())
