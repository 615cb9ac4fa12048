"""A source plugs in without touching relocate: its criterion is scored, explained and mapped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import relocate
from relocate.catalogue import Catalogue
from relocate.outputs.map import page_data
from relocate.outputs.report import format_explanation
from relocate.scoring import parse_profile, score
from relocate.sources import load_communes
from relocate.sources.fetch import import_files
from relocate.sources.opendata import ParseContext
from relocate.sources.registry import SOURCES
from relocate.sources.store import Store

from .market_days import MarketDaysSource

FIXTURE = Path(__file__).with_name("markets.csv")
AUCH, LECTOURE, BLAZIERT = "32013", "32208", "32057"


@pytest.fixture(scope="module")
def with_markets(cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> relocate.Territory:
    """The Gers with the fixture markets imported, and a catalogue that knows the source."""
    cache = tmp_path_factory.mktemp("markets") / "cache"
    shutil.copytree(cache_dir, cache)
    settings = relocate.Settings(cache_dir=cache)
    source = MarketDaysSource()
    context = ParseContext(communes=load_communes(cache_dir=cache), departement="32")
    manifest = import_files(source, [FIXTURE], store=Store(cache), context=context)
    assert manifest.edition == "2026-10-01"
    catalogue = Catalogue([*SOURCES, source])
    return relocate.load_territory(settings, catalogue=catalogue)


def test_the_criterion_is_computed_and_named_by_its_source(
    with_markets: relocate.Territory,
) -> None:
    features = with_markets.features
    assert features.at[AUCH, "market_days_per_week"] == 3.0
    assert features.at[BLAZIERT, "market_days_per_week"] == 0.0
    assert with_markets.feature_sources["market_days_per_week"] == ("example-markets",)
    assert with_markets.source("example-markets") is not None


def test_a_profile_scores_it_and_the_outputs_speak_its_labels(
    with_markets: relocate.Territory,
) -> None:
    profile = parse_profile(
        {
            "name": "Fixture market lover",
            "criteria": {
                "market_days_per_week": {"weight": 1, "better": "higher", "full": 3, "zero": 0}
            },
        },
        catalogue=with_markets.catalogue,
    )
    ranking = score(
        with_markets.features,
        profile,
        names=with_markets.villages["name"],
        catalogue=with_markets.catalogue,
    )
    assert ranking.table.at[AUCH, "score"] == pytest.approx(100.0)
    assert ranking.table.at[LECTOURE, "score"] == pytest.approx(200 / 3)
    text = format_explanation(ranking, with_markets, LECTOURE)
    assert "Market days a week" in text
    assert "example-markets 2026-10-01" in text
    data = page_data(ranking, with_markets, top=5, lang="fr")
    assert data["criteria"][0]["label"] == "Jours de marché par semaine"
    assert data["criteria"][0]["unit"]["integer"] is True


def test_relocate_s_own_catalogue_does_not_know_it() -> None:
    with pytest.raises(relocate.RelocateError, match="market_days_per_week"):
        parse_profile(
            {
                "name": "Fixture",
                "criteria": {"market_days_per_week": {"weight": 1, "better": "higher",
                                                      "full": 3, "zero": 0}},
            }
        )  # fmt: skip
