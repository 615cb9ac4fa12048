"""Editions as the household reads them, on the map and the brief: in its language."""

from __future__ import annotations

import pytest

from relocate.sources.opendata import edition_words


@pytest.mark.parametrize(
    ("edition", "lang", "shown"),
    [
        ("2025-T2", "fr", "2025-T2"),
        ("retrieved 2026-12-01", "fr", "récupérée le 1er décembre 2026"),
        ("retrieved 2026-12-01", "en", "retrieved on 1 December 2026"),
        (
            "edition unknown, imported on 2026-03-09",
            "fr",
            "édition inconnue, importée le 9 mars 2026",
        ),
        (
            "edition unknown, imported on 2026-03-09 #2",
            "en",
            "edition unknown, imported on 9 March 2026 #2",
        ),
        ("retrieved soon", "fr", "retrieved soon"),
    ],
)
def test_editions_read_in_the_page_s_language(edition: str, lang: str, shown: str) -> None:
    assert edition_words(edition, lang) == shown
