"""The brief with the CCI programme's data: the household's page, the advisor's copy.

On the fixtures (invented members, events and notes in the real Gers, read on 1
December 2026): the household's brief says what the programme knows of the villages
visited and names no member; the advisor's copy adds the members to contact and says,
in its title and first lines, that it is not for the household.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest

import relocate
from relocate.cli.programme import event_appointment
from relocate.programme.events import find_event
from relocate.programme.privacy import household_section
from relocate.scoring import Ranking, parse_profile, score
from relocate.trip import TripPlan, build_brief, plan_trip
from tests.programme.conftest import TODAY, fixture_contacts

pytestmark = pytest.mark.slow

VILLAGES = ["Marciac", "Lectoure", "Samatan"]
MARCIAC, LECTOURE, SAMATAN = "32233", "32208", "32410"
CRITERIA = {
    "drive_min_TLS": {"weight": 3, "better": "lower", "full": 30, "zero": 100},
    "trade_members_within_30min": {"weight": 1, "better": "higher", "full": 5, "zero": 0},
    "note_coworking": {"weight": 1, "better": "higher", "full": 1, "zero": 0},
}


def _ranking(territory: relocate.Territory) -> Ranking:
    profile = parse_profile(
        {"name": "Fixture", "criteria": CRITERIA}, catalogue=territory.catalogue
    )
    return score(
        territory.features, profile, names=territory.villages["name"], catalogue=territory.catalogue
    )


@pytest.fixture(scope="module")
def plan(programme_gers: relocate.Territory) -> TripPlan:
    breakfast = event_appointment(find_event(programme_gers, "2027-03-04 petit-déjeuner"))
    return plan_trip(
        programme_gers,
        base="Auch",
        villages=VILLAGES,
        start=date(2027, 3, 4),
        days=2,
        today=TODAY,
        appointments=[breakfast],
    )


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " ")


def test_the_household_brief_ends_with_the_programme_s_page(
    plan: TripPlan, programme_gers: relocate.Territory
) -> None:
    html = build_brief(plan, ranking=_ranking(programme_gers), territory=programme_gers)
    section = household_section(programme_gers, [MARCIAC, LECTOURE, SAMATAN], today=TODAY)
    assert section and html.endswith(f"{section}</body></html>\n")
    assert "Petit-déjeuner des nouveaux arrivants" in html  # the appointment, and the event
    assert 'class="programme-advisor"' not in html and "example.org" not in html
    for contact in fixture_contacts():
        assert contact.name not in html


def test_a_member_count_below_k_never_reads_0_on_a_card(
    plan: TripPlan, programme_gers: relocate.Territory
) -> None:
    features = programme_gers.features
    below = [
        c for c in (MARCIAC, LECTOURE, SAMATAN) if features.at[c, "trade_members_within_30min"] == 0
    ]
    html = build_brief(plan, ranking=_ranking(programme_gers), territory=programme_gers)
    rows = re.findall(r"<tr><td>Membres de votre métier à moins de 30 min</td><td>(.*?)</td>", html)
    assert len(rows) == 3
    assert all(not re.fullmatch(r"(<[^>]+>)*≈?\s*0(<[^>]+>)*", r) for r in rows), rows
    assert sum("moins de 3" in r for r in rows) == len(below)


def test_what_only_the_programme_knows_is_asked_of_its_advisor(
    plan: TripPlan, programme_gers: relocate.Territory
) -> None:
    """No trade given: the household tells the advisor; a village without a note: ask them."""
    no_trade = replace(programme_gers, settings=replace(programme_gers.settings, trade=None))
    features = no_trade.features.copy()
    features["trade_members_within_30min"] = float("nan")  # as computed without a trade
    no_trade = replace(no_trade, features=features)
    ranking = _ranking(no_trade)
    assert ranking.absences["trade_members_within_30min"].kind == "no_trade"
    text = _text(build_brief(plan, ranking=ranking, territory=no_trade))
    advisor = text.split("À demander au conseiller du programme de la CCI", 1)[1]
    assert "dites votre métier au conseiller du programme de la CCI" in advisor.split("Sources")[0]
    assert "À demander à chaque mairie" not in text  # no open-data criterion is missing
    # Coworking: noted in Samatan only; elsewhere, the advisor is asked, not the town hall.
    asked = (
        "Pas de chiffre sur « Un espace de coworking (note de terrain) » pour ce village : "
        "à demander au conseiller du programme de la CCI."
    )
    assert text.count(asked) == 2  # Marciac and Lectoure; Samatan has its note
    assert (
        "Un espace de coworking (note de terrain) » pour ce village : à demander en mairie"
        not in text
    )


def test_the_advisor_s_copy_names_the_members_to_contact_and_says_so(
    plan: TripPlan, programme_gers: relocate.Territory
) -> None:
    ranking = _ranking(programme_gers)
    html = build_brief(plan, ranking=ranking, territory=programme_gers, advisor=True, lang="en")
    title = re.search(r"<title>(.*?)</title>", html)
    assert title is not None and title.group(1).endswith("(advisor’s copy, not for the household)")
    first = html.index('<p class="alert">')
    assert first < html.index("</h1>") + 10
    assert "Do not give it to the household" in html[first : first + 400]
    assert 'class="programme-advisor"' in html and "example.org" in html
    assert sum(c.name in html for c in fixture_contacts()) > 30
