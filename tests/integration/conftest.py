"""Fixtures for the integration tests: the real built-in data, loaded once per session.

The national commune file is parsed once (about three seconds) into a session
cache folder; every later load, in-process or in a subprocess, reads that cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import relocate
import relocate.cli
from tests.conftest import CliResult, run_main

CACHE_ENV = "RELOCATE_CACHE_DIR"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh cache folder shared by the whole integration session."""
    return tmp_path_factory.mktemp("relocate-cache")


@pytest.fixture(scope="session")
def settings(cache_dir: Path) -> relocate.Settings:
    return relocate.Settings(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def gers(settings: relocate.Settings) -> relocate.Territory:
    """The Gers, loaded from the real built-in data (this parses the national file)."""
    return relocate.load_territory(settings)


@pytest.fixture(scope="session")
def cli(cache_dir: Path, gers: relocate.Territory) -> Callable[..., CliResult]:
    """Run ``relocate.cli.main`` in-process with the session cache; return code and output.

    Depends on ``gers`` so the cache is filled before the first command runs.
    """
    del gers

    def run(*args: str | os.PathLike[str]) -> CliResult:
        return run_main(*args, env={CACHE_ENV: str(cache_dir)})

    return run


@pytest.fixture(scope="session")
def cli_subprocess(cache_dir: Path, gers: relocate.Territory) -> Callable[..., CliResult]:
    """Run ``python -m relocate`` in a real subprocess with the session cache."""
    del gers

    def run(*args: str | os.PathLike[str], cwd: Path) -> CliResult:
        env = {**os.environ, CACHE_ENV: str(cache_dir)}
        proc = subprocess.run(
            [sys.executable, "-m", "relocate", *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            timeout=300,
            check=False,
        )
        return CliResult(code=proc.returncode, out=proc.stdout, err=proc.stderr)

    return run
