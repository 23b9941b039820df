"""Reading scenario files: ``extends`` chains, branch files, ``--set`` overrides, and error
messages that name the file, the field, the value and what is allowed.

A file may say ``extends = "baseline.toml"`` (a path from its folder) or ``extends = "baseline"``
(a shipped scenario, from any folder) and override any field; a file that also
says ``branch = "YYYY-MM"`` sets its parameters as dated changes from that date (see
:class:`simulation.rules.scenario.Scenario`). A branch keeps its levers: a later dated change of
the same parameter in the history it extends is not applied (:func:`branch_levers_kept`),
unless the branch's own ``[[timeline]]`` changes it again. Scenario files are data: they are
parsed as TOML, never evaluated.
"""

from __future__ import annotations

import contextlib
import difflib
import re
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from .fields import PATTERN_WORDS
from .input_files import read_toml
from .scenario import Change, Scenario, ScenarioError


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key=value`` from the command line; the value is read as a TOML value.

    A value that is not valid TOML (``evaluation``) is taken as a plain string.
    """
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ScenarioError(f"--set {text!r}: expected key=value, e.g. policy.aftercare_months=12")
    try:
        value = tomllib.loads(f"v = {raw.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value


#: Longest ``extends`` chain accepted (a longer one is almost surely a mistake).
MAX_EXTENDS_DEPTH = 32


def shipped_folder(name: str) -> Path:
    """The shipped folder ``name`` (``scenarios`` or ``calibration``): package data in an installed
    wheel (``simulation/data/``), the repository's own folder in a clone or an editable install."""
    package = Path(str(files("simulation")))
    inside = package / "data" / name
    return inside if inside.is_dir() else package.parent / name


def locate(path: str | Path, folder: str = "scenarios", suffix: str = ".toml") -> Path:
    """``path`` when it is a file or has a suffix; else the shipped file of that name in ``folder``
    (``small``, ``from_2018/aftercare``; ``plausible`` in ``calibration``), from any working folder."""
    given, root = Path(path), shipped_folder(folder)
    try:
        there = given.exists()  # a file, or a device or folder the reader refuses with its own words
    except (ValueError, OSError):  # a NUL byte, a name longer than the system allows: the reader says so
        there = True
    if there or given.suffix:
        return given
    if (root / f"{given}{suffix}").is_file():
        return root / f"{given}{suffix}"
    names = ", ".join(shipped_names(folder, suffix))
    raise ScenarioError(f"{path}: no such file, and nothing shipped by that name; shipped in {folder}/: {names}")


def shipped_names(folder: str = "scenarios", suffix: str = ".toml") -> list[str]:
    """The names of the shipped files in ``folder``, as :func:`locate` accepts them."""
    root = shipped_folder(folder)
    return sorted(str(p.relative_to(root).with_suffix("")) for p in root.rglob(f"*{suffix}"))


def shown(path: Path) -> str:
    """A path as a user would type it: relative to the current folder when below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_chain(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a scenario file and its ``extends`` parents; return merged data and per-key origins."""
    try:
        path = path.resolve()
        found = path.is_file()
    except (ValueError, OSError) as err:  # a NUL byte, a name longer than the system allows
        reason = "it contains a NUL byte" if isinstance(err, ValueError) else err.strerror
        where = f"{shown(seen[-1])}: extends = " if seen else ""
        raise ScenarioError(f"{where}{str(path)[:200]!r}: not a usable file name ({reason})") from None
    name = shown(path)
    if path in seen:
        chain = " -> ".join(shown(p) for p in (*seen, path))
        raise ScenarioError(f"{name}: 'extends' forms a cycle: {chain}")
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise ScenarioError(f"{shown(seen[0])}: 'extends' chain longer than {MAX_EXTENDS_DEPTH} files")
    if not found:
        raise ScenarioError(f"{name} {_folder_words(path)}" if path.is_dir() else f"{name}: scenario file not found")
    data = read_toml(path, "scenario file", ScenarioError)
    if not data:
        raise ScenarioError(f"{name}: {_empty_words()}")
    parent = data.pop("extends", None)
    branch = data.pop("branch", None)
    if parent is None:
        merged: dict[str, Any] = {}
        origins: dict[str, str] = {}
    elif not isinstance(parent, str):
        raise ScenarioError(f"{name}: extends = {parent!r}: must be a file name (text)")
    else:
        found_parent = parent_file(path, parent, name)
        merged, origins = read_chain(found_parent, (*seen, path))
    explicit = len(data["timeline"]) if isinstance(data.get("timeline"), list) else 0
    if branch is not None:
        if parent is None:
            raise ScenarioError(f"{name}: branch = {branch!r}: a branch needs 'extends', the history it departs from")
        data = _as_changes(data, branch, name)
        merged["timeline"], _ = branch_levers_kept(merged.get("timeline", []), data["timeline"], branch)
    inherited, own = merged.pop("timeline", []), data.pop("timeline", [])
    timeline = inherited + own if isinstance(inherited, list) and isinstance(own, list) else own
    if isinstance(own, list):
        start = len(timeline) - len(own)
        for j, change in enumerate(own):
            origins[f"timeline.{start + j}"] = name
            origins[f"@{start + j}"] = as_written(change, branch if j >= explicit else None)
    _deep_merge(merged, data)
    if timeline or not isinstance(timeline, list):  # a wrong value is left for validation to name
        merged["timeline"] = timeline
    origins.update(dict.fromkeys(_dotted_keys(data), name))
    return merged, origins


def parent_file(path: Path, written: str, name: str) -> Path:
    """The file ``extends = written`` in the scenario file ``path`` names: a path relative to that
    file's folder; failing that, a name without a suffix is a shipped scenario (``"baseline"``,
    ``"from_2018/aftercare"``), as on the command line, so a file anywhere can build on them.
    Refuses a name that is neither, in the words of the file that says it (at any depth of the
    chain); a name the system cannot use is left to :func:`read_chain` to say."""
    parent = path.parent / written
    with contextlib.suppress(ValueError, OSError):
        parent = parent.resolve()
        if parent.is_dir():
            raise ScenarioError(f"{name}: extends = {written!r}: {shown(parent)} {_folder_words(parent)}")
        if not parent.is_file() and not Path(written).suffix:
            shipped = shipped_folder("scenarios") / f"{written}.toml"
            if shipped.is_file():
                return shipped
            raise ScenarioError(
                f"{name}: extends = {written!r}: no file {shown(parent)}, and no shipped scenario of that name; "
                f"shipped: {', '.join(shipped_names())}"
            )
        if not parent.is_file():
            raise ScenarioError(f"{name}: extends = {written!r}: parent file {shown(parent)} not found")
    return parent


def _folder_words(path: Path) -> str:
    """What to say when a scenario path names a folder: ask for a file in it, naming a few."""
    inside = sorted(shown(p) for p in path.glob("*.toml"))
    examples = f" (in it: {', '.join(inside[:3])}{', ...' if len(inside) > 3 else ''})" if inside else ""
    return f"is a folder, not a scenario file: give a .toml file{examples}"


def _empty_words() -> str:
    """What to say about a scenario file that sets nothing: most likely a truncated or unsaved file,
    so it is refused rather than run with every default; how to ask for the defaults on purpose."""
    return (
        "the file sets nothing (it is empty or holds only comments; truncated or not saved?). To build on the "
        'shipped baseline on purpose, write extends = "baseline"; to run every documented default, give it '
        'at least a name, e.g. name = "defaults"'
    )


#: Keys a branch file sets for itself rather than from its branch date.
OWN_KEYS = ("name", "description", "months", "window", "timeline")


def _as_changes(data: dict[str, Any], branch: Any, name: str) -> dict[str, Any]:
    """A branch file's parameters as dated changes: each applies from the branch date."""
    own = {key: data[key] for key in OWN_KEYS if key in data}
    rest = {key: value for key, value in data.items() if key not in OWN_KEYS}
    changes = [{"date": branch, "key": key, "value": value} for key, value in leaves(rest)]
    timeline = own.get("timeline", [])
    return {**own, "branch": branch, "timeline": [*timeline, *changes] if isinstance(timeline, list) else timeline}


def as_written(change: Any, branch: Any) -> str:
    """A dated change as its file says it: a branch file's parameter with its branch date, or a [[timeline]] entry."""
    if not isinstance(change, dict):
        return f"[[timeline]] entry {change!r}"
    if branch is not None:
        return f"{change.get('key')} = {change.get('value')!r} (from branch = {branch!r})"
    written = ", ".join(f"{name} = {change[name]!r}" for name in ("date", "key") if name in change)
    return f"[[timeline]] {written}" if written else f"[[timeline]] entry {change!r}"


def branch_levers_kept(history: Any, branch_changes: Any, branch: Any) -> tuple[Any, list[dict[str, Any]]]:
    """The history's dated changes a branch runs with, and those it overrides.

    The rule: a parameter a branch sets from its date keeps the branch's value; a change of the
    same parameter that the history makes after the branch date is not applied (the branch says
    otherwise by its own ``[[timeline]]`` entries). Without it the history's July 2023 guidance
    subsidy silently replaced a 2018 branch's own funding. Malformed input is returned as it is,
    for validation to name.
    """
    if not (isinstance(history, list) and isinstance(branch_changes, list) and isinstance(branch, str)):
        return history, []
    own = {c.get("key") for c in branch_changes if isinstance(c, dict) and c.get("date") == branch}
    kept, overridden = [], []
    for change in history:
        later = isinstance(change, dict) and isinstance(change.get("date"), str) and change["date"] > branch
        (overridden if later and change.get("key") in own else kept).append(change)
    return kept, overridden


def overridden_by_branch(path: str | Path) -> list[dict[str, Any]]:
    """The history's dated changes that the branch file ``path`` overrides (none if it is no branch)."""
    path = Path(path).resolve()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    branch, parent = data.get("branch"), data.get("extends")
    if branch is None or not isinstance(parent, str):
        return []
    history, _ = read_chain(path.parent / parent, (path,))
    changes = _as_changes({k: v for k, v in data.items() if k not in ("extends", "branch")}, branch, shown(path))
    return branch_levers_kept(history.get("timeline", []), changes["timeline"], branch)[1]


def leaves(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Every (dotted key, value) of a nested table whose value is not itself a table."""
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            out.extend(leaves(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> None:
    """Merge ``extra`` into ``base`` in place; tables merge, other values replace."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value


def _dotted_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        keys.append(dotted)
        if isinstance(value, dict):
            keys.extend(_dotted_keys(value, dotted + "."))
    return keys


def fill_tables(data: dict[str, Any], key: str) -> None:
    """Before ``key`` reaches into a table by name (``employers.sectors.care.hiring_bar``) that
    the file leaves at its default, put the default table in, so that one field of one row
    is changed rather than the whole table replaced by that row."""
    model: Any = Scenario
    node = data
    for part in key.split(".")[:-1]:
        fields = getattr(model, "model_fields", {})
        if part not in fields or not isinstance(node, dict):
            return
        info = fields[part]
        if get_origin(info.annotation) is dict and part not in node:
            node[part] = {name: row.model_dump(mode="json") for name, row in info.default.items()}
            return
        if not isinstance(node.setdefault(part, {}), dict):
            return
        model, node = info.annotation, node[part]


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    *parents, last = key.split(".")
    node = data
    for part in parents:
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise ScenarioError(f"override {key}={value!r}: '{part}' is a value, not a section")
        node = child
    node[last] = value


def validate_scenario(
    data: dict[str, Any], origins: dict[str, str], default_origin: str, context: dict[str, Any] | None = None
) -> Scenario:
    try:
        return Scenario.model_validate(data, context=context)
    except ValidationError as err:
        raise ScenarioError(one_line(_describe(err.errors(), origins, default_origin))) from None


_TYPE_TAGS = {"int", "float", "str", "bool"}


def _field_path(loc: tuple[Any, ...]) -> str:
    """The user's dotted field path, without pydantic's union-member tags."""
    parts = [str(p) for p in loc if isinstance(p, int) or (str(p).isidentifier() and p not in _TYPE_TAGS)]
    return ".".join(parts)


def one_line(problems: list[str]) -> str:
    """Several problems as one line: ``file: a; b; other-file: c`` (each file named once in a row)."""
    parts, previous = [], None
    for problem in problems:
        origin, _, text = problem.partition(": ")
        parts.append(text if origin == previous else problem)
        previous = origin
    return "; ".join(parts)


def _describe(errors: list[dict[str, Any]], origins: dict[str, str], default_origin: str) -> list[str]:
    """One line per faulty field: the file it came from, the field, the value, what is allowed; the
    problems of one dated change in one line that names the change once."""
    by_field: dict[str, list[dict[str, Any]]] = {}
    for error in errors:
        by_field.setdefault(_field_path(error["loc"]), []).append(error)
    lines: list[str] = []
    changes: dict[str, list[str]] = {}  # a dated change as written -> its problems, in order
    for field, errs in by_field.items():
        first = errs[0]
        origin = _origin(field or _subject(first["msg"]), origins, default_origin)
        dated = re.match(r"(?:Value error, )?timeline\[(\d+)\] \([^)]*\): ", first["msg"]) if not field else None
        entry = re.match(r"timeline\.(\d+)\.?(.*)", field)
        if dated is not None and f"@{dated.group(1)}" in origins:
            index = dated.group(1)
            _add_problem(lines, changes, f"{origins[f'timeline.{index}']}: {origins[f'@{index}']}", first["msg"][dated.end() :])
        elif entry is not None and f"@{entry.group(1)}" in origins:
            problem = _entry_problem(entry.group(2) or "entry", errs)
            _add_problem(lines, changes, f"{origin}: {origins[f'@{entry.group(1)}']}", problem)
        elif first["type"] == "extra_forbidden":
            section = field.rsplit(".", 1)[0] if "." in field else ""
            lines.append(f"{origin}: {unknown_key_words(field, _allowed_keys(section))}")
        elif first["type"] == "missing":
            lines.append(f"{origin}: {field}: a value is required")
        else:
            allowed = "; or ".join(map(_words, errs))
            lines.append(f"{origin}: {field} = {first.get('input')!r}: {allowed}" if field else f"{origin}: {allowed}")
    return [_with_problems(line, changes) for line in lines]


def _add_problem(lines: list[str], changes: dict[str, list[str]], change: str, problem: str) -> None:
    """Note ``problem`` of the dated ``change`` (``file: [[timeline]] date = ..., key = ...``); the
    change's line is made where its first problem is (:func:`_with_problems` fills it in)."""
    if change not in changes:
        changes[change] = []
        lines.append(change)
    changes[change].append(problem)


def _with_problems(line: str, changes: dict[str, list[str]]) -> str:
    """``line`` itself, or for a dated change, the change named once and then its problems."""
    if line not in changes:
        return line
    problems = changes[line]
    if len(problems) == 1:
        return f"{line}: {problems[0]}"
    return f"{line}: {len(problems)} problems: " + "; ".join(f"({i}) {p}" for i, p in enumerate(problems, 1))


def _words(error: dict[str, Any]) -> str:
    """What pydantic's ``error`` allows, in words (a calendar month rather than its pattern)."""
    if error["type"] == "string_pattern_mismatch":
        return PATTERN_WORDS.get(error["ctx"]["pattern"], error["msg"])
    return error["msg"].removeprefix("Value error, ")


def _entry_problem(name: str, errs: list[dict[str, Any]]) -> str:
    """What is wrong with field ``name`` of one ``[[timeline]]`` entry (a table of date, key and value)."""
    fields = sorted(Change.model_fields)
    if errs[0]["type"] == "missing":
        return f"'{name}' is missing: a [[timeline]] entry needs {', '.join(fields[:-1])} and {fields[-1]}"
    if errs[0]["type"] == "extra_forbidden":
        return unknown_key_words(name, fields)
    return f"{name} = {errs[0].get('input')!r}: {'; or '.join(map(_words, errs))}"


def _origin(field: str, origins: dict[str, str], default_origin: str) -> str:
    """Where a faulty field was set: the file or override that set it or the table holding it; else
    the one that set a key below it (``--set polcy.x=1`` makes an unknown ``polcy``); else the file given."""
    below = (origin for key, origin in origins.items() if key.startswith(f"{field}.")) if field else iter(())
    return next((origins[k] for k in _prefixes(field) if k in origins), next(below, default_origin))


def _subject(message: str) -> str:
    """The field a check across fields is about, when its message begins with it (``policy.covenant_sectors
    names unknown sectors``, ``branch 2026-01: ...``); else nothing."""
    first = message.removeprefix("Value error, ").split(" ", 1)[0]
    return first if re.fullmatch(r"[a-z_]+(\.[a-z_]+)*", first) else ""


def _prefixes(field: str) -> list[str]:
    parts = field.split(".")
    return [".".join(parts[:i]) for i in range(len(parts), 0, -1)]


def _model_at(section: str) -> Any:
    """The schema of a dotted section (``policy``; ``employers.sectors``, a table by name;
    ``employers.sectors.care``); None when ``section`` is a value or names nothing."""
    model: Any = Scenario
    for part in filter(None, section.split(".")):
        if get_origin(model) is dict:
            model = get_args(model)[1]
        elif isinstance(model, type) and issubclass(model, BaseModel) and part in model.model_fields:
            model = model.model_fields[part].annotation
        else:
            return None
    return model if get_origin(model) is dict or (isinstance(model, type) and issubclass(model, BaseModel)) else None


def _allowed_keys(section: str) -> list[str]:
    """The keys a section accepts, for the 'unknown key' message."""
    model = _model_at(section)
    return ["<any sector name>"] if get_origin(model) is dict else sorted(model.model_fields)


def unknown_key_words(field: str, allowed: list[str]) -> str:
    """'unknown key' for dotted ``field``, with the closest allowed key (a typo is the usual cause) and all of them."""
    close = difflib.get_close_matches(field.rsplit(".", 1)[-1], allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{field}'{hint}; allowed keys here: {', '.join(allowed)}"


def key_problem(key: str) -> str | None:
    """What is wrong with dotted ``key`` as the name of one parameter (a dated change's ``key``):
    a part no section has, or a value taken for a section; None when it names a field."""
    parts = key.split(".")
    for i, part in enumerate(parts):
        section = ".".join(parts[:i])
        if _model_at(section) is None:
            return f"'{section}' is a value, not a section"
        if get_origin(_model_at(section)) is not dict and part not in _allowed_keys(section):
            return unknown_key_words(".".join(parts[: i + 1]), _allowed_keys(section))
    return None


def changed_fields(scenario: Scenario, reference: Scenario) -> dict[str, Any]:
    """The dotted fields in which ``scenario`` differs from ``reference`` (not its name or description),
    with ``scenario``'s values: what an experiment records as a design point's overrides."""
    mine, theirs = dict(leaves(scenario.model_dump(mode="json"))), dict(leaves(reference.model_dump(mode="json")))
    return {k: v for k, v in mine.items() if k not in ("name", "description") and theirs.get(k) != v}
