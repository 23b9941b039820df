"""The project stands alone: every fact the code and docs cite is in docs/sources.md."""

from __future__ import annotations

import re

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
