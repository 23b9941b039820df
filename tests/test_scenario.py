"""Scenario files: the shipped ones load, and every kind of bad input gets a clear message."""

from pathlib import Path

import numpy as np
import pytest

from simulation import Scenario, ScenarioError
from simulation.rules.scenario_files import parse_override

from .conftest import SCENARIOS

SHIPPED = sorted(SCENARIOS.glob("*.toml"))


def test_every_required_scenario_ships():
    names = {p.stem for p in SHIPPED}
    required = {
        "baseline",
        "pre_reform",
        "imw_2023",
        "small",
        "no_extension",
        "sine_phaseout",
        "sine_phaseout_compensated",
        "sector_covenants",
        "aftercare",
        "guidance_training",
        "outcome_bonus",
        "flanking_package",
    }
    assert required <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_validate_and_are_named_after_their_file(path: Path):
    scenario = Scenario.load(path)
    assert scenario.name == path.stem
    assert scenario.description


def test_baseline_is_full_scale_flanders():
    base = Scenario.load(SCENARIOS / "baseline.toml")
    assert base.world.pool_size == 100_000
    assert base.world.lde_workers == 2_500
    assert base.world.enterprises == 200
    assert base.policy.max_lde_months == 60
    assert base.months == 180


def test_extends_overrides_only_what_the_child_says():
    base = Scenario.load(SCENARIOS / "baseline.toml")
    pre = Scenario.load(SCENARIOS / "pre_reform.toml")
    assert pre.policy.max_lde_months == "unlimited"
    assert pre.policy.extension_rule == "none"
    assert pre.world == base.world
    assert pre.policy.wage_subsidy == base.policy.wage_subsidy
    compensated = Scenario.load(SCENARIOS / "sine_phaseout_compensated.toml")  # two levels of extends
    assert compensated.policy.sine_phaseout_start_month == 12
    assert compensated.policy.sine_compensation_share == 1.0


def test_imw_has_a_degressive_wage_premium_and_no_sine():
    imw = Scenario.load(SCENARIOS / "imw_2023.toml")
    shares = [share for _, share in imw.policy.wage_subsidy]
    assert shares == sorted(shares, reverse=True) and len(shares) == 3
    assert imw.enterprises.sine_share == 0


def test_resolved_scenario_round_trips_through_toml(tmp_path: Path):
    scenario = Scenario.load(SCENARIOS / "flanking_package.toml")
    path = tmp_path / "resolved.toml"
    path.write_text(scenario.to_toml())
    again = Scenario.load(path)
    assert again == scenario
    assert again.digest() == scenario.digest()


def test_overrides_are_typed_from_toml_syntax():
    assert parse_override("policy.aftercare_months=12") == ("policy.aftercare_months", 12)
    assert parse_override("policy.max_lde_months=unlimited") == ("policy.max_lde_months", "unlimited")
    assert parse_override("policy.wage_subsidy=[[0, 0.4]]") == ("policy.wage_subsidy", [[0, 0.4]])
    with pytest.raises(ScenarioError, match="expected key=value"):
        parse_override("policy.aftercare_months")


def test_with_overrides_validates():
    base = Scenario()
    assert base.with_overrides({"policy.aftercare_months": 12}).policy.aftercare_months == 12
    with pytest.raises(ScenarioError, match=r"policy.aftercare_months = -1: Input should be greater than or equal to 0"):
        base.with_overrides({"policy.aftercare_months": -1})


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


BAD = {
    "unknown key": (
        "[policy]\nafter_care_months = 12\n",
        r"bad.toml: unknown key 'policy.after_care_months' \(did you mean 'aftercare_months'\?\); allowed keys here: .*"
        r"aftercare_months",
    ),
    "unknown section": ("[polcy]\nx = 1\n", r"bad.toml: unknown key 'polcy' \(did you mean 'policy'\?\); allowed keys here: "),
    "wrong type": (
        '[world]\npool_size = "many"\n',
        r"bad.toml: world.pool_size = 'many': expected a number, got the text 'many'$",
    ),
    "out of range": (
        "[policy]\nmax_lde_months = -3\n",
        r"bad.toml: policy.max_lde_months = -3: Input should be greater than or equal to 1; or Input should be 'unlimited'",
    ),
    "bad choice": (
        '[policy]\nextension_rule = "lottery"\n',
        r"bad.toml: policy.extension_rule = 'lottery': Input should be 'none' or 'evaluation'",
    ),
    "bad schedule": (
        "[policy]\nwage_subsidy = [[3, 0.4]]\n",
        r"policy.wage_subsidy = \[\[3, 0.4\]\]: the first step must start at month 0",
    ),
    "shares": ("[world]\neducation_shares = [0.5, 0.5, 0.5]\n", r"world.education_shares = .*adding up to 1"),
    "unknown sector": ('[policy]\ncovenant_sectors = ["mining"]\n', r"covenant_sectors names unknown sectors \['mining'\]"),
    "broken toml": ("[policy\nx = 1\n", r"bad.toml: not valid TOML"),
    "missing parent": ('extends = "nowhere.toml"\n', r"bad.toml: extends = 'nowhere.toml': parent file .*nowhere.toml not found"),
    "parent a folder": ('extends = "."\n', r"bad.toml: extends = '.': .* is a folder, not a scenario file: give a .toml file"),
    "empty": ("", r"bad.toml: the file sets nothing \(it is empty or holds only comments; .*extends = \"baseline\""),
    "unknown parent name": (
        'extends = "baselin"\n',
        r"bad.toml: extends = 'baselin': no file .*baselin, and no shipped scenario of that name; shipped: .*baseline, ",
    ),
    "only comments": ("# a scenario\n\n  # to be written\n", r"bad.toml: the file sets nothing"),
    "bad start": ('start = "15-04"\n', r"bad.toml: start = '15-04': expected a calendar month YYYY-MM, years 1990–2100"),
    "bad window": ('window = "2016"\n', r"bad.toml: window = '2016': expected YYYY-MM:YYYY-MM, years 1990–2100 .*, or all$"),
}

#: A [[timeline]] entry of small.toml's run, with one thing wrong, and what must be said about it.
BAD_ENTRIES = {
    "unknown key": (
        'key = "context.vacancy_inflo_rate"\nvalue = 0.015',
        r"\[\[timeline\]\] date = '2016-01', key = 'context.vacancy_inflo_rate': unknown key 'context.vacancy_inflo_rate' "
        r"\(did you mean 'vacancy_inflow_rate'\?\); allowed keys here: cycle_amplitude, .*vacancy_inflow_rate",
    ),
    "a value as a section": (
        'key = "policy.aftercare_months.x"\nvalue = 1',
        r".*key = 'policy.aftercare_months.x': 'policy.aftercare_months' is a value, not a section$",
    ),
    "no value": (
        'key = "policy.aftercare_months"',
        r"\[\[timeline\]\] date = '2016-01', key = 'policy.aftercare_months': 'value' is missing: a \[\[timeline\]\] entry "
        r"needs date, key and value$",
    ),
    "a misspelt field": (
        'kee = "policy.aftercare_months"\nvalue = 1',
        r"\[\[timeline\]\] date = '2016-01': 2 problems: \(1\) 'key' is missing: [^;]*; \(2\) unknown key 'kee' \(did you "
        r"mean 'key'\?\); allowed keys here: date, key, value$",
    ),
}


@pytest.mark.parametrize("kind", BAD)
def test_bad_scenarios_name_file_field_value_and_what_is_allowed(tmp_path: Path, kind: str):
    text, message = BAD[kind]
    with pytest.raises(ScenarioError, match=message):
        Scenario.load(write(tmp_path, "bad.toml", text))


@pytest.mark.parametrize("kind", BAD_ENTRIES)
def test_a_bad_timeline_entry_is_named_as_written_with_what_is_allowed(tmp_path: Path, kind: str):
    text, message = BAD_ENTRIES[kind]
    path = write(tmp_path, "bad.toml", f'extends = "{SCENARIOS / "small.toml"}"\n[[timeline]]\ndate = "2016-01"\n{text}\n')
    with pytest.raises(ScenarioError, match=f"bad.toml: {message}"):
        Scenario.load(path)


def test_an_entry_with_two_problems_is_named_once_then_its_problems(tmp_path: Path):
    """The entry as written once, then each of its problems, numbered."""
    text = f'extends = "{SCENARIOS / "small.toml"}"\n[[timeline]]\ndate = "2017-13"\nkey = "policy.aftercare_months"\n'
    with pytest.raises(ScenarioError) as err:
        Scenario.load(write(tmp_path, "bad.toml", text + "value = 3\nextra = 1\n"))
    assert str(err.value) == (
        f"{tmp_path / 'bad.toml'}: [[timeline]] date = '2017-13', key = 'policy.aftercare_months': 2 problems: "
        "(1) date = '2017-13': expected a calendar month YYYY-MM, years 1990–2100 (e.g. 2026-07); "
        "(2) unknown key 'extra'; allowed keys here: date, key, value"
    )


def test_a_bad_date_in_a_timeline_entry_is_said_in_words_not_as_a_pattern(tmp_path: Path):
    text = f'extends = "{SCENARIOS / "small.toml"}"\n[[timeline]]\ndate = "2016-1"\nkey = "policy.aftercare_months"\nvalue = 1\n'
    with pytest.raises(ScenarioError, match=r"date = '2016-1': expected a calendar month YYYY-MM, years 1990–2100") as err:
        Scenario.load(write(tmp_path, "bad.toml", text))
    assert "^" not in str(err.value) and "\\d" not in str(err.value)


def test_the_defaults_on_purpose_run_as_the_empty_file_message_says(tmp_path: Path):
    """The two ways the message offers to ask for the defaults are accepted (and mean what they say)."""
    with pytest.raises(ScenarioError) as err:
        Scenario.load(write(tmp_path, "empty.toml", ""))
    extends = str(err.value).split("write ", 1)[1].split(";", 1)[0]
    assert Scenario.load(write(tmp_path, "on_purpose.toml", extends + "\n")) == Scenario.load(SCENARIOS / "baseline.toml")
    assert Scenario.load(write(tmp_path, "defaults.toml", 'name = "defaults"\n')) == Scenario(name="defaults")


def test_extends_names_a_shipped_scenario_from_any_folder(tmp_path: Path):
    """``extends = "baseline"`` (no suffix) builds on the shipped file, as ``lde-sim run baseline`` runs it,
    also from a nested shipped name; a file of that name beside the scenario comes first."""
    child = write(tmp_path, "mine.toml", 'extends = "baseline"\n[policy]\naftercare_months = 7\n')
    baseline = Scenario.load(SCENARIOS / "baseline.toml")
    assert Scenario.load(child) == baseline.with_overrides({"policy.aftercare_months": 7})
    nested = write(tmp_path, "nested.toml", 'extends = "from_2018/aftercare"\n')
    assert Scenario.load(nested).policy == Scenario.load(SCENARIOS / "from_2018" / "aftercare.toml").policy
    write(tmp_path, "baseline", "[world]\npool_size = 1234\n")  # a file beside it without a suffix is found first
    assert Scenario.load(child).world.pool_size == 1234


def test_a_folder_is_not_a_scenario_file(tmp_path: Path):
    with pytest.raises(ScenarioError, match=r"from_2026 is a folder, not a scenario file: give a .toml file \(in it: .*\.toml"):
        Scenario.load(SCENARIOS / "from_2026")


def test_a_missing_grandparent_is_blamed_on_the_file_that_names_it(tmp_path: Path):
    write(tmp_path, "parent.toml", 'extends = "nowhere.toml"\n')
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n')
    with pytest.raises(ScenarioError, match=r"parent.toml: extends = 'nowhere.toml': parent file .*nowhere.toml not found$"):
        Scenario.load(child)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"polcy.aftercare_months": 1}, r"override \(--set\): unknown key 'polcy' \(did you mean 'policy'\?\)"),
        ({"policy.covenant_sectors": ["care", "bogus"]}, r"override \(--set\): policy.covenant_sectors names unknown sectors"),
        ({"branch": "2010-01"}, r"override \(--set\): branch 2010-01: the date must fall after the start"),
    ],
)
def test_an_error_made_by_an_override_blames_the_override_not_the_file(overrides: dict, message: str):
    with pytest.raises(ScenarioError, match=f"^{message}"):
        Scenario.load(SCENARIOS / "small.toml", overrides)


def test_an_error_across_fields_blames_the_file_that_set_the_field(tmp_path: Path):
    child = write(tmp_path, "child.toml", f'extends = "{SCENARIOS / "small.toml"}"\n[policy]\ncovenant_sectors = ["mining"]\n')
    with pytest.raises(ScenarioError, match=r"child.toml: policy.covenant_sectors names unknown sectors \['mining'\]"):
        Scenario.load(child)


def test_error_in_a_parent_names_the_parent(tmp_path: Path):
    write(tmp_path, "parent.toml", "[people]\nsearch_rate_lde = 2.0\n")
    child = write(tmp_path, "child.toml", 'extends = "parent.toml"\n[policy]\naftercare_months = 6\n')
    with pytest.raises(
        ScenarioError, match=r"parent.toml: people.search_rate_lde = 2.0: Input should be less than or equal to 1"
    ):
        Scenario.load(child)


def test_extends_cycle_is_reported(tmp_path: Path):
    write(tmp_path, "a.toml", 'extends = "b.toml"\n')
    write(tmp_path, "b.toml", 'extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="'extends' forms a cycle"):
        Scenario.load(tmp_path / "a.toml")


def test_missing_file_is_reported(tmp_path: Path):
    with pytest.raises(ScenarioError, match="scenario file not found"):
        Scenario.load(tmp_path / "absent.toml")


def test_a_scenario_file_is_never_executed(tmp_path: Path):
    path = write(tmp_path, "evil.toml", "name = \"__import__('os').system('touch pwned')\"\n")
    scenario = Scenario.load(path)
    assert scenario.name.startswith("__import__")
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_parameter_reference_in_docs_is_up_to_date():
    from simulation.rules.parameter_docs import parameter_reference

    assert (SCENARIOS.parent / "docs" / "parameters.md").read_text() == parameter_reference(), "run `make docs`"


def test_every_parameter_has_a_unit_a_source_and_a_meaning():
    from simulation.rules.parameter_docs import is_section
    from simulation.rules.scenario import Scenario as S
    from simulation.rules.scenario import Sector

    sections = [f.annotation for f in S.model_fields.values() if is_section(f.annotation)] + [Sector]
    for section in sections:
        for name, field in section.model_fields.items():
            extra = field.json_schema_extra or {}
            assert extra.get("unit") and extra.get("source") and field.description, f"{section.__name__}.{name}"


def test_a_very_long_extends_chain_is_a_clear_error(tmp_path: Path):
    (tmp_path / "s0.toml").write_text('name = "s0"\n')
    for i in range(1, 40):
        (tmp_path / f"s{i}.toml").write_text(f'extends = "s{i - 1}.toml"\n')
    with pytest.raises(ScenarioError, match="'extends' chain longer than 32 files"):
        Scenario.load(tmp_path / "s39.toml")


def test_errors_name_the_file_as_the_user_typed_it(tmp_path: Path, monkeypatch):
    (tmp_path / "mine.toml").write_text("[policy]\nmax_lde_months = -3\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        Scenario.load("mine.toml")
    assert str(caught.value).startswith("mine.toml: policy.max_lde_months = -3")


def test_setting_one_field_of_one_sector_keeps_the_other_sectors():
    scenario = Scenario.load(SCENARIOS / "baseline.toml", {"employers.sectors.care.hiring_bar": 0.5})
    default = Scenario.load(SCENARIOS / "baseline.toml")
    assert scenario.employers.sectors["care"].hiring_bar == 0.5
    assert scenario.employers.sectors["care"].vacancy_share == default.employers.sectors["care"].vacancy_share
    assert set(scenario.employers.sectors) == set(default.employers.sectors)


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("policy.max_lde_months", True, "expected a number, got true"),
        ("policy.aftercare_months", False, "expected a number, got false"),
        ("people.search_rate_lde", float("inf"), "finite number"),
        ("policy.wage_subsidy", [[0, float("nan")]], "finite number"),
        ("world.age_band_shares", [0.5, float("nan"), 0.5], "finite number"),
        ("world.initial_jobless_months", [24, 40000], "high <= 1200"),
        ("policy.referral_capacity", 2**70, "less than or equal to"),
        ("enterprises.wage_cost_month", 1e300, "less than or equal to"),
        ("policy.guidance_subsidy", [[0, 400.0], [5000, 1.0]], "at most 1200"),
    ],
)
def test_nonsense_numbers_are_refused(small: Scenario, key: str, value: object, expected: str):
    with pytest.raises(ScenarioError, match=expected):
        small.with_overrides({key: value})


def test_every_parameter_has_a_role_and_sweeps_and_calibration_use_them(small, tmp_path):
    from simulation.calibration.history_matching import calibrate
    from simulation.experiments.design import DesignError, parse_vary
    from simulation.rules.scenario import ROLES, parameter_role

    sections = ("world", "people", "enterprises", "employers", "context", "policy")
    keys = [f"{section}.{name}" for section in sections for name in type(getattr(small, section)).model_fields]
    assert {parameter_role(k) for k in keys} == set(ROLES)
    assert parameter_role("policy.aftercare_months") == "lever" and parameter_role("people.search_rate_lde") == "behaviour"
    assert parameter_role("context.inflow_rate") == "context" and parameter_role("world.pool_size") == "fixed"
    with pytest.raises(DesignError, match="world.pool_size is a fixed rule"):
        parse_vary("world.pool_size=1000:2000", small)
    targets = tmp_path / "t.toml"
    targets.write_text(
        f'scenario = "{SCENARIOS / "small.toml"}"\nsamples = 2\nreplications = 1\n'
        '[[target]]\nname = "t"\nindicator = "transition_rate_annual"\nvalue = 0.1\nuncertainty = 0.02\nsource = "test"\n'
        '[[parameter]]\nkey = "policy.aftercare_months"\nlow = 0\nhigh = 12\nreason = "test"\n'
    )
    with pytest.raises(DesignError, match="a policy lever is chosen, not fitted"):
        calibrate(targets, jobs=1, out=tmp_path / "cal")


def test_a_schedule_gives_the_value_of_the_step_each_month_falls_in():
    """schedule_values, with its shortcut for one step: the step in force at each month (the first
    step's value before it starts, as the search gives)."""
    from simulation.rules.scenario import schedule_values

    months = np.arange(0, 80)
    assert np.array_equal(schedule_values([(12, 0.5)], months), np.full(80, 0.5))
    three = schedule_values([(0, 1.0), (24, 0.6), (48, 0.2)], months)
    assert np.array_equal(three, np.select([months < 24, months < 48], [1.0, 0.6], 0.2))
