"""The command line: ``lde-sim run|compare|evaluate|sweep|sensitivity|search ...`` (also ``python -m simulation``).

Exit codes: 0 success, 2 bad input (scenario file, option, output folder), 130
interrupted, 1 an unexpected failure (a bug: please report it with run.json).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import math
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from .calibration.history_matching import BESIDE, calibrate
from .errors import LDEError
from .experiments.discovery import discover
from .experiments.evaluation import HEADLINE_HORIZONS
from .experiments.experiment import compare, evaluate, paired, sweep
from .experiments.output import LOCK, OutputError, RunWriter, new_run_folder
from .experiments.processes import die_with_parent
from .experiments.runner import run
from .experiments.sensitivity import sensitivity
from .experiments.store import FILE as STORE
from .experiments.store import export, read_experiment
from .installation import ShowVersion
from .outputs.console import HEADLINE, console_table, indicator_summary, readable_number, window_line
from .policy_search.search import search
from .rules.scenario import MAX_MONTHS, Scenario, ScenarioError
from .rules.scenario_files import overridden_by_branch, parse_override
from .rules.timeline import explain
from .world.indicators import INDICATOR_INFO, INDICATORS
from .world.resources import check_counts, check_memory

EXIT_FAILURE, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 1, 2, 130


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


def month_count(text: str) -> int:
    value = positive_int(text)
    if value > MAX_MONTHS:
        raise argparse.ArgumentTypeError(f"at most {MAX_MONTHS} months (100 years), got {value}")
    return value


def window_text(text: str) -> str:
    if re.fullmatch(r"all|\d{4}-(0[1-9]|1[0-2]):\d{4}-(0[1-9]|1[0-2])", text) is None:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM:YYYY-MM (e.g. 2026-07:2036-12) or all, got {text!r}")
    return text


def port_number(text: str) -> int:
    value = positive_int(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"a port is at most 65535, got {value}")
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
    parser.add_argument("--version", action=ShowVersion)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)

    runp = commands.add_parser("run", help="run a scenario file and write its tables")
    runp.add_argument("scenario", help="scenario TOML file, e.g. scenarios/baseline.toml")
    add_common(runp, replications=1)
    runp.add_argument("--events", action="store_true", help="also write events.csv with every status change")
    runp.add_argument("--out", help="output folder (default: a new folder under runs/); never overwritten")
    runp.add_argument(
        "--explain",
        action="store_true",
        help="list the rules in force at each dated change (a branch's kept levers too) and stop",
    )

    comparep = commands.add_parser("compare", help="run scenarios side by side with the same seeds")
    comparep.add_argument("scenarios", nargs="+", help="scenario files; differences are taken from the first")
    add_common(comparep, replications=10)
    add_all_indicators(comparep, "comparison.csv")
    add_ensemble(comparep, "run every scenario with each")
    add_experiment(comparep)

    evalp = commands.add_parser("evaluate", help="effects on the people placed in LDE, against a twin world without it")
    evalp.add_argument("scenario", help="the scenario file to evaluate")
    evalp.add_argument(
        "--against",
        default=NO_LDE,
        metavar="FILE|no_lde",
        help="the counterfactual: another scenario file, or no_lde (default): nobody placed in LDE during the run",
    )
    add_common(evalp, replications=10)
    add_ensemble(evalp, "evaluate each against its own twin")
    add_experiment(evalp)

    sweepp = commands.add_parser("sweep", help="run a grid or Latin hypercube over parameters")
    sweepp.add_argument("scenario", help="the base scenario file")
    add_common(sweepp, replications=3)
    add_vary(sweepp)
    sweepp.add_argument("--sample", choices=["grid", "lhs"], default="grid", help="grid (default) or lhs")
    sweepp.add_argument(
        "--samples", type=positive_int, help="points of the Latin hypercube (--sample lhs only: a grid runs all its values)"
    )
    add_all_indicators(sweepp, "sweep.csv")
    add_ensemble(sweepp, "run every point with each")
    add_experiment(sweepp)

    sensp = commands.add_parser("sensitivity", help="Morris or Sobol sensitivity indices (SALib)")
    sensp.add_argument("scenario", help="the base scenario file")
    add_common(sensp, replications=2)
    add_vary(sensp)
    sensp.add_argument(
        "--method",
        choices=["morris", "sobol"],
        default="morris",
        help="morris (default): elementary effects (mu_star, sigma), to screen; sobol: variance shares (S1, ST), more runs",
    )
    sensp.add_argument(
        "--samples", type=positive_int, default=10, help="Morris trajectories, or Sobol base samples (a power of two); default 10"
    )
    add_experiment(sensp)

    discp = commands.add_parser("discover", help="scenario discovery (PRIM): where does a policy fail a condition?")
    discp.add_argument("experiment", help="an experiment folder (a sweep or Latin hypercube over uncertainties)")
    discp.add_argument("--fails", required=True, help='the condition, e.g. "dumping_share > 0.5" (and/or allowed)')
    discp.add_argument("--threshold", type=finite_number, default=0.8, help="the box's least density of failures (default 0.8)")
    discp.add_argument("--out", help="output folder (default: the experiment folder)")
    add_partial(discp)

    searchp = commands.add_parser(
        "search", help="robust many-objective search over levers across the plausible futures (NSGA-II/III, pymoo)"
    )
    searchp.add_argument("scenario", help="the scenario file (a branch file searches the levers from its branch date)")
    searchp.add_argument("searchfile", help="search file: levers, objectives, constraints, futures (searches/small.toml)")
    add_scenario_options(searchp)
    add_experiment(searchp)

    exportp = commands.add_parser("export", help="write an experiment's tables as Parquet (pandas, DuckDB)")
    exportp.add_argument("experiment", help="an experiment folder")
    exportp.add_argument("--format", choices=["parquet"], default="parquet", help="file format (parquet, the only one)")
    exportp.add_argument("--out", help="output folder (default: EXPERIMENT/parquet)")
    add_partial(exportp)

    calp = commands.add_parser(
        "calibrate",
        help="history matching: the parameter sets observed figures do not rule out (a targets file)",
        description="History matching: the parameter sets the observed figures of a targets file do not rule out. "
        "Everything (the waves' stores, the tables, diagnostics.png, plausible.csv, calibrated.toml and the "
        "provenance in calibration.json) goes into --out, and nothing is written outside it. Without --out it goes "
        "into a new folder under runs/, and once the calibration is complete its result files (not the waves) are also "
        f"written beside the targets file, replacing those there: {', '.join(BESIDE)} (the tables of answers, checks "
        "and options where the targets file has them). make calibration refreshes calibration/ this way.",
    )
    calp.add_argument("targets", help="targets file, e.g. calibration/targets.toml")
    add_experiment(calp)

    reportp = commands.add_parser("report", help="write report.html (or report.md) for a run or experiment folder")
    reportp.add_argument("folder", help="a folder written by run, compare, evaluate, sweep, sensitivity or search")
    reportp.add_argument(
        "--format", choices=["html", "md"], default="html", help="html (default: report.html) or md (report.md, Markdown)"
    )
    add_partial(reportp)

    dashp = commands.add_parser("dashboard", help="serve the live dashboard (Solara) on this machine")
    dashp.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1: this machine only)")
    dashp.add_argument("--port", type=port_number, default=8765, help="port (default 8765)")
    return parser


def add_partial(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--partial", action="store_true", help="accept an unfinished run or experiment (its finished runs, marked as unfinished)"
    )


def add_common(parser: argparse.ArgumentParser, replications: int) -> None:
    parser.add_argument("--seed", type=seed_value, default=1, help="base seed (default 1)")
    parser.add_argument(
        "--replications",
        type=positive_int,
        default=replications,
        help=f"independent replications per scenario (default {replications})",
    )
    add_scenario_options(parser)


def add_scenario_options(parser: argparse.ArgumentParser) -> None:
    """--months and --set: what every command that loads a scenario file accepts (see :func:`load`)."""
    parser.add_argument("--months", type=month_count, help=f"months to simulate, 1 to {MAX_MONTHS} (default: the scenario's)")
    parser.add_argument(
        "--window",
        type=window_text,
        metavar="YYYY-MM:YYYY-MM|all",
        help="calendar months the indicators cover, both included, or 'all' for the whole run (default: a branch's "
        "own years from its branch date, any other scenario's whole run)",
    )
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
    """A scenario file with the command's --set, --months and --window applied."""
    scenario = Scenario.load(path, dict(parse_override(text) for text in args.overrides))
    if args.months is not None:
        scenario = cut(scenario, args.months, path)
    return scenario if args.window is None else scenario.with_overrides({"window": args.window})


def cut(scenario: Scenario, months: int, path: str) -> Scenario:
    """``scenario`` run for ``months``: dated changes after its end do not act (and are said so);
    a branch whose date falls after the end is refused with what to do instead."""
    end = scenario.date(months)
    if scenario.branch is not None and scenario.month_of(scenario.branch) > months:
        raise ScenarioError(
            f"{path}: --months {months} ends the run at {end}, before its branch date {scenario.branch}: give "
            f"--months {scenario.month_of(scenario.branch)} or more (its own years start there), or run the history "
            f"it extends for {months} months"
        )
    later = [c for c in scenario.timeline if scenario.month_of(c.date) > months]
    if later:
        print(
            f"lde-sim: note: --months {months} ends the run at {end}; {plural(len(later), 'dated change')} after it "
            f"(from {min(c.date for c in later)}) do not act",
            file=sys.stderr,
        )
    kept = [c.model_dump(mode="json") for c in scenario.timeline if scenario.month_of(c.date) <= months]
    return scenario.with_overrides({"months": months, "timeline": kept})


#: The interrupts the command's handler received while the command runs (see :func:`interrupt`).
RECEIVED: list[int] = []


def interrupt(signum: int, frame: object) -> None:
    """Ctrl-C, and SIGTERM (a scheduler, ``kill``, a closing terminal), end a command alike: by a
    KeyboardInterrupt, and noted in :data:`RECEIVED`.

    The note is checked after every month of ``lde-sim run`` (:func:`honour_interrupts`): a
    KeyboardInterrupt raised inside C code that clears a pending exception (NumPy once did
    so in comparisons with IntEnum members; a SIGTERM was lost once in 1,400 tries in
    2026-12, cause not found) still ends the run, a month later.
    """
    RECEIVED.append(signum)
    raise KeyboardInterrupt


def honour_interrupts() -> None:
    """Raise KeyboardInterrupt if the command's handler received an interrupt whose exception was lost."""
    if RECEIVED:
        raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    RECEIVED.clear()  # a note is about this command only (a notebook may call main again)
    if threading.current_thread() is threading.main_thread():  # replaces simulation.early_signals' handlers
        signal.signal(signal.SIGINT, interrupt)
        signal.signal(signal.SIGTERM, interrupt)
    try:
        return COMMANDS[args.command](args)
    except LDEError as err:
        print(f"lde-sim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("lde-sim: interrupted; finished runs are kept, the same command with the same --out resumes", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`lde-sim run ... | head`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILURE
    except (OSError, sqlite3.OperationalError) as err:  # the machine, not the program: a full disk, permissions
        print(f"lde-sim: error: {environment_problem(err)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:
        if os.environ.get("LDE_SIM_DEBUG"):
            raise
        print(
            f"lde-sim: internal error: {type(err).__name__}: {err} (a bug: please report it with the command; "
            "LDE_SIM_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_FAILURE


#: What to do about an error of the machine, by errno.
ADVICE = {
    errno.ENOSPC: "free some space, or choose another --out, and run the command again",
    errno.EDQUOT: "free some space within your quota, or choose another --out, and run the command again",
    errno.EACCES: "make the file or folder readable and writable for you, or choose another --out",
    errno.EPERM: "make the file or folder readable and writable for you, or choose another --out",
    errno.EROFS: "the file system is read-only: choose another --out",
    errno.ENOENT: "check the path (it may have been moved or deleted while the command ran)",
    errno.EFBIG: "the file grew beyond what this file system allows: choose another --out",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) or use fewer --jobs",
}


def environment_problem(err: OSError | sqlite3.OperationalError) -> str:
    """One line for an error of the machine (disk, permissions, missing files) and what to do about it."""
    if isinstance(err, sqlite3.OperationalError):
        return f"the experiment store: {err}; check free space and permissions of the --out folder, then repeat the command"
    where = f"{err.filename}: " if err.filename else ""
    advice = ADVICE.get(err.errno or 0, "check the file or folder named and run the command again")
    return f"{where}{err.strerror or err}; {advice}"


def finite_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def run_command(args: argparse.Namespace) -> int:
    scenario = load(args.scenario, args)
    if args.explain:
        print(explain(scenario, overridden_by_branch(args.scenario)))
        return 0
    check_counts(args.replications, args.replications)
    check_memory([scenario])
    folder, lock = new_run_folder(args.out, scenario.name, args.seed)
    with lock:
        return run_and_write(scenario, args, folder)


def calibrate_command(args: argparse.Namespace) -> int:
    result = calibrate(args.targets, args.jobs, args.scheduler, args.out, progress=True)
    fit = result.extra["fit"][["target", "observed", "uncertainty", "simulated", "z", "plausible_low", "plausible_high"]]
    print(console_table(fit))
    print()
    shown = ["parameter", "low", "high", "fitted", "mean", "sd_ratio", "identified", "moved_most_by"]
    print(console_table(result.table[shown]))
    members = len(result.extra["plausible"])
    print(
        f"\nResults in {result.folder}: diagnostics.png, fit.csv, parameters.csv, identification.csv, runs.csv, "
        f"waves.csv;\nthe ensemble ({members} parameter sets with weights) in plausible.csv, the most likely set "
        "as a scenario in calibrated.toml, the provenance in calibration.json."
    )
    if result.extra["beside"]:
        print(f"Written beside {args.targets} (replacing those there): {', '.join(p.name for p in result.extra['beside'])}")
    print(f"A readable report: lde-sim report {result.folder}")
    return 0


def report_command(args: argparse.Namespace) -> int:
    from .outputs.report import write_report  # Matplotlib only for the commands that draw (start-up of the others)

    print(f"Report written to {write_report(args.folder, args.format, args.partial)}")
    return 0


def dashboard_command(args: argparse.Namespace) -> int:
    return serve_dashboard(args.host, args.port)


def serve_dashboard(host: str, port: int) -> int:
    """Serve the dashboard (:mod:`simulation.outputs.dashboard_server` under uvicorn) until interrupted."""
    try:
        import solara  # noqa: F401
    except ImportError:
        print("lde-sim: error: the dashboard needs: pip install 'lde-doorstroom[dashboard]'", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as err:
        print(f"lde-sim: error: cannot serve on {host}:{port}: {err.strerror} (choose another --port)", file=sys.stderr)
        return EXIT_BAD_INPUT
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"lde-sim: warning: --host {host} makes the dashboard reachable from other machines; it has no login, "
            "and anyone who reaches it can run the model on this machine",
            file=sys.stderr,
        )
    print(f"Dashboard on http://{host}:{port}/ (Ctrl-C stops it)")
    # Requests must name this server (no DNS rebinding); a wildcard address is reachable under any name.
    allowed = ["*"] if host in ("0.0.0.0", "::") else sorted({host, "127.0.0.1", "localhost"})
    environment = {
        **os.environ,
        "SOLARA_APP": "simulation.outputs.dashboard",
        "SOLARA_MODE": "production",
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "LDE_SIM_ALLOWED_HOSTS": ",".join(allowed),
    }
    command = [sys.executable, "-m", "uvicorn", "simulation.outputs.dashboard_server:app", "--host", host, "--port", str(port)]
    command += ["--log-level", "warning"]
    try:
        return subprocess.call(command, env=environment, preexec_fn=functools.partial(die_with_parent, os.getpid()))
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM: subprocess.call has killed the server
        return 0


def add_all_indicators(parser: argparse.ArgumentParser, table: str) -> None:
    parser.add_argument(
        "--all-indicators",
        action="store_true",
        help=f"print every indicator ({len(INDICATORS)}); default: the headline ones ({table} always has all)",
    )


def add_ensemble(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--ensemble", metavar="FILE", help=f"plausible parameter sets (calibration/plausible.csv): {what}")


def experiment_options(args: argparse.Namespace) -> dict[str, object]:
    """The options every experiment command shares."""
    return {
        "replications": args.replications,
        "seed": args.seed,
        "jobs": args.jobs,
        "scheduler": args.scheduler,
        "out": args.out,
        "progress": True,
    }


#: A comparison's columns about each scenario's paired difference from the first (``robust`` with an ensemble).
PAIRED_COLUMNS = ["diff", "diff_ci_low", "diff_ci_high", "significant", "robust"]


def compare_command(args: argparse.Namespace) -> int:
    given = [load(path, args) for path in args.scenarios]
    scenarios = paired(given)
    result = compare(scenarios, **experiment_options(args), ensemble=args.ensemble)
    print(window_line(scenarios[0], given, args.window))
    table = shown_indicators(result.table, args.all_indicators, "comparison.csv")
    table.insert(table.columns.get_loc("indicator") + 1, "unit", [INDICATOR_INFO[i].unit for i in table["indicator"]])
    if len(scenarios) == 1:  # nothing to differ from: the paired columns (0 in comparison.csv) are left out
        print(console_table(table.drop(columns=PAIRED_COLUMNS, errors="ignore")))
        return finished(result.folder)
    diff = [f"{readable_number(d)}{' *' if s else ''}" for d, s in zip(table["diff"], table["significant"])]
    print(console_table(table.assign(diff=diff).drop(columns=["significant"]), numeric=["diff"]))
    print("\n* the 95% interval of the paired difference from the first scenario excludes 0")
    if args.ensemble:
        print("robust: the paired difference has the same sign for every plausible parameter set")
    return finished(result.folder)


NO_LDE = "no_lde"


def evaluate_command(args: argparse.Namespace) -> int:
    against = None if args.against == NO_LDE else load(args.against, args)
    scenario = load(args.scenario, args)
    result = evaluate(scenario, against, **experiment_options(args), ensemble=args.ensemble)
    print(window_line(scenario, [scenario], args.window))
    effects = result.extra["effects"].drop(columns=["meaning"])
    print(console_table(effects))
    table = result.table
    for since in ("entry", "exit"):
        shown = table[(table["subgroup"] == "all") & (table["since"] == since) & table["horizon_months"].isin(HEADLINE_HORIZONS)]
        print(f"\nEffects on the participants, months after {since} (all participants; evaluation.csv has every subgroup):")
        print(console_table(shown.drop(columns=["subgroup", "since"])))
    if args.ensemble:
        print("\nrobust: the effect has the same sign for every plausible parameter set")
    return finished(result.folder)


def discover_command(args: argparse.Namespace) -> int:
    result = discover(args.experiment, args.fails, args.out, args.threshold, args.partial)
    print(console_table(result.box))
    print(f"\n{result.words}\n\nWritten to {result.folder}: discovery.csv, feature_scores.csv, discovery_*.png, discovery.md")
    return 0


def search_command(args: argparse.Namespace) -> int:
    result = search(load(args.scenario, args), args.searchfile, args.out, args.jobs, args.scheduler, progress=True)
    print(console_table(result.front))
    print(
        f"\n{len(result.candidates)} candidates scored, {len(result.front)} on the front; compromise: candidate "
        f"{result.compromise}.\nResults in {result.folder}: candidates.csv, front.csv, convergence.csv, reevaluation.csv, "
        f"figures{', stress/' if (result.folder / 'stress').exists() else ''}\nA readable report: lde-sim report {result.folder}"
    )
    return 0


def export_command(args: argparse.Namespace) -> int:
    written = export(args.experiment, args.out, args.format, args.partial)
    print(f"{len(written)} tables written to {written[0].parent if written else args.out}")
    return 0


def sweep_command(args: argparse.Namespace) -> int:
    base = load(args.scenario, args)
    result = sweep(base, args.vary, args.sample, args.samples, **experiment_options(args), ensemble=args.ensemble)
    print(window_line(base, [base], args.window))
    print(console_table(shown_indicators(result.table, args.all_indicators, "sweep.csv")))
    return finished(result.folder)


def shown_indicators(table: pd.DataFrame, every: bool, written: str) -> pd.DataFrame:
    """The part of an experiment's table the console shows: every indicator if asked, else the headline
    ones (saying so, and where all are): as columns (a sweep, one row per point) or rows (one per
    indicator: a comparison, a sweep over an ensemble)."""
    if every:
        return table
    print(f"The headline indicators; all {len(INDICATORS)} are in {written} (--all-indicators prints them here)")
    if "indicator" in table:
        return table[table["indicator"].isin(HEADLINE)]
    return table[[c for c in table.columns if c not in INDICATORS or c in HEADLINE]]


def sensitivity_command(args: argparse.Namespace) -> int:
    scenario = load(args.scenario, args)
    result = sensitivity(scenario, args.vary, args.method, args.samples, **experiment_options(args))
    print(window_line(scenario, [scenario], args.window))
    print(console_table(result.table))
    return finished(result.folder)


def finished(folder: Path) -> int:
    """Say where the results are and how to read them; exit 1 when any run of an experiment failed."""
    print(f"\nResults in {folder}\nA readable report with figures: lde-sim report {folder}")
    if not (folder / STORE).exists():
        return 0
    runs = read_experiment(folder, ("runs",))["runs"]
    failed = runs[runs["status"] == "failed"]
    if failed.empty:
        return 0
    print(
        f"lde-sim: {len(failed)} of {len(runs)} runs failed (first: {failed['error'].iloc[0]}); the tables hold the "
        "others only. The same command with the same --out runs the failed ones again.",
        file=sys.stderr,
    )
    return EXIT_FAILURE


def run_and_write(scenario: Scenario, args: argparse.Namespace, folder: Path) -> int:
    provenance = {
        "scenario_file": args.scenario,
        "scenario_name": scenario.name,
        "seed": args.seed,
        "replications": args.replications,
        "months": scenario.months,
        "overrides": args.overrides,
    }
    try:
        writer = RunWriter(folder, scenario, provenance)
    except BaseException:
        remove_run_folder(folder)
        raise
    total = scenario.months * args.replications
    try:  # from the first instruction after the writer exists: an interrupt is recorded in run.json
        with tqdm(total=total, unit="month", desc=scenario.name, disable=None, leave=False) as bar:
            result = run(
                scenario,
                seed=args.seed,
                replications=args.replications,
                events=args.events,
                on_replication=writer.add,
                on_month=lambda: (honour_interrupts(), bar.update()),
            )
    except KeyboardInterrupt:
        writer.finish("interrupted")
        print(f"lde-sim: interrupted; finished replications are in {folder}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BaseException as err:
        end_failed(writer, err)
        raise
    writer.finish("complete")
    print(f"{scenario.name}: {plural(args.replications, 'replication')} of {scenario.months} months, seed {args.seed}")
    print(f"{window_line(scenario, [scenario], args.window)}; per calendar year in yearly.csv")
    print(indicator_table(result.summary, scenario))
    return finished(folder)


def end_failed(writer: RunWriter, err: BaseException) -> None:
    """A run that failed: record why in run.json, and remove the folder if it holds no finished replication.

    The record is best effort: when the disk is full it cannot be written, and the
    files still hold exactly the finished replications.
    """
    if writer.provenance["replications_done"] == 0:
        remove_run_folder(writer.folder)
        return
    with contextlib.suppress(OutputError):
        writer.finish("failed", f"{type(err).__name__}: {err}")


def remove_run_folder(folder: Path) -> None:
    """Remove a run folder that holds no finished replication (its lock last), so that a retry may use it."""
    with contextlib.suppress(OSError):
        for path in folder.iterdir():
            if path.name != LOCK:
                path.unlink()
        (folder / LOCK).unlink()
        folder.rmdir()


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def indicator_table(summary: pd.DataFrame, scenario: Scenario) -> str:
    """The indicators of a run for a terminal: mean, 95% interval, which way is better (the units are in
    the values: shares as percentages, euros in EUR; docs/indicators.md has every unit).

    One replication has no interval, and the table says so.
    """
    notes = ["meanings and definitions: docs/indicators.md"]
    if len(summary) < 2:
        notes.insert(0, "one replication has no interval: use --replications 10 for 95% intervals")
    table = indicator_summary(summary, scenario).drop(columns=["unit"])
    return "\n".join([console_table(table, numeric=["mean"]), "", *notes])


COMMANDS = {
    "run": run_command,
    "compare": compare_command,
    "evaluate": evaluate_command,
    "discover": discover_command,
    "search": search_command,
    "export": export_command,
    "sweep": sweep_command,
    "sensitivity": sensitivity_command,
    "calibrate": calibrate_command,
    "report": report_command,
    "dashboard": dashboard_command,
}

if __name__ == "__main__":
    sys.exit(main())
