"""One village's card: its score explained, its facts and its town hall, as data to render.

The terminal (``relocate explain``) and the trip brief render the same
:class:`VillageCard`; the map's page script draws its cards from the same page
data (labels, units and sources come from the catalogue in every case).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from relocate._frames import number_at, value_at
from relocate.i18n import in_sentence, translator
from relocate.outputs.formats import format_opening_hours, format_value, is_missing, with_unit
from relocate.programme.members import MembersSource
from relocate.scoring import Ranking
from relocate.scoring.profile import Constraint
from relocate.scoring.score import from_programme
from relocate.territory import Territory

if TYPE_CHECKING:
    from relocate.sources.mayors import Mayor, MayorData

__all__ = [
    "MEMBER_COUNTS",
    "ConstraintLine",
    "CriterionLine",
    "FactLine",
    "TownHall",
    "VillageCard",
    "low_confidence",
    "member_floor",
    "open_data_facts",
    "programme_feature",
    "shown_value",
    "source_label",
    "village_card",
]

#: The programme's counts of members within a drive (``members_within_30min``...): below
#: ``Settings.min_members_shown`` they are given as 0, which reads "fewer than K", never 0.
MEMBER_COUNTS: frozenset[str] = frozenset(f.name for f in MembersSource.features)


def member_floor(territory: Territory, feature: str) -> int | None:
    """The smallest count a member feature shows (``min_members_shown``); None for others."""
    return int(territory.settings.min_members_shown) if feature in MEMBER_COUNTS else None


def programme_feature(territory: Territory, feature: str) -> bool:
    """True for a feature of the programme's own data (members, field notes)."""
    return from_programme(territory.feature_sources.get(feature, ()))


def shown_value(territory: Territory, feature: str, value: object, *, lang: str = "en") -> str:
    """A feature's value as a reader sees it: :func:`format_value`, except a member count.

    A count of programme members below ``min_members_shown`` (given as 0) reads
    "fewer than 3", never "0", so that no output says there is no member where
    there are one or two.
    """
    floor = member_floor(territory, feature)
    if floor is not None and not is_missing(value) and float(str(value)) < floor:
        tr = translator(lang)
        return tr._("fewer than {k}").format(k=tr.number(floor))
    return format_value(value, territory.spec(feature).unit, lang=lang)


def source_label(territory: Territory, feature: str) -> str:
    """Where a feature comes from, shortly: ``communes`` or ``arcep 2025-T2``."""
    keys = territory.feature_sources.get(feature, ())
    if territory.is_built_in(feature):
        return ", ".join(keys)
    return ", ".join(
        f"{info.key} {info.edition}" for info in territory.sources_of(feature)
    ) or ", ".join(keys)


def low_confidence(
    territory: Territory, feature: str, code: str, *, lang: str = "en"
) -> str | None:
    """A warning when a value rests on too little data (house prices on few sales)."""
    if feature != "house_price_eur_m2":
        return None
    features = territory.features
    if "house_price_low_confidence" not in features or "house_sales" not in features:
        return None
    flag = features.at[code, "house_price_low_confidence"]
    if is_missing(flag) or not bool(flag):
        return None
    tr = translator(lang)
    sales = int(number_at(features, code, "house_sales"))
    return tr.ngettext("low confidence: {n} sale", "low confidence: {n} sales", sales).format(
        n=tr.number(sales)
    )


def absence_lines(ranking: Ranking, territory: Territory, *, lang: str = "en") -> list[str]:
    """For the advisor, each criterion left out of the weighting: label, name and why.

    ``Unavailable, left out of the weighting: Drive to the nearest hospital
    (drive_min_hospital): its source (finess) is not loaded: run ...``.
    """
    tr = translator(lang)
    return [
        tr._("Unavailable, left out of the weighting: {label} ({name}): {reason}.").format(
            label=territory.spec(name).label(lang),
            name=name,
            reason=absence.reason(lang),
        )
        for name, absence in ranking.absences.items()
    ]


def unscored_labels(ranking: Ranking, territory: Territory, *, lang: str = "en") -> str:
    """The criteria a ranking could not score, listed inside a sentence (``a, b et c``)."""
    tr = translator(lang)
    return tr.join([in_sentence(territory.spec(n).label(lang)) for n in ranking.unscored])


def mayor_since(mayor: Mayor, lang: str = "en") -> str:
    """``, since 28 March 2026`` (empty when the register gives no date)."""
    if mayor.office_start is None:
        return ""
    tr = translator(lang)
    return tr._(", since {date}").format(date=tr.day_month_year(mayor.office_start))


def register_as_of(mayors: MayorData, lang: str = "en") -> str:
    """``(register as of 7 December 2026)``: how recent the mayors' register is."""
    tr = translator(lang)
    return tr._("(register as of {date})").format(date=tr.day_month_year(mayors.as_of))


def coverage_lines(ranking: Ranking, territory: Territory, *, lang: str = "en") -> list[str]:
    """What share of the profile a ranking scores, and how far to trust its order, in words.

    The share of the profile's weight scored and the criteria left out (by label);
    below ``territory.settings.min_scored_share``, that the ranking is not a
    recommendation yet; and how many villages tie at the top.
    """
    tr = translator(lang)
    share = ranking.scored_share
    if ranking.unscored:
        lines = [
            tr.ngettext(
                "This ranking covers {share} of the profile's weight: {names} has no data here.",
                "This ranking covers {share} of the profile's weight: {names} have no data here.",
                len(ranking.unscored),
            ).format(share=tr.percent(share), names=unscored_labels(ranking, territory, lang=lang))
        ]
    else:
        lines = [tr._("This ranking covers all of the profile's weight.")]
    if share < territory.settings.min_scored_share:
        lines.append(
            tr._(
                "Too little of the profile has data here: this ranking is not a "
                "recommendation yet (below {threshold})."
            ).format(threshold=tr.percent(territory.settings.min_scored_share))
        )
    ties = ranking.top_ties()
    if ties > 1:
        best = float(ranking.top(1)["score"].iloc[0])
        lines.append(
            tr._(
                "{n} villages tie at the top with {score}/100: their order is only their "
                "INSEE codes'."
            ).format(n=ties, score=tr.number(best, digits=1))
        )
    return lines


def open_data_facts(ranking: Ranking, territory: Territory) -> list[str]:
    """The features from open-data sources that are not criteria of the profile.

    The programme's own features (member counts, field notes) are not open data: the
    outputs say them in sentences, with their dates (:mod:`relocate.programme.privacy`).
    """
    return [
        name
        for name in territory.features.columns
        if name not in ranking.profile.criteria
        and not territory.is_built_in(name)
        and not programme_feature(territory, name)
    ]


@dataclass(frozen=True, kw_only=True)
class CriterionLine:
    """One criterion of the profile for one village."""

    name: str
    label: str
    estimate: bool
    value: str
    doubt: str | None
    source: str
    weight: float
    utility: float
    points: float
    status: str
    curve: str


@dataclass(frozen=True, kw_only=True)
class FactLine:
    """One value shown besides the criteria."""

    name: str
    label: str
    estimate: bool
    value: str
    doubt: str | None
    source: str


@dataclass(frozen=True, kw_only=True)
class ConstraintLine:
    """One hard constraint for one village: what it asks and whether the village meets it."""

    name: str
    label: str
    rule: str
    value: str | None
    verdict: str
    #: Why the village fails it, in words (``Population : 97 habitants, sous le minimum
    #: de 150 habitants``); None when it is met or not checked.
    failure: str | None = None


@dataclass(frozen=True, kw_only=True)
class TownHall:
    """The town hall's contact details and hours (None where not published)."""

    address: str | None
    phone: str | None
    email: str | None
    website: str | None
    hours: str | None


@dataclass(frozen=True, kw_only=True)
class VillageCard:
    """Everything a card says about one village for one profile."""

    code: str
    name: str
    score: float
    rank: int | None
    ranked: int
    excluded: bool
    reasons: str | None
    coverage: float
    criteria: tuple[CriterionLine, ...]
    constraints: tuple[ConstraintLine, ...]
    facts: tuple[FactLine, ...]
    drive_notes: tuple[tuple[str, str], ...]
    townhall: TownHall
    lang: str = "en"

    @property
    def standing(self) -> str:
        """``rank 3 of 263``, ``excluded (...)`` or ``not ranked (...)``."""
        tr = translator(self.lang)
        if self.excluded:
            failures = [c.failure for c in self.constraints if c.failure]
            return tr._("excluded ({reasons})").format(
                reasons="; ".join(failures) if failures else self.reasons
            )
        if self.rank is None:
            return tr._("not ranked (no data for any criterion)")
        return tr._("rank {rank} of {ranked}").format(rank=self.rank, ranked=self.ranked)


def _text(value: object) -> str | None:
    if is_missing(value):
        return None
    text = " ".join(str(value).split())
    return text or None


def _fact(territory: Territory, name: str, code: str, lang: str) -> FactLine:
    spec = territory.spec(name)
    return FactLine(
        name=name,
        label=spec.label(lang),
        estimate=territory.is_estimate(name),
        value=shown_value(territory, name, territory.features.at[code, name], lang=lang),
        doubt=low_confidence(territory, name, code, lang=lang),
        source=source_label(territory, name),
    )


def _failure(
    territory: Territory, name: str, constraint: Constraint, value: float, shown: str, lang: str
) -> str:
    """Why a value fails a constraint, as the map's card says it."""
    tr = translator(lang)
    spec = territory.spec(name)
    below = constraint.min is not None and value < constraint.min
    limit = constraint.min if below else constraint.max
    bound = with_unit(tr.decimal(float(limit)), spec.unit, lang=lang)  # type: ignore[arg-type]
    message = (
        tr._("{label}: {value}, below the minimum of {bound}")
        if below
        else tr._("{label}: {value}, above the maximum of {bound}")
    )
    return message.format(label=spec.label(lang), value=shown, bound=bound)


def village_card(
    ranking: Ranking,
    territory: Territory,
    code: str,
    *,
    facts: Sequence[str] | None = None,
    lang: str = "en",
) -> VillageCard:
    """The card of one village: score breakdown, constraints, facts, town hall.

    Parameters
    ----------
    ranking
        The profile's ranking.
    territory
        The département the village belongs to.
    code
        The village's INSEE code.
    facts
        The features shown besides the criteria (default: the open-data ones,
        :func:`open_data_facts`); those the territory lacks are skipped.
    lang
        The language of labels and values.
    """
    tr = translator(lang)
    village = territory.villages.loc[code]
    criteria = []
    for name, criterion in ranking.profile.criteria.items():
        spec = territory.spec(name)
        if name in ranking.unavailable:
            value, utility, points = tr._("unavailable"), np.nan, np.nan
            status = "unavailable"
        else:
            raw = ranking.values.at[code, name]
            value = shown_value(territory, name, raw, lang=lang)
            utility = number_at(ranking.utilities, code, name)
            points = number_at(ranking.points, code, name)
            status = "missing" if is_missing(raw) else "scored"
        criteria.append(
            CriterionLine(
                name=name,
                label=spec.label(lang),
                estimate=territory.is_estimate(name),
                value=value,
                doubt=low_confidence(territory, name, code, lang=lang),
                source=source_label(territory, name),
                weight=criterion.weight,
                utility=utility,
                points=points,
                status=status,
                curve=criterion.describe(spec.unit.symbol(lang), lang=lang),
            )
        )
    constraints = []
    for name, constraint in ranking.profile.constraints.items():
        spec = territory.spec(name)
        unit = spec.unit.symbol(lang)
        shown: str | None = None
        failure: str | None = None
        if name in ranking.unavailable:
            verdict = tr._("not checked (unavailable)")
        else:
            raw = territory.features.at[code, name]
            shown = shown_value(territory, name, raw, lang=lang)
            if is_missing(raw):
                verdict = tr._("not checked")
            elif constraint.admits(float(str(raw))):
                verdict = tr._("met")
            else:
                verdict = tr._("FAILED")
                failure = _failure(territory, name, constraint, float(str(raw)), shown, lang)
        constraints.append(
            ConstraintLine(
                name=name,
                label=spec.label(lang),
                rule=constraint.describe(unit, lang=lang),
                value=shown,
                verdict=verdict,
                failure=failure,
            )
        )
    wanted = open_data_facts(ranking, territory) if facts is None else list(facts)
    shown_facts = tuple(
        _fact(territory, name, code, lang) for name in wanted if name in territory.features
    )
    notes: list[tuple[str, str]] = []
    if territory.drive_notes is not None:
        for note, reason in territory.drive_notes.loc[code].items():
            if not is_missing(reason):
                notes.append((str(note), drive_reason(str(reason), lang)))
    table = ranking.table
    rank = number_at(table, code, "rank")
    reasons = value_at(table, code, "reasons")
    return VillageCard(
        code=code,
        name=str(village["name"]),
        score=number_at(table, code, "score"),
        rank=None if np.isnan(rank) else int(rank),
        ranked=int(table["rank"].notna().sum()),
        excluded=bool(value_at(table, code, "excluded")),
        reasons=None if is_missing(reasons) else str(reasons),
        coverage=number_at(table, code, "coverage"),
        criteria=tuple(criteria),
        constraints=tuple(constraints),
        facts=shown_facts,
        drive_notes=tuple(notes),
        lang=lang,
        townhall=TownHall(
            address=_text(village["townhall_address"]),
            phone=_text(village["townhall_phone"]),
            email=_text(village["townhall_email"]),
            website=_text(village["townhall_website"]),
            hours=format_opening_hours(village["townhall_hours"], lang=lang),
        ),
    )


#: The reasons :func:`relocate.features.roads.unreachable_reason` gives (in English, as
#: the features layer speaks no language), and what they say.
_REASONS = (
    (re.compile(r"no position"), "position"),
    (re.compile(r"(town hall|village centre) ([\d.]+) km from the nearest road"), "snap"),
    (re.compile(r"(.+) ([\d.]+) km from the nearest road of the network"), "destination"),
    (re.compile(r"no road path to (.+)"), "path"),
)


def drive_reason(reason: str, lang: str = "en") -> str:
    r"""Why a drive time is missing, in ``lang``: a road-network reason translated.

    Examples
    --------
    >>> drive_reason("town hall 7.2 km from the nearest road", "fr")
    'mairie à 7,2\xa0km de la route la plus proche'
    >>> drive_reason("no road path to TLS", "fr")
    'aucun chemin routier jusqu’à TLS'
    >>> drive_reason("something else", "fr")
    'something else'
    """
    tr = translator(lang)
    for pattern, kind in _REASONS:
        found = pattern.fullmatch(reason)
        if found is None:
            continue
        if kind == "position":
            return tr._("no position")
        if kind == "path":
            return tr._("no road path to {place}").format(place=found[1])
        km = tr.decimal(float(found[2]), max_digits=1)
        if kind == "destination":
            return tr._("{place} {km} km from the nearest road of the network").format(
                place=found[1], km=km
            )
        if found[1] == "town hall":
            return tr._("town hall {km} km from the nearest road").format(km=km)
        return tr._("village centre {km} km from the nearest road").format(km=km)
    return reason


def card_frame(card: VillageCard) -> pd.DataFrame:
    """The criteria of a card as a table (for the terminal), headed in the card's language."""
    tr = translator(card.lang)
    estimate = tr._("(estimate)")
    return pd.DataFrame(
        [
            {
                tr._("criterion"): line.label + (f" {estimate}" if line.estimate else ""),
                tr._("value"): line.value + (f" ({line.doubt})" if line.doubt else ""),
                tr._("source"): line.source,
                tr._("weight"): tr.decimal(line.weight),
                tr._("satisfaction"): "-" if is_missing(line.utility) else tr.percent(line.utility),
                tr._("points"): "-"
                if is_missing(line.points)
                else tr.number(line.points, digits=1),
                tr._("curve"): line.curve,
            }
            for line in card.criteria
        ]
    )
