"""Nothing stale in the README: its quick start shows what `make run` prints with the current code
(apart from test_readme, whose examples run on a tiny world)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ROOT, invoke

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start_printout() -> list[str]:
    """The lines of the printout the README's quick start shows (its first code block after `make run`)."""
    start = README.index("`make run` writes its results")
    block = re.search(r"```\n(.*?)```", README[start:], re.S)
    assert block is not None, "the README's quick start has no printout"
    return block.group(1).splitlines()


@pytest.mark.slow  # `make run` itself: the baseline at full scale for 15 years
def test_the_quick_start_printout_is_what_make_run_prints_now(tmp_path: Path, capsys):
    """Every line of the README's printout, but the elided ones (...) and the dated folder, is a line
    of a fresh `lde-sim run scenarios/baseline.toml` (what `make run` runs), in the same order."""
    assert invoke(["run", str(ROOT / "scenarios" / "baseline.toml"), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out.splitlines()
    shown = [line for line in quick_start_printout() if line.strip() not in ("", "...") and "runs/" not in line]
    assert len(shown) >= 10
    position = 0
    for line in shown:
        assert line in printed[position:], (
            f"README quick start line {line!r} is not what `make run` prints now; paste the fresh printout:\n"
            + "\n".join(printed)
        )
        position = printed.index(line, position) + 1
