"""The ``relocate network`` and ``relocate notes`` commands, run as the command line runs them."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult, run_main
from tests.programme.conftest import FIXTURES

Run = Callable[..., CliResult]


@pytest.fixture
def run(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """``relocate ...`` in-process, with the two groups registered and this test's cache."""
    from relocate.cli import cli
    from relocate.cli.programme import network, notes

    monkeypatch.setitem(cli.commands, "network", network)
    monkeypatch.setitem(cli.commands, "notes", notes)
    monkeypatch.setenv("RELOCATE_CACHE_DIR", str(cache))
    return run_main


def _load_all(run: Run) -> None:
    for args in (
        ("network", "import", FIXTURES / "members.csv"),
        ("network", "events", FIXTURES / "events.ics"),
        ("notes", "import", FIXTURES / "notes.csv"),
    ):
        result = run(*args)
        assert result.code == 0, result.err


def test_import_show_and_list(run: Run, cache: Path) -> None:
    result = run("network", "import", FIXTURES / "members.csv")
    assert result.code == 0, result.err
    assert "members: edition" in result.out and "(300 rows)" in result.out
    assert stat.S_IMODE(os.stat(cache / "members").st_mode) == 0o700
    assert run("network", "events", FIXTURES / "events.csv").code == 0
    assert run("notes", "import", FIXTURES / "notes.csv").code == 0
    shown = run("network", "show", "marciac", "--lang", "en", "--within", "30")
    assert shown.code == 0, shown.err
    assert shown.out.startswith("Marciac (32233): 0 members live here;")
    assert "@example.org" in shown.out  # the advisor's own view
    assert "Upcoming programme events within 30" in shown.out
    assert "Good 4G indoors: no" in shown.out and "Conseillère Exemple" in shown.out
    listed = run("notes", "list", "Samatan", "--lang", "fr")
    assert listed.out.startswith("Samatan (32410)")
    assert "Un espace de coworking\u00a0: oui" in listed.out


def test_add_a_note(run: Run) -> None:
    result = run(
        "notes",
        "add",
        "Lectoure",
        "house_for_rent",
        "oui",
        "--date",
        "2026-11-30",
        "--by",
        "Conseiller Exemple",
    )
    assert result.code == 0, result.err
    assert "notes: edition" in result.out
    listed = run("notes", "list", "lectoure", "--lang", "en")
    assert (
        "A house for rent: yes (noted Monday 30 November 2026 by Conseiller Exemple" in listed.out
    )


def test_the_keys_are_listed(run: Run) -> None:
    result = run("notes", "keys", "--lang", "en")
    assert "indoor_4g: Good 4G indoors (flag; holds 730 days)" in result.out


def test_a_bad_file_is_one_line(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("commune;trade;arrival_year;household_size;consent\nNulle-Part;x;2020;1;non\n")
    line = run("network", "import", path).assert_one_line_error()
    assert "members.csv, line 2, column 'commune'" in line
    line = run("notes", "add", "Marciac", "indoor_4g", "bof").assert_one_line_error()
    assert "indoor_4g is a yes/no note" in line


def test_the_data_commands_send_the_advisor_to_the_programme_s_own(run: Run) -> None:
    line = run("data", "import", "members", FIXTURES / "members.csv").assert_one_line_error()
    assert "`relocate network import FILE`" in line
    status = run("data", "status")
    assert status.code == 0, status.err
    assert "relocate network events FILE" in status.out


def test_learn_writes_the_profile_and_reports(run: Run, tmp_path: Path) -> None:
    _load_all(run)
    out = tmp_path / "learned.toml"
    result = run("network", "learn", "--out", out, "--lang", "en")
    assert result.code == 0, result.err
    assert "Settled villages among the 30 best of each profile:" in result.out
    assert "learned" in result.out and "remote-worker" in result.out
    assert f"Wrote {out}" in result.out
    assert "drive_min_TLS" in tomllib.loads(out.read_text(encoding="utf-8"))["criteria"]
