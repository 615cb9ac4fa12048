"""The map page with the CCI programme's data: cards, layers, counts that never read 0, escaped.

The programme's data is the fixtures' (invented members, events and notes in the real
Gers), with an event title and a field note that would run script if inserted as HTML.
Without it (the built-in data), the page shows nothing of the programme and no error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import relocate
from relocate.programme.privacy import household_view
from tests.programme.conftest import fixture_contacts

from .conftest import HOSTILE_EVENT, HOSTILE_NOTE, MapPage
from .test_map_page import COUNT_SCRIPTS, DATA, EVENT_ATTRIBUTES, assert_clean, open_card

pytestmark = pytest.mark.slow

MARCIAC = "32233"
OVERLAYS = ".leaflet-control-layers-overlays label"


def _paths(mp: MapPage, cls: str) -> int:
    return int(mp.js(f"() => document.querySelectorAll('path.{cls}').length"))


def test_a_card_says_what_the_programme_knows_of_the_village(
    new_page: Any, programme_map: Path, programme_gers: relocate.Territory
) -> None:
    mp = new_page().open(programme_map)
    scripts = mp.js(COUNT_SCRIPTS)
    card = open_card(mp, "marciac", MARCIAC)
    part = card.locator(".rl-programme")
    part.wait_for(state="visible")
    text = part.inner_text()
    assert text.startswith("Le programme de la CCI")
    for line in household_view(programme_gers, MARCIAC).lines("fr"):
        assert line in text
    assert "votre métier (graphiste)" in text
    assert "Les membres sont comptés, jamais nommés" in text
    events = part.locator(".rl-programme-events li").all_inner_texts()
    assert any("Petit-déjeuner des nouveaux arrivants" in e and "2027" in e for e in events)
    notes = part.locator(".rl-programme-notes li").all_inner_texts()
    assert any(n.startswith("Bonne 4G à l’intérieur") and "notée le" in n for n in notes)
    assert not any("maison à louer" in n.lower() for n in notes)  # expired: left out
    # Hostile texts from the data read as text, and run nothing.
    assert HOSTILE_EVENT in part.inner_text() and HOSTILE_NOTE in part.inner_text()
    assert mp.js(COUNT_SCRIPTS) == scripts
    assert mp.js(EVENT_ATTRIBUTES) == []
    assert mp.js("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert mp.dialogs == []
    page = mp.js("() => document.body.innerText")
    assert [c.name for c in fixture_contacts() if c.name in page] == []
    assert_clean(mp)


def test_hostile_programme_texts_are_escaped_in_the_file(programme_map: Path) -> None:
    html = programme_map.read_text(encoding="utf-8")
    assert HOSTILE_EVENT not in html and HOSTILE_NOTE not in html


def test_a_member_count_below_k_never_reads_0(
    new_page: Any, programme_map: Path, programme_gers: relocate.Territory
) -> None:
    features = programme_gers.features
    few = features.index[features["trade_members_within_30min"] == 0]
    assert len(few) > 0
    code = str(few[0])
    name = str(programme_gers.villages.at[code, "name"])
    mp = new_page().open(programme_map)
    card = open_card(mp, name, code)
    row = card.locator(".rl-criteria tr", has_text="Membres de votre métier à moins de 30 min")
    value = row.locator(".rl-value").inner_text()
    assert value.startswith("moins de 3"), value
    # The criterion's layer: its legend says "fewer than 3", never a class of 0.
    mp.page.locator(
        ".leaflet-control-layers-base label", has_text="Membres de votre métier à moins de 30 min"
    ).click()
    items = mp.page.locator("#rl-legend [data-class]").all_inner_texts()
    assert items and items[0] == "moins de 3", items
    assert not any(i.startswith(("0", "≤ 0", "≤\u00a00")) or " 0 " in i for i in items), items
    assert_clean(mp)


def test_the_programme_layers_are_there_to_turn_on(new_page: Any, programme_map: Path) -> None:
    mp = new_page().open(programme_map)
    programme = mp.js(DATA)["programme"]
    members = mp.page.locator(OVERLAYS, has_text="Membres du programme")
    events = mp.page.locator(OVERLAYS, has_text="Événements du programme")
    assert "au moins 3" in members.inner_text()
    assert (_paths(mp, "rl-members"), _paths(mp, "rl-event")) == (0, 0)  # off at first
    members.click()
    events.click()
    assert _paths(mp, "rl-members") == len(programme["members"]) > 0
    assert _paths(mp, "rl-event") == len(programme["events"]) > 0
    legend = mp.page.locator("#rl-legend").inner_text()
    assert "Membres du programme" in legend and "Événements du programme" in legend
    mp.page.locator("path.rl-event").first.hover(force=True)
    tip = mp.page.locator(".leaflet-tooltip:not(.rl-airport-label)").last.inner_text()
    assert "2027" in tip
    assert_clean(mp)


def test_without_the_programme_s_data_the_page_shows_none_of_it(
    new_page: Any, fr_map: Path
) -> None:
    mp = new_page().open(fr_map)
    assert mp.js(DATA)["programme"] is None
    card = open_card(mp, "marciac", MARCIAC)
    assert card.locator(".rl-programme").count() == 0
    assert mp.page.locator(OVERLAYS, has_text="programme").count() == 0
    assert_clean(mp)
