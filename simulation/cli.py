"""The command line: ``lde-sim run SCENARIO.toml [options]`` (also ``python -m simulation``).

Exit codes: 0 success, 2 bad input (scenario file, option, output folder), 130
interrupted, 1 an unexpected failure (a bug: please report it with run.json).
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from tqdm import tqdm

from . import __version__
from .indicators import INDICATORS
from .output import OutputError, RunWriter, new_run_folder
from .runner import run
from .scenario import Scenario, ScenarioError, parse_override

EXIT_BAD_INPUT, EXIT_INTERRUPTED = 2, 130


class ArgumentParser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line message (its default, made explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def seed_value(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2**63 - 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(prog="lde-sim", description="Simulate transitions out of Flanders' local services economy.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    runp = commands.add_parser("run", help="run a scenario file and write its tables")
    runp.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    runp.add_argument("--seed", type=seed_value, default=1, help="base seed (default 1)")
    runp.add_argument("--replications", type=positive_int, default=1, help="independent replications (default 1)")
    runp.add_argument("--months", type=positive_int, help="months to simulate (default: the scenario's)")
    runp.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario field, e.g. --set policy.aftercare_months=12 (repeatable)",
    )
    runp.add_argument("--events", action="store_true", help="also write events.csv with every status change")
    runp.add_argument("--out", help="output folder (default: a new folder under runs/); never overwritten")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        overrides = dict(parse_override(text) for text in args.overrides)
        scenario = Scenario.load(args.scenario, overrides)
        if args.months is not None:
            scenario = scenario.with_overrides({"months": args.months})
        folder = new_run_folder(args.out, scenario.name, args.seed)
    except (ScenarioError, OutputError) as err:
        print(f"lde-sim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return run_and_write(scenario, args, folder)


def run_and_write(scenario: Scenario, args: argparse.Namespace, folder) -> int:
    writer = RunWriter(
        folder,
        scenario,
        {
            "scenario_file": args.scenario,
            "scenario_name": scenario.name,
            "seed": args.seed,
            "replications": args.replications,
            "months": scenario.months,
            "overrides": args.overrides,
        },
    )
    total = scenario.months * args.replications
    with tqdm(total=total, unit="month", desc=scenario.name, disable=None, leave=False) as bar:
        try:
            result = run(
                scenario,
                seed=args.seed,
                replications=args.replications,
                events=args.events,
                on_replication=writer.add,
                on_month=lambda: bar.update(),
            )
        except KeyboardInterrupt:
            writer.finish("interrupted")
            print(f"lde-sim: interrupted; finished replications are in {folder}", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BaseException as err:
            writer.finish("failed", f"{type(err).__name__}: {err}")
            raise
    writer.finish("complete")
    print(f"{scenario.name}: {args.replications} replication(s) of {scenario.months} months, seed {args.seed}")
    print(indicator_table(result.summary).to_string(float_format=readable))
    print(f"\nResults in {folder}")
    return 0


def readable(value: float) -> str:
    """Shares and rates with four significant digits, euros and counts with separators."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def indicator_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Mean of each indicator over replications, with a 95% t-interval when there are several."""
    rows = []
    for name, meaning in INDICATORS.items():
        values = summary[name].astype(float).dropna().to_numpy()
        mean = values.mean() if values.size else math.nan
        half = stats.t.ppf(0.975, values.size - 1) * values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else math.nan
        rows.append({"indicator": name, "mean": mean, "ci95_low": mean - half, "ci95_high": mean + half, "meaning": meaning})
    table = pd.DataFrame(rows).set_index("indicator")
    if summary.shape[0] < 2:
        table = table.drop(columns=["ci95_low", "ci95_high"])
    return table


if __name__ == "__main__":
    sys.exit(main())
