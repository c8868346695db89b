"""The one validation toolkit of the loaders (plan, scheme, district plans, status config, scenario,
supervision bundle, forms): reading a file or YAML with the file's name in the error, and turning a
pydantic `ValidationError` into located `Problem`s — one location format, one rule form, texts
from the catalogue (`validation.*` in carbonpeak/i18n/catalogue/validation.yaml).

    problem(location, rule, value, …)  the Problem of `rule`, zh and en texts from the catalogue entry
                                       `problem.<rule>` (or `text_key`) with `{placeholders}` filled
    read_text(path, area)              the file's text; InputError `<area>.read` naming the file
    csv_rows(text)                     a CSV text's header and its rows (line number, cells), stripped
    read_yaml(path_or_text, area, …)   parsed YAML; InputError `<area>.yaml` with line and column
    schema_problems(exc, area, …)      Problem per fault: `<file>:<path>` (`targets[0].unit`), rule
                                       `<area>.<pydantic type>`, zh text by type, en pydantic's
    validated(model, data, area, …)    the model instance, or InputError listing every problem
    finite_number(text)                a cell's number, None when it is not a finite number
    column_letter(n)                   the spreadsheet's name of the 0-based column n (0 → A, 26 → AA)
    FirstSeen(rule).again(key, at, …)  a table's second row of one key: the Problem naming the first
    TableRow                           a row as the table checks take it: (line, cells by column,
                                       each cell's location by column)

A location names what a person can open: the file (its name only, no folders it sits in) and the
path inside it (`programmes[2].tasks[4].lead_units[0]`); a form's fields are named as the form
names them.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from carbonpeak import yaml_loader
from carbonpeak.errors import InputError, Problem
from carbonpeak.i18n import catalogue, t

M = TypeVar("M", bound=BaseModel)
K = TypeVar("K")
Loc = tuple[int | str, ...]
TableRow = tuple[int, Mapping[str, str], Mapping[str, str]]  # (line, cells by column, locations by column)


def problem(
    location: str,
    rule: str,
    value: object = None,
    *,
    text_key: str | None = None,
    severity: str = "error",
    **fields: object,
) -> Problem:
    """The Problem of `rule` at `location`: its zh and en messages are the catalogue entry `text_key`
    (default `problem.<rule>`; a rule whose message differs by case names its own key), with
    `{value}` and the other `{placeholders}` filled from `fields`. Every user-facing Problem is
    built here, so no message text lives in the code."""
    shown = None if value is None else str(value)
    key = text_key or f"problem.{rule}"
    values = {"value": shown if shown is not None else "", **fields}
    labels = catalogue().get(key, {})
    zh, en = (labels.get(lang) or labels.get("zh") or key for lang in ("zh", "en"))
    return Problem(location, rule, zh.format(**values), en.format(**values), value=shown, severity=severity)


def path_of(loc: Iterable[int | str]) -> str:
    """('programmes', 2, 'tasks', 4, 'lead_units', 0) → 'programmes[2].tasks[4].lead_units[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top)"


def located(location: str, path: str) -> str:
    """`file:path`, or the one of them that is given."""
    if not location:
        return path
    return location if path == "(top)" else f"{location}:{path}"


def schema_problems(
    exc: ValidationError,
    area: str,
    *,
    location: str = "",
    prefix: Loc = (),
    skip_loc: tuple[str, ...] = (),
    form_prefix: str | None = None,
) -> list[Problem]:
    """One Problem per fault of `exc`: at `location:prefix+loc` (loc parts starting with one of
    `skip_loc`, such as pydantic's union-branch tags, left out), rule `area.<type>`. For a web form,
    `form_prefix` names the fields as the form does (`p_` + `coal` → `p_coal`)."""
    problems = []
    labels = catalogue()
    for err in exc.errors(include_url=False):
        kind = str(err["type"])
        loc = (*prefix, *(p for p in err["loc"] if not (isinstance(p, str) and p.startswith(skip_loc))))
        msg = str(err["msg"]).removeprefix("Value error, ")
        key = f"validation.{kind}"
        zh = t(key, "zh") if key in labels else t("validation.other", "zh", msg=msg)
        value = err.get("input")
        shown = None if kind == "missing" or isinstance(value, dict | list) else str(value)[:80]
        where = f"{form_prefix}{path_of(loc)}" if form_prefix is not None else located(location, path_of(loc))
        problems.append(Problem(where, f"{area}.{kind}", zh, msg, value=shown))
    return problems


def validated(model: type[M], data: object, area: str, *, location: str = "", what: str | None = None) -> M:
    """`model` validated from `data`; InputError listing every problem (see schema_problems)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid(area, schema_problems(exc, area, location=location), location, what) from None


def invalid(area: str, problems: list[Problem], location: str = "", what: str | None = None) -> InputError:
    """The InputError of a file (or form) `location` of kind `what` (a catalogue key; default
    `validation.what.<area>`) that breaks its rules."""
    key = what or f"validation.what.{area}"
    where = f"{location}: " if location else ""
    where_zh = f"{location}：" if location else ""
    return InputError(
        f"{where}invalid {t(key, 'en')}",
        problems,
        message_zh=f"{where_zh}{t(key, 'zh')}不符合要求",
    )


def finite_number(text: str) -> float | None:
    """The number a cell's text writes, or None (not a number, or inf / nan)."""
    try:
        x = float(text)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def column_letter(n: int) -> str:
    """Spreadsheet letter of the 0-based column `n` (0 → A, 26 → AA)."""
    letters = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class FirstSeen(Generic[K]):
    """Where each key of a table was first seen. `again(key, at)`: None the first time (the key is
    recorded at `at`); after that the Problem `rule` at `at`, naming the first place (`{seen}`)."""

    def __init__(self, rule: str = "data.duplicate", *, text_key: str | None = None) -> None:
        self.rule, self.text_key = rule, text_key
        self._at: dict[K, str] = {}

    def again(self, key: K, at: str, value: object = None) -> Problem | None:
        first = self._at.get(key)
        if first is None:
            self._at[key] = at
            return None
        return problem(at, self.rule, value, text_key=self.text_key, seen=first)


def read_text(path: Path, area: str, *, rule: str | None = None, error: type[InputError] = InputError) -> str:
    """The text of `path` (UTF-8); `error` (InputError) `<area>.read` (or `rule`) naming the file and
    why otherwise."""
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")  # a spreadsheet's BOM
    except (OSError, UnicodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise error(
            f"cannot read {path.name}: {why}",
            [
                Problem(
                    path.name,
                    rule or f"{area}.read",
                    t("validation.read", "zh", why=why),
                    t("validation.read", "en", why=why),
                )
            ],
            message_zh=f"无法读取 {path.name}",
        ) from None


def csv_rows(text: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header of a CSV text (names stripped) and its rows, each as (line, cells): the header is
    line 1, and names and cells are stripped (a missing cell is "")."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    rows = (
        (line, {(k or "").strip(): (v or "").strip() for k, v in raw.items()})
        for line, raw in enumerate(reader, start=2)
    )
    return header, rows


def read_yaml(source: Path | str, area: str, *, location: str | None = None) -> Any:
    """The YAML document of a file (or of text, named `location`); InputError `<area>.yaml` with the
    line and column of the fault otherwise. Empty documents read as {}."""
    text = read_text(source, area) if isinstance(source, Path) else source
    name = location or (source.name if isinstance(source, Path) else "(text)")
    try:
        return yaml_loader.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:line {mark.line + 1}, column {mark.column + 1}" if mark is not None else name
        what = f"{getattr(exc, 'context', '') or ''} {getattr(exc, 'problem', '') or ''}".strip() or str(exc)
        raise InputError(
            f"{name}: not valid YAML",
            [
                Problem(
                    where,
                    f"{area}.yaml",
                    t("validation.yaml", "zh", what=what),
                    t("validation.yaml", "en", what=what),
                )
            ],
            message_zh=f"{name}：不是有效的 YAML 文件",
        ) from None
