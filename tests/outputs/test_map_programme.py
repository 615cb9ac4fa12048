"""The map's part on the CCI programme: what its cards and layers carry, and what they do not.

With the fixture members, events and notes loaded (tests/fixtures/programme/, invented
people in the real Gers), the page data says per village what
:mod:`relocate.programme.privacy` lets a household read; without them (the built-in
data), nothing at all. The browser tests (tests/browser/test_map_programme.py) check
how the page shows it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import relocate
from relocate.outputs.card import MEMBER_COUNTS, shown_value, village_card
from relocate.outputs.map import PROGRAMME_EVENTS_SHOWN, page_data
from relocate.programme.events import events_near
from relocate.programme.notes import village_notes
from relocate.programme.privacy import household_counts, household_view
from relocate.scoring import Ranking, parse_profile, score
from tests.programme.conftest import TODAY, Contact

pytestmark = pytest.mark.slow

MARCIAC, SAMATAN = "32233", "32410"
PROFILE = {
    "name": "Fixture household with the programme's criteria",
    "criteria": {
        "drive_min_TLS": {"weight": 3, "better": "lower", "full": 30, "zero": 100},
        "members_within_30min": {"weight": 2, "better": "higher", "full": 20, "zero": 0},
        "trade_members_within_30min": {"weight": 1, "better": "higher", "full": 5, "zero": 0},
        "note_indoor_4g": {"weight": 1, "better": "higher", "full": 1, "zero": 0},
    },
}


def _rank(territory: relocate.Territory) -> Ranking:
    profile = parse_profile(PROFILE, catalogue=territory.catalogue)
    return score(
        territory.features, profile, names=territory.villages["name"], catalogue=territory.catalogue
    )


@pytest.fixture(scope="module")
def data(programme_gers: relocate.Territory) -> dict[str, Any]:
    return page_data(_rank(programme_gers), programme_gers, top=10, lang="fr")


def _texts(data: dict[str, Any], code: str, key: str) -> list[str]:
    programme = data["programme"]
    at = [v["insee"] for v in data["villages"]].index(code)
    entry = programme["villages"][at] or {}
    return [programme["texts"][ref] for ref in entry.get(key, [])]


def test_without_programme_data_the_page_carries_none(base_cache: Path) -> None:
    gers = relocate.load_territory(relocate.Settings(cache_dir=base_cache))
    profile = parse_profile(
        {"name": "x", "criteria": {"drive_min_TLS": PROFILE["criteria"]["drive_min_TLS"]}}
    )
    ranking = score(gers.features, profile, names=gers.villages["name"])
    assert page_data(ranking, gers, top=10, lang="fr")["programme"] is None


def test_a_card_says_the_members_as_the_privacy_rule_does(
    data: dict[str, Any], programme_gers: relocate.Territory
) -> None:
    members = _texts(data, MARCIAC, "m")
    view = household_view(programme_gers, MARCIAC)
    assert members[: len(view.lines("fr"))] == view.lines("fr")
    # The household's trade (graphiste), as counts of at least 3.
    assert any("votre métier (graphiste)" in line for line in members)


def test_a_card_lists_the_upcoming_events_nearby_with_their_dates(
    data: dict[str, Any], programme_gers: relocate.Territory
) -> None:
    events = _texts(data, MARCIAC, "e")
    near = events_near(programme_gers, MARCIAC, within_min=30, after=TODAY)
    assert events == [e.text("fr") for e in near[:PROGRAMME_EVENTS_SHOWN]]
    assert any("Petit-déjeuner des nouveaux arrivants" in e and "2027" in e for e in events)
    at = [v["insee"] for v in data["villages"]].index(MARCIAC)
    more = data["programme"]["villages"][at].get("more", 0)
    assert more == max(0, len(near) - PROGRAMME_EVENTS_SHOWN)


def test_a_card_lists_the_valid_field_notes_with_their_dates_not_the_expired(
    data: dict[str, Any], programme_gers: relocate.Territory
) -> None:
    notes = _texts(data, MARCIAC, "n")
    every = village_notes(programme_gers, MARCIAC, today=TODAY)
    assert any(n.expired for n in every)  # the house for rent noted in August, for 60 days
    assert notes == [n.text("fr") for n in every if not n.expired]
    assert all("notée le" in n for n in notes)
    assert not any("maison à louer" in n.lower() for n in notes)
    # Never who noted it: that is the advisor's.
    assert not any("Exemple" in n for n in notes)


def test_the_programme_layers_show_villages_of_at_least_k_members_and_upcoming_events(
    data: dict[str, Any], programme_gers: relocate.Territory
) -> None:
    programme = data["programme"]
    counts = household_counts(programme_gers)["members"].dropna()
    assert sorted(item[2] for item in programme["members"]) == sorted(int(n) for n in counts)
    assert all(item[2] >= programme["k"] == 3 for item in programme["members"])
    assert programme["events"]
    assert all("2027" in item[2] for item in programme["events"])


def test_member_counts_are_criteria_never_raw_facts(
    data: dict[str, Any], programme_gers: relocate.Territory
) -> None:
    facts = {f["name"] for f in data["facts"]}
    programme_features = {n for n in programme_gers.features.columns if n.startswith("note_")}
    assert not facts & (MEMBER_COUNTS | programme_features)
    units = {c["name"]: c["unit"] for c in data["criteria"]}
    assert units["members_within_30min"]["below"] == 3
    assert units["trade_members_within_30min"]["below"] == 3
    assert "below" not in units["drive_min_TLS"]
    flags = {c["name"]: c["programme"] for c in data["criteria"]}
    assert flags == {
        "drive_min_TLS": False,
        "members_within_30min": True,
        "trade_members_within_30min": True,
        "note_indoor_4g": True,
    }


def test_a_count_below_k_reads_fewer_than_k(programme_gers: relocate.Territory) -> None:
    features = programme_gers.features
    none = str(features.index[features["members_within_15min"] == 0][0])
    assert shown_value(programme_gers, "members_within_15min", 0.0, lang="fr") == "moins de 3"
    assert shown_value(programme_gers, "members_within_15min", 0.0, lang="en") == "fewer than 3"
    assert shown_value(programme_gers, "members_within_15min", 12.0, lang="en") == "12"
    card = village_card(_rank(programme_gers), programme_gers, none, lang="fr")
    assert all(line.value != "0" for line in card.criteria)


def test_the_page_data_names_no_member(data: dict[str, Any], contacts: Sequence[Contact]) -> None:
    text = json.dumps(data, ensure_ascii=False).encode("utf-8")
    assert [n for c in contacts for n in c.needles() if n in text] == []
    assert b"example.org" not in text


def test_the_day_events_and_notes_are_judged_on_is_the_run_s(
    programme_cache: Path,
) -> None:
    """A year later, the March events are past and most notes expired: the page says so."""
    later = relocate.load_territory(
        relocate.Settings(
            cache_dir=programme_cache, today=date(2029, 1, 1), calibrate_estimate=False
        )
    )
    data = page_data(_rank(later), later, top=10, lang="fr")
    assert data["programme"]["events"] == []
    assert _texts(data, MARCIAC, "e") == []
    assert _texts(data, MARCIAC, "n") == []
    assert _texts(data, SAMATAN, "m")  # the members are still there


def test_the_programme_s_sources_are_cited_in_french_on_a_french_page(
    data: dict[str, Any],
) -> None:
    footer = "\n".join(data["sources"])
    for name in ("Membres du programme", "Événements du programme", "Notes de terrain"):
        assert name in footer
    assert "données propres au programme\u00a0: à ne pas publier" in footer
    assert "le conseiller du programme de la CCI" in footer
    assert "programme's" not in footer and "Programme members" not in footer
