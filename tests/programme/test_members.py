"""The members source: the import (checked, private, nothing half-written) and its features."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import relocate
from relocate.errors import SourceError, SourceFormatError
from relocate.features import DriveTimeModel
from relocate.programme._private import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, private_import
from relocate.programme.members import MembersSource, members_within, trade_matches
from relocate.sources.fetch import import_files
from relocate.sources.opendata import ParseContext, Parsed
from relocate.sources.store import Store
from tests.programme.conftest import FIXTURES, IMPORT_DAY, Contact

HEADER = "commune;trade;arrival_year;household_size;consent;name;email;phone\n"
GOOD = "32233;graphiste;2019;3;oui;Membre 901;membre901@example.org;06 39 98 09 01\n"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _import(cache: Path, context: ParseContext, path: Path, **options: object):
    return private_import(
        MembersSource(today=IMPORT_DAY),
        [path],
        store=Store(cache),
        context=context,
        **options,  # type: ignore[arg-type]
    )


def _editions(cache: Path) -> list[str]:
    root = cache / "members"
    return (
        sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
        if root.exists()
        else []
    )


def test_the_fixture_members_import_with_their_edition_the_import_day(
    cache: Path, context: ParseContext, contacts: Sequence[Contact]
) -> None:
    manifest = _import(cache, context, FIXTURES / "members.csv")
    assert manifest.edition == IMPORT_DAY.isoformat()
    assert manifest.rows == 300
    assert manifest.notes["consenting"] == len(contacts)
    assert manifest.notes["communes"] == 170
    table = Store(cache).load(MembersSource(), departement="32").table  # type: ignore[union-attr]
    assert table["insee"].str.fullmatch(r"32\d{3}").all()
    assert table.loc[~table["consent"], ["name", "email", "phone"]].isna().all().all()
    assert set(table["name"].dropna()) == {c.name for c in contacts}
    assert table["trade_key"].str.contains("developpeur web").any()  # accents dropped to match


def test_the_members_folder_and_files_are_readable_by_the_user_only(
    cache: Path, context: ParseContext
) -> None:
    previous = os.umask(0o022)
    try:
        manifest = _import(cache, context, FIXTURES / "members.csv")
    finally:
        os.umask(previous)
    root = cache / "members"
    folder = Store(cache).folder_of(manifest)
    assert _mode(root) == PRIVATE_DIR_MODE
    assert _mode(folder) == PRIVATE_DIR_MODE
    files = list(folder.iterdir())
    assert {p.name for p in files} >= {"members.csv", "table.parquet", "manifest.json"}
    assert all(_mode(p) == PRIVATE_FILE_MODE for p in files)
    assert _mode(root / ".lock") == PRIVATE_FILE_MODE
    # The rest of the cache keeps the user's umask.
    assert _mode(cache / "communes") == 0o755
    assert os.umask(0o022) == 0o022  # the import gave the umask back
    os.umask(previous)


def test_the_staging_folder_is_private_during_the_import(
    cache: Path, context: ParseContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, int] = {}
    parse = MembersSource.parse_private

    def spying(self: MembersSource, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        staging = files[0].parent
        assert staging.name.startswith(".staging-")
        seen["staging"] = _mode(staging)
        seen["copy"] = _mode(files[0])
        seen["root"] = _mode(staging.parent)
        return parse(self, files, context=context)

    monkeypatch.setattr(MembersSource, "parse_private", spying)
    previous = os.umask(0o022)
    try:
        _import(cache, context, FIXTURES / "members.csv")
    finally:
        os.umask(previous)
    assert seen == {"staging": 0o700, "copy": 0o600, "root": 0o700}


def test_the_generic_import_refuses_the_members_and_writes_nothing(
    cache: Path, context: ParseContext
) -> None:
    with pytest.raises(SourceError) as caught:
        import_files(
            MembersSource(), [FIXTURES / "members.csv"], store=Store(cache), context=context
        )
    message = str(caught.value)
    assert "relocate network import FILE" in message
    assert "\n" not in message
    assert _editions(cache) == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("32999;graphiste;2019;3;non;;;\n", "line 2, column 'commune': no commune of France has"),
        ("Marsiac;graphiste;2019;3;non;;;\n", "did you mean Marciac (32233), "),
        ("99999;graphiste;2019;3;non;;;\n", "no commune of France has INSEE code '99999'"),
        ("32233;;2019;3;non;;;\n", "column 'trade': empty"),
        ("32233;graphiste;deux mille;3;non;;;\n", "'deux mille' is not a year"),
        ("32233;graphiste;1850;3;non;;;\n", "'1850' is outside 1950-2026 for a year"),
        ("32233;graphiste;2019;0;non;;;\n", "is outside 1-20 for a household size"),
        ("32233;graphiste;2019;3;peut-être;;;\n", "'peut-être' is not yes or no"),
        (
            "32233;graphiste;2019;3;oui;;membre@example.org;\n",
            "consented to be contacted but has no name",
        ),
        ("32233;graphiste;2019;3;oui;Membre 9;;\n", "neither an e-mail nor a phone"),
        ("32233;graphiste;2019;3;oui;Membre 9;membre.example.org;\n", "is not an e-mail address"),
        ("32233;graphiste;2019;3;oui;Membre 9;;06 39\n", "is not a phone number"),
    ],
)
def test_a_bad_member_row_is_refused_in_one_line_naming_its_place(
    cache: Path, context: ParseContext, tmp_path: Path, line: str, expected: str
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(HEADER + line + GOOD, encoding="utf-8")
    with pytest.raises(SourceFormatError) as caught:
        _import(cache, context, path)
    message = str(caught.value)
    assert expected in message, message
    assert message.startswith("members: members.csv")
    assert "\n" not in message
    assert message.endswith("nothing was cached before")
    assert _editions(cache) == []


def test_a_missing_column_names_the_others_it_may_have(
    cache: Path, context: ParseContext, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "commune;trade;arrival_year;consent\n32233;graphiste;2019;non\n", encoding="utf-8"
    )
    with pytest.raises(
        SourceFormatError, match=r"column 'household_size' \(or 'household', 'foyer'"
    ):
        _import(cache, context, path)


def test_english_headers_commas_and_names_are_read_too(
    cache: Path, context: ParseContext, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        "commune,trade,arrival_year,household_size,consent,name,email,phone\n"
        "Isle-Jourdain,Architecte,2020,2,yes,Membre 902,membre902@example.org,\n"
        "32233,architecte,2021,1,no,,,\n",
        encoding="utf-8",
    )
    _import(cache, context, path)
    table = Store(cache).load(MembersSource(), departement="32").table  # type: ignore[union-attr]
    assert table["insee"].tolist() == ["32160", "32233"]
    assert table["trade_key"].tolist() == ["architecte", "architecte"]


def test_contacts_of_members_who_did_not_consent_are_not_kept(
    cache: Path, context: ParseContext, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    path.write_text(
        HEADER + "32233;graphiste;2019;3;non;Membre 903;membre903@example.org;\n" + GOOD
    )
    manifest = _import(cache, context, path)
    assert any("1 members who did not consent" in w for w in manifest.warnings)
    table = Store(cache).load(MembersSource(), departement="32").table  # type: ignore[union-attr]
    assert "Membre 903" not in set(table["name"].dropna())
    assert "membre903@example.org" not in set(table["email"].dropna())


def test_a_much_smaller_list_is_refused_unless_accepted(
    cache: Path, context: ParseContext, tmp_path: Path
) -> None:
    _import(cache, context, FIXTURES / "members.csv")
    path = tmp_path / "members.csv"
    path.write_text(HEADER + GOOD, encoding="utf-8")
    with pytest.raises(SourceFormatError, match="far fewer than the 300"):
        _import(cache, context, path)
    _import(cache, context, path, accept_smaller=True)
    assert len(_editions(cache)) == 2
    assert all(_mode(cache / "members" / e) == PRIVATE_DIR_MODE for e in _editions(cache))


# --- features ------------------------------------------------------------------------------


def test_members_within_counts_members_by_the_estimated_drive(make_villages) -> None:  # type: ignore[no-untyped-def]
    villages = make_villages(
        [
            {"code": "99001", "name": "Here", "lon": 0.50, "lat": 43.60},
            {"code": "99002", "name": "Far", "lon": 1.50, "lat": 43.60},
        ]
    )
    members = pd.DataFrame(
        {
            "insee": ["99001"] * 3 + ["99009"] * 2,
            "lon": [0.50] * 3 + [0.60] * 2,  # 8 km east: about 9 minutes
            "lat": [43.60] * 5,
            "trade_key": [
                "graphiste",
                "graphiste illustratrice",
                "architecte",
                "graphiste",
                "coach",
            ],
        }
    )
    model = DriveTimeModel()
    at = {
        m: members_within(villages, members, minutes=m, model=model, min_shown=1).tolist()
        for m in (5, 15)
    }
    assert at == {5: [3.0, 0.0], 15: [5.0, 0.0]}
    # Fewer than min_shown read 0: no output points at fewer members.
    assert members_within(villages, members, minutes=5, model=model, min_shown=4).tolist() == [0, 0]
    trade = members_within(
        villages, members, minutes=15, model=model, min_shown=1, trade="Graphiste"
    )
    assert trade.name == "trade_members_within_15min"
    assert trade.tolist() == [3.0, 0.0]
    assert trade_matches(members["trade_key"], "graphiste illustratrice").sum() == 1


def test_the_territory_computes_the_member_features_as_estimates(
    programme_gers: relocate.Territory,
) -> None:
    features = programme_gers.features
    names = [
        "members_within_15min",
        "members_within_30min",
        "members_within_45min",
        "trade_members_within_30min",
        "trade_members_within_45min",
    ]
    assert set(names) <= set(features.columns)
    assert set(names) <= programme_gers.estimated
    for name in names:
        values = features[name].to_numpy()
        assert np.all((values == 0) | (values >= 3)), name
    assert (features["members_within_45min"] >= features["members_within_15min"]).all()
    assert (features["members_within_30min"] >= features["trade_members_within_30min"]).all()
    spec = programme_gers.spec("members_within_30min")
    assert spec.label("fr") == "Membres du programme à moins de 30 min"
    assert "estimated" in spec.description("en")


def test_without_a_trade_the_trade_features_are_missing(programme_cache: Path) -> None:
    gers = relocate.load_territory(relocate.Settings(cache_dir=programme_cache))
    assert gers.features["trade_members_within_30min"].isna().all()
    assert gers.features["members_within_30min"].notna().all()


def test_the_smallest_count_shown_is_a_setting(programme_cache: Path) -> None:
    gers = relocate.load_territory(
        relocate.Settings(cache_dir=programme_cache, min_members_shown=10)
    )
    values = gers.features["members_within_15min"].to_numpy()
    assert np.all((values == 0) | (values >= 10))
    assert (values == 0).sum() > 0


def test_a_spreadsheet_export_in_windows_1252_is_read(
    cache: Path, context: ParseContext, tmp_path: Path
) -> None:
    path = tmp_path / "members.csv"
    text = (
        "commune;métier;année d'arrivée;taille du foyer;consentement\n32233;ébéniste;2018;2;non\n"
    )
    path.write_bytes(text.encode("cp1252"))
    manifest = _import(cache, context, path)
    assert manifest.rows == 1
    table = Store(cache).load(MembersSource(), departement="32").table  # type: ignore[union-attr]
    assert table["trade"].tolist() == ["ébéniste"]


def test_the_settings_check_the_trade_and_the_smallest_count() -> None:
    from relocate.errors import InvalidOptionError

    assert relocate.Settings(trade="  graphiste   web ").trade == "graphiste web"
    with pytest.raises(InvalidOptionError, match="the trade is blank"):
        relocate.Settings(trade="   ")
    with pytest.raises(InvalidOptionError, match="at least 1"):
        relocate.Settings(min_members_shown=0)
