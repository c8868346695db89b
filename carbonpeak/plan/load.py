"""Loading and validating a plan file: YAML → `Plan`, with every fault reported at once.

    load_plan(path)          read a file; PlanError listing every problem, or the Plan
    parse_plan(text)         the same from a string (a web upload, a test)
    check_plan_data(data)    the cross-reference and target rules on the raw mapping → list[Problem]

Rules (each Problem's `rule`; docs/methods/plan.md describes them):

    yaml.syntax                   the file is not YAML (location: line and column)
    yaml.duplicate_key            a mapping repeats a key (PyYAML would silently keep the last)
    plan.mapping                  the top level is not a mapping
    schema.<pydantic type>        a field is missing, extra, of the wrong type or outside its choices
    code.duplicate                two records of one kind share a code (tasks, guarantees and
                                  organisation items share one code space: they are all measures)
    unit.duplicate_name           two units share a name or alias
    reference.unit                a lead/co/responsible unit, a target's lead unit or a unit's
                                  `member_of` is not a code of `units`
    target.lead_not_responsible   a target's lead unit is not one of its responsible units
    reference.programme           a target names a programme that does not exist
    reference.task                a target names a task that does not exist (or not in its programme)
    reference.target              a key project serves a target that does not exist
    measure.duplicate_unit        a measure lists the same unit twice
    target.year_order             target_year <= base_year
    target.pending_with_value     value_pending is true but a target_value is given
    target.value_missing          no target_value, not pending, and the metric needs a number
    target.base_value_without_year  a base_value without its base_year

Locations are paths into the file with 0-based list indices, as the YAML reads them:
`programmes[2].tasks[4].lead_units[0]` is the first lead unit of the fifth task of the third programme;
the messages end with the line of that path in the file (`line_of`).
Cross-reference rules run on the raw mapping, so they are reported together with schema faults.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from carbonpeak.errors import PlanError, Problem
from carbonpeak.plan.schema import Plan
from carbonpeak.validation import problem, read_text, schema_problems
from carbonpeak.yaml_loader import SafeLoader

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_PLAN_FILE = DATA_DIR / "jinan-2023.yaml"

# metrics that may carry no number: a peak has a year, a qualitative target has words
_VALUELESS_METRICS = {"peak", "qualitative"}


def load_plan(path: Path | str | None = None) -> Plan:
    """The plan in `path` (default: the packaged Jinan plan); PlanError listing every problem."""
    file = Path(path) if path is not None else DEFAULT_PLAN_FILE
    text = read_text(file, "plan", rule="file.readable", error=PlanError)
    return parse_plan(text, name=str(file))


def parse_plan(text: str, *, name: str = "<plan>") -> Plan:
    """The plan written in `text` (YAML); PlanError listing every problem. `name` labels the messages."""
    data, problems = _read_yaml(text)
    if data is None:
        raise _plan_error(name, problems)
    if not isinstance(data, Mapping):
        problems.append(problem("(top)", "plan.mapping"))
        raise _plan_error(name, problems)
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as exc:
        problems.extend(schema_problems(exc, "schema"))
    problems.extend(check_plan_data(data))
    if problems or plan is None:
        raise _plan_error(name, _with_lines(text, problems))
    return plan


_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def line_of(root: yaml.Node, location: str) -> int | None:
    """1-based line of the node at `location` (a path like `targets[3].unit`) in a composed YAML tree.

    When the path ends at a key that is absent (a missing field), the line of its deepest existing parent.
    """
    node = root
    for key, index in _STEP.findall(location):
        child: yaml.Node | None = None
        if index and isinstance(node, yaml.SequenceNode) and int(index) < len(node.value):
            child = node.value[int(index)]
        elif key and isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        if child is None:
            break
        node = child
    return int(node.start_mark.line) + 1


def _with_lines(text: str, problems: list[Problem]) -> list[Problem]:
    """The problems with the line of their location added to the messages (paths stay as they are)."""
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
        return problems
    if root is None:
        return problems
    out = []
    for p in problems:
        if p.location.startswith("line "):
            out.append(p)
            continue
        line = line_of(root, p.location)
        out.append(
            replace(
                p, message_zh=f"{p.message_zh}（第 {line} 行）", message_en=f"{p.message_en} (line {line})"
            )
        )
    return out


def _plan_error(name: str, problems: list[Problem]) -> PlanError:
    n = len(problems)
    return PlanError(
        f"plan file {name} has {n} problem(s)", problems, message_zh=f"方案文件 {name} 有 {n} 处错误"
    )


# -- YAML ----------------------------------------------------------------------------------------


class _Loader(SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader that records repeated keys instead of silently keeping the last one."""

    duplicates: list[Problem]


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            mark = key_node.start_mark
            loader.duplicates.append(
                problem(
                    f"line {mark.line + 1}, column {mark.column + 1}", "yaml.duplicate_key", str(key), key=key
                )
            )
        seen.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node, deep=deep))


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(text: str) -> tuple[Any, list[Problem]]:
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(file)"
        what = f"{exc.context or ''} {exc.problem or ''}".strip()
        return None, [problem(where, "yaml.syntax", what=what)]
    except yaml.YAMLError as exc:
        return None, [problem("(file)", "yaml.syntax", what=exc)]
    finally:
        loader.dispose()
    return data, list(loader.duplicates)


# -- schema faults -------------------------------------------------------------------------------


# -- cross-reference and target rules on the raw mapping -----------------------------------------


def _records(data: Mapping[str, Any], key: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    items = data.get(key)
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, Mapping):
                yield f"{key}[{i}]", item


def _measures(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for ppath, prog in _records(data, "programmes"):
        yield from ((f"{ppath}.{p}", m) for p, m in _records(prog, "tasks"))
    yield from _records(data, "guarantees")
    yield from _records(data, "organisation")


def _strings(record: Mapping[str, Any], key: str) -> Iterator[tuple[int, str]]:
    items = record.get(key)
    if isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, str):
                yield i, item


def _duplicates(records: list[tuple[str, Mapping[str, Any]]], what: str) -> list[Problem]:
    problems: list[Problem] = []
    first: dict[str | int, str] = {}
    for path, rec in records:
        code = rec.get("code")
        if not isinstance(code, str | int):
            continue
        if code in first:
            problems.append(
                problem(f"{path}.code", "code.duplicate", str(code), what=what, code=code, first=first[code])
            )
        else:
            first[code] = path
    return problems


def check_plan_data(data: Mapping[str, Any]) -> list[Problem]:
    """Every cross-reference and target-rule fault of a raw plan mapping; [] when all is well."""
    problems: list[Problem] = []
    units = list(_records(data, "units"))
    targets = list(_records(data, "targets"))
    programmes = list(_records(data, "programmes"))
    measures = list(_measures(data))
    projects = list(_records(data, "key_projects"))

    problems += _duplicates(units, "单位 unit ")
    problems += _duplicates(targets, "目标 target ")
    problems += _duplicates(programmes, "工程 programme ")
    problems += _duplicates(measures, "任务 measure ")
    problems += _duplicates(projects, "项目 project ")

    unit_codes = {u["code"] for _, u in units if isinstance(u.get("code"), str)}
    by_name: dict[str, str] = {}  # name or alias → unit code, to hint at the code when a name was written
    for path, u in units:
        names = [u.get("name_zh"), *(a for _, a in _strings(u, "aliases"))]
        for name in names:
            if not isinstance(name, str):
                continue
            if name in by_name and by_name[name] != u.get("code"):
                problems.append(problem(path, "unit.duplicate_name", name, name=name, by_name=by_name[name]))
            by_name.setdefault(name, str(u.get("code")))

    def unit_refs(path: str, record: Mapping[str, Any], key: str) -> list[str]:
        seen = []
        for i, ref in _strings(record, key):
            seen.append(ref)
            if ref in unit_codes:
                continue
            named = (
                {"text_key": "problem.reference.unit.named", "code": by_name[ref]} if ref in by_name else {}
            )
            problems.append(problem(f"{path}.{key}[{i}]", "reference.unit", ref, ref=ref, **named))
        return seen

    for path, m in measures:
        listed = unit_refs(path, m, "lead_units") + unit_refs(path, m, "co_units")
        for ref in sorted({r for r in listed if listed.count(r) > 1}):
            problems.append(problem(path, "measure.duplicate_unit", ref, ref=ref))

    programme_codes = {p["code"] for _, p in programmes if isinstance(p.get("code"), str)}
    task_programme = {}
    for _, prog in programmes:
        for _, task in _records(prog, "tasks"):
            if isinstance(task.get("code"), str):
                task_programme[task["code"]] = prog.get("code")

    for path, u in units:
        member_of = u.get("member_of")
        if member_of is not None and member_of not in unit_codes:
            problems.append(problem(f"{path}.member_of", "reference.unit", str(member_of), ref=member_of))

    for path, t in targets:
        responsible = unit_refs(path, t, "responsible_units")
        problems += _refs_outside(
            path,
            t,
            "lead_units",
            set(responsible),
            "target.lead_not_responsible",
        )
        problems += _target_rules(path, t, programme_codes, task_programme)

    columns = list(_records(data, "columns"))
    for path, c in columns:
        column_programme = c.get("programme")
        if isinstance(column_programme, str) and column_programme not in programme_codes:
            problems.append(
                problem(
                    f"{path}.programme", "reference.programme", column_programme, programme=column_programme
                )
            )
    column_numbers = {c.get("number") for _, c in columns}
    target_codes = {t["code"] for _, t in targets if isinstance(t.get("code"), str)}
    for path, p in projects:
        if columns and p.get("column") not in column_numbers:
            problems.append(
                problem(f"{path}.column", "reference.column", str(p.get("column")), column=p.get("column"))
            )
        problems += _refs_outside(
            path,
            p,
            "serves_targets",
            target_codes,
            "reference.target",
        )
    return problems


def _refs_outside(
    path: str, record: Mapping[str, Any], key: str, known: Collection[str], rule: str
) -> list[Problem]:
    """A Problem of `rule` for each entry `ref` of the list `record[key]` that is not in `known` (at
    `path.key[i]`; the rule's texts formatted with the ref)."""
    return [
        problem(f"{path}.{key}[{i}]", rule, ref, ref=ref)
        for i, ref in _strings(record, key)
        if ref not in known
    ]


def _target_rules(
    path: str, t: Mapping[str, Any], programme_codes: set[Any], task_programme: Mapping[Any, Any]
) -> list[Problem]:
    problems = []
    programme, task = t.get("programme"), t.get("task")
    if isinstance(programme, str) and programme not in programme_codes:
        problems.append(problem(f"{path}.programme", "reference.programme", programme, programme=programme))
    if isinstance(task, str):
        if task not in task_programme:
            problems.append(problem(f"{path}.task", "reference.task", task, task=task))
        elif isinstance(programme, str) and task_programme[task] != programme:
            problems.append(
                problem(
                    f"{path}.task",
                    "reference.task",
                    task,
                    text_key="problem.reference.task.programme",
                    task=task,
                    programme=programme,
                )
            )
    base_year, target_year = t.get("base_year"), t.get("target_year")
    years_known = isinstance(base_year, int | float) and isinstance(target_year, int | float)
    if years_known and target_year <= base_year:  # type: ignore[operator]
        problems.append(
            problem(
                f"{path}.target_year",
                "target.year_order",
                str(target_year),
                target_year=target_year,
                base_year=base_year,
            )
        )
    pending, value = t.get("value_pending") is True, t.get("target_value")
    if pending and value is not None:
        problems.append(problem(f"{path}.target_value", "target.pending_with_value", str(value)))
    if not pending and value is None and t.get("metric") not in _VALUELESS_METRICS:
        problems.append(problem(f"{path}.target_value", "target.value_missing"))
    if t.get("base_value") is not None and t.get("base_year") is None:
        problems.append(problem(f"{path}.base_value", "target.base_value_without_year"))
    return problems
