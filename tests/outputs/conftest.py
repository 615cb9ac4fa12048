"""Fixtures of the outputs' tests: the programme's fixture data, as tests/programme/ loads it."""

from __future__ import annotations

from tests.programme.conftest import (  # noqa: F401 (fixtures, used by name)
    base_cache,
    contacts,
    context,
    programme_cache,
    programme_gers,
)
