"""The map page in a real browser: it loads offline, ranks exactly as Python, and stays safe.

Written against the contract between ``relocate/outputs/map.py`` and the page app
(``relocate/outputs/static/``): ``window.relocateMap`` and the element
selectors it names.
"""

from __future__ import annotations

import contextlib
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import relocate
from relocate.outputs.i18n import ui_strings
from relocate.scoring import Profile, Ranking, parse_profile

from .conftest import (
    AUCH,
    GIMONT,
    HOSTILE_DESCRIPTION,
    HOSTILE_NAMES,
    HOSTILE_PROFILE_NAME,
    HOSTILE_TOWNHALL,
    LECTOURE,
    NO_SCORE,
    MapPage,
    WaitTimeoutError,
    rank,
)

pytestmark = pytest.mark.slow

#: Villages of the Gers with a polygon: every one of them.
N_POLYGONS = 458
TOP = 10
#: The issue's limit on the map file.
MAX_BYTES = 2 * 1024 * 1024
ISLE_JOURDAIN, AURADE, MAUVEZIN, FLEURANCE = "32160", "32016", "32249", "32132"
#: Set to write docs/map.png (the README's screenshot) from the screenshot test.
DOCS_SCREENSHOT_ENV = "RELOCATE_WRITE_DOCS_SCREENSHOT"
DOCS_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "map.png"

SET_WEIGHT = """([name, value]) => {
  const el = document.querySelector(`input[type=range][data-criterion="${name}"]`);
  if (!el) throw new Error(`no slider for ${name}`);
  el.value = String(value);
  el.dispatchEvent(new Event("input", {bubbles: true}));
  return Number(el.value);
}"""
SET_CONSTRAINT = """([name, on]) => {
  const el = document.querySelector(`input[type=checkbox][data-constraint="${name}"]`);
  if (!el) throw new Error(`no switch for ${name}`);
  el.checked = on;
  el.dispatchEvent(new Event("change", {bubbles: true}));
  return el.checked;
}"""
STATE = """() => ({
  order: relocateMap.ranking(),
  ranks: relocateMap.ranks(),
  excluded: relocateMap.excluded(),
  weights: relocateMap.weights(),
})"""
SLIDERS = """() => Object.fromEntries(
  [...document.querySelectorAll("input[type=range][data-criterion]")]
    .map(el => [el.dataset.criterion, Number(el.value)]))"""
SWITCHES = """() => Object.fromEntries(
  [...document.querySelectorAll("input[type=checkbox][data-constraint]")]
    .map(el => [el.dataset.constraint, el.checked]))"""
TOP_LIST = "els => els.map(el => el.dataset.insee)"
DATA = '() => JSON.parse(document.getElementById("relocate-data").textContent)'


# -- Python's side --------------------------------------------------------------------------


def python_order(ranking: Ranking) -> list[str]:
    return [str(code) for code in ranking.table.index]


def python_ranks(ranking: Ranking) -> dict[str, int | None]:
    return {
        str(code): None if pd.isna(value) else int(value)
        for code, value in ranking.table["rank"].items()
    }


def python_excluded(ranking: Ranking) -> set[str]:
    table = ranking.table
    return {str(code) for code in table.index[table["excluded"]]}


def python_top(ranking: Ranking) -> list[str]:
    return [str(code) for code in ranking.top(TOP).index]


def profile_weights(ranking: Ranking) -> dict[str, float]:
    """The weights of the criteria the page can move (the available ones)."""
    return {
        name: criterion.weight
        for name, criterion in ranking.profile.criteria.items()
        if name not in ranking.unavailable
    }


def without_constraint(profile: Profile, name: str) -> Profile:
    data = profile.model_dump()
    del data["constraints"][name]
    return parse_profile(data, origin=f"without {name}")


# -- the page's side ------------------------------------------------------------------------


def first_difference(got: list[str], want: list[str]) -> str:
    for i, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            return f"first difference at position {i}: page {a}, Python {b}"
    return f"lengths differ: page {len(got)}, Python {len(want)}"


def top_list(mp: MapPage) -> list[str]:
    return mp.page.eval_on_selector_all("#rl-top li[data-insee]", TOP_LIST)


def wait_top_list(mp: MapPage, want: list[str]) -> None:
    """The top list shows ``want`` (it may be redrawn on the next frame)."""
    with contextlib.suppress(WaitTimeoutError):  # the assertion below says what differs
        mp.page.wait_for_function(
            f"want => JSON.stringify(({TOP_LIST})("
            '[...document.querySelectorAll("#rl-top li[data-insee]")])) === JSON.stringify(want)',
            arg=want,
            timeout=2_000,
        )
    assert top_list(mp) == want


def assert_ranks_like(mp: MapPage, ranking: Ranking) -> None:
    """The page's order, ranks, exclusions and top list are Python's, exactly."""
    state = mp.js(STATE)
    want = python_order(ranking)
    assert state["order"] == want, first_difference(state["order"], want)
    assert state["ranks"] == python_ranks(ranking)
    assert set(state["excluded"]) == python_excluded(ranking)
    assert len(state["excluded"]) == len(set(state["excluded"]))
    wait_top_list(mp, python_top(ranking))


def set_weights(mp: MapPage, weights: dict[str, float]) -> None:
    for name, value in weights.items():
        got = mp.js(SET_WEIGHT, [name, value])
        assert got == value, f"the {name} slider does not reach {value} (it reads {got})"


def search(mp: MapPage, text: str, expect: str | None = None) -> list[str]:
    """Type in the search box; return the INSEE codes listed (waiting a moment for ``expect``)."""
    mp.page.fill("#rl-search", text)
    if expect is not None:
        with contextlib.suppress(WaitTimeoutError):  # the caller says what was listed
            mp.page.wait_for_selector(
                f'#rl-search-results li[data-insee="{expect}"]', state="attached", timeout=2_000
            )
    return mp.page.eval_on_selector_all("#rl-search-results li[data-insee]", TOP_LIST)


def open_card(mp: MapPage, query: str, code: str) -> Any:
    """Open a village's card from the search results; return the card locator."""
    codes = search(mp, query, expect=code)
    assert code in codes, (query, codes)
    mp.page.click(f'#rl-search-results li[data-insee="{code}"]')
    card = mp.page.locator("#rl-card")
    card.wait_for(state="visible")
    return card


def assert_clean(mp: MapPage) -> None:
    assert mp.problems() == {}


# -- loading --------------------------------------------------------------------------------


def test_family_map_loads_offline_and_draws_every_village(
    new_page, fr_map: Path, gers: relocate.Territory, family_ranking: Ranking
):
    mp = new_page().open(fr_map)
    assert mp.js("() => navigator.onLine") is False
    polygons = gers.villages.geometry
    assert int((polygons.notna() & ~polygons.is_empty).sum()) == N_POLYGONS
    assert mp.page.locator("path.rl-village").count() == N_POLYGONS
    assert top_list(mp) == python_top(family_ranking)
    assert mp.page.locator(".rl-rank").count() == TOP
    # Offline, the app adds no tile layer: nothing was even requested from the network.
    assert mp.page.locator("img.leaflet-tile").count() == 0
    timing = mp.js(
        "() => { const n = performance.getEntriesByType('navigation')[0];"
        " return {dom: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"
    )
    print(
        f"\nfamily map (fr): {fr_map.stat().st_size:,} bytes; ready {mp.load_seconds:.2f} s"
        f" after navigation (DOMContentLoaded {timing['dom']:.0f} ms,"
        f" load {timing['load']:.0f} ms)"
    )
    assert_clean(mp)


def test_map_file_is_small_and_self_contained(fr_map: Path, en_map: Path):
    for path in (fr_map, en_map):
        size = path.stat().st_size
        print(f"\n{path.name}: {size:,} bytes ({size / MAX_BYTES:.0%} of 2 MB)")
        assert size <= MAX_BYTES
        html = path.read_text(encoding="utf-8")
        external = re.findall(
            r"<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html
        )
        assert external == [], "the page must not load anything from the network"
        assert html.count('id="relocate-data"') == 1


def test_page_data_carries_python_order(new_page, fr_map: Path, family_ranking: Ranking):
    mp = new_page().open(fr_map)
    data = mp.js(DATA)
    assert data["python_order"] == python_order(family_ranking)
    assert data["lang"] == "fr"
    assert data["top"] == TOP
    assert len(data["villages"]) == len(family_ranking.table)
    assert [c["name"] for c in data["criteria"]] == list(profile_weights(family_ranking))
    assert {u["name"] for u in data["unavailable"]} == set(family_ranking.unavailable)
    assert_clean(mp)


# -- ranking in the page = ranking in Python ------------------------------------------------


def test_initial_ranking_is_pythons(new_page, fr_map: Path, family_ranking: Ranking):
    mp = new_page().open(fr_map)
    assert_ranks_like(mp, family_ranking)
    weights = profile_weights(family_ranking)
    assert mp.js(STATE)["weights"] == weights
    assert mp.js(SLIDERS) == weights
    constraints = [
        n for n in family_ranking.profile.constraints if n not in family_ranking.unavailable
    ]
    assert mp.js(SWITCHES) == dict.fromkeys(constraints, True)
    assert_clean(mp)


WEIGHT_CASES = {
    "population-0": {"population": 0},
    "population-9": {"population": 9},
    # One criterion whose utility is often 1: many ties at 100, broken by INSEE code.
    "town-only": {
        "drive_min_town": 3,
        "population": 0,
        "drive_min_prefecture": 0,
        "drive_min_airport": 0,
        "townhall_hours_per_week": 0,
    },
    "mixed": {
        "drive_min_town": 1,
        "population": 2,
        "drive_min_prefecture": 5,
        "drive_min_airport": 0,
        "townhall_hours_per_week": 7,
    },
}


@pytest.mark.parametrize("weights", WEIGHT_CASES.values(), ids=WEIGHT_CASES.keys())
def test_moving_sliders_reranks_like_python(
    new_page,
    fr_map: Path,
    gers: relocate.Territory,
    family: Profile,
    weights: dict[str, float],
):
    mp = new_page().open(fr_map)
    set_weights(mp, weights)
    want = rank(gers, family.with_weights(weights))
    assert mp.js(STATE)["weights"] == profile_weights(want)
    assert_ranks_like(mp, want)
    assert_clean(mp)


def test_set_weight_does_what_the_slider_does(
    new_page, fr_map: Path, gers: relocate.Territory, family: Profile
):
    mp = new_page().open(fr_map)
    mp.js("() => relocateMap.setWeight('drive_min_airport', 6)")
    assert mp.js(SLIDERS)["drive_min_airport"] == 6
    assert_ranks_like(mp, rank(gers, family.with_weights({"drive_min_airport": 6})))
    assert_clean(mp)


def test_all_weights_zero_ranks_nobody(new_page, fr_map: Path, family_ranking: Ranking):
    mp = new_page().open(fr_map)
    set_weights(mp, dict.fromkeys(profile_weights(family_ranking), 0))
    # No weight: no score, so no rank; the order is by exclusion, then by INSEE code.
    excluded = python_excluded(family_ranking)
    codes = sorted(python_order(family_ranking))
    state = mp.js(STATE)
    want = [c for c in codes if c not in excluded] + [c for c in codes if c in excluded]
    assert state["order"] == want, first_difference(state["order"], want)
    assert set(state["ranks"].values()) == {None}
    assert set(state["excluded"]) == excluded
    wait_top_list(mp, [])
    assert mp.page.locator(".rl-rank").count() == 0
    assert_clean(mp)


@pytest.mark.parametrize("constraint", ["drive_min_town", "population"])
def test_constraint_switch_reranks_like_python(
    new_page,
    fr_map: Path,
    gers: relocate.Territory,
    family: Profile,
    family_ranking: Ranking,
    constraint: str,
):
    mp = new_page().open(fr_map)
    assert mp.js(SET_CONSTRAINT, [constraint, False]) is False
    relaxed = rank(gers, without_constraint(family, constraint))
    assert python_excluded(relaxed) < python_excluded(family_ranking)
    assert_ranks_like(mp, relaxed)
    assert mp.js(SET_CONSTRAINT, [constraint, True]) is True
    assert_ranks_like(mp, family_ranking)
    assert_clean(mp)


def test_reset_restores_the_profile(new_page, fr_map: Path, family_ranking: Ranking):
    mp = new_page().open(fr_map)
    set_weights(mp, {"population": 0, "drive_min_airport": 5})
    mp.js(SET_CONSTRAINT, ["drive_min_town", False])
    assert mp.js("() => relocateMap.ranking()") != python_order(family_ranking)
    mp.page.click("#rl-reset")
    weights = profile_weights(family_ranking)
    assert mp.js(STATE)["weights"] == weights
    assert mp.js(SLIDERS) == weights
    assert set(mp.js(SWITCHES).values()) == {True}
    assert_ranks_like(mp, family_ranking)
    assert_clean(mp)


def test_missing_values_rank_like_python(
    new_page, gappy_map: Path, gappy: tuple[relocate.Territory, Ranking], family: Profile
):
    territory, ranking = gappy
    table = ranking.table
    assert set(table.index[table["score"].isna()]) == set(NO_SCORE)
    assert (table["coverage"] < 1).sum() > 50
    assert table["unchecked"].notna().sum() > 50
    mp = new_page().open(gappy_map)
    assert_ranks_like(mp, ranking)

    weights = {"townhall_hours_per_week": 9, "population": 0}
    set_weights(mp, weights)
    assert_ranks_like(mp, rank(territory, family.with_weights(weights)))
    mp.js(SET_CONSTRAINT, ["drive_min_town", False])
    relaxed = without_constraint(family.with_weights(weights), "drive_min_town")
    assert_ranks_like(mp, rank(territory, relaxed))

    card = open_card(mp, NO_SCORE[0], NO_SCORE[0])
    assert ui_strings("fr")["no_score"] in card.inner_text()
    assert_clean(mp)


# -- search, card, compare ------------------------------------------------------------------

SEARCHES = [
    ("lectoure", LECTOURE),
    ("LECTOURE", LECTOURE),
    ("Lectouré", LECTOURE),
    ("  lectoure ", LECTOURE),
    ("isle jourdain", ISLE_JOURDAIN),
    ("l'isle-jourdain", ISLE_JOURDAIN),
    ("L’Isle Jourdain", ISLE_JOURDAIN),
    ("aurade", AURADE),
    ("AURADÉ", AURADE),
    ("32208", LECTOURE),
]


def test_search_ignores_case_accents_and_punctuation(new_page, fr_map: Path):
    mp = new_page().open(fr_map)
    missed = {}
    for query, code in SEARCHES:
        codes = search(mp, query, expect=code)
        if code not in codes:
            missed[query] = codes
    assert missed == {}, "queries that did not list their village (query: codes listed)"
    mp.page.fill("#rl-search", "zzzz-no-such-village")
    mp.page.wait_for_function(
        "() => !document.querySelector('#rl-search-results li[data-insee]')", timeout=2_000
    )
    assert_clean(mp)


def test_search_result_opens_the_card(new_page, fr_map: Path):
    mp = new_page().open(fr_map)
    card = open_card(mp, "lectoure", LECTOURE)
    assert "Lectoure" in card.locator(".rl-card-name").text_content()
    card = open_card(mp, "isle jourdain", ISLE_JOURDAIN)
    assert "L'Isle-Jourdain" in card.locator(".rl-card-name").text_content()
    assert_clean(mp)


def compare_names(mp: MapPage, names: list[str]) -> list[str]:
    text = mp.page.locator("#rl-compare").inner_text()
    return [name for name in names if name in text]


def test_compare_holds_up_to_three_villages(new_page, fr_map: Path):
    mp = new_page().open(fr_map)
    villages = [
        ("lectoure", LECTOURE, "Lectoure"),
        ("auch", AUCH, "Auch"),
        ("mauvezin", MAUVEZIN, "Mauvezin"),
        ("fleurance", FLEURANCE, "Fleurance"),
    ]
    names = [name for _, _, name in villages]
    for count, (query, code, _) in enumerate(villages, start=1):
        card = open_card(mp, query, code)
        card.locator(".rl-compare-add").click()
        if count == 2:
            assert compare_names(mp, names) == ["Lectoure", "Auch"]
        if count == 3:
            assert compare_names(mp, names) == names[:3]
    # A fourth is refused or replaces one: never more than three side by side.
    assert len(compare_names(mp, names)) == 3
    assert_clean(mp)


# -- languages ------------------------------------------------------------------------------


def test_page_speaks_its_language(new_page, fr_map: Path, en_map: Path):
    fr_strings, en_strings = ui_strings("fr"), ui_strings("en")
    fr_page = new_page(locale="en-US").open(fr_map)
    en_page = new_page(locale="fr-FR").open(en_map)
    assert fr_page.js(DATA)["t"] == fr_strings
    assert en_page.js(DATA)["t"] == en_strings
    assert en_page.js(DATA)["lang"] == "en"
    fr_text = fr_page.js("() => document.body.innerText")
    en_text = en_page.js("() => document.body.innerText")
    differ = [
        k
        for k in en_strings
        if en_strings[k] != fr_strings.get(k)
        and len(en_strings[k]) >= 4
        and "{" not in en_strings[k]
    ]
    shown = [k for k in differ if en_strings[k] in en_text]
    assert len(shown) >= 3, f"English page shows few of its labels: {shown}"
    # "Weights" if there is such a label, else the first one shown.
    key = next((k for k in shown if en_strings[k].strip().lower() == "weights"), shown[0])
    assert en_strings[key] in en_text and fr_strings[key] not in en_text, key
    assert fr_strings[key] in fr_text and en_strings[key] not in fr_text, key
    assert_clean(fr_page)
    assert_clean(en_page)


def test_card_numbers_use_the_languages_decimal_mark(
    new_page, fr_map: Path, en_map: Path, family_ranking: Ranking
):
    # Browsers in the other language: the page must follow its own, not the browser's.
    fr_page = new_page(locale="en-US").open(fr_map)
    en_page = new_page(locale="fr-FR").open(en_map)
    score = float(family_ranking.table.at[LECTOURE, "score"])
    one_decimal = f"{score:.1f}"
    fr_card = open_card(fr_page, "lectoure", LECTOURE).inner_text()
    en_card = open_card(en_page, "lectoure", LECTOURE).inner_text()
    assert one_decimal.replace(".", ",") in fr_card, fr_card
    assert one_decimal not in fr_card, fr_card
    assert one_decimal in en_card, en_card
    assert one_decimal.replace(".", ",") not in en_card, en_card
    assert_clean(fr_page)
    assert_clean(en_page)


def test_the_card_names_the_mayor_in_the_page_s_language(
    new_page, fr_map: Path, en_map: Path, gers: relocate.Territory
):
    from relocate.sources.mayors import load_mayors

    mayor = load_mayors(cache_dir=gers.settings.cache_dir).of(LECTOURE)
    assert mayor is not None
    fr_card = open_card(new_page().open(fr_map), "lectoure", LECTOURE).inner_text()
    en_card = open_card(new_page().open(en_map), "lectoure", LECTOURE).inner_text()
    assert "Maire" in fr_card and mayor.name in fr_card and "depuis le " in fr_card
    assert "Mayor" in en_card and mayor.name in en_card and "since " in en_card


# -- hostile data ---------------------------------------------------------------------------

COUNT_SCRIPTS = "() => document.getElementsByTagName('script').length"
EVENT_ATTRIBUTES = """() => [...document.querySelectorAll('*')].flatMap(el =>
  [...el.attributes].filter(a => a.name.startsWith('on')).map(a => `${el.tagName}[${a.name}]`))"""
SCRIPT_LINKS = """() => [...document.querySelectorAll('a[href]')]
  .map(a => a.getAttribute('href')).filter(h => /^\\s*javascript:/i.test(h))"""


def test_hostile_data_is_escaped_in_the_file(hostile_map: Path):
    html = hostile_map.read_text(encoding="utf-8")
    raw = [*HOSTILE_NAMES.values(), *HOSTILE_TOWNHALL.values()]
    raw += [HOSTILE_PROFILE_NAME, HOSTILE_DESCRIPTION]
    assert [text for text in raw if "<" in text and text in html] == []
    assert 'onmouseover="alert(2)' not in html
    parser = _ScriptCounter()
    parser.feed(html)
    assert parser.scripts == len(re.findall(r"</script\s*>", html, re.I))


class _ScriptCounter(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.scripts += tag == "script"


def test_hostile_names_show_as_text(new_page, hostile_map: Path):
    parser = _ScriptCounter()
    parser.feed(hostile_map.read_text(encoding="utf-8"))
    mp = new_page().open(hostile_map)
    assert mp.js(COUNT_SCRIPTS) == parser.scripts, "the page added script elements"
    assert mp.js(EVENT_ATTRIBUTES) == []

    listed = search(mp, "script", expect=LECTOURE)
    assert {LECTOURE, GIMONT} <= set(listed), listed
    results = mp.page.locator("#rl-search-results").text_content()
    assert HOSTILE_NAMES[LECTOURE] in results
    assert HOSTILE_NAMES[GIMONT] in results
    # Auch (a town) is not in the family's top list: its hostile name shows in the search.
    search(mp, "onmouseover", expect=AUCH)
    assert HOSTILE_NAMES[AUCH] in mp.page.locator("#rl-search-results").text_content()

    card = open_card(mp, "script", LECTOURE)
    assert HOSTILE_NAMES[LECTOURE] in card.locator(".rl-card-name").text_content()
    assert HOSTILE_TOWNHALL["townhall_address"] in card.text_content()
    card.hover()
    for item in mp.page.locator("#rl-top li[data-insee]").all():
        item.hover()
    set_weights(mp, {"population": 0})
    mp.js(SET_CONSTRAINT, ["drive_min_town", False])
    card = open_card(mp, "onmouseover", AUCH)
    assert HOSTILE_NAMES[AUCH] in card.locator(".rl-card-name").text_content()
    card.locator(".rl-compare-add").click()
    mp.page.locator("#rl-compare").hover()

    page_text = mp.js("() => document.title + '\\n' + document.body.innerText")
    assert HOSTILE_PROFILE_NAME in page_text
    assert HOSTILE_NAMES[AUCH] in mp.page.locator("#rl-compare").text_content()
    assert mp.js(COUNT_SCRIPTS) == parser.scripts, "a script element was injected"
    assert mp.js(EVENT_ATTRIBUTES) == [], "an event-handler attribute was injected"
    assert mp.js(SCRIPT_LINKS) == [], "a javascript: link was made from the data"
    assert mp.js("() => document.querySelectorAll('img[src=\"x\"], svg[onload]').length") == 0
    assert mp.dialogs == []
    assert_clean(mp)


# -- screenshots ----------------------------------------------------------------------------


#: Fit the département in the part of the map the card leaves visible, without animation.
FRAME = """([west, south, east, north]) => {
  const map = window[document.querySelector(".folium-map").id];
  const card = document.getElementById("rl-card");
  map.options.zoomSnap = 0.25;
  map.fitBounds([[south, west], [north, east]], {
    paddingTopLeft: [20, 20], paddingBottomRight: [card.offsetWidth + 20, 20], animate: false,
  });
}"""


def test_screenshot(
    new_page, fr_map: Path, gers: relocate.Territory, family_ranking: Ranking, artifacts: Path
):
    """The family map with the best village's card open (also docs/map.png, on demand)."""
    mp = new_page().open(fr_map)
    mp.page.wait_for_timeout(400)  # the opening zoom animation; a click during it is dropped
    best = python_top(family_ranking)[0]
    open_card(mp, family_ranking.table.at[best, "name"].lower(), best)
    mp.page.wait_for_timeout(400)  # the card's zoom to the village, likewise
    bounds = gers.villages.geometry.to_crs("EPSG:4326").total_bounds
    mp.js(FRAME, [float(b) for b in bounds])
    mp.page.wait_for_timeout(300)  # let Leaflet redraw the polygons at the new view
    png = mp.page.screenshot(path=artifacts / "map-family-fr.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get(DOCS_SCREENSHOT_ENV, "") not in ("", "0"):
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        DOCS_SCREENSHOT.write_bytes(png)
    assert_clean(mp)
