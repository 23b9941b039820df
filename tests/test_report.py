"""Reports: self-contained HTML (or Markdown) with the indicators, the figures and provenance."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulation import Scenario
from simulation.cli import main
from simulation.experiment import compare
from simulation.report import ReportError, write_report

from .conftest import SCENARIOS


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("run") / "r"
    args = ["run", str(SCENARIOS / "small.toml"), "--months", "36", "--replications", "2", "--events", "--out", str(folder)]
    assert main(args) == 0
    return folder


def test_run_report_is_self_contained_with_table_figures_and_provenance(run_folder: Path):
    text = write_report(run_folder).read_text()
    assert "<table" in text and "transition_rate_annual" in text
    assert text.count("src='data:image/png;base64,") == 4  # stocks, viability, survival, pathways
    assert not re.search(r"(src|href)=['\"]https?://", text)  # opens without network
    assert "world.pool_size" in text and "5000 instead of 100000" in text  # what differs, in plain words
    assert "replication_seeds" in text and "versions" in text


def test_markdown_report_links_figures_that_exist(run_folder: Path):
    text = write_report(run_folder, "md").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(links) == 4 and all((run_folder / link).is_file() for link in links)
    assert "| transition_rate_annual |" in text


def test_comparison_report_explains_the_differences(small: Scenario, tmp_path: Path):
    quick = small.with_overrides({"months": 24})
    more = quick.with_overrides({"name": "more_aftercare", "policy.aftercare_months": 12})
    folder = Path(compare([quick, more], replications=2, jobs=1, out=tmp_path / "c").attrs["folder"])
    text = write_report(folder).read_text()
    assert "Months of aftercare after a move from LDE to a regular job (policy.aftercare_months): 12 instead of 3" in text
    assert text.count("data:image/png;base64,") == 2 and "more_aftercare" in text


def test_a_folder_without_results_is_a_clear_error(tmp_path: Path, capsys):
    with pytest.raises(ReportError, match="no run"):
        write_report(tmp_path)
    assert main(["report", str(tmp_path)]) == 2
    assert "no run" in capsys.readouterr().err
