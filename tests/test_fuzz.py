"""A generated corpus of bad and odd input, through the command line as a user gives it.

Every scenario field receives every value of a corpus of awkward values (negative,
zero, huge, infinite, NaN, booleans, text, lists, tables), in a scenario file and
through ``--set``; ``--vary`` and the numeric options get their own corpora. Each case
must end in exit 0 with a complete run, or exit 2 with a one-line message and nothing
written: never a traceback, never a partial folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from simulation.rules.scenario import Scenario, Section

from .conftest import SCENARIOS, invoke

pytestmark = pytest.mark.slow

#: Values as TOML text.
VALUES = [
    "-1",
    "0",
    "1",
    "0.5",
    "1e308",
    "inf",
    "nan",
    "true",
    '"x"',
    "[]",
    "[1, 2]",
    "[[0, nan]]",
    "{ a = 1 }",
    str(2**40),
    "-9223372036854775808",
]

TINY = """extends = "{small}"
months = 3
[world]
pool_size = 500
lde_workers = 30
enterprises = 4
[employers]
employers_per_sector = 1
"""


def fields(model: Any = Scenario, prefix: str = "") -> list[str]:
    """Every dotted scenario key (each sector field through the 'care' sector)."""
    keys = []
    for name, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, Section):
            keys += fields(info.annotation, f"{prefix}{name}.")
        elif name == "sectors":
            keys += [f"{prefix}sectors.care.{f}" for f in ("vacancy_share", "hiring_bar", "job_quality")]
        else:
            keys.append(f"{prefix}{name}")
    return keys


def toml_for(key: str, value: str) -> str:
    *sections, last = key.split(".")
    header = f"\n[{'.'.join(sections)}]\n" if sections else ""
    return f"{header}{last} = {value}\n" if sections else f"{last} = {value}\n"


def check(args: list[str], out: Path, capsys) -> int:
    code = invoke([*args, "--out", str(out)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, (args, captured.err)
    assert code in (0, 2), (args, code, captured.err)
    if code == 2:
        lines = [line for line in captured.err.splitlines() if line.strip()]
        assert len(lines) == 1 or lines[0].startswith("usage:"), (args, captured.err)
        assert not out.exists(), (args, "left a folder behind")
    elif (out / "run.json").exists():
        assert json.loads((out / "run.json").read_text())["status"] == "complete", args
    return code


def base_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY.format(small=SCENARIOS / "small.toml"))
    return path


def test_every_field_with_every_awkward_value_in_a_scenario_file(tmp_path: Path, capsys):
    base = base_file(tmp_path)
    codes = []
    for i, key in enumerate(fields()):
        for j, value in enumerate(VALUES):
            case = tmp_path / f"case{i}_{j}.toml"
            case.write_text(f'extends = "{base.name}"\n' + toml_for(key, value))
            codes.append(check(["run", str(case)], tmp_path / f"out{i}_{j}", capsys))
    assert codes.count(2) > codes.count(0) > 0  # most awkward values are refused, some are fine


def test_every_field_with_every_awkward_value_through_set(tmp_path: Path, capsys):
    base = base_file(tmp_path)
    for i, key in enumerate(fields()):
        for j, value in enumerate(VALUES):
            check(["run", str(base), "--set", f"{key}={value}"], tmp_path / f"out{i}_{j}", capsys)


VARY = [
    "policy.aftercare_months=0:3",
    "policy.aftercare_months=0:3:3",
    "policy.aftercare_months=1:0",
    "policy.aftercare_months=0:1:0",
    "policy.aftercare_months=0:inf:1",
    "policy.aftercare_months=nan:1",
    "policy.aftercare_months=0:12:-1",
    "policy.aftercare_months=",
    "=0:1",
    "policy.aftercare_months",
    "policy.nothing=0:1",
    "policy=0:1",
    "policy.aftercare_months=a,b",
    "policy.aftercare_months=0:10000000:1",
    "policy.aftercare_months=true,false",
    "policy.extension_rule=none,sometimes",
    "policy.coaching_ratio=0:1e308",
    "people.search_rate_lde=0:2",
    "policy.aftercare_months=1:2:3:4",
    "policy.aftercare_months=3,3",
]


@pytest.mark.parametrize("sample", ["grid", "lhs"])
def test_awkward_vary_specifications(tmp_path: Path, capsys, sample: str):
    base = base_file(tmp_path)
    for i, spec in enumerate(VARY):
        args = ["sweep", str(base), "--vary", spec, "--sample", sample, "--replications", "1", "--jobs", "1"]
        check([*args, "--samples", "2"] if sample == "lhs" else args, tmp_path / f"out{i}", capsys)


OPTIONS = [
    ["--seed", "0"],
    ["--months", "1"],
    ["--seed", "-1"],
    ["--seed", str(2**64)],
    ["--seed", "1.5"],
    ["--replications", "0"],
    ["--replications", "1000000000"],
    ["--replications", "x"],
    ["--months", "0"],
    ["--months", "1000000"],
    ["--months", "-5"],
    ["--months", "nan"],
]


def test_awkward_numeric_options(tmp_path: Path, capsys):
    base = base_file(tmp_path)
    codes = []
    for i, option in enumerate(OPTIONS):
        codes.append(check(["run", str(base), *option], tmp_path / f"run{i}", capsys))
        codes.append(check(["compare", str(base), "--replications", "1", *option, "--jobs", "1"], tmp_path / f"c{i}", capsys))
    assert codes[:4] == [0, 0, 0, 0] and set(codes[4:]) == {2}
    for i, jobs in enumerate(["0", "-1", "100000", "x"]):
        check(["compare", str(base), "--replications", "1", "--jobs", jobs], tmp_path / f"jobs{i}", capsys)
    for i, samples in enumerate(["0", "100000000", "-3"]):
        args = ["sweep", str(base), "--vary", "policy.aftercare_months=0:12", "--sample", "lhs", "--samples", samples]
        check(args, tmp_path / f"samples{i}", capsys)


TARGETS = """scenario = "{scenario}"
samples = {samples}
[[target]]
name = "t"
indicator = "transition_rate_annual"
value = {value}
uncertainty = 0.01
source = "test"
[[parameter]]
key = "people.search_rate_lde"
low = 0.01
high = 0.03
reason = "test"
"""


def test_awkward_targets_files(tmp_path: Path, capsys):
    base = base_file(tmp_path)
    cases = {
        "folder": tmp_path,
        "binary": tmp_path / "binary.toml",
        "missing": tmp_path / "absent.toml",
        "nan": tmp_path / "nan.toml",
        "huge": tmp_path / "huge.toml",
    }
    cases["binary"].write_bytes(bytes(range(256)) * 4)
    cases["nan"].write_text(TARGETS.format(scenario=base, samples=4, value="nan"))
    cases["huge"].write_text(TARGETS.format(scenario=base, samples=100_000_000, value=0.1))
    for name, path in cases.items():
        assert check(["calibrate", str(path)], tmp_path / f"cal_{name}", capsys) == 2, name
