"""The experiment store: one SQLite file per experiment, written as runs finish.

Tables (plain SQL for anyone; :func:`read_experiment` gives them as pandas frames):

- ``meta(key, value)``: provenance: kind, command, versions, base seed, replications,
  design digest, created and updated times.
- ``points(point, label, overrides, scenario)``: each design point, its overrides (JSON)
  and its resolved scenario (TOML).
- ``runs(run, point, replication, overrides, seed, status, error, seconds, finished, checksum)``:
  one row per design point and replication (with the point's overrides, as JSON, for
  convenience); ``status`` is ``pending``, ``done`` or ``failed``; ``checksum`` is the
  SHA-256 of the run's stored results (:func:`run_checksum`), so that a value changed
  later is found (:func:`verify`).
- ``indicators(run, <indicator>...)``: the indicators of each finished run.
- ``monthly(run, month, <aggregate>...)``: monthly aggregates of each finished run.

A run's results, its checksum and its ``done`` status are committed in one transaction
the moment it finishes, so an interrupted experiment (Ctrl-C, kill -9, a crash) loses no
finished run, and re-opening the store finds exactly the runs still to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import LDEError
from ..world.indicators import INDICATOR_INFO, INDICATORS
from .design import Point, design_values
from .output import now

FILE = "experiment.sqlite"
#: Monthly columns kept per run: enough for bands and trade-offs, small enough for 10,000 runs.
MONTHLY = [
    "unemployed",
    "social_assistance",
    "lde",
    "nec",
    "inactive",
    "flow_lde_to_nec",
    "flow_unemployed_to_nec",
    "flow_social_assistance_to_nec",
    "enterprises_open",
    "lde_occupancy",
    "waiting_list",
    "enterprises_solvent",
    "reserves_total",
    "service_quality",
    # what calibration targets, checks and answers are measured on (simulation/targets.py, SERIES)
    "spending_sine",
    "benefit_lost",
    "followup12_moves",
    "followup12_in_nec",
    "followup12_leavers",
    "followup12_leavers_on_benefits",
    "followup12_cohort",
    "followup12_state_nec",
    "enterprises_closed",
    "enterprises_converted",
    "enterprise_income",
    "enterprise_costs",
    "customer_revenue",
    "evaluated_work_care",
    "evaluated_maatwerk",
    "evaluated_internal_doorstroom",
    "evaluated_trajectory",
    "traineeships_hired",
    "traineeships_ended",
]

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS points (point INTEGER PRIMARY KEY, label TEXT, overrides TEXT, scenario TEXT);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY, point INTEGER REFERENCES points, replication INTEGER, overrides TEXT, seed INTEGER,
    status TEXT CHECK (status IN ('pending', 'done', 'failed')), error TEXT, seconds REAL, finished TEXT, checksum TEXT);
CREATE TABLE IF NOT EXISTS indicators (run INTEGER PRIMARY KEY REFERENCES runs, {", ".join(f"{i} REAL" for i in INDICATORS)});
CREATE TABLE IF NOT EXISTS monthly (run INTEGER REFERENCES runs, month INTEGER, {", ".join(f"{c} REAL" for c in MONTHLY)},
    PRIMARY KEY (run, month));
CREATE TABLE IF NOT EXISTS evaluation (run INTEGER REFERENCES runs, outcome TEXT, since TEXT, horizon_months INTEGER,
    subgroup TEXT, treated REAL, counterfactual REAL, n INTEGER, PRIMARY KEY (run, outcome, since, horizon_months, subgroup));
CREATE TABLE IF NOT EXISTS effects (run INTEGER REFERENCES runs, indicator TEXT, value REAL, PRIMARY KEY (run, indicator));
CREATE TABLE IF NOT EXISTS design (point INTEGER REFERENCES points, key TEXT, value, PRIMARY KEY (point, key));
CREATE TABLE IF NOT EXISTS indicators_info (indicator TEXT PRIMARY KEY, meaning TEXT, unit TEXT, better TEXT);
CREATE VIEW IF NOT EXISTS point_means AS SELECT point, label, COUNT(*) AS replications,
    {", ".join(f"AVG({i}) AS {i}" for i in INDICATORS)}
    FROM indicators JOIN runs USING (run) JOIN points USING (point) GROUP BY point ORDER BY point;
CREATE VIEW IF NOT EXISTS indicator_means AS {
    " UNION ALL ".join(
        f"SELECT point, label, '{i}' AS indicator, AVG({i}) AS mean, COUNT({i}) AS replications "
        f"FROM indicators JOIN runs USING (run) JOIN points USING (point) GROUP BY point"
        for i in INDICATORS
    )
};
"""


class StoreError(LDEError):
    """A store that does not belong to this experiment, or cannot be used."""


RECOVER = "use a new --out folder; finished runs may still be read with `sqlite3 FILE .recover` or read_experiment on a copy"


@dataclass(frozen=True)
class Outcome:
    """What a finished (or failed) run sends back to be stored."""

    run: int
    seconds: float
    indicators: dict[str, float] | None = None
    monthly: pd.DataFrame | None = None
    evaluation: pd.DataFrame | None = None  # lde-sim evaluate: outcomes of the participants, both worlds
    effects: dict[str, float] | None = None  # lde-sim evaluate: the headline indicators
    error: str | None = None


class ExperimentStore:
    """Create or reopen ``folder/experiment.sqlite`` for one experiment design."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE
        existed = self.path.exists()
        self.connection = sqlite3.connect(self.path)
        try:
            if existed:
                self._check()
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.executescript(SCHEMA)
        except sqlite3.DatabaseError as err:
            self.connection.close()
            raise StoreError(f"{self.path}: not a usable experiment store ({err}); {RECOVER}") from None
        except StoreError:
            self.connection.close()
            raise

    def _check(self) -> None:
        """Refuse a damaged store, or one whose indicators differ from this version's."""
        verdict = self.connection.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise StoreError(f"{self.path} is damaged ({verdict}); {RECOVER}")
        tables = {row[0] for row in self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"meta", "runs", "indicators"} <= tables or "design_sha256" not in self.meta():
            raise StoreError(f"{self.path} holds no experiment design (empty, cut short or damaged); {RECOVER}")
        lost = self.connection.execute(
            "SELECT COUNT(*) FROM runs WHERE status = 'done' AND run NOT IN (SELECT run FROM indicators)"
        ).fetchone()[0]
        if lost:
            raise StoreError(f"{self.path} is damaged: {lost} run(s) marked done have no results; {RECOVER}")
        columns = [row[1] for row in self.connection.execute("PRAGMA table_info(indicators)")][1:]
        checksums = "checksum" in {row[1] for row in self.connection.execute("PRAGMA table_info(runs)")}
        monthly = [row[1] for row in self.connection.execute("PRAGMA table_info(monthly)")][2:]
        if (columns and columns != list(INDICATORS)) or (monthly and monthly != MONTHLY) or not checksums:
            missing = [name for name in INDICATORS if name not in columns]
            missing += [name for name in MONTHLY if monthly and name not in monthly]
            raise StoreError(
                f"{self.path} was written by another version of lde-doorstroom (its indicators or monthly series differ"
                f"{': it lacks ' + ', '.join(missing) if missing else ''}), so its runs cannot be resumed or mixed "
                "with new ones; use a new --out folder (the finished runs stay readable with read_experiment)"
            )

    def prepare(self, digest: str, points: list[Point], seeds: list[int], meta: dict[str, Any]) -> None:
        """Write a new design, or check that an existing store holds the same one."""
        stored = self.meta().get("design_sha256")
        if stored is not None:
            if stored != digest:
                raise StoreError(
                    f"{self.path} holds a different experiment (another design, seed or replications); "
                    "use a new --out folder, or repeat the original command to resume it"
                )
            verify(self.connection, self.path, len(points) * len(seeds), partial=True)
            self._set_meta({"resumed": now()})
            return
        with self.connection:
            self.connection.executemany(
                "INSERT INTO points VALUES (?, ?, ?, ?)",
                [(i, p.label, json.dumps(p.overrides), p.scenario.to_toml()) for i, p in enumerate(points)],
            )
            self.connection.executemany(
                "INSERT INTO design VALUES (?, ?, ?)",
                [
                    (i, key, _design_value(value))
                    for i, values in enumerate(design_values(points))
                    for key, value in values.items()
                ],
            )
            self.connection.executemany(
                "INSERT OR REPLACE INTO indicators_info VALUES (?, ?, ?, ?)",
                [(name, info.meaning, info.unit, info.better or "neither") for name, info in INDICATOR_INFO.items()],
            )
            self.connection.executemany(
                "INSERT INTO runs (run, point, replication, overrides, seed, status) VALUES (?, ?, ?, ?, ?, 'pending')",
                [
                    (i * len(seeds) + r, i, r, json.dumps(p.overrides), seed)
                    for i, p in enumerate(points)
                    for r, seed in enumerate(seeds)
                ],
            )
            self._set_meta({**meta, "design_sha256": digest, "created": now()})
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def todo(self) -> list[tuple[int, int, int]]:
        """(run, point, replication) of every run not yet done (pending or failed), in order."""
        return self.connection.execute("SELECT run, point, replication FROM runs WHERE status != 'done' ORDER BY run").fetchall()

    def save(self, outcome: Outcome) -> None:
        """Commit one run's results, their checksum and its status in a single transaction."""
        with self.connection:
            if outcome.error is not None:
                self.connection.execute(
                    "UPDATE runs SET status='failed', error=?, seconds=?, finished=? WHERE run=?",
                    (outcome.error, outcome.seconds, now(), outcome.run),
                )
                return
            rows = result_rows(outcome)
            for table, table_rows in rows.items():
                if table_rows:
                    marks = ", ".join("?" * len(table_rows[0]))
                    self.connection.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", table_rows)
            self.connection.execute(
                "UPDATE runs SET status='done', error=NULL, seconds=?, finished=?, checksum=? WHERE run=?",
                (outcome.seconds, now(), run_checksum(rows), outcome.run),
            )
        # Copy the run into the main file now: a lost -wal file then costs no finished run.
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def meta(self) -> dict[str, str]:
        return dict(self.connection.execute("SELECT key, value FROM meta").fetchall())

    def counts(self) -> dict[str, int]:
        return dict(self.connection.execute("SELECT status, COUNT(*) FROM runs GROUP BY status").fetchall())

    def close(self, record: bool = True) -> None:
        """Close the store, recording when it was last updated (unless not ``record``)."""
        if record:
            self._set_meta({"updated": now()})
        self.connection.close()

    def _set_meta(self, values: dict[str, Any]) -> None:
        with self.connection:
            self.connection.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [(k, v if isinstance(v, str) else json.dumps(v)) for k, v in values.items()],
            )


TABLES = ("meta", "points", "runs", "indicators", "monthly")
#: The tables holding a run's results, with the columns that order its rows.
RESULTS = {"indicators": 1, "monthly": 2, "evaluation": 5, "effects": 2}


def result_rows(outcome: Outcome) -> dict[str, list[tuple]]:
    """A finished run's rows for each results table, as stored (NaN as NULL)."""
    names = list(INDICATORS)
    rows: dict[str, list[tuple]] = {
        "indicators": [(outcome.run, *[_number(outcome.indicators[n]) for n in names])],
        "monthly": [
            (outcome.run, int(m), *map(_number, row)) for m, *row in outcome.monthly[["month", *MONTHLY]].itertuples(index=False)
        ],
    }
    if outcome.evaluation is not None:
        rows["evaluation"] = [
            (outcome.run, o, s, int(h), g, _number(t), _number(c), int(n))
            for o, s, h, g, t, c, n in outcome.evaluation.itertuples(index=False)
        ]
    if outcome.effects is not None:
        rows["effects"] = [(outcome.run, name, _number(value)) for name, value in outcome.effects.items()]
    return rows


def run_checksum(rows: dict[str, list[tuple]]) -> str:
    """SHA-256 of a run's results: every table's rows in key order, every value exactly (repr of floats)."""
    digest = hashlib.sha256()
    for table, key in RESULTS.items():
        ordered = sorted(rows.get(table, []), key=lambda row: row[:key])
        digest.update(json.dumps([table, ordered]).encode())
    return digest.hexdigest()


def verify(connection: sqlite3.Connection, path: Path, expected_runs: int | None = None, partial: bool = False) -> None:
    """Refuse (:class:`StoreError`, one line) a store whose results differ from their checksums, whose
    runs table lacks runs of the design, or (unless ``partial``) whose runs are not all done."""
    runs = connection.execute("SELECT run, status, checksum FROM runs ORDER BY run").fetchall()
    if expected_runs is not None and len(runs) != expected_runs:
        raise StoreError(f"{path} is damaged: its runs table has {len(runs)} of the design's {expected_runs} runs; {RECOVER}")
    stored: dict[int, dict[str, list[tuple]]] = {}
    for table in RESULTS:
        if connection.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (table,)).fetchone():
            for row in connection.execute(f"SELECT * FROM {table}"):
                stored.setdefault(row[0], {}).setdefault(table, []).append(tuple(row))
    changed = [run for run, status, checksum in runs if status == "done" and run_checksum(stored.get(run, {})) != checksum]
    if changed:
        listed = ", ".join(map(str, changed[:5])) + (" ..." if len(changed) > 5 else "")
        raise StoreError(
            f"{path} is damaged: the stored results of {len(changed)} run(s) ({listed}) differ from their checksums "
            f"(changed after they were written); {RECOVER}"
        )
    done = sum(status == "done" for _, status, _ in runs)
    if not partial and done < len(runs):
        raise StoreError(
            f"{path.parent}: the experiment is unfinished ({done} of {len(runs)} runs done); repeat its command with the "
            "same --out to finish it, or pass --partial to look at the finished runs, marked as unfinished"
        )


def verify_experiment(folder: str | Path, partial: bool = False) -> bool:
    """Check the experiment in ``folder`` as :func:`verify` does (the design's run count from its
    meta and points); return whether it is complete."""
    path = Path(folder)
    path = path / FILE if path.is_dir() else path
    if not path.is_file():
        raise StoreError(f"no experiment store at {path}")
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
            points = connection.execute("SELECT COUNT(*) FROM points").fetchone()[0]
            replications = int(meta.get("replications", 0))
            verify(connection, path, points * replications if replications else None, partial)
            return connection.execute("SELECT COUNT(*) FROM runs WHERE status != 'done'").fetchone()[0] == 0
    except (sqlite3.DatabaseError, ValueError) as err:
        raise StoreError(f"{path}: cannot be read ({err}); {RECOVER}") from None


def read_experiment(folder: str | Path, tables: tuple[str, ...] = TABLES) -> dict[str, pd.DataFrame]:
    """An experiment's tables as frames: ``meta``, ``points``, ``runs``, ``indicators``, ``monthly``
    (and on request ``design``, ``indicators_info``, ``evaluation``, ``effects``).

    ``indicators`` and ``monthly`` come joined with their run's point, label and
    replication. Ask for fewer ``tables`` to read less (``monthly`` is the large one).
    """
    path = Path(folder)
    path = path / FILE if path.is_dir() else path
    if not path.is_file():
        raise FileNotFoundError(f"no experiment store at {path}")
    with sqlite3.connect(path) as connection:

        def query(sql: str) -> pd.DataFrame:
            try:
                return pd.read_sql_query(sql, connection)
            except (sqlite3.DatabaseError, pd.errors.DatabaseError) as err:
                raise StoreError(f"{path}: cannot be read ({err}); {RECOVER}") from None

        join = "JOIN runs USING (run) JOIN points USING (point)"
        sql = {
            "meta": "SELECT * FROM meta",
            "points": "SELECT * FROM points ORDER BY point",
            "runs": "SELECT * FROM runs ORDER BY run",
            "indicators": f"SELECT point, label, replication, seed, indicators.* FROM indicators {join} ORDER BY run",
            "monthly": f"SELECT point, label, replication, monthly.* FROM monthly {join} ORDER BY run, month",
            "design": "SELECT * FROM design ORDER BY point, key",
            "indicators_info": "SELECT * FROM indicators_info",
            "evaluation": f"SELECT point, label, replication, evaluation.* FROM evaluation {join} ORDER BY run",
            "effects": f"SELECT point, label, replication, effects.* FROM effects {join} ORDER BY run",
        }
        unknown = set(tables) - set(sql)
        if unknown:
            raise ValueError(f"unknown tables {sorted(unknown)}; the tables are {list(sql)}")
        return {name: query(sql[name]) for name in tables}


def _design_value(value: Any) -> Any:
    """A design value as SQL can compare it: numbers and text as they are, lists as JSON text."""
    if isinstance(value, bool):
        return int(value)
    return value if isinstance(value, (int, float, str)) else json.dumps(value)


def _number(value: Any) -> float | None:
    value = float(value)
    return None if value != value else value  # NaN is stored as NULL


def write_result(folder: Path, name: str, table: pd.DataFrame) -> None:
    """Write an experiment's result table ``name`` (comparison.csv, ...) beside its store, whole or not
    at all, and record its SHA-256 in the store's meta, so that a hand edit is found (:func:`read_result`)."""
    from .output import write_file

    data = table.to_csv(index=False).encode()
    write_file(folder / name, data)
    with contextlib.closing(sqlite3.connect(folder / FILE)) as connection, connection:
        connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"sha256 {name}", hashlib.sha256(data).hexdigest()))


def read_result(folder: Path, name: str) -> pd.DataFrame:
    """An experiment's result table, refused (:class:`StoreError`) when it differs from what the experiment wrote."""
    data = (folder / name).read_bytes()
    with contextlib.closing(sqlite3.connect(f"file:{folder / FILE}?mode=ro", uri=True)) as connection:
        recorded = connection.execute("SELECT value FROM meta WHERE key = ?", (f"sha256 {name}",)).fetchone()
    if recorded is not None and hashlib.sha256(data).hexdigest() != recorded[0]:
        raise StoreError(
            f"{folder / name} was changed after the experiment wrote it (its checksum differs from the store's); "
            "repeat the experiment's command with the same --out to write it again from the store"
        )
    return pd.read_csv(io.BytesIO(data))


def export_query(connection: sqlite3.Connection, name: str) -> str:
    """The query that exports table ``name``: a table of runs' results gets each run's ``point`` and
    ``replication`` in front, so a Parquet file can be read without joining ``runs``."""
    columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')]
    if name == "runs" or "run" not in columns or "point" in columns:
        return f'SELECT * FROM "{name}"'
    return f'SELECT runs.point, runs.replication, "{name}".* FROM "{name}" JOIN runs USING (run) ORDER BY run'


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with one type per column, as Parquet needs: a column mixing numbers and text (the
    ``design`` values of ``--vary max_lde_months=60,unlimited``) becomes text, beside a
    ``<column>_number`` column with the numbers (empty for text)."""
    for column in [c for c in frame.columns if frame[c].dtype == object]:
        kinds = {type(v) for v in frame[column] if v is not None}
        if str in kinds and kinds - {str}:
            numbers = pd.to_numeric(frame[column].where(frame[column].map(lambda v: not isinstance(v, str))), errors="coerce")
            frame[column] = frame[column].map(lambda v: v if v is None else str(v))
            frame.insert(frame.columns.get_loc(column) + 1, f"{column}_number", numbers.astype(float))
    return frame


def export(folder: str | Path, out: str | Path | None = None, fmt: str = "parquet", partial: bool = False) -> list[Path]:
    """Write every table of the experiment in ``folder`` as ``<table>.parquet`` in ``out``
    (default: ``folder/parquet``), for pandas, DuckDB or any Arrow reader, no extension needed.

    Needs pyarrow (the ``export`` extra). The views are written as tables too. A damaged
    experiment is refused, and so is an unfinished one unless ``partial``. Each file is
    written whole or not at all (a temporary name, then renamed). Tables of runs'
    results have ``point`` and ``replication`` columns, and mixed columns are typed (:func:`typed`).
    """
    if fmt != "parquet":
        raise StoreError(f"--format {fmt!r}: the only export format is parquet")
    folder = Path(folder)
    path = folder / FILE if folder.is_dir() else folder
    verify_experiment(path, partial)
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise StoreError("export needs pyarrow: pip install 'lde-doorstroom[export]'") from None
    from .output import make_folder  # the clear error for a path that cannot be a folder

    out = Path(out) if out is not None else folder / "parquet"
    make_folder(out)
    written = []
    with sqlite3.connect(path) as connection:
        names = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")]
        for name in names:
            frame = typed(pd.read_sql_query(export_query(connection, name), connection))
            target = out / f"{name}.parquet"
            temporary = out / f".{name}.parquet.tmp"
            try:
                frame.to_parquet(temporary, index=False)
                temporary.replace(target)
            except OSError as err:
                temporary.unlink(missing_ok=True)
                raise StoreError(f"cannot write {target}: {err.strerror}; free some space or choose another --out") from None
            written.append(target)
    return written
