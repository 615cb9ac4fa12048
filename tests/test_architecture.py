"""The package's shape: layers that only point down, no cycles, no hidden imports, fast start."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "relocate"

#: The pipeline's layers, bottom first: a module may import relocate modules of its own
#: layer or below, never above. ``features`` holds pure functions and knows nothing of
#: sources, the catalogue, scoring or outputs.
LAYERS: dict[str, int] = {
    "errors": 0,
    "declare": 0,
    "_files": 0,
    "_names": 0,
    "_frames": 0,
    "i18n": 0,
    "features": 1,
    "settings": 1,
    "sources": 2,
    "programme": 2,
    "programme.learn": 5,
    "catalogue": 3,
    "_validate": 4,
    "territory": 4,
    "scoring": 5,
    "outputs": 6,
    "trip": 7,
    "cli": 8,
    "__init__": 9,
    "__main__": 9,
}
#: What a comment must say for an import inside a function to be allowed: that it is
#: there on purpose, for start-up speed.
_LAZY = re.compile(r"#.*\b(lazy|imported here|imported inside)\b", re.IGNORECASE)


def _modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts): path
        for path in PACKAGE.rglob("*.py")
    }


#: Modules that sit on another layer than their package: the programme's private sources
#: are read like the open ones, but learning a profile from its members scores villages.
_PARTS = {"relocate.programme.learn": "programme.learn"}
#: Packages that count as one for import cycles: the registry lists the programme's
#: sources, which are built on the open sources' machinery.
_SAME_PACKAGE = {"programme": "sources"}


def _part(module: str) -> str:
    """The layer a module belongs to: its package, or itself at the top."""
    if module in _PARTS:
        return _PARTS[module]
    parts = module.split(".")
    if len(parts) > 1 and parts[1] in ("__init__", "__main__"):
        return parts[1]
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[str, bool, int]]:
    """Every relocate module a file imports: (module, at module level, line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, top: bool, typing_only: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                visit(child, top, True)
                continue
            inner = top and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            )
            if isinstance(child, ast.ImportFrom) and child.module and not typing_only:
                if child.module.startswith("relocate"):
                    found.append((child.module, top, child.lineno))
            elif isinstance(child, ast.Import) and not typing_only:
                found.extend(
                    (alias.name, top, child.lineno)
                    for alias in child.names
                    if alias.name.startswith("relocate")
                )
            visit(child, inner if not isinstance(child, ast.ClassDef) else top, typing_only)

    visit(tree, True, False)
    return found


def test_every_module_has_a_layer() -> None:
    for module in _modules():
        assert _part(module) in LAYERS, f"{module}: add its package to LAYERS"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_layers_only_point_down(module: str) -> None:
    path = _modules()[module]
    mine = LAYERS[_part(module)]
    for imported, _, line in _imports(path):
        theirs = LAYERS[_part(imported)]
        assert theirs <= mine, f"{module}:{line} imports {imported}, a layer above it"


def test_features_import_nothing_above_them() -> None:
    for module, path in _modules().items():
        if _part(module) != "features":
            continue
        for imported, _, line in _imports(path):
            assert _part(imported) in {"features", "errors", "declare", "_names"}, (
                f"{module}:{line} imports {imported}"
            )
            assert _part(imported) != "declare", f"{module}:{line}: features declare nothing"


def test_no_import_cycles_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)

    def package(module: str) -> str:
        return _SAME_PACKAGE.get(_part(module), _part(module))

    for module, path in _modules().items():
        for imported, _, _ in _imports(path):
            if package(imported) != package(module):
                graph[package(module)].add(package(imported))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = [part for part in list(graph) if reaches(part, part, {part})]
    assert cycles == [], f"packages in an import cycle: {cycles}"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_imports_inside_functions_say_why(module: str) -> None:
    """An import tucked inside a function is there for start-up speed, and says so."""
    path = _modules()[module]
    text = path.read_text(encoding="utf-8")
    inner = [(name, line) for name, top, line in _imports(path) if not top]
    if inner:
        assert _LAZY.search(text), (
            f"{module} imports {inner[0][0]} inside a function (line {inner[0][1]}) "
            "without a comment saying it is a lazy import for start-up speed"
        )


def _imported_by(code: str) -> set[str]:
    script = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return set(out.split())


HEAVY = {"osmnx", "networkx", "sklearn", "ortools", "folium", "osmium", "pandas", "geopandas"}


def test_import_relocate_and_the_command_line_load_no_heavy_library() -> None:
    loaded = _imported_by("import relocate, relocate.cli")
    assert not HEAVY & loaded, sorted(HEAVY & loaded)


def test_scoring_a_village_loads_no_routing_solver_or_map_library() -> None:
    loaded = _imported_by(
        "import relocate.territory, relocate.scoring, relocate.outputs.report, relocate.catalogue"
    )
    unwanted = {"osmnx", "networkx", "sklearn", "ortools", "folium", "osmium"}
    assert not unwanted & loaded, sorted(unwanted & loaded)
