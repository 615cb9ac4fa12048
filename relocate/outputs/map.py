"""The interactive Folium map: score choropleth, top villages, airports, popups that explain."""

from __future__ import annotations

import html
from pathlib import Path
from typing import cast

import branca.colormap
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure

from relocate._files import atomic_path
from relocate.features import feature_spec, format_opening_hours
from relocate.outputs.report import format_value, is_missing, low_confidence, source_label
from relocate.scoring import Ranking
from relocate.territory import Territory

__all__ = ["build_map", "write_map"]

#: Polygons are simplified with shared borders kept, to this tolerance in degrees (~30 m).
SIMPLIFY_DEGREES = 0.0003
#: Coordinates are snapped to this grid in degrees (~1 m), which keeps the file small.
PRECISION_DEGREES = 1e-5

#: Viridis, sampled at five stops: ordered, colour-blind safe, legible in greyscale.
_VIRIDIS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"]
_EXCLUDED_COLOUR = "#9e9e9e"
_NO_SCORE_COLOUR = "#ffffff"

_CSS = """
<style>
.rl-title{position:fixed;top:10px;left:60px;z-index:1000;background:#fff;padding:6px 12px;
 border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);font:14px/1.3 sans-serif;max-width:60%}
.rl-title h1{font-size:17px;margin:0 0 2px}
.rl-footer{position:fixed;bottom:0;left:0;right:0;z-index:1000;background:rgba(255,255,255,.92);
 padding:3px 10px;font:11px/1.35 sans-serif;height:60px;overflow:auto;box-sizing:border-box}
.leaflet-bottom{bottom:60px !important}
.rl-legend{position:fixed;bottom:90px;right:10px;z-index:1000;background:#fff;padding:4px 8px;
 font:12px sans-serif;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}
.rl-legend i{display:inline-block;width:14px;height:10px;margin-right:4px;border:1px solid #555}
.rl-pop{font:12px/1.35 sans-serif;max-height:340px;overflow:auto}
.rl-pop h4{margin:0 0 4px;font-size:14px}.rl-pop h5{margin:6px 0 2px;font-size:12px}
.rl-pop table{border-collapse:collapse}
.rl-pop td,.rl-pop th{padding:1px 4px;text-align:left}
.rl-pop td.n{text-align:right}.rl-pop .x{color:#b00020}.rl-pop .e{color:#666;font-style:italic}
.rl-rank{background:#08306b;color:#fff;border-radius:50%;text-align:center;
 font:bold 12px/22px sans-serif;
 border:2px solid #fff;box-shadow:0 0 3px #000}
</style>
"""


def _e(value: object) -> str:
    """Escape text from the data for HTML."""
    return html.escape(str(value), quote=True)


def _redundant(feature: str, territory: Territory) -> bool:
    """Services' estimated drive times repeat their distances: popups show the distance."""
    kind = feature.removeprefix("drive_min_")
    return feature.startswith("drive_min_") and f"count_{kind}" in territory.features


def _notes(territory: Territory, feature: str, code: str) -> str:
    """Source and edition of an open-data value, and any doubt about it, as HTML."""
    notes = []
    if not set(territory.feature_sources.get(feature, ())) <= {"communes", "airports"}:
        notes.append(source_label(territory, feature))
    if (doubt := low_confidence(territory, feature, code)) is not None:
        notes.append(doubt)
    return f"<br><small class='e'>{_e('; '.join(notes))}</small>" if notes else ""


def _townhall_html(village: pd.Series) -> str:
    rows = []
    if not is_missing(village["townhall_address"]):
        rows.append(("Address", _e(" ".join(str(village["townhall_address"]).split()))))
    if not is_missing(village["townhall_phone"]):
        rows.append(("Phone", _e(village["townhall_phone"])))
    if not is_missing(village["townhall_email"]):
        email = _e(village["townhall_email"])
        rows.append(("E-mail", f'<a href="mailto:{email}">{email}</a>'))
    site = village["townhall_website"]
    if not is_missing(site):
        text = _e(site)
        link = str(site).startswith(("https://", "http://"))
        rows.append(
            (
                "Website",
                f'<a href="{text}" target="_blank" rel="noopener">{text}</a>' if link else text,
            )
        )
    hours = format_opening_hours(village["townhall_hours"])
    rows.append(("Hours", _e(hours) if hours else "not published"))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<h5>Town hall</h5><table>{body}</table>"


def _popup_html(code: str, ranking: Ranking, territory: Territory, n_ranked: int) -> str:
    village = territory.villages.loc[code]
    row = ranking.table.loc[code]
    parts = [f"<div class='rl-pop'><h4>{_e(village['name'])} <small>({_e(code)})</small></h4>"]
    if pd.isna(row["score"]):
        parts.append("<p>No score: no criterion has data for this village.</p>")
    else:
        standing = f"rank {row['rank']} of {n_ranked}" if not pd.isna(row["rank"]) else "not ranked"
        parts.append(f"<p><b>Score {row['score']:.1f}/100</b>, {standing}</p>")
    if row["excluded"]:
        parts.append(f"<p class='x'>Excluded: {_e(row['reasons'])}</p>")
    if not is_missing(row["unchecked"]):
        parts.append(f"<p class='e'>Not checked (no data): {_e(row['unchecked'])}</p>")
    lines = []
    for name, item in ranking.explain(code).iterrows():
        label = _e(item["label"]) + (
            " <span class='e'>(estimate)</span>" if item["estimate"] else ""
        )
        if item["status"] == "unavailable":
            lines.append(f"<tr><td>{label}</td><td colspan=3 class='e'>unavailable</td></tr>")
            continue
        utility = "-" if pd.isna(item["utility"]) else f"{item['utility']:.2f}"
        points = "-" if pd.isna(item["points"]) else f"{item['points']:.1f}"
        value = _e(format_value(item["value"], item["unit"])) + _notes(territory, str(name), code)
        lines.append(
            f"<tr><td>{label}</td><td class='n'>{value}</td>"
            f"<td class='n'>{utility}</td><td class='n'>{points}</td></tr>"
        )
    parts.append(
        "<table><tr><th>Criterion</th><th>Value</th><th>Utility</th><th>Points</th></tr>"
        + "".join(lines)
        + "</table>"
    )
    facts = []
    for column in territory.features.columns:
        if column in ranking.profile.criteria or _redundant(column, territory):
            continue
        spec = feature_spec(column)
        unit = spec.unit if spec else ""
        label = _e(spec.label if spec else column)
        estimate = " <span class='e'>(est.)</span>" if spec and spec.estimate else ""
        value = _e(format_value(territory.features.at[code, column], unit))
        value += _notes(territory, column, code)
        facts.append(f"<tr><td>{label}{estimate}</td><td class='n'>{value}</td></tr>")
    parts.append(f"<h5>Other facts</h5><table>{''.join(facts)}</table>")
    parts.append(_townhall_html(village))
    parts.append("</div>")
    return "".join(parts)


def _map_polygons(villages: gpd.GeoDataFrame) -> gpd.GeoSeries:
    geoms = villages.geometry.to_crs("EPSG:4326")
    present = ~geoms.is_empty
    simplified = geoms.copy()
    if present.any():
        simplified[present] = geoms[present].simplify_coverage(SIMPLIFY_DEGREES)
    return gpd.GeoSeries(
        shapely.set_precision(simplified.to_numpy(), PRECISION_DEGREES),
        index=villages.index,
        crs="EPSG:4326",
    )


def build_map(ranking: Ranking, territory: Territory, *, top: int = 10) -> folium.Map:
    """Build the Folium map of a ranking.

    Layers: the score choropleth over the commune polygons (excluded villages in
    grey), the ``top`` villages marked with their rank, and the airports. Each
    village's popup holds its score breakdown, its other raw values and its town
    hall's contact and hours. Every text from the data is HTML-escaped.
    """
    villages = territory.villages
    table = ranking.table
    n_ranked = int(table["rank"].notna().sum())
    colormap = branca.colormap.LinearColormap(
        colors=_VIRIDIS, vmin=0, vmax=100, caption="Score (0-100)"
    )

    polygons = _map_polygons(villages)
    scores = table["score"].reindex(villages.index)
    excluded = table["excluded"].reindex(villages.index)
    frame = gpd.GeoDataFrame(
        {
            "insee": villages.index.to_numpy(),
            "fill": [
                _EXCLUDED_COLOUR if ex else _NO_SCORE_COLOUR if pd.isna(s) else colormap(s)
                for s, ex in zip(scores, excluded, strict=True)
            ],
            "excluded": excluded.to_numpy(dtype=bool),
            "tip": [
                f"{_e(name)}: "
                + ("no score" if pd.isna(s) else f"{s:.1f}")
                + (" (excluded)" if ex else "")
                for name, s, ex in zip(villages["name"], scores, excluded, strict=True)
            ],
            "popup": [_popup_html(code, ranking, territory, n_ranked) for code in villages.index],
        },
        geometry=polygons.to_numpy(),
        crs="EPSG:4326",
    )
    frame = frame[~frame.geometry.is_empty]

    bounds = villages.geometry.to_crs("EPSG:4326").total_bounds
    fmap = folium.Map(tiles="OpenStreetMap", control_scale=True, zoom_control=True)
    fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])

    bind = folium.JsCode(
        "function(feature, layer) {"
        " layer.bindPopup(feature.properties.popup, {maxWidth: 440});"
        " layer.bindTooltip(feature.properties.tip, {sticky: true}); }"
    )
    folium.GeoJson(
        frame,
        name="Score",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#555555",
            "weight": 0.6,
            "fillOpacity": 0.45 if f["properties"]["excluded"] else 0.75,
            "dashArray": "3" if f["properties"]["excluded"] else None,
        },
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        on_each_feature=bind,
        zoom_on_click=False,
    ).add_to(fmap)

    best = ranking.top(top)
    if len(best):
        lon = territory.villages.loc[best.index, "townhall_lon"].to_numpy(dtype=float)
        lat = territory.villages.loc[best.index, "townhall_lat"].to_numpy(dtype=float)
        reps = polygons.loc[best.index].representative_point()
        lon = np.where(np.isnan(lon), reps.x, lon)
        lat = np.where(np.isnan(lat), reps.y, lat)
        markers = gpd.GeoDataFrame(
            {
                "rank": best["rank"].astype(int).to_numpy(),
                "tip": [
                    f"{r}. {_e(n)}: {s:.1f}"
                    for r, n, s in zip(best["rank"], best["name"], best["score"], strict=True)
                ],
                "popup": [_popup_html(code, ranking, territory, n_ranked) for code in best.index],
            },
            geometry=gpd.points_from_xy(lon, lat),
            crs="EPSG:4326",
        )
        folium.GeoJson(
            markers,
            name=f"Top {len(best)}",
            marker=folium.Marker(),
            on_each_feature=folium.JsCode(
                "function(feature, layer) {"
                " layer.setIcon(L.divIcon({className: 'rl-rank', iconSize: [26, 26],"
                " html: String(Number(feature.properties.rank))}));"
                " layer.bindPopup(feature.properties.popup, {maxWidth: 440});"
                " layer.bindTooltip(feature.properties.tip); }"
            ),
        ).add_to(fmap)

    airports = territory.airports
    points = gpd.GeoDataFrame(
        {
            "tip": [f"{_e(code)}: {_e(row['name'])}" for code, row in airports.iterrows()],
            "popup": [
                f"<div class='rl-pop'><h4>{_e(row['name'])} ({_e(code)})</h4>"
                f"<p>{_e(row['city'])}</p></div>"
                for code, row in airports.iterrows()
            ],
        },
        geometry=airports.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    folium.GeoJson(
        points,
        name="Airports",
        marker=folium.Marker(icon=folium.Icon(color="red", icon="plane", prefix="fa")),
        on_each_feature=folium.JsCode(
            "function(feature, layer) {"
            " layer.bindPopup(feature.properties.popup);"
            " layer.bindTooltip(feature.properties.tip); }"
        ),
    ).add_to(fmap)

    colormap.add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)

    root = cast(Figure, fmap.get_root())
    profile = ranking.profile
    title = f"relocate: {profile.name}"
    root.header.add_child(folium.Element(f"<title>{_e(title)}</title>{_CSS}"))
    unavailable = "".join(
        f"<br>Unavailable, left out of the weighting: {_e(n)} ({_e(r)})"
        for n, r in ranking.unavailable.items()
    )
    root.html.add_child(
        folium.Element(
            f"<div class='rl-title'><h1>{_e(title)}</h1>"
            f"{_e(territory.name)} ({_e(territory.code)}): {n_ranked} villages ranked, "
            f"{int(table['excluded'].sum())} excluded by the profile's constraints"
            f"{unavailable}</div>"
        )
    )
    root.html.add_child(
        folium.Element(
            "<div class='rl-legend'><i style='background:#9e9e9e'></i>excluded"
            "<br><i style='background:#fff'></i>no data</div>"
        )
    )
    sources = "".join(f"<br>{_e(s.citation())}" for s in territory.sources)
    root.html.add_child(
        folium.Element(
            "<div class='rl-footer'><b>Sources</b>"
            f"{sources}<br>Drive times are estimates: {_e(territory.drive_times)}."
            " Base map &copy; OpenStreetMap contributors.</div>"
        )
    )
    return fmap


def write_map(fmap: folium.Map, path: Path) -> Path:
    """Save a map as one HTML file, atomically (a temporary file, then a rename)."""
    with atomic_path(path) as tmp:
        fmap.save(str(tmp))
    return path
