"""The map newcomers explore: one self-contained HTML file that re-scores in the browser."""

from __future__ import annotations

import base64
import importlib.resources
import json
import math
import re
from pathlib import Path
from typing import Any, cast

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element, Figure
from jinja2 import Template

from relocate._files import atomic_path
from relocate._frames import number_at
from relocate.declare import LANGUAGES, Unit
from relocate.errors import InvalidOptionError
from relocate.outputs.card import source_label
from relocate.outputs.formats import format_opening_hours, is_missing
from relocate.outputs.i18n import ui_strings
from relocate.scoring import Ranking
from relocate.territory import Territory

__all__ = [
    "PRECISION_DEGREES",
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
_LEAFLET = ("js_lib_leaflet", "static/js_lib_leaflet")
#: The page's scripts, inlined in this order: the pure scoring core, the Leaflet controls
#: (panel, card, compare, legend, footer), then the app that wires them to the map.
SCRIPTS = ("score.js", "controls.js", "app.js")


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


def _feature_entry(territory: Territory, name: str, lang: str, col: int) -> dict[str, Any]:
    spec = territory.spec(name)
    return {
        "name": name,
        "label": spec.label(lang),
        "unit": _unit_entry(spec.unit, lang),
        "estimate": territory.is_estimate(name),
        "source": source_label(territory, name),
        "builtin": territory.is_built_in(name),
        "col": col,
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
                    "source": f"{loaded.info.key} {loaded.info.edition}",
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


def page_data(ranking: Ranking, territory: Territory, *, top: int, lang: str) -> dict[str, Any]:
    """Everything the page needs, as plain data: the one definition of the profile it scores.

    See ``relocate/outputs/static/relocate-map.js`` for how the page uses it: it
    scores exactly as :func:`relocate.scoring.score` does.
    """
    profile = ranking.profile
    features = territory.features
    criteria = [n for n in profile.criteria if n not in ranking.unavailable]
    constraints = [n for n in profile.constraints if n not in ranking.unavailable]
    facts = [
        n
        for n in features.columns
        if n not in criteria
        and n not in constraints
        and not _redundant(n, territory)
        and territory.spec(n).unit.numeric  # names are shown by the map script's cards
    ]
    columns = list(dict.fromkeys([*criteria, *constraints, *facts]))
    exact = set(criteria) | set(constraints)  # scored in the page: full precision

    texts = ui_strings(lang)
    villages = []
    values = features.reindex(columns=columns)
    for code, village in territory.villages.iterrows():
        row = values.loc[code]
        doubt = {}
        if "house_price_eur_m2" in columns and "house_price_low_confidence" in features:
            flag = features.at[code, "house_price_low_confidence"]
            if not is_missing(flag) and bool(flag):
                sales = number_at(features, code, "house_sales")
                doubt["house_price_eur_m2"] = texts["low_confidence_sales"].format(n=f"{sales:.0f}")
        if territory.drive_notes is not None:
            for name, reason in territory.drive_notes.loc[code].items():
                if name in columns and not is_missing(reason):
                    doubt[str(name)] = str(reason)
        villages.append(
            {
                "insee": str(code),
                "name": str(village["name"]),
                "v": [_number(row[c], digits=None if c in exact else 4) for c in columns],
                "doubt": doubt,
                "th": {
                    "address": _text(village["townhall_address"]),
                    "phone": _text(village["townhall_phone"]),
                    "email": _text(village["townhall_email"]),
                    "website": _text(village["townhall_website"]),
                    "hours": format_opening_hours(village["townhall_hours"], lang=lang),
                },
            }
        )
    index = {name: i for i, name in enumerate(columns)}
    detour, speed = territory.estimate_model.parameters
    return {
        "lang": lang,
        "t": texts,
        "title": profile.title(lang),
        "description": profile.summary(lang),
        "departement": {"code": territory.code, "name": territory.name},
        "top": top,
        "columns": columns,
        "criteria": [
            {
                **_feature_entry(territory, name, lang, index[name]),
                "weight": profile.criteria[name].weight,
                "better": profile.criteria[name].better,
                "full": profile.criteria[name].full,
                "zero": profile.criteria[name].zero,
            }
            for name in criteria
        ],
        "constraints": [
            {
                **_feature_entry(territory, name, lang, index[name]),
                "min": profile.constraints[name].min,
                "max": profile.constraints[name].max,
            }
            for name in constraints
        ],
        "unavailable": [
            {"name": name, "label": territory.spec(name).label(lang), "reason": reason}
            for name, reason in ranking.unavailable.items()
        ],
        "facts": [_feature_entry(territory, name, lang, index[name]) for name in facts],
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
        "sources": [s.citation() for s in territory.sources],
        "drive_times": texts["drive_model"].format(detour=f"{detour:.3g}", speed=f"{speed:.3g}")
        if territory.estimated
        else territory.drive_times,
        "drive_estimated": any(
            territory.is_estimate(c) for c in columns if territory.spec(c).role == "drive"
        ),
        "isochrones": _isochrones(territory, lang),
        "python_order": [str(code) for code in ranking.table.index],
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
    ranking: Ranking, territory: Territory, *, top: int = 10, lang: str = "fr"
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

    Raises
    ------
    InvalidOptionError
        If ``lang`` is not a supported language.
    """
    if lang not in LANGUAGES:
        raise InvalidOptionError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    data = page_data(ranking, territory, top=top, lang=lang)
    west, south, east, north = territory.villages.geometry.to_crs("EPSG:4326").total_bounds
    fmap = folium.Map(tiles=None, control_scale=True, zoom_control=True, prefer_canvas=False)
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
