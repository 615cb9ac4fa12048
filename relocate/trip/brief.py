"""The trip brief: one self-contained, print-ready HTML page to take on a scouting trip."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import box

from relocate._files import write_files
from relocate.outputs.card import VillageCard, low_confidence, village_card
from relocate.outputs.formats import format_opening_hours, format_value, is_missing
from relocate.scoring import Ranking
from relocate.territory import Territory
from relocate.trip.model import DayPlan, Stop, TripPlan

__all__ = ["build_brief", "weight_words", "write_brief"]

#: Facts shown on every village card besides the profile's criteria, when present.
KEY_FACTS = (
    "population",
    "density_per_km2",
    "townhall_hours_per_week",
    "dist_km_town",
    "drive_min_prefecture",
    "house_price_eur_m2",
)
_MAP_W, _MAP_H = 480.0, 300.0
_ESTIMATE = ' <span class="estimate">(estimate)</span>'
#: Polygon simplification for the map background, in degrees (about 500 m).
_SIMPLIFY_DEG = 0.005

_CSS = """
@page { size: A4; margin: 15mm }
* { box-sizing: border-box }
body { font: 10.5pt/1.4 "Helvetica Neue", Arial, sans-serif; color: #222; margin: 0 auto;
  max-width: 180mm }
h1 { font-size: 18pt; margin: 0 0 4mm }
h2 { font-size: 14pt; margin: 6mm 0 2mm; border-bottom: 1px solid #999 }
h3 { font-size: 12pt; margin: 4mm 0 1mm }
.day { break-before: page; page-break-before: always }
.card { break-inside: avoid; page-break-inside: avoid; border: 1px solid #bbb;
  border-radius: 2mm; padding: 2mm 4mm; margin: 3mm 0 }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 2mm }
th, td { border-bottom: 1px solid #ddd; padding: 0.6mm 1.5mm; text-align: left;
  vertical-align: top }
td.num, th.num { text-align: right }
.muted { color: #666 }
.estimate { font-style: italic; color: #8a5a00 }
.warn { color: #a00 }
svg.map { width: 100%; height: auto; border: 1px solid #ccc; background: #fbfbf8 }
svg.map .commune { fill: #eee; stroke: #bbb; stroke-width: 0.5 }
svg.map .route { fill: none; stroke: #c0392b; stroke-width: 2 }
svg.map .stop { fill: #c0392b; stroke: #fff; stroke-width: 1 }
svg.map .base { fill: #1f4e79; stroke: #fff; stroke-width: 1 }
svg.map text { font: bold 10px Arial, sans-serif; fill: #fff; text-anchor: middle;
  dominant-baseline: central }
footer { margin-top: 8mm; font-size: 9pt; color: #555; border-top: 1px solid #999 }
"""


def _label(territory: Territory, name: str) -> str:
    """A feature's label for the brief, which is written in English."""
    return territory.spec(name).label("en")


def _e(value: object) -> str:
    """Escape any text from data for HTML, quotes included."""
    return escape(str(value), quote=True)


def weight_words(weight: float, *, heaviest: float) -> str:
    """Say a weight relative to the heaviest one: ``matters a lot``, ``somewhat``, ``a little``."""
    if weight <= 0 or heaviest <= 0:
        return "not counted"
    share = weight / heaviest
    if share >= 2 / 3:
        return "matters a lot"
    if share >= 1 / 3:
        return "matters somewhat"
    return "matters a little"


def _unit(territory: Territory, name: str) -> str:
    return territory.spec(name).unit.symbol("en")


def _text(value: object) -> str | None:
    """A non-empty text value, or None."""
    if is_missing(value):
        return None
    text = str(value).strip()
    return text or None


# --- profile -------------------------------------------------------------------------------


def _profile_section(ranking: Ranking, territory: Territory) -> str:
    profile = ranking.profile
    heaviest = max(c.weight for c in profile.criteria.values())
    items = []
    for name, criterion in profile.criteria.items():
        unit = _unit(territory, name)
        sentence = (
            f"{_label(territory, name)} {weight_words(criterion.weight, heaviest=heaviest)}: "
            f"{criterion.describe(unit)}."
        )
        if name in ranking.unavailable:
            sentence += f" No data here ({ranking.unavailable[name]}), so it was left out."
        items.append(f"<li>{_e(sentence)}</li>")
    constraints = [
        f"<li>{_e(f'{_label(territory, name)}: {c.describe(_unit(territory, name))}.')}</li>"
        for name, c in profile.constraints.items()
    ]
    parts = [
        "<section><h2>What the household is looking for</h2>",
        f"<p><strong>{_e(profile.title('en'))}</strong></p>",
    ]
    if profile.summary("en"):
        parts.append(f"<p>{_e(profile.summary('en'))}</p>")
    parts.append(f"<ul>{''.join(items)}</ul>")
    if constraints:
        parts.append(f"<p>Villages are ruled out unless:</p><ul>{''.join(constraints)}</ul>")
    else:
        parts.append("<p>No hard constraint: every village is ranked.</p>")
    parts.append("</section>")
    return "".join(parts)


# --- map -----------------------------------------------------------------------------------


def _point(territory: Territory, code: str) -> tuple[float, float] | None:
    """Where to draw a village: its town hall, or a point inside its polygon."""
    villages = territory.villages
    if code not in villages.index:
        return None
    row = villages.loc[code]
    lon, lat = row.get("townhall_lon"), row.get("townhall_lat")
    if not is_missing(lon) and not is_missing(lat):
        return float(lon), float(lat)
    geometry = row.geometry
    if geometry is None or geometry.is_empty:
        return None
    inside = geometry.representative_point()
    return float(inside.x), float(inside.y)


def _path(rings: Iterable[Sequence[tuple[float, float]]]) -> str:
    return " ".join(
        "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z" for ring in rings if ring
    )


def _day_map(day: DayPlan, *, base: tuple[float, float] | None, territory: Territory) -> str:
    """An inline SVG of the day's loop: communes lightly, base and numbered stops."""
    stops = [(i, p) for i, s in enumerate(day.stops, 1) if (p := _point(territory, s.insee))]
    points = [p for _, p in stops] + ([base] if base else [])
    if not points:
        return '<p class="muted">No map: the day has no located place.</p>'
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    lat0 = (min(lats) + max(lats)) / 2
    k = math.cos(math.radians(lat0))
    span_x = max((max(lons) - min(lons)) * k, 0.08)
    span_y = max(max(lats) - min(lats), 0.08)
    margin = 0.15
    # Fit the view to the map's aspect ratio.
    if span_x / span_y < _MAP_W / _MAP_H:
        span_x = span_y * _MAP_W / _MAP_H
    else:
        span_y = span_x * _MAP_H / _MAP_W
    span_x, span_y = span_x * (1 + 2 * margin), span_y * (1 + 2 * margin)
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    west, east = cx - span_x / 2 / k, cx + span_x / 2 / k
    south, north = cy - span_y / 2, cy + span_y / 2
    scale = _MAP_W / span_x

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (lon - west) * k * scale, (north - lat) * scale

    view = box(west, south, east, north)
    geometries = territory.villages.geometry
    near = geometries[geometries.intersects(view)]
    shapes = []
    for geometry in near:
        simple = shapely.simplify(geometry, _SIMPLIFY_DEG, preserve_topology=True)
        polygons = getattr(simple, "geoms", [simple])
        rings = [
            [project(x, y) for x, y in polygon.exterior.coords]
            for polygon in polygons
            if polygon.geom_type == "Polygon" and not polygon.is_empty
        ]
        if rings:
            shapes.append(f'<path class="commune" d="{_path(rings)}"/>')
    route = [base] if base else []
    route += [p for _, p in stops] + ([base] if base else [])
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in (project(*p) for p in route))
    marks = []
    if base:
        bx, by = project(*base)
        marks.append(
            f'<rect class="base" x="{bx - 7:.1f}" y="{by - 7:.1f}" width="14" height="14"/>'
            f'<text x="{bx:.1f}" y="{by:.1f}">B</text>'
        )
    for number, p in stops:
        x, y = project(*p)
        marks.append(
            f'<circle class="stop" cx="{x:.1f}" cy="{y:.1f}" r="8"/>'
            f'<text x="{x:.1f}" y="{y:.1f}">{number}</text>'
        )
    return (
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_MAP_W:.0f} '
        f'{_MAP_H:.0f}" role="img" aria-label="Route of {_e(day.day.isoformat())}">'
        f"{''.join(shapes)}"
        f'<polyline class="route" points="{line}"/>'
        f"{''.join(marks)}</svg>"
    )


# --- a day ---------------------------------------------------------------------------------


def _schedule_table(day: DayPlan, base_name: str) -> str:
    rows = [f"<tr><td></td><td>Leave {_e(base_name)}</td><td></td><td>{day.leave:%H:%M}</td>"]
    rows[0] += '<td class="num"></td><td></td></tr>'
    for number, stop in enumerate(day.stops, 1):
        hall = "open" if stop.townhall_open else '<span class="warn">closed</span>'
        rows.append(
            f"<tr><td>{number}</td><td>{_e(stop.name)}</td><td>{stop.arrive:%H:%M}</td>"
            f'<td>{stop.depart:%H:%M}</td><td class="num">{stop.drive_min:.0f}</td>'
            f"<td>{hall}</td></tr>"
        )
    back = day.drive_min - sum(s.drive_min for s in day.stops)
    rows.append(
        f"<tr><td></td><td>Back at {_e(base_name)}</td><td>{day.back:%H:%M}</td><td></td>"
        f'<td class="num">{back:.0f}</td><td></td></tr>'
    )
    return (
        '<table class="schedule"><thead><tr><th>#</th><th>Village</th><th>Arrive</th>'
        '<th>Depart</th><th class="num">Drive (min)</th><th>Town hall</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f'<p class="muted">{day.drive_min:.0f} min of driving in all.</p>'
    )


def _questions(stop: Stop, *, ranking: Ranking, territory: Territory) -> list[str]:
    """What the data could not tell about a village: to ask on site."""
    code = stop.insee
    questions = []
    for name, reason in ranking.unavailable.items():
        questions.append(
            f"{_label(territory, name)}: no data was available ({reason}). Ask how it is here."
        )
    if code in ranking.values.index:
        breakdown = ranking.explain(code)
        for label, item in breakdown.iterrows():
            name = str(label)
            if item["status"] == "missing":
                questions.append(f"{item['label']}: the sources have no figure for this village.")
            elif item["status"] == "scored" and territory.is_estimate(name):
                value = format_value(item["value"], territory.spec(name).unit)
                questions.append(f"{item['label']} is an estimate ({value}): check it on the road.")
    names = [*ranking.profile.criteria, *ranking.profile.constraints, *KEY_FACTS]
    for name in dict.fromkeys(names):
        known = name in territory.features.columns and code in territory.features.index
        if known and (doubt := low_confidence(territory, name, code)) is not None:
            questions.append(f"{_label(territory, name)}: {doubt}. Ask local agents for prices.")
    for name in ranking.profile.constraints:
        if name in ranking.unavailable or name not in territory.features.columns:
            continue
        if code in territory.features.index and is_missing(territory.features.at[code, name]):
            questions.append(f"{_label(territory, name)} (a hard constraint) could not be checked.")
    village = territory.villages.loc[code] if code in territory.villages.index else None
    if village is not None and format_opening_hours(_text(village.get("townhall_hours"))) is None:
        questions.append("No opening hours are published for the town hall: when is it open?")
    if not stop.townhall_open:
        questions.append(
            "The town hall is likely closed during the visit: call ahead or ask neighbours."
        )
    if stop.note:
        questions.append(stop.note)
    return questions


def _breakdown_table(card: VillageCard) -> str:
    rows = []
    for line in card.criteria:
        label = _e(line.label) + (_ESTIMATE if line.estimate else "")
        value = line.value + (f" ({line.doubt})" if line.doubt else "")
        utility = "-" if is_missing(line.utility) else f"{line.utility:.2f}"
        points = "-" if is_missing(line.points) else f"{line.points:.1f}"
        rows.append(
            f"<tr><td>{label}</td><td>{_e(value)}</td><td class='num'>{utility}</td>"
            f"<td class='num'>{points}</td></tr>"
        )
    return (
        '<table class="breakdown"><thead><tr><th>Criterion</th><th>Value</th>'
        '<th class="num">Utility</th><th class="num">Points</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _facts_list(card: VillageCard) -> str:
    items = []
    for fact in card.facts:
        value = fact.value + (f" ({fact.doubt})" if fact.doubt else "")
        estimate = _ESTIMATE if fact.estimate else ""
        items.append(
            f"<li>{_e(fact.label)}: {_e(value)}{estimate} "
            f'<span class="muted">({_e(fact.source)})</span></li>'
        )
    return f"<ul class='facts'>{''.join(items)}</ul>" if items else ""


def _townhall(card: VillageCard) -> str:
    hall = card.townhall
    rows = [
        f"<tr><th>{label}</th><td>{_e(value or 'not published')}</td></tr>"
        for label, value in (
            ("Address", hall.address),
            ("Phone", hall.phone),
            ("E-mail", hall.email),
        )
    ]
    website = hall.website
    if website and website.lower().startswith(("http://", "https://")):
        link = f'<a href="{_e(website)}">{_e(website)}</a>'
    else:
        link = _e(website or "not published")
    rows.append(f"<tr><th>Website</th><td>{link}</td></tr>")
    rows.append(f"<tr><th>Opening hours</th><td>{_e(hall.hours or 'not published')}</td></tr>")
    return f"<h4>Town hall</h4><table class='townhall'>{''.join(rows)}</table>"


def _card(number: int, stop: Stop, *, ranking: Ranking, territory: Territory) -> str:
    code = stop.insee
    questions = _questions(stop, ranking=ranking, territory=territory)
    items = "".join(f"<li>{_e(q)}</li>" for q in questions)
    asks = f"<h4>Questions to ask on site</h4><ul>{items}</ul>" if questions else ""
    if code not in ranking.table.index:
        return (
            f'<div class="card"><h3>{number}. {_e(stop.name)} '
            f'<span class="muted">({_e(code)}) — not ranked</span></h3>'
            f"<p>{stop.arrive:%H:%M}–{stop.depart:%H:%M}</p>"
            '<p class="muted">Not scored: no data for this village.</p>'
            f"{asks}</div>"
        )
    card = village_card(ranking, territory, code, facts=KEY_FACTS)
    if card.rank is not None:
        standing = f"rank {card.rank}, score {card.score:.1f}/100"
    elif card.excluded:
        standing = f"excluded: {card.reasons}"
    else:
        standing = "not ranked"
    return (
        f'<div class="card"><h3>{number}. {_e(stop.name)} '
        f'<span class="muted">({_e(code)}) — {_e(standing)}</span></h3>'
        f"<p>{stop.arrive:%H:%M}–{stop.depart:%H:%M}</p>"
        f"{_breakdown_table(card)}{_facts_list(card)}{_townhall(card)}{asks}</div>"
    )


def _day_section(
    number: int,
    day: DayPlan,
    *,
    plan: TripPlan,
    base: tuple[float, float] | None,
    ranking: Ranking,
    territory: Territory,
) -> str:
    classes = "day" if number > 1 else "first-day"
    parts = [
        f'<section class="{classes}"><h2>Day {number}: {_e(_long_date(day.day))}</h2>',
        _day_map(day, base=base, territory=territory),
        _schedule_table(day, plan.base_name),
    ]
    if not day.stops:
        parts.append('<p class="muted">No visit planned this day.</p>')
    parts += [_card(i, s, ranking=ranking, territory=territory) for i, s in enumerate(day.stops, 1)]
    parts.append("</section>")
    return "".join(parts)


def _long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _left_out(plan: TripPlan, territory: Territory) -> str:
    if not plan.left_out:
        return ""
    names: Any = territory.villages.get("name", {})
    rows = "".join(
        f"<tr><td>{_e(names.get(code, code))}</td><td>{_e(code)}</td><td>{_e(reason)}</td></tr>"
        for code, reason in plan.left_out.items()
    )
    return (
        '<section class="left-out"><h2>Left out of the trip</h2>'
        "<table><thead><tr><th>Village</th><th>INSEE</th><th>Why</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


def _footer(plan: TripPlan, territory: Territory) -> str:
    sources = "".join(f"<li>{_e(s.citation())}</li>" for s in territory.sources)
    basis = plan.drive_basis or territory.drive_times
    return f"<footer><p>Drive times: {_e(basis)}.</p><p>Sources:</p><ul>{sources}</ul></footer>"


def build_brief(
    plan: TripPlan, *, ranking: Ranking, territory: Territory, title: str | None = None
) -> str:
    """Build the trip brief: one self-contained HTML page, ready to print on A4.

    The page holds the household's profile in words, the base, then one section
    per day (starting on a new page): a map of the day's loop, the schedule and
    a card per village (score breakdown, key facts with their sources, town
    hall, questions to ask on site); then the villages left out and the sources.
    It loads nothing: styles are inline and maps are inline SVG. Every text from
    data is HTML-escaped.

    Parameters
    ----------
    plan
        The trip.
    ranking
        The ranking the trip was planned from.
    territory
        The département the villages belong to.
    title
        The page title; by default ``Scouting trip from <base>``.

    Returns
    -------
    str
        The HTML document.

    """
    title = title or f"Scouting trip from {plan.base_name}"
    base = _point(territory, plan.base)
    first, last = (plan.days[0].day, plan.days[-1].day) if plan.days else (None, None)
    when = f"{_long_date(first)} to {_long_date(last)}" if first and last else "no day planned"
    visits = sum(len(d.stops) for d in plan.days)
    settings = plan.settings
    intro = (
        f"<p>Base: <strong>{_e(plan.base_name)}</strong> ({_e(plan.base)}), "
        f"{_e(territory.name)} ({_e(territory.code)}). {_e(when)}: {visits} visits over "
        f"{len(plan.days)} days, {settings.visit_min} min in each village, at most "
        f"{settings.max_drive_min} min of driving a day.</p>"
    )
    days = "".join(
        _day_section(i, d, plan=plan, base=base, ranking=ranking, territory=territory)
        for i, d in enumerate(plan.days, 1)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>{intro}{_profile_section(ranking, territory)}{days}"
        f"{_left_out(plan, territory)}{_footer(plan, territory)}</body></html>\n"
    )


def write_brief(html: str, path: Path) -> None:
    """Write the brief to ``path`` (UTF-8), atomically.

    Raises
    ------
    relocate.errors.OutputError
        If the file cannot be written (a previous file is left intact).

    """
    write_files({Path(path): html})
