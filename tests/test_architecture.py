"""The package's shape: a small public API listed in one place, layers that import only the
layers below them (docs/architecture.md), and modules that use each other only through public
names (read from the source with ``ast``)."""

from __future__ import annotations

import ast
import subprocess
import sys
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

#: The layers, lowest first (docs/architecture.md); the submodels are the world's monthly processes,
#: calibration and the policy search the two studies that run experiments and draw their figures.
LAYERS = [
    {"errors", "installation", "early_signals"},
    {"rules"},
    {"world", "submodels"},
    {"experiments"},
    {"outputs"},
    {"calibration", "policy_search"},
    {"cli", "__init__", "__main__", "mesa_conventions"},
]


def layer(module: str) -> int:
    """The layer of ``simulation.<part>...`` (above every layer for a module no layer names)."""
    part = module.split(".")[1] if "." in module else "__init__"
    return next((i for i, parts in enumerate(LAYERS) if part in parts), len(LAYERS))


def absolute(path: Path, module: str) -> str:
    """The absolute name of ``module`` (relative, with leading dots) imported in ``path``."""
    if not module.startswith("."):
        return module
    here = list(path.relative_to(ROOT).with_suffix("").parts)
    level = len(module) - len(module.lstrip("."))
    base = here[: len(here) - level]
    return ".".join(base + ([module.lstrip(".")] if module.lstrip(".") else []))


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


def test_every_layer_imports_only_the_layers_below_it():
    upward = []
    for path in PACKAGE.rglob("*.py"):
        own = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for module, name in imports(path):
            target = absolute(path, module)
            target = f"{target}.{name}" if target == "simulation" else target
            if layer(target) > layer(own):
                upward.append(f"{own} imports {target}")
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_every_module_is_in_a_layer():
    placed = set().union(*LAYERS)
    unplaced = [p.name for p in PACKAGE.iterdir() if (p.suffix == ".py" or (p / "__init__.py").exists()) and p.stem not in placed]
    assert not unplaced, f"{unplaced}: put each in a layer's subpackage (docs/architecture.md says which)"


def test_the_code_keeps_its_style():
    """``ruff check`` and ``ruff format --check`` pass on the repository ([tool.ruff] in pyproject.toml),
    so a change cannot leave code unformatted or with an unused import, unnoticed."""
    for command in (["check"], ["format", "--check"]):
        done = subprocess.run([sys.executable, "-m", "ruff", *command, str(ROOT)], capture_output=True, text=True)
        assert done.returncode == 0, f"ruff {' '.join(command)}:\n{done.stdout}{done.stderr}"
