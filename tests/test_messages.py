"""The message catalogues: every message the code writes is translated, none is stale."""

from __future__ import annotations

import re
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from relocate.i18n import LANGUAGES, LOCALES, catalogue_path, translator

REPO = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
_PLACEHOLDER = re.compile(r"\{\w*\}")


def extracted() -> dict[str, str | tuple[str, str]]:
    """Every message the code marks, as ``pybabel extract`` finds it (singular -> message)."""
    found: dict[str, str | tuple[str, str]] = {}
    for _, _, message, _, _ in extract_from_dir(
        str(REPO / "relocate"),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
    ):
        key = message if isinstance(message, str) else message[0]
        found[key] = message
    return found


def catalogue(lang: str):  # type: ignore[no-untyped-def]
    source = resources.files("relocate.i18n") / catalogue_path(lang)
    with source.open("rb") as handle:
        return read_po(handle, locale=LOCALES[lang])


TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated(lang: str) -> None:
    messages = catalogue(lang)
    missing = []
    for key in extracted():
        entry = messages.get(key)
        if entry is None or entry.fuzzy or not entry.string or not all(entry.string):
            missing.append(key)
    assert missing == [], f"{len(missing)} messages lack a {lang} translation: run make messages"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_no_translation_is_stale(lang: str) -> None:
    code = set(extracted())
    stale = [
        m.id
        for m in catalogue(lang)
        if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in code
    ]
    assert stale == [], f"translations of messages the code no longer has: {stale[:5]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(_PLACEHOLDER.findall(ids[0]))
        for text in strings:
            assert set(_PLACEHOLDER.findall(text)) == wanted, (message.id, text)


def test_english_is_the_code_s_own_words() -> None:
    assert translator("en")._("Anything") == "Anything"


@pytest.mark.parametrize(
    ("lang", "dates", "listed"),
    [
        ("fr", ("dimanche 1er mars 2026", "1er mars 2026", "28 mars 2026"), "a, b et c"),
        ("en", ("Sunday 1 March 2026", "1 March 2026", "28 March 2026"), "a, b and c"),
    ],
)
def test_dates_and_lists_as_the_locale_writes_them(
    lang: str, dates: tuple[str, str, str], listed: str
) -> None:
    tr = translator(lang)
    first, last = date(2026, 3, 1), date(2026, 3, 28)
    assert (tr.long_date(first, year=True), tr.day_month_year(first)) == dates[:2]
    assert tr.day_month_year(last) == dates[2]
    assert tr.join(["a", "b", "c"]) == listed
    assert tr.join(["a"]) == "a"
    assert tr.join([]) == ""
