"""Fixtures of the programme's tests: the real Gers, and the invented members, events and notes.

The national commune file is parsed once per session into a base cache; each test
that imports programme data gets a copy of it (the programme's sources are then
imported into that copy). ``programme_cache`` holds the fixture members, events
(``.ics``) and notes, imported once, for the tests that only read them.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

import relocate
from relocate.programme._private import private_import
from relocate.programme.events import EventsSource
from relocate.programme.members import MembersSource
from relocate.programme.notes import import_notes
from relocate.sources import load_communes, select_departement
from relocate.sources.opendata import ParseContext
from relocate.sources.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "programme"
#: The day the fixture data is read on (notes expire against it; events are after it).
TODAY = date(2026, 12, 1)
#: The edition the fixture imports get (the day of the import, fixed for the tests).
IMPORT_DAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Contact:
    """A fixture member's personal details, as the members file gives them."""

    name: str
    email: str
    phone: str

    def needles(self) -> list[bytes]:
        """Every form they could take in an output: as written, the phone in digits or +33."""
        digits = "".join(ch for ch in self.phone if ch.isdigit())
        forms = {
            self.name,
            self.email,
            self.phone,
            digits,
            "+33" + digits[1:],
            "+33 " + self.phone[1:],
        }
        out = []
        for form in forms:
            out += [form.encode("utf-8"), form.replace(" ", "\u00a0").encode("utf-8")]
        return out


def fixture_contacts() -> list[Contact]:
    """The names, e-mails and phones of the fixture members who gave them."""
    with (FIXTURES / "members.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    return [
        Contact(name=r["nom"], email=r["courriel"], phone=r["téléphone"]) for r in rows if r["nom"]
    ]


@pytest.fixture(scope="session")
def base_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache with the national communes parsed (once per session), and nothing else."""
    cache = tmp_path_factory.mktemp("programme-base")
    load_communes(cache_dir=cache)
    return cache


@pytest.fixture
def cache(base_cache: Path, tmp_path: Path) -> Path:
    """A fresh cache of this test's own, with the communes already parsed."""
    mine = tmp_path / "cache"
    mine.mkdir()
    shutil.copytree(base_cache / "communes", mine / "communes")
    return mine


def gers_context(cache: Path) -> ParseContext:
    communes = load_communes(cache_dir=cache)
    return ParseContext(communes=communes, departement=select_departement(communes, "32").code)


@pytest.fixture(scope="session")
def context(base_cache: Path) -> ParseContext:
    """The Gers, as a programme file is read against it."""
    return gers_context(base_cache)


ImportAll = Callable[[Path], None]


def import_fixtures(cache: Path, context: ParseContext, *, events: str = "events.ics") -> None:
    """Import the fixture members, events and notes into ``cache``."""
    store = Store(cache)
    private_import(
        MembersSource(today=IMPORT_DAY), [FIXTURES / "members.csv"], store=store, context=context
    )
    private_import(
        EventsSource(today=IMPORT_DAY), [FIXTURES / events], store=store, context=context
    )
    import_notes(FIXTURES / "notes.csv", store=store, context=context, today=IMPORT_DAY)


@pytest.fixture(scope="session")
def programme_cache(
    tmp_path_factory: pytest.TempPathFactory, base_cache: Path, context: ParseContext
) -> Path:
    """A cache with the fixture members, events and notes imported (read-only for tests)."""
    cache = tmp_path_factory.mktemp("programme-loaded")
    shutil.copytree(base_cache / "communes", cache / "communes")
    import_fixtures(cache, context)
    return cache


@pytest.fixture(scope="session")
def programme_gers(programme_cache: Path) -> relocate.Territory:
    """The Gers with the fixture programme data loaded, for a household of graphic designers."""
    return relocate.load_territory(
        relocate.Settings(
            cache_dir=programme_cache, trade="graphiste", today=TODAY, calibrate_estimate=False
        )
    )


@pytest.fixture(scope="session")
def contacts() -> list[Contact]:
    return fixture_contacts()
