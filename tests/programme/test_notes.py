"""The advisor's field notes: added, imported, dated, expired, and criteria when they can be."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import relocate
from relocate.errors import InvalidOptionError, SourceFormatError, UnknownVillageError
from relocate.programme.notes import (
    NOTE_KEYS,
    NewNote,
    NotesSource,
    add_note,
    import_notes,
    note_number,
    village_notes,
)
from relocate.scoring import parse_profile, score
from relocate.sources.opendata import ParseContext
from relocate.sources.store import Store
from tests.programme.conftest import FIXTURES, IMPORT_DAY

MARCIAC, SAMATAN = "32233", "32410"


def _table(cache: Path):  # type: ignore[no-untyped-def]
    loaded = Store(cache).load(NotesSource(), departement="32")
    assert loaded is not None
    return loaded.table


def test_imported_notes_keep_who_when_and_until_when(cache: Path, context: ParseContext) -> None:
    import_notes(FIXTURES / "notes.csv", store=Store(cache), context=context, today=IMPORT_DAY)
    table = _table(cache)
    assert len(table) == 10
    rent = table[(table["insee"] == MARCIAC) & (table["key"] == "house_for_rent")].iloc[0]
    assert (rent["date"], rent["valid_until"], rent["by"]) == (
        "2026-08-01",
        "2026-09-30",
        "Conseillère Exemple",
    )
    bus = table[table["key"] == "school_bus"].iloc[0]
    assert bus["valid_until"] == "2027-10-12"  # the key's default, 365 days
    assert np.isnan(bus["number"])
    for folder in [cache / "notes", *(p for p in (cache / "notes").iterdir() if p.is_dir())]:
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700


def test_a_note_added_makes_a_new_edition_with_the_old_ones(
    cache: Path, context: ParseContext
) -> None:
    store = Store(cache)
    import_notes(FIXTURES / "notes.csv", store=store, context=context, today=IMPORT_DAY)
    told: list[str] = []
    manifest = add_note(
        NewNote(village="Marciac", key="Coworking", value="oui", by="Conseillère Exemple"),
        store=store,
        context=context,
        notify=told.append,
        today=IMPORT_DAY,
    )
    assert manifest.edition == f"{IMPORT_DAY.isoformat()} #2"
    table = _table(cache)
    assert len(table) == 11
    added = table[(table["insee"] == MARCIAC) & (table["key"] == "coworking")].iloc[0]
    assert added["number"] == 1.0
    assert added["date"] == IMPORT_DAY.isoformat()
    assert any("notes: edition" in line for line in told)


def test_an_unknown_key_is_kept_as_text_and_said_so(cache: Path, context: ParseContext) -> None:
    told: list[str] = []
    add_note(
        NewNote(village=MARCIAC, key="indoor 4G signal", value="faible", valid_days=30),
        store=Store(cache),
        context=context,
        notify=told.append,
    )
    assert any("'indoor_4g_signal' is kept as a text note" in t for t in told)
    assert any("did you mean 'indoor_4g'?" in t for t in told)


@pytest.mark.parametrize(
    ("note", "error", "expected"),
    [
        (NewNote(village=MARCIAC, key="indoor_4g", value="bof"), InvalidOptionError, "yes/no note"),
        (
            NewNote(village=MARCIAC, key="houses_for_sale", value="2.5"),
            InvalidOptionError,
            "a count",
        ),
        (NewNote(village=MARCIAC, key="!!", value="x"), InvalidOptionError, "is not a key"),
        (NewNote(village="Nulle-Part", key="remark", value="x"), UnknownVillageError, "Nulle-Part"),
        (
            NewNote(village=MARCIAC, key="remark", value="x", valid_days=0),
            InvalidOptionError,
            "1 to",
        ),
    ],
)
def test_a_bad_note_is_refused_before_anything_is_written(
    cache: Path, context: ParseContext, note: NewNote, error: type[Exception], expected: str
) -> None:
    with pytest.raises(error, match=expected):
        add_note(note, store=Store(cache), context=context)
    assert not (cache / "notes").exists() or not [
        p for p in (cache / "notes").iterdir() if not p.name.startswith(".")
    ]


def test_a_bad_notes_file_names_its_line(
    cache: Path, context: ParseContext, tmp_path: Path
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(
        "village;key;value;date\nMarciac;indoor_4g;oui;2026-10-01\nMarciac;indoor_4g;bof;2026-10-01\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceFormatError, match=r"notes.csv, line 3, column 'value': indoor_4g"):
        import_notes(path, store=Store(cache), context=context)


def test_notes_are_features_while_they_hold(programme_gers: relocate.Territory) -> None:
    features = programme_gers.features
    assert features.at[MARCIAC, "note_indoor_4g"] == 0.0
    assert features.at[SAMATAN, "note_indoor_4g"] == 1.0
    assert np.isnan(features.at[MARCIAC, "note_house_for_rent"])  # expired on 30 September
    assert features.at["32249", "note_house_for_rent"] == 1.0  # Mauvezin, until March
    assert features.at[MARCIAC, "note_school_bus"] == "7:20 devant la mairie"
    assert features.at[SAMATAN, "note_houses_for_sale"] == 3.0


def test_a_yes_no_note_is_a_criterion(programme_gers: relocate.Territory) -> None:
    profile = parse_profile(
        {
            "name": "Note",
            "criteria": {"note_indoor_4g": {"weight": 1, "better": "higher", "full": 1, "zero": 0}},
        },
        catalogue=programme_gers.catalogue,
    )
    ranking = score(programme_gers.features, profile, catalogue=programme_gers.catalogue)
    assert ranking.table.loc[SAMATAN, "rank"] == 1
    assert ranking.table["score"].notna().sum() == 2


def test_a_village_s_notes_say_their_dates_and_which_have_expired(
    programme_gers: relocate.Territory,
) -> None:
    lines = village_notes(programme_gers, MARCIAC)
    assert [n.key for n in lines] == ["indoor_4g", "school_bus", "house_for_rent"]
    expired = [n for n in lines if n.expired]
    assert [n.key for n in expired] == ["house_for_rent"]
    assert expired[0].text("fr") == (
        "Une maison à louer\u00a0: oui (notée le samedi 1er août 2026\u00a0; "
        "expirée le mercredi 30 septembre 2026)"
    )
    assert "Conseillère Exemple" not in lines[0].text("fr")
    assert "Conseillère Exemple" in lines[0].text("fr", advisor=True)
    later = village_notes(programme_gers, MARCIAC, today=date(2029, 1, 1))
    assert all(n.expired for n in later)


def test_every_note_key_is_a_declared_feature_with_both_languages() -> None:
    catalogue = relocate.default_catalogue()
    for key in NOTE_KEYS:
        spec = catalogue.require(f"note_{key.key}")
        assert spec.label("fr") and spec.label("en")
        assert spec.unit.numeric == (key.kind != "text")
    assert note_number("indoor_4g", "Oui") == 1.0
    assert note_number("indoor_4g", "mauvaise") == 0.0
