"""The result tables of docs/calibration.md, made from the files ``make calibration`` writes.

A calibration's results live in ``calibration/*.csv``; the page that explains them quotes them in
tables. Typed by hand, those tables drift from the files each time the calibration runs again (and
every change of the model's draws runs it again). So each table sits in the page between two markers,

    <!-- generated from calibration/fit.csv by `make docs` -->
    | ... |
    <!-- end of generated table -->

and :func:`refresh` writes it again from the files: ``make docs`` runs it, and a test fails when the
page and the files disagree. The prose around the tables, and the policy options' tables (their rows
chosen and labelled by reading), are still written by hand.

    python -m simulation.outputs.calibration_page docs/calibration.md calibration
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

#: A table's markers in the page; the file named in the first is the table's source.
START = "<!-- generated from calibration/{name}.csv by `make docs` -->"
END = "<!-- end of generated table -->"
BLOCK = re.compile(re.escape(START).replace(r"\{name\}", r"(?P<name>\w+)") + r"\n.*?" + re.escape(END), re.S)


class PageError(ValueError):
    """The page's markers or the calibration's files do not fit together."""


def figure(value: float, small: int = 3) -> str:
    """An observed or simulated figure for reading: millions as ``10.00 M``, from 100 whole numbers with
    separators, from 1 two decimals, below 1 ``small`` decimals; a missing one as "-"."""
    if value != value:
        return "-"
    if abs(value) >= 1e6:
        return f"{value / 1e6:.2f} M"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}" if abs(value) >= 1 else f"{value:.{small}f}"


def share(value: float) -> str:
    """A share as a whole percentage."""
    return f"{value:.0%}"


def markdown(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table; a bar inside a cell (a source's words, say) is escaped, not a new column."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows])


def discrimination(folder: Path) -> str:
    """Can each target fail: every measure's first-wave range against its observed figure."""
    table = pd.read_csv(folder / "discrimination.csv")
    rows = [
        [
            r.measure,
            r.role,
            f"{figure(r.observed)} ± {figure(r.uncertainty)}",
            f"{figure(r.first_wave_min)} - {figure(r.first_wave_max)}",
            share(r.share_met),
        ]
        for r in table.itertuples()
    ]
    header = ["measure", "role", "observed", "first wave: range", "share of first-wave runs within 3 sd"]
    return markdown(header, rows)


def fit(folder: Path) -> str:
    """Each target: observed, the most likely set, the plausible sets and the closest run."""
    table = pd.read_csv(folder / "fit.csv")
    rows = [
        [
            r.target,
            f"{figure(r.observed)} ± {figure(r.uncertainty)}",
            figure(r.simulated),
            f"{figure(r.plausible_mean)}; {figure(r.plausible_low)} - {figure(r.plausible_high)}",
            f"{r.closest_sd:.2f}",
        ]
        for r in table.itertuples()
    ]
    header = ["target", "observed", "most likely set", "plausible sets (weighted mean; range)", "closest any run (sd)"]
    return markdown(header, rows)


def parameters(folder: Path) -> str:
    """Each free parameter, the best pinned first: prior, plausible mean and 5-95%, sd ratio."""
    table = pd.read_csv(folder / "parameters.csv").sort_values("sd_ratio", kind="stable")
    rows = [
        [
            f"`{r.parameter}`",
            f"{figure(r.low)} - {figure(r.high)}",
            f"{figure(r.mean, 4)} ({figure(r.q05, 4)} - {figure(r.q95, 4)})",
            f"{r.sd_ratio:.2f}",
            "yes" if r.identified else "no",
            r.moved_most_by,
        ]
        for r in table.itertuples()
    ]
    header = ["parameter", "prior", "plausible mean (5-95%)", "sd ratio", "identified", "moved most by"]
    return markdown(header, rows)


def missing_observations(folder: Path) -> str:
    """Each free parameter: the observable that would tell its plausible values apart, and how much."""
    table = pd.read_csv(folder / "missing_observations.csv")
    sd_ratio = pd.read_csv(folder / "parameters.csv").set_index("parameter")["sd_ratio"]
    rows = [
        [f"`{r.parameter}`", f"{sd_ratio[r.parameter]:.2f}", r.best_observable, share(r.share_it_explains)]
        for r in table.itertuples()
    ]
    header = [
        "parameter",
        "sd ratio",
        "the observation that would tell its values apart",
        "share of that observation's plausible spread it explains alone",
    ]
    return markdown(header, rows)


def headline(folder: Path) -> str:
    """The headline answers over the plausible sets, each row in the decimals its mean needs."""
    table = pd.read_csv(folder / "headline.csv")
    rows = []
    for r in table.itertuples():
        shown = row_format(abs(r.mean))
        rows.append([r.answer, shown(r.mean), shown(r.param_sd), shown(r.stoch_sd), f"{shown(r.q05)} - {shown(r.q95)}"])
    header = ["answer (window)", "mean", "param_sd", "stoch_sd", "5-95% over the plausible sets"]
    return markdown(header, rows)


def row_format(size: float) -> Callable[[float], str]:
    """Every figure of a row as a figure of ``size`` is shown (a 5% point of 0 reads 0.00 beside a mean of 16.11)."""
    if size >= 100:
        return lambda value: f"{value:,.0f}"
    decimals = 2 if size >= 1 else 3
    return lambda value: f"{value:.{decimals}f}"


def value_of_information(folder: Path) -> str:
    """What to measure next for each headline answer."""
    table = pd.read_csv(folder / "value_of_information.csv")
    rows = [[r.answer, r.spread_comes_from, r.measure_next, r.would_remove, r.how] for r in table.itertuples()]
    header = ["answer", "its spread comes from (share explained alone)", "measure next", "would remove", "how"]
    return markdown(header, rows)


#: The page's generated tables, by the calibration file each is made from.
TABLES: dict[str, Callable[[Path], str]] = {
    "discrimination": discrimination,
    "fit": fit,
    "parameters": parameters,
    "missing_observations": missing_observations,
    "headline": headline,
    "value_of_information": value_of_information,
}


def refresh(page: str, folder: Path) -> str:
    """``page`` with each generated table made again from the calibration files in ``folder``."""
    found = [m["name"] for m in BLOCK.finditer(page)]
    unknown = sorted(set(found) - set(TABLES))
    if unknown:
        raise PageError(f"the page marks a table from {unknown}, which no generator makes; known: {sorted(TABLES)}")
    missing = sorted(set(TABLES) - set(found))
    if missing:
        raise PageError(f"the page has no marked place for the table from {missing} (markers: {START!r} ... {END!r})")
    return BLOCK.sub(lambda m: f"{START.format(name=m['name'])}\n{TABLES[m['name']](folder)}\n{END}", page)


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit("usage: python -m simulation.outputs.calibration_page PAGE CALIBRATION_FOLDER")
    page, folder = Path(argv[0]), Path(argv[1])
    page.write_text(refresh(page.read_text(encoding="utf-8"), folder), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
