"""The map newcomers explore: one self-contained HTML file that re-scores in the browser."""

from __future__ import annotations

import base64
import hashlib
import importlib.resources
import json
import math
import re
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure
from jinja2 import Template

from relocate._files import atomic_path
from relocate.declare import LANGUAGES, NEAREST_NAME, Unit
from relocate.errors import InvalidOptionError
from relocate.features.access import village_points
from relocate.i18n import translator
from relocate.outputs.card import low_confidence, member_floor, programme_feature
from relocate.outputs.formats import format_opening_hours, is_missing
from relocate.outputs.i18n import ui_strings
from relocate.programme.events import PARIS, events_near, load_events
from relocate.programme.notes import village_notes
from relocate.programme.privacy import household_counts, household_views, trade_lines
from relocate.scoring import Ranking
from relocate.scoring.score import PROGRAMME_SOURCES
from relocate.sources.mayors import MayorData
from relocate.sources.opendata import edition_words
from relocate.territory import Territory

if TYPE_CHECKING:  # typing only: the robustness engine is imported by who computes it
    from relocate.scoring.robust import Robustness

__all__ = [
    "PRECISION_DEGREES",
    "PROGRAMME_EVENTS_SHOWN",
    "PROGRAMME_EVENTS_WITHIN_MIN",
    "SCRIPTS",
    "SIMPLIFY_DEGREES",
    "build_map",
    "page_data",
    "write_map",
]

#: Polygons are simplified with shared borders kept, to this tolerance in degrees (~30 m).
SIMPLIFY_DEGREES = 0.0003
#: Coordinates are snapped to this grid in degrees (~1 m), which keeps the file small.
PRECISION_DEGREES = 1e-5
#: Isochrones are drawn simplified to this tolerance in degrees (~200 m): they are areas.
ISOCHRONE_SIMPLIFY_DEGREES = 0.002
#: Facilities shown as map layers: those within this margin (degrees) of the département.
_LAYER_MARGIN_DEGREES = 0.3
#: A card lists the programme's upcoming events within this drive of the village (minutes).
PROGRAMME_EVENTS_WITHIN_MIN = 30.0
#: And at most this many of them (the soonest), saying how many more there are.
PROGRAMME_EVENTS_SHOWN = 4
_LEAFLET = ("js_lib_leaflet", "static/js_lib_leaflet")
#: The page's scripts, inlined in this order: the pure scoring core, the page's other pure
#: helpers (search, value classes, the address, the profile as TOML), the Leaflet controls
#: (panel, card, compare, legend, footer), then the app that wires them to the map.
SCRIPTS = ("score.js", "core.js", "controls.js", "app.js")


def _resource(package: str, relative: str) -> bytes:
    return (importlib.resources.files(package) / relative).read_bytes()


def _leaflet_css() -> str:
    """Leaflet's stylesheet with its images inlined as data URIs (the file works offline)."""
    package, folder = _LEAFLET
    css = _resource(package, f"{folder}/leaflet.css").decode("utf-8")

    def inline(match: re.Match[str]) -> str:
        image = _resource(package, f"{folder}/{match.group(1)}")
        return f"url(data:image/png;base64,{base64.b64encode(image).decode('ascii')})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", inline, css)


def _static(name: str) -> str:
    return _resource("relocate.outputs", f"static/{name}").decode("utf-8")


def _script_safe_json(data: Any) -> str:
    """JSON that cannot close the ``<script>`` element holding it, whatever the data says."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _number(value: object, *, digits: int | None = None) -> float | None:
    if is_missing(value):
        return None
    number = float(cast(float, value))
    if not math.isfinite(number):
        return None
    return round(number, digits) if digits is not None else number


def _text(value: object) -> str | None:
    if is_missing(value):
        return None
    text = " ".join(str(value).split())
    return text or None


def _shapes(villages: gpd.GeoDataFrame) -> dict[str, Any]:
    """Village polygons as GeoJSON, simplified with shared borders kept, small coordinates."""
    geoms = villages.geometry.to_crs("EPSG:4326")
    present = ~geoms.is_empty & geoms.notna()
    simplified = geoms[present].simplify_coverage(SIMPLIFY_DEGREES)
    snapped = shapely.set_precision(simplified.to_numpy(), PRECISION_DEGREES)
    positions = np.flatnonzero(present.to_numpy())
    features = [
        {
            "type": "Feature",
            "properties": {"i": int(i)},
            "geometry": json.loads(shapely.to_geojson(geom)),
        }
        for i, geom in zip(positions, snapped, strict=True)
        if geom is not None and not geom.is_empty
    ]
    return {"type": "FeatureCollection", "features": features}


def _unit_entry(unit: Unit, lang: str) -> dict[str, Any]:
    """A unit as the page writes values in it: its symbol, and whether counts or yes/no."""
    return {
        "key": unit.key,
        "symbol": unit.symbol(lang),
        "integer": unit.integer,
        "flag": unit.flag,
    }


#: Which way a value is better when no profile says it: drive times and distances lower,
#: counts of facilities higher. Other facts (population, density...) have no best.
_BETTER_BY_ROLE = {"dist": "lower", "drive": "lower", "count": "higher"}


def _source_label(territory: Territory, name: str, lang: str) -> str:
    """Where a feature comes from, shortly: ``communes``, ``arcep 2025-T2`` (in ``lang``)."""
    keys = territory.feature_sources.get(name, ())
    if territory.is_built_in(name):
        return ", ".join(keys)
    found = territory.sources_of(name)
    return ", ".join(f"{s.key} {edition_words(s.edition, lang)}" for s in found) or ", ".join(keys)


def _place_of(territory: Territory, name: str) -> str | None:
    """The text column naming the nearest place a distance or drive time is measured to."""
    spec = territory.spec(name)
    if spec.role not in ("dist", "drive") or spec.destination is None:
        return None
    prefix, suffix = NEAREST_NAME
    column = f"{prefix}{spec.destination}{suffix}"
    return column if column in territory.features else None


def _feature_entry(
    territory: Territory, name: str, lang: str, col: int, places: list[str]
) -> dict[str, Any]:
    spec = territory.spec(name)
    place = _place_of(territory, name)
    unit = _unit_entry(spec.unit, lang)
    floor = member_floor(territory, name)
    if floor is not None:
        unit["below"] = floor  # a count below it is given as 0: the page says "fewer than"
    return {
        "name": name,
        "label": spec.label(lang),
        "unit": unit,
        "programme": programme_feature(territory, name),
        "estimate": territory.is_estimate(name),
        "source": _source_label(territory, name, lang),
        "builtin": territory.is_built_in(name),
        "col": col,
        "place": None if place is None else places.index(place),
        "better": _BETTER_BY_ROLE.get(spec.role),
    }


def _layers(territory: Territory, lang: str) -> list[dict[str, Any]]:
    """Facilities from the loaded point sources near the département, one layer per kind."""
    west, south, east, north = territory.villages.geometry.to_crs("EPSG:4326").total_bounds
    margin = _LAYER_MARGIN_DEGREES
    layers = []
    seen: set[str] = set()
    for key in territory.catalogue.point_sources:
        loaded = territory.open_data.get(key)
        if loaded is None:
            continue
        points = loaded.table
        near = points["lon"].between(west - margin, east + margin) & points["lat"].between(
            south - margin, north + margin
        )
        for kind, group in points[near].groupby("kind", sort=True):
            if kind in seen or f"count_{kind}" not in territory.features:
                continue
            seen.add(str(kind))
            layers.append(
                {
                    "kind": str(kind),
                    "label": _layer_label(territory, str(kind), lang),
                    "source": f"{loaded.info.key} {edition_words(loaded.info.edition, lang)}",
                    "items": [
                        [round(float(lon), 5), round(float(lat), 5), _text(name)]
                        for lon, lat, name in zip(
                            group["lon"], group["lat"], group["name"], strict=True
                        )
                    ],
                }
            )
    return layers


def _layer_label(territory: Territory, kind: str, lang: str) -> str:
    found = territory.catalogue.service_kind(kind)
    return kind if found is None else found.noun.plural()(lang)


def _doubts(territory: Territory, code: str, columns: list[str], lang: str) -> dict[str, str]:
    """Why some values of a village are to be read with care, by feature, in ``lang``."""
    doubt = {}
    if "house_price_eur_m2" in columns:
        note = low_confidence(territory, "house_price_eur_m2", code, lang=lang)
        if note is not None:
            doubt["house_price_eur_m2"] = note
    if territory.drive_notes is not None:
        unreachable = ui_strings(lang)["drive_unreachable"]
        for name, reason in territory.drive_notes.loc[code].items():
            if name in columns and not is_missing(reason):
                # The network's reasons are the advisor's (English): the household reads one
                # sentence in its language.
                doubt[str(name)] = unreachable
    return doubt


class _Strings:
    """A table of the distinct texts of the page: each village refers to them by position.

    Texts from the data have their spaces tidied; ``exact`` keeps them as written (the
    page's own sentences, with their no-break spaces).
    """

    def __init__(self, *, exact: bool = False) -> None:
        self.texts: list[str] = []
        self._at: dict[str, int] = {}
        self._exact = exact

    def ref(self, value: object) -> int | None:
        text = (str(value) or None) if self._exact else _text(value)
        if text is None:
            return None
        if text not in self._at:
            self._at[text] = len(self.texts)
            self.texts.append(text)
        return self._at[text]


def _mayor(mayors: MayorData | None, code: str, lang: str) -> dict[str, str] | None:
    """A village's mayor for its card: the name, and since when (in ``lang``)."""
    mayor = mayors.of(code) if mayors is not None else None
    if mayor is None:
        return None
    since = ""
    if mayor.office_start is not None:
        when = translator(lang).day_month_year(mayor.office_start)
        since = translator(lang)._("since {date}").format(date=when)
    return {"name": mayor.name, "since": since}


def _villages(
    territory: Territory,
    columns: list[str],
    places: list[str],
    exact: set[str],
    lang: str,
    mayors: MayorData | None = None,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Each village's values (numbers, and the names of its nearest places), town hall, mayor."""
    strings = _Strings()
    features = territory.features
    values = features.reindex(columns=columns)
    names = features.reindex(columns=places)
    villages = []
    for code, village in territory.villages.iterrows():
        row = values.loc[code]
        villages.append(
            {
                "insee": str(code),
                "name": str(village["name"]),
                "v": [_number(row[c], digits=None if c in exact else 4) for c in columns],
                "n": [strings.ref(x) for x in names.loc[code]],
                "doubt": _doubts(territory, str(code), columns, lang),
                "th": {
                    "address": _text(village["townhall_address"]),
                    "phone": _text(village["townhall_phone"]),
                    "email": _text(village["townhall_email"]),
                    "website": _text(village["townhall_website"]),
                    "hours": format_opening_hours(village["townhall_hours"], lang=lang),
                    "mayor": _mayor(mayors, str(code), lang),
                },
            }
        )
    return villages, strings.texts


def _unavailable(ranking: Ranking, territory: Territory, lang: str) -> list[dict[str, Any]]:
    """What the data could not say, for the household: no command, a question to ask.

    A criterion's weight comes with it: the page says which share of the priorities the
    ranking covers, as the sliders move the others.
    """
    out = []
    criteria = ranking.profile.criteria
    for name, absence in ranking.absences.items():
        label = territory.spec(name).label(lang)
        out.append(
            {
                "name": name,
                "label": label,
                "weight": criteria[name].weight if name in criteria else None,
                "text": absence.for_household(label, lang),
            }
        )
    return out


def _robust(robustness: Robustness | None, territory: Territory) -> dict[str, Any] | None:
    """How sure each rank is over plausible weights, per village in the page's order."""
    if robustness is None:
        return None
    table = robustness.table.reindex(territory.villages.index)

    def rank(value: object) -> int | None:
        number = _number(value)
        return None if number is None else int(number)

    return {
        "samples": robustness.samples,
        "seed": robustness.seed,
        "top": robustness.top,
        "fixed": robustness.space.is_fixed,
        "p": [_number(x, digits=4) for x in table["p_top"]],
        "lo": [rank(x) for x in table["rank_p05"]],
        "hi": [rank(x) for x in table["rank_p95"]],
    }


def _state_key(ranking: Ranking, territory: Territory) -> str:
    """Where the page keeps its sliders in local storage: one key per profile and département."""
    profile = json.dumps(ranking.profile.model_dump(mode="json"), sort_keys=True)
    digest = hashlib.sha256(f"{territory.code}\n{profile}".encode()).hexdigest()
    return f"relocate:{territory.code}:{digest[:16]}"


def _columns(ranking: Ranking, territory: Territory) -> tuple[list[str], list[str], list[str]]:
    """The page's criteria, constraints and facts: the numbers it shows, in that order."""
    profile = ranking.profile
    criteria = [n for n in profile.criteria if n not in ranking.unavailable]
    constraints = [n for n in profile.constraints if n not in ranking.unavailable]
    facts = [
        n
        for n in territory.features.columns
        if n not in criteria
        and n not in constraints
        and not _redundant(n, territory)
        and territory.spec(n).unit.numeric  # names go with the distances they name
        # The programme's counts and notes are said in sentences (the card's programme part).
        and not programme_feature(territory, n)
    ]
    return criteria, constraints, facts


def page_data(
    ranking: Ranking,
    territory: Territory,
    *,
    top: int,
    lang: str,
    robustness: Robustness | None = None,
    mayors: MayorData | None = None,
) -> dict[str, Any]:
    """Everything the page needs, as plain data: the one definition of the profile it scores.

    See ``relocate/outputs/static/`` for how the page uses it: ``score.js`` scores
    exactly as :func:`relocate.scoring.score` does. With ``mayors``, each card names
    the village's mayor and the footer cites the register.
    """
    profile = ranking.profile
    criteria, constraints, facts = _columns(ranking, territory)
    columns = list(dict.fromkeys([*criteria, *constraints, *facts]))
    exact = set(criteria) | set(constraints)  # scored in the page: full precision
    places = [
        n for n in territory.features.columns if not territory.spec(n).unit.numeric
    ]  # the names of the nearest places, as text
    villages, strings = _villages(territory, columns, places, exact, lang, mayors)
    index = {name: i for i, name in enumerate(columns)}

    def entry(name: str) -> dict[str, Any]:
        return _feature_entry(territory, name, lang, index[name], places)

    return {
        "lang": lang,
        "t": ui_strings(lang),
        "title": profile.title(lang),
        "description": profile.summary(lang),
        "departement": {"code": territory.code, "name": territory.name},
        "top": top,
        "columns": columns,
        "criteria": [
            {
                **entry(name),
                "weight": profile.criteria[name].weight,
                "better": profile.criteria[name].better,
                "full": profile.criteria[name].full,
                "zero": profile.criteria[name].zero,
                # The curve numpy.interp reads: the page's utility is computed from it.
                "curve": [list(side) for side in profile.criteria[name].curve],
            }
            for name in criteria
        ],
        "constraints": [
            {
                **entry(name),
                "min": profile.constraints[name].min,
                "max": profile.constraints[name].max,
            }
            for name in constraints
        ],
        "criteria_order": list(profile.criteria),
        "unavailable": _unavailable(ranking, territory, lang),
        "min_scored_share": territory.settings.min_scored_share,
        "facts": [entry(name) for name in facts],
        "text_columns": places,
        "strings": strings,
        "villages": villages,
        "shapes": _shapes(territory.villages),
        "airports": [
            {
                "iata": str(code),
                "name": str(row["name"]),
                "city": str(row["city"]),
                "lon": round(float(row.geometry.x), 5),
                "lat": round(float(row.geometry.y), 5),
            }
            for code, row in territory.airports.iterrows()
        ],
        "layers": _layers(territory, lang),
        "sources": [s.citation(lang) for s in territory.sources]
        + ([mayors.source.citation(lang)] if mayors is not None else []),
        "drive_times": territory.describe_drive_times(lang),
        "drive_estimated": any(
            territory.is_estimate(c) for c in columns if territory.spec(c).role == "drive"
        ),
        "isochrones": _isochrones(territory, lang),
        "programme": _programme(territory, lang),
        "profile": profile.model_dump(mode="json"),
        "state_key": _state_key(ranking, territory),
        "robust": _robust(robustness, territory),
        "python_order": [str(code) for code in ranking.table.index],
    }


def _programme(territory: Territory, lang: str) -> dict[str, Any] | None:
    """What the programme's own data says to households, per village and as two layers.

    None when none of its sources (members, events, field notes) is loaded. Otherwise,
    per village in the page's order (None where there is nothing to say), references
    into ``texts``: ``m`` the members as :mod:`relocate.programme.privacy` lets a
    household read them (counts of at least ``min_members_shown``, "a few" per
    intercommunality, and those of the household's trade), ``e`` the soonest upcoming
    events within :data:`PROGRAMME_EVENTS_WITHIN_MIN` (with ``more``: how many others),
    ``n`` the field notes still valid, with their dates (expired ones are left out).
    ``members`` lists the villages where at least ``k`` members live (``[lon, lat, n,
    text]``), ``events`` the upcoming events (``[lon, lat, text]``). No member is named.
    """
    if not any(key in territory.open_data for key in PROGRAMME_SOURCES):
        return None
    settings = territory.settings
    today = settings.today or datetime.now(PARIS).date()
    codes = [str(c) for c in territory.villages.index]
    texts = _Strings(exact=True)
    views = household_views(territory, codes)
    villages: list[dict[str, Any] | None] = []
    for code, view in zip(codes, views, strict=True):
        members = [*view.lines(lang), *trade_lines(territory, code, lang=lang)]
        events = events_near(territory, code, within_min=PROGRAMME_EVENTS_WITHIN_MIN, after=today)
        notes = [n for n in village_notes(territory, code, today=today) if not n.expired]
        entry: dict[str, Any] = {}
        if members:
            entry["m"] = [texts.ref(line) for line in members]
        if events:
            entry["e"] = [texts.ref(e.text(lang)) for e in events[:PROGRAMME_EVENTS_SHOWN]]
            if len(events) > PROGRAMME_EVENTS_SHOWN:
                entry["more"] = len(events) - PROGRAMME_EVENTS_SHOWN
        if notes:
            entry["n"] = [texts.ref(n.text(lang)) for n in notes]
        villages.append(entry or None)
    tr = translator(lang)
    counts = household_counts(territory)
    lon, lat = village_points(territory.villages)
    names = territory.villages["name"]
    members_layer = []
    for position, (village, n) in enumerate(counts["members"].items()):
        if is_missing(n) or not math.isfinite(lon[position]) or not math.isfinite(lat[position]):
            continue
        text = tr.ngettext(
            "{n} programme member lives in {village}.",
            "{n} programme members live in {village}.",
            int(n),
        ).format(n=tr.number(int(n)), village=names[village])
        members_layer.append(
            [round(float(lon[position]), 5), round(float(lat[position]), 5), int(n), text]
        )
    since = datetime.combine(today, time())
    events_layer = [
        [round(e.lon, 5), round(e.lat, 5), e.summary(lang)]
        for e in load_events(territory)
        if e.start >= since and math.isfinite(e.lon) and math.isfinite(e.lat)
    ]
    return {
        "k": int(settings.min_members_shown),
        "within_min": PROGRAMME_EVENTS_WITHIN_MIN,
        "villages": villages,
        "texts": texts.texts,
        "members": members_layer,
        "events": events_layer,
    }


def _isochrones(territory: Territory, lang: str) -> list[dict[str, Any]]:
    """The areas within so many minutes of each airport, drawn as an optional layer."""
    zones = territory.isochrones
    if zones is None or zones.empty:
        return []
    # Drawn as outlines: the pockets between roads (holes) would only add weight.
    filled = [
        shapely.union_all([shapely.Polygon(part.exterior) for part in shapely.get_parts(geom)])
        for geom in zones.to_crs("EPSG:4326").geometry
    ]
    simplified = gpd.GeoSeries(filled, crs="EPSG:4326").simplify(ISOCHRONE_SIMPLIFY_DEGREES)
    return [
        {
            "label": f"{row['airport']} ≤ {int(row['minutes'])} min",
            "minutes": int(row["minutes"]),
            "geometry": json.loads(shapely.to_geojson(shapely.set_precision(geom, 1e-3))),
        }
        for (_, row), geom in zip(zones.iterrows(), simplified, strict=True)
        if geom is not None and not geom.is_empty
    ]


def _redundant(feature: str, territory: Territory) -> bool:
    """Services' estimated drive times repeat their distances: cards show the distance."""
    spec = territory.spec(feature)
    if spec.role != "drive" or spec.destination is None:
        return False
    return territory.catalogue.service_kind(spec.destination) is not None


def build_map(
    ranking: Ranking,
    territory: Territory,
    *,
    top: int = 10,
    lang: str = "fr",
    robustness: Robustness | None = None,
    mayors: MayorData | None = None,
) -> folium.Map:
    """Build the self-contained map page of a ranking.

    The page inlines Leaflet (from the ``django-js-lib-leaflet`` package) and its
    own script, so it works with no network; OpenStreetMap tiles are added only
    when the browser is online. The page re-scores every village as the weights
    and constraints are changed, exactly as :func:`relocate.scoring.score` does.
    Text from the data reaches the page as JSON and is shown as text, never as HTML.

    Parameters
    ----------
    ranking
        The ranking to show (its profile is the one the page starts from).
    territory
        The villages, their features and the sources.
    top
        How many of the best villages to mark and list.
    lang
        ``fr`` (default) or ``en``.
    robustness
        How sure each rank is over plausible weights of the profile
        (:func:`relocate.scoring.robust.robustness`): the top list and the cards say
        it, as figures for the profile's own weights (they do not follow the sliders).
    mayors
        The mayors (:func:`relocate.sources.mayors.load_mayors`): each card names its
        village's mayor, and the footer cites the register and its date.

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not a supported language.
    """
    if lang not in LANGUAGES:
        raise InvalidOptionError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    data = page_data(ranking, territory, top=top, lang=lang, robustness=robustness, mayors=mayors)
    west, south, east, north = territory.villages.geometry.to_crs("EPSG:4326").total_bounds
    # The zoom buttons and the (metric) scale are the page's own, in its language.
    fmap = folium.Map(tiles=None, control_scale=False, zoom_control=False, prefer_canvas=False)
    fmap.default_js = []  # no CDN: Leaflet is inlined below
    fmap.default_css = []
    fmap.fit_bounds([[south, west], [north, east]])

    root = cast(Figure, fmap.get_root())
    root.header.add_child(
        _Raw(
            f"<title>relocate: {_html_text(data['title'])}</title>"
            f"<style>{_leaflet_css()}</style>"
            f"<script>{_script_text(_resource(*_leaflet_js()).decode('utf-8'))}</script>"
            f"<style>{_static('relocate-map.css')}</style>"
            + "".join(f"<script>{_script_text(_static(name))}</script>" for name in SCRIPTS)
        ),
        name="relocate_assets",
    )
    root.html.add_child(
        _Raw(
            f'<script type="application/json" id="relocate-data">{_script_safe_json(data)}</script>'
        ),
        name="relocate_data",
    )
    # Started once the page is parsed: folium writes the map's own script at render time.
    root.html.add_child(_Start(fmap), name="relocate_start")
    _stable_ids(root)
    return fmap


class _Raw(Element):
    """Markup put in the page as it is.

    folium's ``Element(text)`` reads its text as a Jinja template: a profile named
    ``{{ 7*7 }}`` would print 49 (and Jinja can run code), and a script's ``{{``
    stops the page. This element's template only prints its text.
    """

    _template = Template("{{ this.markup }}")

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.markup = markup


class _Start(Element):
    """The script that starts the page's own code on the map, once the page is parsed."""

    _template = Template(
        '<script>document.addEventListener("DOMContentLoaded", function () {'
        " relocateMap.start({{ this.map.get_name() }},"
        ' JSON.parse(document.getElementById("relocate-data").textContent)); });</script>'
    )

    def __init__(self, fmap: folium.Map) -> None:
        super().__init__()
        self.map = fmap


def _stable_ids(root: Element) -> None:
    """Number every element of the page in tree order, in place of its random id.

    folium and branca give each element a random id (``uuid4``, ``urandom``) that
    names its JavaScript variable: numbered instead, the same inputs write the
    same bytes.
    """
    stack = [root]
    number = 0
    while stack:
        element = stack.pop()
        element._id = f"{number:04d}"  # folium has no public setter
        number += 1
        stack.extend(reversed(list(element._children.values())))


def _leaflet_js() -> tuple[str, str]:
    package, folder = _LEAFLET
    return package, f"{folder}/leaflet.js"


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _script_text(code: str) -> str:
    """Code inlined in ``<script>``: a literal ``</script`` inside it would end the element."""
    return re.sub(r"</(script)", r"<\\/\1", code, flags=re.IGNORECASE)


def write_map(fmap: folium.Map, path: Path) -> Path:
    """Save a map as one HTML file, atomically (a temporary file, then a rename)."""
    with atomic_path(path) as tmp:
        fmap.save(str(tmp))
    return path
