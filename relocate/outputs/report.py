"""Plain-text reports for the terminal: the ranked table and one village's card.

They are written for the advisor, in the language of ``lang`` (the command line's
``--lang``, else the terminal's locale).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from relocate._frames import number_at
from relocate.i18n import in_sentence, translator
from relocate.outputs.card import (
    absence_lines,
    card_frame,
    coverage_lines,
    mayor_since,
    register_as_of,
    shown_value,
    village_card,
)
from relocate.outputs.tables import sources_text
from relocate.scoring import Ranking
from relocate.territory import Territory

if TYPE_CHECKING:
    from relocate.scoring.robust import Robustness
    from relocate.sources.mayors import MayorData

__all__ = ["format_explanation", "format_ranking"]


def _header(ranking: Ranking, territory: Territory, lang: str) -> list[str]:
    tr = translator(lang)
    lines = [
        tr._("Profile: {name}").format(name=ranking.profile.title(lang)),
        *coverage_lines(ranking, territory, lang=lang),
        tr._("Département: {name} ({code}), {n} villages").format(
            name=territory.name, code=territory.code, n=tr.number(len(territory.villages))
        ),
    ]
    drive_times = territory.describe_drive_times(lang)
    if any(territory.is_estimate(n) for n in ranking.criteria):
        lines.append(tr._("Drive times are estimates ({how}).").format(how=drive_times))
    elif any(territory.spec(n).role == "drive" for n in ranking.criteria):
        lines.append(tr._("Drive times: {how}.").format(how=drive_times))
    if (fit := territory.drive_fit) is not None:
        lines.append(
            tr._(
                "Straight-line model fitted to the road network: detour {detour}, {speed} km/h, "
                "mean error {mae} min (largest {largest} min, {n} village-airport pairs)."
            ).format(
                detour=tr.number(fit.detour_factor_, digits=2),
                speed=tr.number(fit.speed_kmh_),
                mae=tr.number(fit.mae_min_, digits=1),
                largest=tr.number(fit.max_error_min_),
                n=tr.number(fit.n_routes_),
            )
        )
    lines += absence_lines(ranking, territory, lang=lang)
    return lines


def format_ranking(
    ranking: Ranking,
    territory: Territory,
    *,
    top: int = 10,
    lang: str = "en",
    robustness: Robustness | None = None,
) -> str:
    """The ``top`` best villages as a text table, with the criteria's raw values.

    With a robustness analysis, each village's chance of being in the top ``N`` and its
    5-95 % rank interval, and the weight that moves the ranking most.
    """
    tr = translator(lang)
    best = ranking.top(top)
    rows = []
    sure = robustness.table if robustness is not None else None
    for code, row in best.iterrows():
        cells = {
            tr._("rank"): str(row["rank"]),
            "insee": str(code),
            tr._("village"): str(row["name"]),
            tr._("score"): tr.number(float(row["score"]), digits=1),
        }
        if sure is not None and robustness is not None:
            cells[tr._("top {n}").format(n=robustness.top)] = tr.percent(
                number_at(sure, code, "p_top")
            )
            low, high = (
                int(number_at(sure, code, "rank_p05")),
                int(number_at(sure, code, "rank_p95")),
            )
            cells[tr._("rank 5-95 %")] = f"{low}–{high}" if high > low else str(low)
        for name in ranking.criteria:
            cells[name] = shown_value(territory, name, ranking.values.at[code, name], lang=lang)
        rows.append(cells)
    lines = _header(ranking, territory, lang)
    if robustness is not None:
        lines.append(_robustness_line(robustness, territory, lang))
    n_excluded = int(ranking.table["excluded"].sum())
    lines.append(
        tr._("{n} of {total} villages excluded by the profile's constraints.").format(
            n=tr.number(n_excluded), total=tr.number(len(ranking.table))
        )
    )
    lines.append("")
    if rows:
        lines.append(pd.DataFrame(rows).to_string(index=False))
    else:
        lines.append(tr._("No village meets every constraint."))
    lines += ["", tr._("Sources:"), sources_text(territory, lang=lang)]
    return "\n".join(lines)


def _robustness_line(robustness: Robustness, territory: Territory, lang: str) -> str:
    """What the draws varied, how many there were, and the weight that moves the ranking most."""
    tr = translator(lang)
    n, seed = tr.number(robustness.samples), robustness.seed
    if robustness.space.is_fixed:
        if not robustness.noisy:
            return tr._(
                "How sure each rank is: the profile gives every weight as a number and no "
                "value is uncertain, so every rank is sure; give weights as ranges "
                "(weight = [2, 4]) to see how sure they are."
            )
        return tr._(
            "How sure each rank is: {n} draws of the measurement error of {labels} (seed "
            "{seed}), at the profile's own weights."
        ).format(
            n=n,
            seed=seed,
            labels=tr.join([in_sentence(territory.spec(c).label(lang)) for c in robustness.noisy]),
        )
    line = tr._(
        "How sure each rank is: {n} plausible weightings of the profile drawn (seed {seed})."
    ).format(n=n, seed=seed)
    moves = robustness.most_sensitive
    if moves is None:
        return line + " " + tr._("No weight moves the ranking.")
    return (
        line
        + " "
        + tr._("The criterion whose weight moves the ranking most: {label}.").format(
            label=in_sentence(territory.spec(moves).label(lang))
        )
    )


def format_explanation(
    ranking: Ranking,
    territory: Territory,
    code: str,
    *,
    lang: str = "en",
    mayors: MayorData | None = None,
) -> str:
    """One village's score, explained criterion by criterion, with its mayor and town hall.

    Parameters
    ----------
    ranking
        The profile's ranking.
    territory
        The département the village belongs to.
    code
        The village's INSEE code.
    lang
        The language of the report.
    mayors
        The mayors (:func:`relocate.sources.mayors.load_mayors`); with them, the town
        hall's part names the mayor and since when, and the sources cite the register.
    """
    tr = translator(lang)
    card = village_card(ranking, territory, code, lang=lang)
    if pd.isna(card.score):
        score = tr._("no score")
    else:
        score = tr._("score {score}/100").format(score=tr.number(card.score, digits=1))
    lines = [f"{card.name} ({code}): {score}, {card.standing}", *_header(ranking, territory, lang)]
    lines += ["", card_frame(card).to_string(index=False)]
    if card.coverage < 1:
        lines.append(
            tr._(
                "Only {share} of the weight had data for this village; "
                "the score is the weighted mean of the rest."
            ).format(share=tr.percent(card.coverage))
        )
    for line in card.constraints:
        verdict = (
            line.verdict
            if line.value is None
            else tr._("{value}: {verdict}").format(value=line.value, verdict=line.verdict)
        )
        lines.append(
            tr._("Constraint {name} {rule}: {verdict}").format(
                name=in_sentence(line.label), rule=line.rule, verdict=verdict
            )
        )
    for name, reason in card.drive_notes:
        lines.append(tr._("No drive time for {name}: {reason}").format(name=name, reason=reason))
    if card.facts:
        lines += ["", tr._("From open data:")]
        estimate = tr._("(estimate)")
        for fact in card.facts:
            value = fact.value + (f" ({fact.doubt})" if fact.doubt else "")
            label = fact.label + (f" {estimate}" if fact.estimate else "")
            lines.append(f"  {label}: {value} [{fact.source}]")
    hall = card.townhall
    unpublished = tr._("not published")
    lines += ["", tr._("Town hall:")]
    if mayors is not None:
        lines.append("  " + _mayor_line(mayors, code, lang))
    lines += [
        "  " + tr._("address: {value}").format(value=hall.address or unpublished),
        "  " + tr._("phone:   {value}").format(value=hall.phone or unpublished),
        "  " + tr._("e-mail:  {value}").format(value=hall.email or unpublished),
        "  " + tr._("website: {value}").format(value=hall.website or unpublished),
        "  " + tr._("hours:   {value}").format(value=hall.hours or unpublished),
        "",
        tr._("Sources:"),
        sources_text(territory, lang=lang),
    ]
    if mayors is not None:
        lines.append(
            "- "
            + tr._("{citation}; loaded from {where}").format(
                citation=mayors.source.citation(lang), where=mayors.source.loaded_from
            )
        )
    return "\n".join(lines)


def _mayor_line(mayors: MayorData, code: str, lang: str) -> str:
    """``Mayor: Camille BONNE, since 22 March 2026 (register as of 7 December 2026)``."""
    tr = translator(lang)
    mayor = mayors.of(code)
    if mayor is None:
        return tr._("Mayor: not in the register")
    since, known = mayor_since(mayor, lang), register_as_of(mayors, lang)
    return f"{tr._('Mayor:')} {mayor.name}{since} {known}"
