"""The analysts' notebook learns a profile from the fixture members, end to end."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.test_notebook import KERNEL, NOTEBOOKS, _use_this_python

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = NOTEBOOKS / "learned_profile.ipynb"


@pytest.mark.slow
def test_the_notebook_learns_and_writes_the_profile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_this_python(monkeypatch, tmp_path)
    out = tmp_path / "learned.toml"
    monkeypatch.setenv("RELOCATE_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("RELOCATE_NOTEBOOK_CACHE", str(tmp_path / "cache"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name=KERNEL, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    cells = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert "drive_min_TLS" in tomllib.loads(out.read_text(encoding="utf-8"))["criteria"]
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in cells
        for o in c.outputs
    )
    assert "Settled villages among the 30 best of each profile" in text
    assert "Membre" not in text and "example.org" not in text  # no member is shown
