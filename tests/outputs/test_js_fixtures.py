"""The page's scoring fixtures (tests/js/fixtures/) are what Python computes today.

``node --test tests/js/`` checks the page's scoring core against those files; this test
regenerates them in memory with ``tests/js/make_fixtures.py`` and fails if the committed
files differ, so they cannot drift from :func:`relocate.scoring.score`. After a deliberate
change to the scoring, run ``.venv/bin/python tests/js/make_fixtures.py``.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "js" / "make_fixtures.py"
HOW_TO_FIX = f"regenerate them: .venv/bin/python {SCRIPT.relative_to(SCRIPT.parents[2])}"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("relocate_js_fixtures", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def expected(script: ModuleType) -> dict[str, str]:
    return script.build_all()


def test_the_committed_fixtures_are_the_generated_ones(
    script: ModuleType, expected: dict[str, str]
) -> None:
    committed = {p.name for p in script.FIXTURES.glob("*.json")}
    assert committed == set(expected), HOW_TO_FIX
    stale = [
        name
        for name, text in expected.items()
        if (script.FIXTURES / name).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"fixtures differ from Python's scoring: {stale}; {HOW_TO_FIX}"


def test_generating_twice_gives_the_same_files(
    script: ModuleType, expected: dict[str, str]
) -> None:
    assert script.build_all() == expected


def test_every_case_has_python_results_for_every_village(expected: dict[str, str]) -> None:
    cases = [json.loads(text) for name, text in expected.items() if name.startswith("score-")]
    assert len(cases) >= 8
    for case in cases:
        codes = [v["insee"] for v in case["page"]["villages"]]
        assert list(case["python"]["villages"]) == codes, case["case"]
        assert sorted(case["python"]["order"]) == sorted(codes), case["case"]
        width = len(case["page"]["criteria"])
        for result in case["python"]["villages"].values():
            assert len(result["points"]) == len(result["utilities"]) == width, case["case"]
