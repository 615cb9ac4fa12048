"""Fixtures of the command-line tests: the programme's fixture data, as tests/programme/ has it."""

from __future__ import annotations

from tests.programme.conftest import (  # noqa: F401 (fixtures, used by name)
    base_cache,
    context,
    programme_cache,
)
