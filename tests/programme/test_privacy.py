"""The privacy rule: households see counts of at least K members, never a member.

The scan test generates every household-facing output relocate writes (the map in
both languages, its cards carrying the programme's lines and its programme layers;
the trip brief with its programme page and an event kept as an appointment, in both
languages; the calendar and the schedule; the files ``relocate trip`` writes without
``--advisor``, and the household's files it writes with it; the ranking and feature
tables in every format, the terminal reports, and the programme's own household
texts), with the fixture members, events and notes loaded and a profile that uses
the member criteria, and looks in their bytes for every fixture member's name,
e-mail and phone. The advisor's copy (``--advisor``) is the one output that names
them: a test checks that it does, and that it is the only one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import relocate
from relocate.cli.programme import event_appointment
from relocate.programme.events import events_near, find_event
from relocate.programme.notes import village_notes
from relocate.programme.privacy import (
    advisor_section,
    advisor_view,
    household_counts,
    household_section,
    household_view,
    members_of,
)
from relocate.scoring import parse_profile, score
from tests.conftest import run_main
from tests.programme.conftest import TODAY, Contact

MARCIAC = "32233"
#: The trip the command line plans in these tests: an event of the fixtures on its first day.
TRIP = ("--base", "Auch", "--days", "2", "--start", "2027-03-04", "--villages",
        "Marciac,Lectoure,Samatan", "--event", "2027-03-04 petit-déjeuner")  # fmt: skip
#: The same household's profile as a file, for the command line (trade given in the profile).
PROFILE_TOML = """
name = "Fixture household with the programme's criteria"
trade = "graphiste"

[criteria.drive_min_TLS]
weight = 3
better = "lower"
full = 30
zero = 100

[criteria.members_within_30min]
weight = 2
better = "higher"
full = 20
zero = 0

[criteria.trade_members_within_30min]
weight = 1
better = "higher"
full = 5
zero = 0

[criteria.note_indoor_4g]
weight = 1
better = "higher"
full = 1
zero = 0
"""


class _FixtureDay(date):
    """The tests' day as the system's: a trip in March 2027 is never "in the past"."""

    @classmethod
    def today(cls) -> _FixtureDay:
        return cls(TODAY.year, TODAY.month, TODAY.day)


@contextlib.contextmanager
def _command_line(cache: Path) -> Iterator[None]:
    """Run the command line on ``cache`` (a copy of the fixtures' cache), on the tests' day."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RELOCATE_CACHE_DIR", str(cache))
        patch.setattr("relocate.trip.plan.date", _FixtureDay)
        yield


@pytest.fixture(scope="module")
def trip_outputs(
    programme_cache: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """``relocate trip`` on the fixtures, without ``--advisor`` and with it: the files written."""
    folder = tmp_path_factory.mktemp("trip-cli")
    cache = folder / "cache"
    shutil.copytree(programme_cache, cache)
    profile = folder / "household.toml"
    profile.write_text(PROFILE_TOML, encoding="utf-8")
    files: dict[str, Path] = {}
    with _command_line(cache):
        for name, extra in (("household", ()), ("advisor", ("--advisor",))):
            out = folder / name
            result = run_main("trip", "--profile", profile, *TRIP, *extra, "--out", out)
            assert result.code == 0, result.err
            files.update({f"{name} {p.name}": p for p in sorted(out.iterdir())})
    return files


PROFILE = {
    "name": "Fixture household with the programme's criteria",
    "criteria": {
        "drive_min_TLS": {"weight": 3, "better": "lower", "full": 30, "zero": 100},
        "population": {"weight": 1, "better": "higher", "full": 800, "zero": 80},
        "members_within_30min": {"weight": 2, "better": "higher", "full": 20, "zero": 0},
        "trade_members_within_30min": {"weight": 1, "better": "higher", "full": 5, "zero": 0},
        "note_indoor_4g": {"weight": 1, "better": "higher", "full": 1, "zero": 0},
        "note_house_for_rent": {"weight": 1, "better": "higher", "full": 1, "zero": 0},
    },
    "constraints": {"drive_min_TLS": {"max": 110}},
}


@pytest.fixture(scope="module")
def household_outputs(
    programme_gers: relocate.Territory, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, bytes]:
    """Every household-facing output, by name, as bytes."""
    from relocate.outputs.map import build_map, write_map
    from relocate.outputs.report import format_explanation, format_ranking
    from relocate.outputs.tables import feature_frame, ranking_frame, write_table
    from relocate.trip.brief import build_brief
    from relocate.trip.exports import schedule_csv, schedule_ics
    from relocate.trip.plan import plan_trip

    gers = programme_gers
    folder = tmp_path_factory.mktemp("household-outputs")
    profile = parse_profile(PROFILE, catalogue=gers.catalogue)
    ranking = score(gers.features, profile, names=gers.villages["name"], catalogue=gers.catalogue)
    out: dict[str, bytes] = {}
    for lang in ("fr", "en"):
        path = write_map(build_map(ranking, gers, lang=lang), folder / f"map-{lang}.html")
        out[f"map {lang}"] = path.read_bytes()
        programme = _page_data(out[f"map {lang}"])["programme"]
        assert programme["members"] and programme["events"]  # the layers, and the cards:
        assert sum(1 for v in programme["villages"] if v and v.get("m")) > 100
    best = [str(c) for c in ranking.table.index[:3]]
    appointment = event_appointment(find_event(gers, "2027-03-04 petit-déjeuner"))
    plan = plan_trip(
        gers,
        base="Auch",
        villages=[*best, MARCIAC],
        start=date(2027, 3, 4),
        days=2,
        today=TODAY,
        appointments=[appointment],
    )
    assert any(s.kind == "appointment" for d in plan.days for s in d.stops)
    for lang in ("fr", "en"):
        brief = build_brief(plan, ranking=ranking, territory=gers, lang=lang, today=TODAY)
        assert 'class="programme-household"' in brief  # the programme's page is in it
        assert 'class="programme-advisor"' not in brief
        out[f"brief {lang}"] = brief.encode("utf-8")
    out["calendar"] = schedule_ics(plan, title="Fixture trip", villages=gers.villages)
    out["schedule"] = schedule_csv(plan).encode("utf-8")
    for suffix in (".csv", ".geojson", ".gpkg"):
        path = write_table(ranking_frame(ranking, gers), folder / f"ranking{suffix}", sources="")
        out[f"ranking{suffix}"] = path.read_bytes()
    for suffix in (".csv", ".gpkg"):
        path = write_table(feature_frame(gers), folder / f"features{suffix}", sources="")
        out[f"features{suffix}"] = path.read_bytes()
    for lang in ("fr", "en"):
        out[f"rank {lang}"] = format_ranking(ranking, gers, top=30, lang=lang).encode("utf-8")
        out[f"explain {lang}"] = b"\n".join(
            format_explanation(ranking, gers, code, lang=lang).encode("utf-8")
            for code in [*best, MARCIAC]
        )
        codes = list(gers.villages.index)
        out[f"household section {lang}"] = household_section(
            gers, codes, lang=lang, today=TODAY
        ).encode("utf-8")
        out[f"household views {lang}"] = "\n".join(
            household_view(gers, code).text(lang) for code in codes
        ).encode("utf-8")
        out[f"events near {lang}"] = "\n".join(
            e.text(lang) for code in codes[:80] for e in events_near(gers, code, after=TODAY)
        ).encode("utf-8")
        out[f"notes {lang}"] = "\n".join(
            n.text(lang) for code in codes for n in village_notes(gers, code)
        ).encode("utf-8")
    out["household counts"] = household_counts(gers).to_csv().encode("utf-8")
    return out


def _page_data(html: bytes) -> dict[str, Any]:
    """The data a map page carries (its ``relocate-data`` script)."""
    found = re.search(rb'<script type="application/json" id="relocate-data">(.*?)</script>', html)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def _leaks(outputs: dict[str, bytes], contacts: Sequence[Contact]) -> list[str]:
    found = []
    for name, content in outputs.items():
        for contact in contacts:
            for needle in contact.needles():
                if needle in content:
                    found.append(f"{name}: {needle.decode()!r}")
    return found


def test_no_household_output_names_a_member(
    household_outputs: dict[str, bytes], contacts: Sequence[Contact]
) -> None:
    assert len(contacts) > 150
    assert len(household_outputs) >= 20
    leaks = _leaks(household_outputs, contacts)
    assert leaks == [], f"{len(leaks)} leaks, first: {leaks[:5]}"


def test_no_household_file_of_the_trip_command_names_a_member(
    trip_outputs: dict[str, Path], contacts: Sequence[Contact]
) -> None:
    """``relocate trip``: its files, and with ``--advisor`` all but the advisor's copy."""
    household = {
        name: path.read_bytes()
        for name, path in trip_outputs.items()
        if not name.endswith("brief-advisor.html")
    }
    assert sorted(household) == [
        "advisor brief.html", "advisor schedule.csv", "advisor schedule.ics",
        "household brief.html", "household schedule.csv", "household schedule.ics",
    ]  # fmt: skip
    assert b'class="programme-household"' in household["household brief.html"]
    assert b"programme-advisor" not in household["household brief.html"]
    assert household["household brief.html"] == household["advisor brief.html"]
    assert _leaks(household, contacts) == []


def test_the_advisor_s_copy_names_the_members_to_contact_and_says_it_is_not_for_the_household(
    trip_outputs: dict[str, Path], contacts: Sequence[Contact]
) -> None:
    advisor = trip_outputs["advisor brief-advisor.html"]
    text = advisor.read_text(encoding="utf-8")
    leaks = _leaks({"advisor copy": text.encode("utf-8")}, contacts)
    assert len(leaks) > 30  # names, e-mails and phones of the consenting members nearby
    title = re.search(r"<title>(.*?)</title>", text)
    assert title is not None and "copie du conseiller, pas pour le foyer" in title.group(1)
    assert 'class="programme-advisor"' in text and 'class="alert"' in text
    # Readable by the user only, as the programme's data; the household's files as usual.
    assert stat.S_IMODE(advisor.stat().st_mode) == 0o600
    household = trip_outputs["advisor brief.html"]
    assert stat.S_IMODE(household.stat().st_mode) & 0o044 == 0o044 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_no_household_output_carries_the_members_own_columns(
    household_outputs: dict[str, bytes],
) -> None:
    for name, content in household_outputs.items():
        for column in (b"arrival_year", b"household_size", b"trade_key", b"example.org"):
            assert column not in content, (name, column)


def test_the_scan_would_see_a_leak(
    programme_gers: relocate.Territory, contacts: Sequence[Contact]
) -> None:
    """The advisor's own section names them: the same scan finds them there."""
    codes = list(programme_gers.villages.index)
    section = advisor_section(programme_gers, codes, lang="fr").encode("utf-8")
    assert _leaks({"advisor section": section}, contacts)


def test_household_counts_show_communes_of_at_least_k_and_a_few_per_epci(
    programme_gers: relocate.Territory,
) -> None:
    counts = household_counts(programme_gers)
    members = members_of(programme_gers)
    assert members is not None
    per = members.groupby("insee").size()
    shown = counts["members"].dropna()
    assert len(shown) > 0
    assert (shown >= 3).all()
    assert all(int(shown[c]) == int(per[c]) for c in shown.index)
    few = per[(per > 0) & (per < 3)].index.intersection(counts.index)
    assert counts.loc[few, "members"].isna().all()
    assert counts.loc[few, "epci_a_few"].all()
    assert counts.loc[few, "epci"].str.startswith("Communauté").all()


def test_the_household_view_of_a_village(programme_gers: relocate.Territory) -> None:
    members = members_of(programme_gers)
    assert members is not None
    per = members.groupby("insee").size()
    many = str(per[per >= 3].index[0])
    view = household_view(programme_gers, many)
    assert view.living_here == per[many]
    assert str(per[many]) in view.text("fr")
    one = str(per[per == 1].index[0])
    view = household_view(programme_gers, one)
    assert view.living_here is None
    assert view.epci is not None
    assert view.text("fr").startswith("Quelques membres du programme habitent")
    assert all(n == 0 or n >= 3 for n in view.within.values())


def test_without_members_a_household_reads_nothing_about_them(base_cache: Path) -> None:
    gers = relocate.load_territory(relocate.Settings(cache_dir=base_cache))
    view = household_view(gers, MARCIAC)
    assert not view.loaded
    assert view.lines("fr") == []
    assert household_section(gers, [MARCIAC]) == ""
    assert advisor_view(gers, MARCIAC).contacts == ()


def test_the_advisor_sees_only_the_members_who_consented(
    programme_gers: relocate.Territory, contacts: Sequence[Contact]
) -> None:
    view = advisor_view(programme_gers, MARCIAC, within_min=30)
    assert view.contacts
    consenting = {c.name for c in contacts}
    assert {c.name for c in view.contacts} <= consenting
    assert [c.drive_min for c in view.contacts] == sorted(c.drive_min for c in view.contacts)
    assert all(c.drive_min <= 30 for c in view.contacts)
    assert view.others > 0  # counted, never named
    members = members_of(programme_gers)
    assert members is not None
    refused = members[~members["consent"]]
    assert refused[["name", "email", "phone"]].isna().all().all()


def test_the_tables_sources_note_says_how_small_counts_are_written(
    programme_gers: relocate.Territory,
) -> None:
    from relocate.outputs.tables import sources_text

    note = sources_text(programme_gers, lang="en")
    assert "a count below 3 is written 0, so that no member can be singled out" in note
    assert "inférieur à 3 est écrit 0" in sources_text(programme_gers, lang="fr")
