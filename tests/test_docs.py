"""The project stands alone: every fact the code and docs cite is in docs/sources.md."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT

CITING = ["simulation", "scenarios", "calibration", "docs", "README.md"]
#: "S 1.17", "E 7.1-7.4", "U 3.1", "source 1.21", "sources 1.19, 1.24" and the like.
CITATION = re.compile(r"\b(?:[SEU]|sources?) (\d+\.\d+(?:\s*(?:-|,|and)\s*\d+\.\d+)*)")


def cited_items() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for root in CITING:
        path = ROOT / root
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".py", ".toml", ".md")]
        for file in files:
            if file.name == "sources.md":
                continue
            for match in CITATION.finditer(file.read_text(encoding="utf-8")):
                for item in re.findall(r"\d+\.\d+", match.group(1)):
                    found.setdefault(item, set()).add(str(file.relative_to(ROOT)))
    return found


def test_every_cited_fact_is_in_the_sources_file():
    listed = set(re.findall(r"^\| (\d+\.\d+) \|", (ROOT / "docs" / "sources.md").read_text(), flags=re.M))
    cited = cited_items()
    assert len(cited) > 20  # the pattern finds the citations
    missing = {item: sorted(files) for item, files in cited.items() if item not in listed}
    assert not missing, f"cited but not in docs/sources.md: {missing}"


def test_nothing_points_outside_the_repository():
    for root in CITING:
        path = ROOT / root
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".py", ".toml", ".md")]
        for file in files:
            assert "FACTS" not in file.read_text(encoding="utf-8"), f"{file} cites FACTS.md, which is not in the repository"


def test_the_calibration_page_lists_every_target_and_free_parameter():
    import tomllib

    spec = tomllib.loads((ROOT / "calibration" / "targets.toml").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    missing = [t["name"] for t in spec["target"] if t["name"] not in page]
    missing += [p["key"] for p in spec["parameter"] if f"`{p['key']}`" not in page]
    assert not missing, f"docs/calibration.md does not list: {missing}"


def test_the_allowed_ranges_in_the_parameter_reference_are_what_a_scenario_accepts():
    """docs/parameters.md's "allowed" column, read as a user reads it: each bound of a range
    ("0 to 1", "whole number 1 to 1,200") is accepted and a value beyond it refused."""
    from simulation import Scenario
    from simulation.rules.scenario import ScenarioError

    base = Scenario.load(ROOT / "scenarios" / "small.toml")
    section, checked = "", 0
    for line in (ROOT / "docs" / "parameters.md").read_text().splitlines():
        if line.startswith("## "):
            section = line[3:].strip("[]").replace("NAME", "care") + "." if line.startswith("## [") else ""
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        found = re.fullmatch(r"(whole number )?([-\d.,]+) to ([-\d.,]+)( or '.*')?", cells[3]) if len(cells) == 7 else None
        if not found or not section or section == "price.":
            continue
        key = section + cells[0].strip("`")
        kind = int if found.group(1) else float
        low, high = (kind(found.group(g).replace(",", "")) for g in (2, 3))
        step = 1 if kind is int else max((high - low) * 1e-6, 1e-12)
        for inside in (low, high):
            if "add up to 1" not in cells[6]:  # a share among others: alone, only its range is checked
                base.with_overrides({key: inside})  # raises if a documented bound is refused
        for outside in (low - step, high + step):
            with pytest.raises(ScenarioError, match=re.escape(key)):
                base.with_overrides({key: outside})
        checked += 1
    assert checked > 100, f"only {checked} ranges read from docs/parameters.md"
