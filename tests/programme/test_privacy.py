"""The privacy rule: households see counts of at least K members, never a member.

The scan test generates every household-facing output relocate writes (the map in
both languages, the trip brief with an event kept as an appointment, the calendar
and the schedule, the ranking and feature tables in every format, the terminal
reports, and the programme's own household texts), with the fixture members,
events and notes loaded and a profile that uses the member criteria, and looks in
their bytes for every fixture member's name, e-mail and phone. Outputs that do not
show members yet are scanned too: they must stay clean when the counts are added.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

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
from tests.programme.conftest import TODAY, Contact

MARCIAC = "32233"

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
    out["brief"] = build_brief(plan, ranking=ranking, territory=gers).encode("utf-8")
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
