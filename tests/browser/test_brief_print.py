"""The trip brief in a real browser: printed to PDF it stays short, and it speaks one language.

The brief of a two-day trip of six villages of the Gers from Auch is printed by
headless Chromium to A4 PDF (Playwright's ``page.pdf()``) and must take at most
five pages: one summary page and at most two per day. Its visible text (what a
reader sees, names and values from the data aside: they are marked
``translate="no"``) must hold no English word of a list in French, and no French
word of a list in English.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import relocate
from relocate.scoring import Ranking
from relocate.sources.mayors import MayorData, load_mayors
from relocate.trip import TripPlan, build_brief, plan_trip

pytestmark = pytest.mark.slow

#: The issue's limit: one summary page and two pages a day at most.
MAX_PAGES = 5
#: Words that must not show in the French brief (whole words, any case).
ENGLISH = [
    "day", "visit", "visits", "leave", "back", "lunch", "town hall", "mayor", "drive",
    "driving", "the", "and", "with", "from", "of", "to", "at", "in", "for", "monday",
    "tuesday", "december", "estimate", "rank", "score", "missing", "unavailable", "utility",
    "station", "airport", "hours", "inhabitants", "nearest", "here", "ask", "no data",
    "not published", "criterion",
]  # fmt: skip
#: Words that must not show in the English brief.
FRENCH = [
    "jour", "visite", "visites", "départ", "retour", "déjeuner", "mairie", "maire", "trajet",
    "lundi", "mardi", "décembre", "habitants", "demander", "le", "la", "les", "des", "du",
    "et", "pour", "sur", "avec", "aucune", "gare", "heures", "ici", "critère", "note",
    "rang", "pas", "donnée", "satisfaction totale", "importance forte",
]  # fmt: skip
#: The text a reader sees: the body's, without the data marked translate="no".
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('[translate="no"], style, title').forEach(el => el.remove());
  return body.innerText;
}"""


def _next_monday() -> date:
    today = date.today()
    return today + timedelta(days=(7 - today.weekday()) % 7 or 7)


@pytest.fixture(scope="module")
def trip(gers: relocate.Territory, family_ranking: Ranking) -> TripPlan:
    """Two days from Auch, the six best villages for the family profile."""
    shortlist = [str(code) for code in family_ranking.top(6).index]
    return plan_trip(gers, base="Auch", villages=shortlist, start=_next_monday(), days=2)


@pytest.fixture(scope="module")
def mayors(gers: relocate.Territory) -> MayorData:
    return load_mayors(cache_dir=gers.settings.cache_dir)


@pytest.fixture(scope="module")
def briefs(
    trip: TripPlan,
    family_ranking: Ranking,
    gers: relocate.Territory,
    mayors: MayorData,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("briefs")
    out = {}
    for lang in ("fr", "en"):
        html = build_brief(trip, ranking=family_ranking, territory=gers, lang=lang, mayors=mayors)
        path = folder / f"brief-{lang}.html"
        path.write_text(html, encoding="utf-8")
        out[lang] = path
    return out


def _pages(pdf: bytes) -> int:
    """The number of pages of a PDF Chromium wrote: its page objects (and its page tree says)."""
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", pdf)]
    if counts:
        assert max(counts) == pages, (counts, pages)
    return pages


def test_the_trip_uses_both_days(trip: TripPlan) -> None:
    assert [bool(day.stops) for day in trip.days] == [True, True]
    assert len(trip.visits) == 6


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_brief_prints_to_at_most_five_pages(
    new_page: Any, briefs: dict[str, Path], artifacts: Path, lang: str
) -> None:
    page = new_page()
    page.page.goto(briefs[lang].as_uri(), wait_until="load")
    pdf = page.page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    (artifacts / f"brief-{lang}.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    pages = _pages(pdf)
    assert 1 + 2 <= pages <= MAX_PAGES, pages  # a summary, and each day on a page of its own
    assert page.problems() == {}


def _found(text: str, words: list[str]) -> list[str]:
    return [
        word
        for word in words
        if re.search(rf"(?<![\w’']){re.escape(word)}(?![\w’'])", text, flags=re.IGNORECASE)
    ]


def test_the_french_brief_shows_no_english(new_page: Any, briefs: dict[str, Path]) -> None:
    page = new_page(locale="fr-FR")
    page.page.goto(briefs["fr"].as_uri(), wait_until="load")
    text = page.js(VISIBLE_TEXT)
    assert "Séjour de repérage" in text and "Jour 1" in text and "Déjeuner" in text
    found = _found(text, ENGLISH)
    assert found == [], [(w, _context(text, w)) for w in found]


def test_the_english_brief_shows_no_french(new_page: Any, briefs: dict[str, Path]) -> None:
    page = new_page()
    page.page.goto(briefs["en"].as_uri(), wait_until="load")
    text = page.js(VISIBLE_TEXT)
    assert "Scouting trip" in text and "Day 1" in text and "Lunch" in text
    found = _found(text, FRENCH)
    assert found == [], [(w, _context(text, w)) for w in found]


def _context(text: str, word: str) -> str:
    match = re.search(rf"(?<![\w’']){re.escape(word)}(?![\w’'])", text, flags=re.IGNORECASE)
    if match is None:
        return ""
    return text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")


def test_the_programme_s_page_prints_on_its_own_after_the_days(
    new_page: Any,
    programme_gers: relocate.Territory,
    programme_ranking: Ranking,
    tmp_path: Path,
    artifacts: Path,
) -> None:
    """With the programme's data: one more page, the programme's, for the household."""
    from relocate.cli.programme import event_appointment
    from relocate.programme.events import find_event

    from .conftest import PROGRAMME_DAY

    breakfast = event_appointment(find_event(programme_gers, "2027-03-04 petit-déjeuner"))
    plan = plan_trip(
        programme_gers,
        base="Auch",
        villages=["Marciac", "Lectoure", "Samatan"],
        start=date(2027, 3, 4),
        days=2,
        today=PROGRAMME_DAY,
        appointments=[breakfast],
    )
    pdfs = {}
    for advisor in (False, True):
        html = build_brief(
            plan, ranking=programme_ranking, territory=programme_gers, advisor=advisor
        )
        path = tmp_path / f"brief-{'advisor' if advisor else 'household'}.html"
        path.write_text(html, encoding="utf-8")
        page = new_page(locale="fr-FR")
        page.page.goto(path.as_uri(), wait_until="load")
        pdfs[advisor] = page.page.pdf(format="A4", print_background=True)
        (artifacts / path.with_suffix(".pdf").name).write_bytes(pdfs[advisor])
        text = page.js("() => document.body.innerText")
        assert "Le programme autour de ces communes" in text
        assert ("Pour le conseiller seulement" in text) == advisor
        assert page.problems() == {}
    household = _pages(pdfs[False])
    assert 1 + 2 + 1 <= household <= MAX_PAGES + 1  # the summary, the days, the programme
    assert _pages(pdfs[True]) > household  # the advisor's page of contacts comes after
