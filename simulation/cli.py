"""The command line: ``lde-sim run|compare|sweep|sensitivity ...`` (also ``python -m simulation``).

Exit codes: 0 success, 2 bad input (scenario file, option, output folder), 130
interrupted, 1 an unexpected failure (a bug: please report it with run.json).
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from . import __version__
from .calibration import calibrate
from .design import DesignError
from .executors import ExecutorError
from .experiment import compare, sweep
from .indicators import INDICATORS
from .output import OutputError, RunWriter, new_run_folder
from .processes import die_with_parent
from .report import ReportError, write_report
from .runner import run
from .scenario import Scenario, ScenarioError, parse_override
from .sensitivity import sensitivity
from .statistics import interval
from .store import StoreError

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
    add_common(runp, replications=1)
    runp.add_argument("--events", action="store_true", help="also write events.csv with every status change")
    runp.add_argument("--out", help="output folder (default: a new folder under runs/); never overwritten")

    comparep = commands.add_parser("compare", help="run scenarios side by side with the same seeds")
    comparep.add_argument("scenarios", nargs="+", help="scenario files; differences are taken from the first")
    add_common(comparep, replications=10)
    add_experiment(comparep)

    sweepp = commands.add_parser("sweep", help="run a grid or Latin hypercube over parameters")
    sweepp.add_argument("scenario", help="the base scenario file")
    add_common(sweepp, replications=3)
    add_vary(sweepp)
    sweepp.add_argument("--sample", choices=["grid", "lhs"], default="grid", help="grid (default) or lhs")
    sweepp.add_argument("--samples", type=positive_int, help="points of the Latin hypercube")
    add_experiment(sweepp)

    sensp = commands.add_parser("sensitivity", help="Morris or Sobol sensitivity indices (SALib)")
    sensp.add_argument("scenario", help="the base scenario file")
    add_common(sensp, replications=2)
    add_vary(sensp)
    sensp.add_argument("--method", choices=["morris", "sobol"], default="morris")
    sensp.add_argument(
        "--samples", type=positive_int, default=10, help="Morris trajectories, or Sobol base samples (a power of two); default 10"
    )
    add_experiment(sensp)

    calp = commands.add_parser("calibrate", help="fit free parameters to observed figures (a targets file)")
    calp.add_argument("targets", help="targets file, e.g. calibration/targets.toml")
    add_experiment(calp)

    reportp = commands.add_parser("report", help="write report.html (or report.md) for a run or experiment folder")
    reportp.add_argument("folder", help="a folder written by run, compare, sweep or sensitivity")
    reportp.add_argument("--format", choices=["html", "md"], default="html")

    dashp = commands.add_parser("dashboard", help="serve the live dashboard (Solara) on this machine")
    dashp.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    dashp.add_argument("--port", type=positive_int, default=8765, help="port (default 8765)")
    return parser


def add_common(parser: argparse.ArgumentParser, replications: int) -> None:
    parser.add_argument("--seed", type=seed_value, default=1, help="base seed (default 1)")
    parser.add_argument(
        "--replications",
        type=positive_int,
        default=replications,
        help=f"independent replications per scenario (default {replications})",
    )
    parser.add_argument("--months", type=positive_int, help="months to simulate (default: the scenario's)")
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario field, e.g. --set policy.aftercare_months=12 (repeatable)",
    )


def add_vary(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vary",
        action="append",
        required=True,
        metavar="KEY=SPEC",
        help="key=low:high:step or key=a,b,c (grid), key=low:high (lhs, sensitivity); repeatable",
    )


def add_experiment(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=positive_int, help="worker processes (default: all cores; 1 = in this process)")
    parser.add_argument("--scheduler", help="Dask scheduler tcp://HOST:PORT, or 'local' to start one here")
    parser.add_argument("--out", help="output folder (default: a new folder under runs/); the same --out resumes")


def load(path: str, args: argparse.Namespace) -> Scenario:
    """A scenario file with the command's --set and --months applied."""
    scenario = Scenario.load(path, dict(parse_override(text) for text in args.overrides))
    return scenario if args.months is None else scenario.with_overrides({"months": args.months})


def terminate_as_interrupt(signum: int, frame: object) -> None:
    """SIGTERM (a scheduler, ``kill``, a closing terminal) ends a command the way Ctrl-C does."""
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate_as_interrupt)
    try:
        if args.command == "run":
            scenario = load(args.scenario, args)
            return run_and_write(scenario, args, new_run_folder(args.out, scenario.name, args.seed))
        if args.command == "calibrate":
            table = calibrate(args.targets, args.jobs, args.scheduler, args.out, progress=True)
            print(table.attrs["fit"].drop(columns=["source"]).to_string(index=False, float_format=readable))
            print()
            print(table.to_string(index=False, float_format=readable))
            print(f"\nResults in {table.attrs['folder']} (fit.csv, parameters.csv, calibration.png, calibrated.toml)")
            return 0
        if args.command == "dashboard":
            return serve_dashboard(args.host, args.port)
        if args.command == "report":
            print(f"Report written to {write_report(args.folder, args.format)}")
            return 0
        return run_experiment_command(args)
    except (ScenarioError, OutputError, DesignError, StoreError, ExecutorError, ReportError) as err:
        print(f"lde-sim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("lde-sim: interrupted; finished runs are kept, the same command with the same --out resumes", file=sys.stderr)
        return EXIT_INTERRUPTED


def serve_dashboard(host: str, port: int) -> int:
    """Run ``solara run simulation.dashboard`` until interrupted."""
    try:
        import solara  # noqa: F401
    except ImportError:
        print("lde-sim: error: the dashboard needs: pip install 'lde-doorstroom[dashboard]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Dashboard on http://{host}:{port}/ (Ctrl-C stops it)")
    command = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "simulation.dashboard",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
    ]
    try:
        return subprocess.call(command, preexec_fn=functools.partial(die_with_parent, os.getpid()))
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: subprocess.call has killed the server
        return 0


def run_experiment_command(args: argparse.Namespace) -> int:
    common = {
        "replications": args.replications,
        "seed": args.seed,
        "jobs": args.jobs,
        "scheduler": args.scheduler,
        "out": args.out,
        "progress": True,
    }
    if args.command == "compare":
        table = compare([load(path, args) for path in args.scenarios], **common)
        shown = table.assign(diff=[f"{d:.4g}{' *' if s else ''}" for d, s in zip(table["diff"], table["significant"])])
        print(shown.drop(columns=["significant"]).to_string(index=False, float_format=readable))
        print("\n* the 95% interval of the paired difference from the first scenario excludes 0")
    elif args.command == "sweep":
        table = sweep(load(args.scenario, args), args.vary, args.sample, args.samples, **common)
        print(table.to_string(index=False, float_format=readable))
    else:
        table = sensitivity(load(args.scenario, args), args.vary, args.method, args.samples, **common)
        print(table.to_string(index=False, float_format=readable))
    print(f"\nResults in {table.attrs['folder']}")
    return 0


def run_and_write(scenario: Scenario, args: argparse.Namespace, folder: Path) -> int:
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
        mean, low, high = interval(summary[name].to_numpy(dtype=float))
        rows.append({"indicator": name, "mean": mean, "ci95_low": low, "ci95_high": high, "meaning": meaning})
    table = pd.DataFrame(rows).set_index("indicator")
    if summary.shape[0] < 2:
        table = table.drop(columns=["ci95_low", "ci95_high"])
    return table


if __name__ == "__main__":
    sys.exit(main())
