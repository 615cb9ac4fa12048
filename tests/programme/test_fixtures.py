"""The fixture files: made by their script with a fixed seed, and obviously not real people."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence

from tests.programme.conftest import FIXTURES, Contact


def test_the_script_makes_these_very_files() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_programme_fixtures", FIXTURES / "make_programme_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, text in module.fixture_files().items():
        assert (FIXTURES / name).read_bytes() == text.encode("utf-8"), name


def test_the_fixture_people_look_like_fixtures(contacts: Sequence[Contact]) -> None:
    for contact in contacts:
        assert re.fullmatch(r"Membre \d{3}", contact.name)
        assert re.fullmatch(r"membre\d{3}@example\.org", contact.email)
        assert re.fullmatch(r"06 39 98 \d{2} \d{2}", contact.phone)
