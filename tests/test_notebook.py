"""The walk-through notebook runs from start to end and writes the map it promises."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
kernelspec = pytest.importorskip("jupyter_client.kernelspec")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = NOTEBOOKS / "explore_gers.ipynb"
KERNEL = "python3"
LECTOURE = "32208"


def _runs_this_python(argv: list[str]) -> bool:
    """Whether a kernel command starts this interpreter.

    jupyter_client swaps a bare ``python``/``python3``/``python3.X`` for
    ``sys.executable``, so those count as this interpreter too.
    """
    if not argv:
        return False
    bare = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    if argv[0] in bare:
        return True
    try:
        return Path(argv[0]).resolve() == Path(sys.executable).resolve()
    except OSError:
        return False


def _use_this_python(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Make the ``python3`` kernel start this (the venv's) interpreter.

    If the kernelspec Jupyter finds already does, leave it; otherwise put a
    kernelspec pointing at ``sys.executable`` first on JUPYTER_PATH (for this
    test only), so nothing is installed anywhere.
    """
    try:
        spec = kernelspec.KernelSpecManager().get_kernel_spec(KERNEL)
        if _runs_this_python(spec.argv):
            return
    except kernelspec.NoSuchKernel:
        pass
    kernel_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    kernel_dir.mkdir(parents=True)
    spec_json = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (relocate test)",
        "language": "python",
    }
    (kernel_dir / "kernel.json").write_text(json.dumps(spec_json), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    found = kernelspec.KernelSpecManager().get_kernel_spec(KERNEL)
    assert _runs_this_python(found.argv), found.argv


def _output_text(output: dict) -> str:
    """All the text of one cell output: streams, plain-text and HTML results."""
    if output.get("output_type") == "stream":
        return str(output.get("text", ""))
    data = output.get("data", {})
    return "\n".join(str(data.get(mime, "")) for mime in ("text/plain", "text/html"))


@pytest.mark.slow
def test_notebook_runs_and_writes_the_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _use_this_python(monkeypatch, tmp_path)
    out = tmp_path / "maps" / "family-32.html"
    monkeypatch.setenv("RELOCATE_NOTEBOOK_OUT", str(out))
    monkeypatch.setenv("RELOCATE_CACHE_DIR", str(tmp_path / "cache"))

    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name=KERNEL, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()  # raises CellExecutionError on the first failing cell

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert all(c.execution_count for c in code_cells), "some cell did not run"

    assert out.is_file(), "the notebook did not write the map to RELOCATE_NOTEBOOK_OUT"
    assert "Famille avec enfants scolarisés" in out.read_text(encoding="utf-8")  # French map

    # Lectoure's breakdown: its name, then a row per criterion with the points.
    explained = [
        "\n".join(_output_text(o) for o in c.outputs)
        for c in code_cells
        if f'explain("{LECTOURE}")' in c.source
    ]
    assert explained, "no cell explains Lectoure"
    text = explained[0]
    assert "Lectoure" in text
    for needle in ("drive_min_town", "Drive to the préfecture", "points", "scored"):
        assert needle in text, needle

    # The last cell displays the map inline.
    last = code_cells[-1].outputs
    assert any("text/html" in o.get("data", {}) for o in last), "the map is not displayed"


TRIP_NOTEBOOK = NOTEBOOKS / "scouting_trip.ipynb"


@pytest.mark.slow
def test_trip_notebook_plans_and_writes_the_brief(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_this_python(monkeypatch, tmp_path)
    out = tmp_path / "trip"
    monkeypatch.setenv("RELOCATE_TRIP_OUT", str(out))
    monkeypatch.setenv("RELOCATE_CACHE_DIR", str(tmp_path / "cache"))
    nb = nbformat.read(TRIP_NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name=KERNEL, resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    client.execute()
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert not [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert sorted(p.name for p in out.iterdir()) == ["brief.html", "schedule.csv", "schedule.ics"]
    brief = (out / "brief.html").read_text(encoding="utf-8")
    assert "Family with school-age children" in brief
    last = code_cells[-1].outputs
    assert any("text/html" in o.get("data", {}) for o in last), "the brief is not displayed"
