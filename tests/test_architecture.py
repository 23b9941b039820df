"""The package's shape: a small public API listed in one place, and modules that use each
other only through public names (read from the source with ``ast``)."""

from __future__ import annotations

import ast
from pathlib import Path

import simulation

from .conftest import ROOT

PACKAGE = ROOT / "simulation"
#: The public API (``import simulation as lde``): changing it is a decision, not a side effect (``search``
#: was added by issue 25, the robust policy search).
PUBLIC = [
    "INDICATORS",
    "LabourMarketModel",
    "Reason",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "Status",
    "__version__",
    "compare",
    "evaluate",
    "plots",
    "parameters",
    "read_experiment",
    "run",
    "run_one",
    "search",
    "sensitivity",
    "sweep",
]


def imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from X import name`` in ``path`` that imports from this package."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").split(".")[0] == "simulation"):
            found += [(("." * node.level) + (node.module or ""), alias.name) for alias in node.names]
    return found


def test_the_public_api_is_unchanged():
    assert simulation.__all__ == PUBLIC
    assert all(hasattr(simulation, name) for name in PUBLIC)


def test_no_module_imports_a_private_name_of_another():
    private = [
        f"{path.relative_to(ROOT)}: from {module} import {name}"
        for path in [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
        for module, name in imports(path)
        if name.startswith("_") and not name.startswith("__")
    ]
    assert not private, "private names imported across modules:\n" + "\n".join(private)
