"""The student notebooks run top to bottom, and are stored without outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

pytestmark = pytest.mark.slow  # each notebook starts a kernel

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_four_notebooks_ship():
    assert [p.stem for p in NOTEBOOKS] == [
        "01_getting_started",
        "02_comparing_policies",
        "03_sensitivity",
        "04_finding_a_robust_policy",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path):
    notebook = nbformat.read(path, as_version=4)
    assert all(
        not cell.get("outputs") and cell.get("execution_count") is None for cell in notebook.cells if cell.cell_type == "code"
    )
    stored = json.loads(path.read_text(encoding="utf-8"))["cells"]  # as stored: nbformat adds missing ids when reading
    assert all("id" in cell for cell in stored), "a cell without an id (nbformat will refuse it): give it one"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path):
    notebook = nbformat.read(path, as_version=4)
    workdir = tmp_path / "notebooks"
    workdir.mkdir()
    for folder in ("scenarios", "searches", "calibration"):  # notebooks read ../scenarios (...), and write runs/ here
        (tmp_path / folder).symlink_to(ROOT / folder)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}).execute()
    images = sum("image/png" in out.get("data", {}) for cell in notebook.cells for out in cell.get("outputs", []))
    assert images >= 2
