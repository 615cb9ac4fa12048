"""Plain-text reports for the terminal: the ranked table and one village's card."""

from __future__ import annotations

import pandas as pd

from relocate.outputs.card import card_frame, village_card
from relocate.outputs.formats import format_value
from relocate.outputs.tables import sources_text
from relocate.scoring import Ranking
from relocate.territory import Territory

__all__ = ["format_explanation", "format_ranking"]


def _header(ranking: Ranking, territory: Territory) -> list[str]:
    lines = [
        f"Profile: {ranking.profile.name}",
        f"Département: {territory.name} ({territory.code}), {len(territory.villages)} villages",
    ]
    if any(territory.is_estimate(n) for n in ranking.criteria):
        lines.append(f"Drive times are estimates ({territory.drive_times}).")
    elif any(territory.spec(n).role == "drive" for n in ranking.criteria):
        lines.append(f"Drive times: {territory.drive_times}.")
    if (fit := territory.drive_fit) is not None:
        lines.append(
            f"Straight-line model fitted to the road network: detour {fit.detour_factor_:.2f}, "
            f"{fit.speed_kmh_:.0f} km/h, mean error {fit.mae_min_:.1f} min "
            f"(largest {fit.max_error_min_:.0f} min, {fit.n_routes_} village-airport pairs)."
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
            cells[name] = format_value(ranking.values.at[code, name], territory.spec(name).unit)
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
    card = village_card(ranking, territory, code)
    score = "no score" if pd.isna(card.score) else f"score {card.score:.1f}/100"
    lines = [f"{card.name} ({code}): {score}, {card.standing}", *_header(ranking, territory), ""]
    lines.append(card_frame(card).to_string(index=False))
    if card.coverage < 1:
        lines.append(
            f"Only {card.coverage:.0%} of the weight had data for this village; "
            "the score is the weighted mean of the rest."
        )
    for line in card.constraints:
        verdict = line.verdict if line.value is None else f"{line.value}: {line.verdict}"
        lines.append(f"Constraint {line.name} {line.rule}: {verdict}")
    for name, reason in card.drive_notes:
        lines.append(f"No drive time for {name}: {reason}")
    if card.facts:
        lines += ["", "From open data:"]
        for fact in card.facts:
            value = fact.value + (f" ({fact.doubt})" if fact.doubt else "")
            label = fact.label + (" (estimate)" if fact.estimate else "")
            lines.append(f"  {label}: {value} [{fact.source}]")
    hall = card.townhall
    lines += [
        "",
        "Town hall:",
        f"  address: {hall.address or 'not published'}",
        f"  phone:   {hall.phone or 'not published'}",
        f"  e-mail:  {hall.email or 'not published'}",
        f"  website: {hall.website or 'not published'}",
        f"  hours:   {hall.hours or 'not published'}",
        "",
        "Sources:",
        sources_text(territory),
    ]
    return "\n".join(lines)
