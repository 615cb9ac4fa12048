"""The trip brief: one self-contained, print-ready HTML page for the household, in its language.

A summary page (the household's priorities and how much of them the data could
compare, the programme day by day, what to ask at every town hall, the sources
stated once), then two pages at most per day with visits: the day's map and
schedule, and a card per village (its standing, the household's criteria with
their satisfaction, the open-data facts, the mayor and the town hall, what to
ask there). A day without a visit gets no page: the programme says why it is
empty. When the CCI programme's data is loaded, a last page says what it knows of
the villages visited, as households may read it (members counted, never named;
upcoming events nearby; field notes with their dates:
:func:`relocate.programme.privacy.household_section`). The advisor's copy
(``advisor=True``, ``relocate trip --advisor``) adds the members to contact, with
their details (:func:`~relocate.programme.privacy.advisor_section`), and says on
its first line that it is not for the household. Names and values from the data
are marked ``translate="no"``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from html import escape
from pathlib import Path

from relocate._files import write_files
from relocate.declare import NEAREST_NAME
from relocate.i18n import N_, translator
from relocate.outputs.card import (
    VillageCard,
    low_confidence,
    mayor_since,
    register_as_of,
    unscored_labels,
    village_card,
)
from relocate.outputs.formats import format_value, is_missing
from relocate.programme.privacy import advisor_section, household_section
from relocate.scoring import Ranking
from relocate.scoring.score import from_programme
from relocate.sources.mayors import MayorData
from relocate.territory import Territory
from relocate.trip.daymap import CSS as MAP_CSS
from relocate.trip.daymap import Roads, day_map
from relocate.trip.model import DayPlan, Place, Stop, TripPlan
from relocate.trip.words import visit_note

__all__ = ["FACT_DESTINATIONS", "FACT_FEATURES", "build_brief", "weight_words", "write_brief"]

#: Facilities whose nearest one a card names, when their source is loaded (in this order).
FACT_DESTINATIONS = (
    "station",
    "post_office",
    "hospital",
    "emergency",
    "maternity",
    "gp",
    "pharmacy",
    "primary_school",
    "college",
    "supermarket",
)
#: Other open-data values a card gives when loaded (broadband, prices, natural hazards).
FACT_FEATURES = (
    "fibre_share_pct",
    "ftth_deployed_share_pct",
    "wired_100mbps_share_pct",
    "house_price_eur_m2",
    "flood_plan",
    "catnat_flood_count",
    "catnat_drought_count",
)

#: Words written inside the page's markup, marked here for extraction (f-strings hide them).
_MARKUP_WORDS = (
    N_("What the household is looking for"),
    N_("Villages are ruled out unless:"),
    N_("Day"),
    N_("Date"),
    N_("From and to"),
    N_("Visits"),
    N_("Driving (min)"),
    N_("The programme"),
    N_("Not in the programme:"),
    N_("Appointments that could not be kept:"),
    N_("Sources"),
    N_("Leave"),
    N_("Lunch"),
    N_("Back at"),
    N_("Time"),
    N_("Stop"),
    N_("Drive (min)"),
    N_("at the base: no drive"),
    N_("town hall likely closed"),
    N_("Criterion"),
    N_("Here"),
    N_("Satisfaction"),
    N_("Also from open data"),
    N_("Town hall"),
    N_("To ask there"),
    N_("Appointment"),
)

_CSS = """
@page { size: A4; margin: 12mm 13mm }
* { box-sizing: border-box }
body { font: 9.4pt/1.32 "Helvetica Neue", Arial, sans-serif; color: #111; margin: 0 auto;
  max-width: 184mm }
h1 { font-size: 16pt; margin: 0 0 2mm }
h2 { font-size: 12.5pt; margin: 4mm 0 1.5mm; border-bottom: 0.4mm solid #111;
  break-after: avoid; page-break-after: avoid }
h3 { font-size: 11pt; margin: 0; break-after: avoid; page-break-after: avoid }
h4 { font-size: 9.4pt; margin: 1.5mm 0 0.5mm; break-after: avoid; page-break-after: avoid }
p { margin: 1mm 0 }
ul { margin: 0.5mm 0 1mm; padding-left: 4.5mm }
li { margin: 0.3mm 0 }
.day { break-before: page; page-break-before: always }
.keep { break-inside: avoid; page-break-inside: avoid }
.daygrid { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm; align-items: start }
.card { break-inside: avoid; page-break-inside: avoid; border: 0.3mm solid #555;
  padding: 1.6mm 2.6mm; margin: 2.5mm 0 }
.card header { display: flex; justify-content: space-between; align-items: baseline;
  border-bottom: 0.2mm solid #999; padding-bottom: 0.8mm; margin-bottom: 0.8mm }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 3mm }
.card table, .card ul, .card p { font-size: 8.4pt }
table.criteria { table-layout: fixed }
.num { display: inline-block; min-width: 5mm; height: 5mm; line-height: 5mm;
  border: 0.35mm solid #111; border-radius: 50%; text-align: center; font-size: 8.5pt;
  margin-right: 1mm }
table { border-collapse: collapse; width: 100%; margin: 0.5mm 0 1mm }
th, td { border-bottom: 0.2mm solid #bbb; padding: 0.4mm 1.2mm; text-align: left;
  vertical-align: top }
th { font-weight: bold; border-bottom: 0.3mm solid #111 }
td.n, th.n { text-align: right; white-space: nowrap }
td.t { white-space: nowrap }
tr.pause td, tr.base td { font-style: italic }
.muted { color: #444 }
.small { font-size: 8.2pt }
.estimate { font-style: italic }
.alert { border: 0.5mm solid #111; padding: 1.5mm 2.5mm; margin: 2mm 0; font-weight: bold }
.sources { font-size: 7.6pt; line-height: 1.22; color: #222 }
.summary ul, .summary table { font-size: 8.7pt; line-height: 1.25 }
.summary li { margin: 0.1mm 0 }
.summary .sources ul { font-size: 7.6pt; line-height: 1.22 }
.sources li { margin: 0.2mm 0 }
.programme-household { break-before: page; page-break-before: always }
.programme-household section { break-inside: avoid; page-break-inside: avoid;
  border-top: 0.2mm solid #999; padding-top: 1mm; margin-top: 2mm }
.programme-household li.expired { color: #555; text-decoration: line-through }
"""
#: The advisor's copy only: its page of members to contact.
_ADVISOR_CSS = """
.programme-advisor { break-before: page; page-break-before: always;
  border: 0.5mm solid #111; padding: 0 2.5mm 2mm }
.programme-advisor section { break-inside: avoid; page-break-inside: avoid;
  border-top: 0.2mm solid #999; padding-top: 1mm; margin-top: 2mm }
"""


def _e(value: object) -> str:
    """Escape any text for HTML, quotes included."""
    return escape(str(value), quote=True)


def _data(value: object) -> str:
    """A name or value from the data, escaped and marked as not to be translated."""
    return f'<span translate="no">{_e(value)}</span>'


def weight_words(weight: float, *, heaviest: float, lang: str = "en") -> str:
    """Say a weight relative to the heaviest one: ``high``, ``medium`` or ``low importance``.

    A noun phrase, so that it agrees with any label (``Town-hall opening hours``).
    """
    tr = translator(lang)
    if weight <= 0 or heaviest <= 0:
        return tr._("no weight")
    share = weight / heaviest
    if share >= 2 / 3:
        return tr._("high importance")
    if share >= 1 / 3:
        return tr._("medium importance")
    return tr._("low importance")


def _clock(moment: datetime, lang: str) -> str:
    return translator(lang).clock(moment.time())


def _span(a: datetime, b: datetime, lang: str) -> str:
    return translator(lang).time_range(a.time(), b.time())


def _minutes(value: float, lang: str) -> str:
    return translator(lang).number(round(value))


# --- the summary page ----------------------------------------------------------------------


def _intro(plan: TripPlan, territory: Territory, lang: str) -> str:
    tr = translator(lang)
    days = plan.days
    visits = len(plan.visits)
    when = (
        tr._("From {first} to {last}").format(
            first=tr.long_date(days[0].day), last=tr.long_date(days[-1].day, year=True)
        )
        if len(days) > 1
        else tr.long_date(days[0].day, year=True)
    )
    first = when[:1].upper() + when[1:]
    counts = tr.ngettext(
        "{n} visit over {days} days", "{n} visits over {days} days", visits
    ).format(n=tr.number(visits), days=tr.number(len(days)))
    if len(days) == 1:
        counts = tr.ngettext("{n} visit in one day", "{n} visits in one day", visits).format(
            n=tr.number(visits)
        )
    base = plan.base_place
    where = [
        tr._("base: {place}").format(place=_data(base.label(lang) if base else plan.base_name))
    ]
    if days[0].start is not None and days[0].start != base:
        where.append(tr._("arrival: {place}").format(place=_data(days[0].start.label(lang))))
    if days[-1].end is not None and days[-1].end != base:
        where.append(tr._("departure: {place}").format(place=_data(days[-1].end.label(lang))))
    settings = plan.settings
    rules = tr._(
        "{visit} min in each village, days from {start} to {end}, "
        "at most {drive} min of driving a day"
    ).format(
        visit=tr.number(settings.visit_min),
        start=tr.clock(_t(settings.day_start)),
        end=tr.clock(_t(settings.day_end)),
        drive=tr.number(settings.max_drive_min),
    )
    if settings.lunch_min > 0:
        rules += tr._(", a {length} min lunch break between {start} and {end}").format(
            length=tr.number(settings.lunch_min),
            start=tr.clock(_t(settings.lunch_start)),
            end=tr.clock(_t(settings.lunch_end)),
        )
    what = f"{_e(counts)}, {_data(territory.name)} ({_e(territory.code)})"
    return (
        f"<p>{_pair(f'<strong>{_e(first)}</strong>', what, lang)} · {' · '.join(where)}.</p>"
        f'<p class="muted">{_e(rules)}.</p>'
    )


def _pair(label: str, value: str, lang: str) -> str:
    """``label: value`` as the language writes it (French: a space before the colon); HTML."""
    return translator(lang)._("{label}: {value}").format(label=label, value=value)


def _t(minutes: int) -> time:
    return time(minutes // 60 % 24, minutes % 60)


def _label(territory: Territory, name: str, lang: str) -> str:
    return territory.spec(name).label(lang)


def _profile_section(ranking: Ranking, territory: Territory, lang: str) -> str:
    tr = translator(lang)
    profile = ranking.profile
    heaviest = max(c.weight for c in profile.criteria.values())
    share = ranking.scored_share
    parts = []
    if share < territory.settings.min_scored_share:
        parts.append(
            '<p class="alert">'
            + _e(
                tr._(
                    "Not a recommendation yet: only {share} of what the household looks for "
                    "could be compared with the data available here."
                ).format(share=tr.percent(share))
            )
            + "</p>"
        )
    parts += [
        f"<h2>{_e(tr._('What the household is looking for'))}</h2>",
        f"<p><strong>{_e(profile.title(lang))}</strong>"
        + (f" · {_e(profile.summary(lang))}" if profile.summary(lang) else "")
        + "</p>",
    ]
    items = []
    for name, criterion in profile.criteria.items():
        unit = territory.spec(name).unit.symbol(lang)
        sentence = tr._("{label} ({weight}): {curve}.").format(
            label=_label(territory, name, lang),
            weight=weight_words(criterion.weight, heaviest=heaviest, lang=lang),
            curve=criterion.describe(unit, lang=lang),
        )
        if name in ranking.unscored:
            sentence += " " + (
                tr._("No data here: to ask the CCI programme’s advisor.")
                if _programme_criterion(territory, name)
                else tr._("No data here: to ask at the town hall.")
            )
        items.append(f"<li>{_e(sentence)}</li>")
    compared = tr._("{share} of these priorities (by weight) could be compared here.").format(
        share=tr.percent(share)
    )
    if ranking.unscored:
        labels = unscored_labels(ranking, territory, lang=lang)
        compared += " " + tr._("Without data, not compared: {labels}.").format(labels=labels)
    if (ties := ranking.top_ties()) > 1:
        compared += " " + tr._("{n} villages share the best score.").format(n=tr.number(ties))
    parts.append(f"<p><strong>{_e(compared)}</strong></p>")
    parts.append(f"<ul>{''.join(items)}</ul>")
    constraints = [
        "<li>"
        + _pair(
            _e(_label(territory, n, lang)),
            _e(c.describe(territory.spec(n).unit.symbol(lang), lang=lang)),
            lang,
        )
        + "</li>"
        for n, c in profile.constraints.items()
    ]
    if constraints:
        parts.append(
            f"<p>{_e(tr._('Villages are ruled out unless:'))}</p><ul>{''.join(constraints)}</ul>"
        )
    return "<section>" + "".join(parts) + "</section>"


def _day_title(number: int, day: DayPlan, lang: str) -> str:
    tr = translator(lang)
    return tr._("Day {n}: {date}").format(n=number, date=tr.long_date(day.day, year=True))


def _programme(plan: TripPlan, territory: Territory, lang: str) -> str:
    tr = translator(lang)
    rows = []
    for number, day in enumerate(plan.days, 1):
        route = ""
        if day.start is not None and day.end is not None:
            route = (
                _data(day.start.label(lang))
                if day.start == day.end
                else f"{_data(day.start.label(lang))} → {_data(day.end.label(lang))}"
            )
        if day.stops:
            # The visits and the lunch in the order of the day.
            timed = [
                (
                    s.arrive,
                    f"{_data(s.title if s.kind == 'appointment' and s.title else s.name)} "
                    f"{_e(_clock(s.arrive, lang))}",
                )
                for s in day.stops
            ]
            if day.lunch is not None:
                lunch = tr._("lunch at {time}").format(time=_clock(day.lunch.start, lang))
                timed.append((day.lunch.start, _e(lunch)))
            visits = ", ".join(text for _, text in sorted(timed, key=lambda item: item[0]))
        else:
            why = day.why_empty.text(lang) if day.why_empty else ""
            visits = _e(tr._("no visit: {why}").format(why=why) if why else tr._("no visit"))
        rows.append(
            f"<tr><td>{number}</td><td class='t'>{_e(tr.long_date(day.day))}</td><td>{route}</td>"
            f"<td>{visits}</td><td class='n'>{_e(_minutes(day.drive_min, lang))}</td></tr>"
        )
    table = (
        f"<table><thead><tr><th>{_e(tr._('Day'))}</th><th>{_e(tr._('Date'))}</th>"
        f"<th>{_e(tr._('From and to'))}</th><th>{_e(tr._('Visits'))}</th>"
        f"<th class='n'>{_e(tr._('Driving (min)'))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    parts = [f"<section><h2>{_e(tr._('The programme'))}</h2>{table}"]
    names = territory.villages["name"]
    if plan.left_out:
        items = "".join(
            f"<li>{_pair(_data(names.get(code, code)), _e(reason.text(lang)), lang)}</li>"
            for code, reason in plan.left_out.items()
        )
        parts.append(f"<p>{_e(tr._('Not in the programme:'))}</p><ul>{items}</ul>")
    if plan.missed:
        items = "".join(
            "<li>"
            + _pair(f"{_data(a.title)} ({_e(_clock(a.start, lang))})", _e(r.text(lang)), lang)
            + "</li>"
            for a, r in plan.missed
        )
        parts.append(f"<p>{_e(tr._('Appointments that could not be kept:'))}</p><ul>{items}</ul>")
    parts.append("</section>")
    return "".join(parts)


def _programme_criterion(territory: Territory, name: str) -> bool:
    """True for a criterion of the programme's own data (members, field notes)."""
    return from_programme(territory.spec(name).sources)


def _everywhere(ranking: Ranking, territory: Territory, lang: str) -> str:
    """What the data could not tell for any village: questions for every town hall.

    What the programme's own data would tell is asked of its advisor instead.
    """
    tr = translator(lang)
    asked = {
        name: absence
        for name, absence in ranking.absences.items()
        if name in ranking.profile.criteria or name in ranking.profile.constraints
    }
    parts = []
    for heading, programme in (
        (tr._("To ask at every town hall"), False),
        (tr._("To ask the CCI programme’s advisor"), True),
    ):
        items = [
            f"<li>{_e(absence.for_household(_label(territory, name, lang), lang))}</li>"
            for name, absence in asked.items()
            if absence.programme == programme
        ]
        if items:
            parts.append(f"<section><h2>{_e(heading)}</h2><ul>{''.join(items)}</ul></section>")
    return "".join(parts)


def _sources(plan: TripPlan, territory: Territory, mayors: MayorData | None, lang: str) -> str:
    tr = translator(lang)
    items = [f'<li translate="no">{_e(s.citation(lang))}</li>' for s in territory.sources]
    if mayors is not None:
        items.append(f'<li translate="no">{_e(mayors.source.citation(lang))}</li>')
        items.append(
            "<li>"
            + _e(
                tr._(
                    "Mayors: the municipal councils elected in March 2026 and the changes "
                    "recorded since, up to {date} (the latest date the register records)."
                ).format(date=tr.day_month_year(mayors.as_of))
            )
            + "</li>"
        )
    items.append(
        "<li>"
        + _e(tr._("Drive times: {how}.").format(how=territory.describe_drive_times(lang)))
        + "</li>"
    )
    if territory.roads is not None and plan.estimated_places:
        items.append(
            "<li>"
            + _e(
                tr._("Off the road network, so estimated as without one: {places}.").format(
                    places=", ".join(plan.estimated_places)
                )
            )
            + "</li>"
        )
    if any(territory.is_estimate(n) for n in territory.features.columns):
        items.append(
            "<li>" + _e(tr._("Values marked ≈ are estimates: allow some margin.")) + "</li>"
        )
    return (
        f'<section class="sources"><h2>{_e(tr._("Sources"))}</h2>'
        f"<ul>{''.join(items)}</ul></section>"
    )


# --- a day ---------------------------------------------------------------------------------


def _schedule(day: DayPlan, lang: str) -> str:
    tr = translator(lang)
    rows = []

    def place(p: Place | None) -> str:
        return _data(p.label(lang)) if p is not None else ""

    def lunch_row() -> str:
        assert day.lunch is not None
        return (
            f"<tr class='pause'>"
            f"<td class='t'>{_e(_span(day.lunch.start, day.lunch.end, lang))}</td>"
            f"<td>{_e(tr._('Lunch'))}, {_data(day.lunch.place)}</td><td class='n'></td></tr>"
        )

    for event, k in day.timeline():
        if event == "leave":
            rows.append(
                f"<tr class='base'><td class='t'>{_e(_clock(day.leave, lang))}</td>"
                f"<td>{_e(tr._('Leave'))} {place(day.start)}</td><td class='n'></td></tr>"
            )
        elif event == "lunch":
            rows.append(lunch_row())
        elif event == "stop":
            rows.append(_stop_row(k + 1, day.stops[k], lang))
        else:
            rows.append(
                f"<tr class='base'><td class='t'>{_e(_clock(day.back, lang))}</td>"
                f"<td>{_e(tr._('Back at'))} {place(day.end)}</td>"
                f"<td class='n'>{_e(_minutes(day.back_drive_min, lang))}</td></tr>"
            )
    total = tr._("{n} min of driving in all.").format(n=_minutes(day.drive_min, lang))
    return (
        f"<table class='schedule'><thead><tr><th>{_e(tr._('Time'))}</th>"
        f"<th>{_e(tr._('Stop'))}</th><th class='n'>{_e(tr._('Drive (min)'))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table><p class='muted small'>{_e(total)}</p>"
    )


def _stop_row(number: int, stop: Stop, lang: str) -> str:
    tr = translator(lang)
    if stop.kind == "appointment":
        where = stop.place.label(lang) if stop.place else stop.name
        what = f"{_data(stop.title or '')}, {_data(where)}"
    else:
        what = _data(stop.name)
        if stop.at_base:
            at_base = tr._("at the base: no drive") if stop.drive_min == 0 else tr._("at the base")
            what += f" <span class='muted'>({_e(at_base)})</span>"
        if not stop.townhall_open:
            what += f" <span class='muted'>({_e(tr._('town hall likely closed'))})</span>"
    return (
        f"<tr><td class='t'>{_e(_span(stop.arrive, stop.depart, lang))}</td>"
        f"<td><span class='num'>{number}</span>{what}</td>"
        f"<td class='n'>{_e(_minutes(stop.drive_min, lang))}</td></tr>"
    )


# --- a village's card ----------------------------------------------------------------------


def _nearest(territory: Territory, key: str, code: str, lang: str) -> str | None:
    """``Gimont Cahuzac, 0,9 km``: the nearest facility of a destination by name, and how far."""
    prefix, suffix = NEAREST_NAME
    features = territory.features
    name_column, dist_column = f"{prefix}{key}{suffix}", f"dist_km_{key}"
    if name_column not in features or code not in features.index:
        return None
    name = features.at[code, name_column]
    if is_missing(name):
        return None
    text = _data(name)
    if dist_column in features and not is_missing(features.at[code, dist_column]):
        dist = format_value(
            features.at[code, dist_column], territory.spec(dist_column).unit, lang=lang
        )
        text += f", {_e(dist)}"
    return text


def _criteria_table(card: VillageCard, territory: Territory, lang: str) -> str:
    """The household's criteria with data here: value (the nearest place by name), satisfaction.

    Criteria without data anywhere are left out: the summary page names them once,
    and asks about them at every town hall.
    """
    tr = translator(lang)
    rows = []
    for line in card.criteria:
        if line.status == "unavailable":
            continue
        value = _e(line.value)
        if line.status == "missing":
            value = _e(tr._("no data for this village"))
        elif line.estimate:
            value = f"<span class='estimate'>≈ {value}</span>"
        if line.doubt:
            value += f" <span class='muted'>({_e(line.doubt)})</span>"
        spec = territory.spec(line.name)
        if spec.destination and line.status == "scored" and spec.role in ("drive", "dist"):
            nearest = _nearest(territory, spec.destination, card.code, lang)
            if nearest is not None:
                value += f" <span class='muted'>· {nearest}</span>"
        satisfaction = "–" if is_missing(line.utility) else _e(tr.percent(line.utility))
        rows.append(
            f"<tr><td>{_e(line.label)}</td><td>{value}</td><td class='n'>{satisfaction}</td></tr>"
        )
    table = (
        f"<table class='criteria'><colgroup><col style='width:42%'><col><col style='width:17%'>"
        f"</colgroup><thead><tr><th>{_e(tr._('Criterion'))}</th><th>{_e(tr._('Here'))}</th>"
        f"<th class='n'>{_e(tr._('Satisfaction'))}</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return table


def _facts(ranking: Ranking, territory: Territory, code: str, lang: str) -> str:
    """The loaded open-data facts that are not criteria: nearest facilities by name, values."""
    tr = translator(lang)
    criteria = ranking.profile.criteria
    used = {territory.spec(n).destination for n in criteria}
    items = []
    for key in FACT_DESTINATIONS:
        if key in used:
            continue
        nearest = _nearest(territory, key, code, lang)
        if nearest is not None:
            label = territory.spec(f"{NEAREST_NAME[0]}{key}{NEAREST_NAME[1]}").label(lang)
            items.append(f"<li>{_pair(_e(label), nearest, lang)}</li>")
    for name in FACT_FEATURES:
        if (
            name in criteria
            or name not in territory.features
            or code not in territory.features.index
        ):
            continue
        spec = territory.spec(name)
        raw = territory.features.at[code, name]
        if is_missing(raw):
            continue
        value = _e(format_value(raw, spec.unit, lang=lang))
        if (doubt := low_confidence(territory, name, code, lang=lang)) is not None:
            value += f" <span class='muted'>({_e(doubt)})</span>"
        items.append(f"<li>{_pair(_e(spec.label(lang)), value, lang)}</li>")
    if not items:
        return ""
    return f"<h4>{_e(tr._('Also from open data'))}</h4><ul class='small'>{''.join(items)}</ul>"


def _townhall(card: VillageCard, mayors: MayorData | None, lang: str) -> str:
    tr = translator(lang)
    hall = card.townhall
    lines = []
    if mayors is not None:
        mayor = mayors.of(card.code)
        if mayor is None:
            lines.append(_e(tr._("Mayor: not in the register")))
        else:
            lines.append(
                _e(tr._("Mayor:"))
                + f" <strong>{_data(mayor.name)}</strong>{_e(mayor_since(mayor, lang))}"
                + f" <span class='muted'>{_e(register_as_of(mayors, lang))}</span>"
            )
    unpublished = tr._("not published")
    address = " ".join((hall.address or "").split()) or unpublished
    lines.append(_data(address) if hall.address else _e(unpublished))
    contact = [c for c in (hall.phone, hall.email) if c]
    if contact:
        lines.append(" · ".join(_data(c) for c in contact))
    if hall.website and hall.website.lower().startswith(("http://", "https://")):
        lines.append(f'<a href="{_e(hall.website)}" translate="no">{_e(hall.website)}</a>')
    lines.append(_e(tr._("Hours: {hours}").format(hours=hall.hours or unpublished)))
    return f"<h4>{_e(tr._('Town hall'))}</h4><p class='small'>{'<br>'.join(lines)}</p>"


def _questions(stop: Stop, card: VillageCard | None, territory: Territory, lang: str) -> list[str]:
    """What the data could not tell about this village, as questions to ask there."""
    tr = translator(lang)
    asks: list[str] = []
    if card is not None:
        for line in card.criteria:
            if line.status == "missing" and _programme_criterion(territory, line.name):
                asks.append(
                    tr._(
                        "No figure for “{label}” in this village: ask the CCI programme’s advisor."
                    ).format(label=line.label)
                )
            elif line.status == "missing":
                asks.append(
                    tr._("No figure for “{label}” in this village: ask at the town hall.").format(
                        label=line.label
                    )
                )
        features = territory.features
        for constraint in card.constraints:
            name = constraint.name
            if name in features and is_missing(features.at[card.code, name]):
                asks.append(
                    tr._("“{label}” could not be checked here: ask.").format(label=constraint.label)
                )
        for line in card.criteria:
            if line.doubt:
                asks.append(
                    tr._("{label}: {doubt}; ask local estate agents.").format(
                        label=line.label, doubt=line.doubt
                    )
                )
    if (note := visit_note(stop, lang)) is not None:
        asks.append(note)
    return asks


def _card(
    number: int,
    stop: Stop,
    *,
    ranking: Ranking,
    territory: Territory,
    mayors: MayorData | None,
    lang: str,
) -> str:
    tr = translator(lang)
    code = stop.insee
    known = code in ranking.table.index and code in territory.villages.index
    card = village_card(ranking, territory, code, facts=(), lang=lang) if known else None
    if card is not None and card.rank is not None:
        standing = tr._("{standing}, score {score}/100").format(
            standing=card.standing, score=tr.number(card.score, digits=1)
        )
    elif card is not None:
        standing = card.standing
    else:
        standing = tr._("not ranked")
    when = _span(stop.arrive, stop.depart, lang)
    if stop.at_base:
        when += " · " + tr._("at the base")
    header = (
        f"<header><h3><span class='num'>{number}</span>{_data(stop.name)} "
        f"<span class='muted small'>{_e(code)} · {_e(standing)}</span></h3>"
        f"<span class='t'>{_e(when)}</span></header>"
    )
    asks = _questions(stop, card, territory, lang)
    ask_html = (
        f"<h4>{_e(tr._('To ask there'))}</h4><ul class='small'>"
        + "".join(f"<li>{_e(q)}</li>" for q in asks)
        + "</ul>"
        if asks
        else ""
    )
    if card is None:
        empty = _e(tr._("No data for this village."))
        return f'<article class="card">{header}<p>{empty}</p>{ask_html}</article>'
    left = _facts(ranking, territory, code, lang) + ask_html
    right = _townhall(card, mayors, lang)
    body = f'<div class="cols"><div>{left}</div><div>{right}</div></div>' if left else right
    return f'<article class="card">{header}{_criteria_table(card, territory, lang)}{body}</article>'


def _appointment_card(number: int, stop: Stop, lang: str) -> str:
    tr = translator(lang)
    where = stop.place.label(lang) if stop.place else stop.name
    return (
        f'<article class="card"><header><h3><span class="num">{number}</span>'
        f"{_data(stop.title or '')}</h3><span class='t'>{_e(_span(stop.arrive, stop.depart, lang))}"
        f"</span></header><p>{_pair(_e(tr._('Appointment')), _data(where), lang)}</p></article>"
    )


def _day_section(
    number: int,
    day: DayPlan,
    *,
    ranking: Ranking,
    territory: Territory,
    mayors: MayorData | None,
    roads: Roads,
    lang: str,
) -> str:
    head = (
        f'<div class="keep"><h2>{_e(_day_title(number, day, lang))}</h2>'
        f'<div class="daygrid"><div>{day_map(day, territory=territory, roads=roads, lang=lang)}'
        f"</div><div>{_schedule(day, lang)}</div></div></div>"
    )
    cards = [
        _appointment_card(i, s, lang)
        if s.kind == "appointment"
        else _card(i, s, ranking=ranking, territory=territory, mayors=mayors, lang=lang)
        for i, s in enumerate(day.stops, 1)
    ]
    return f'<section class="day">{head}{"".join(cards)}</section>'


def build_brief(
    plan: TripPlan,
    *,
    ranking: Ranking,
    territory: Territory,
    title: str | None = None,
    lang: str = "fr",
    mayors: MayorData | None = None,
    advisor: bool = False,
    today: date | None = None,
) -> str:
    """Build the trip brief: one self-contained HTML page for the household, ready to print.

    A summary page (the household's priorities in words and the share of them the
    data could compare, with "not a recommendation yet" below
    ``territory.settings.min_scored_share``; the programme day by day, empty days
    with the reason; what to ask at every town hall; the sources, once), then a
    section per day with a visit, starting on a new page: its map (the villages
    named, the route along the roads when a road network is loaded), its schedule
    (leaving, visits, lunch, coming back) and a card per village (standing, the
    household's criteria with their satisfaction, the nearest facilities by name,
    the open-data facts, the mayor, the town hall, what to ask there). When the CCI
    programme's data is loaded, a last page on the villages visited: the members as
    households may see them (counted, never named), the upcoming events nearby and
    the field notes with their dates (:func:`~relocate.programme.privacy.household_section`).
    It loads nothing: styles are inline and maps inline SVG. Every text from data
    is HTML-escaped and marked ``translate="no"``.

    Parameters
    ----------
    plan
        The trip.
    ranking
        The ranking the trip was planned from.
    territory
        The département the villages belong to.
    title
        The page title; by default "Scouting trip from <base>" in ``lang``.
    lang
        The household's language: ``fr`` (default) or ``en``.
    mayors
        The mayors (:func:`relocate.sources.mayors.load_mayors`), to name them.
    advisor
        Make the advisor's copy: its title and first line say it is not for the
        household, and a last page lists the programme's members who agreed to be
        contacted near each village, with their e-mail and phone
        (:func:`~relocate.programme.privacy.advisor_section`).
    today
        The day the field notes' expiry and the upcoming events are judged on
        (default: ``territory.settings.today``, else the system's date).

    Returns
    -------
    str
        The HTML document.

    """
    tr = translator(lang)
    base = plan.base_place.label(lang) if plan.base_place else plan.base_name
    title = title or tr._("Scouting trip from {base}").format(base=base)
    warning = ""
    if advisor:
        title = tr._("{title} (advisor’s copy, not for the household)").format(title=title)
        warning = (
            '<p class="alert">'
            + _e(
                tr._(
                    "The advisor’s copy: it names the programme’s members who agreed to be "
                    "contacted, with their e-mail and phone. Do not give it to the household: "
                    "their copy is the brief without it, which names no member."
                )
            )
            + "</p>"
        )
    roads = Roads(territory)
    summary = (
        f'<section class="summary"><h1>{_e(title)}</h1>{warning}{_intro(plan, territory, lang)}'
        f"{_profile_section(ranking, territory, lang)}{_programme(plan, territory, lang)}"
        f"{_everywhere(ranking, territory, lang)}{_sources(plan, territory, mayors, lang)}"
        "</section>"
    )
    days = "".join(
        _day_section(
            i, d, ranking=ranking, territory=territory, mayors=mayors, roads=roads, lang=lang
        )
        for i, d in enumerate(plan.days, 1)
        if d.stops
    )
    visited = list(
        dict.fromkeys(s.insee for s in plan.visits if s.insee in territory.villages.index)
    )
    programme = household_section(territory, visited, lang=lang, today=today)
    if advisor:
        programme += advisor_section(territory, visited, lang=lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}{MAP_CSS}{_ADVISOR_CSS if advisor else ''}"
        "</style></head><body>"
        f"{summary}{days}{programme}</body></html>\n"
    )


def write_brief(html: str, path: Path) -> None:
    """Write the brief to ``path`` (UTF-8), atomically.

    Raises
    ------
    relocate.errors.OutputError
        If the file cannot be written (a previous file is left intact).

    """
    write_files({Path(path): html})
