"""Hostile uploads: each gets its own located error, in bounded time and memory.

Each file of `hostile.CORPUS` is parsed in a fresh process (tests/collection/hostile.py, address
space capped at 3 GB) that reports the problems, the seconds and the rise of peak resident memory:
before the streaming checks, the cell at XFD1048576 allocated 9.5 GB and the under-declared member
2.2 GB, so these bounds fail loudly on a regression without taking the test process down.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from collection_helpers import found, problems_of, sheet_as_csv
from hostile import CORPUS

from carbonpeak.collection import TemplateSpec, UploadLimits, parse_upload
from carbonpeak.collection.rules import neutralised

HOSTILE = Path(__file__).with_name("hostile.py")


@pytest.fixture
def filled(spec: TemplateSpec, template: bytes) -> bytes:
    from collection_helpers import fill, valid_answers

    return fill(template, valid_answers(spec))


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_gets_its_own_located_error_in_bounded_time_and_memory(name: str) -> None:
    run = subprocess.run(
        [sys.executable, str(HOSTILE), name], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout)
    assert {(p["rule"], p["location"]) for p in result["problems"]} == {CORPUS[name][1]}
    assert result["seconds"] < 5
    assert result["rss_rise_mb"] < 256
    for p in result["problems"]:
        assert p["message_zh"] and p["message_en"] and "{" not in p["message_en"] + p["message_zh"]


def test_far_cell_within_the_limits_is_read_without_walking_every_position(
    spec: TemplateSpec, filled: bytes
) -> None:
    from hostile import far_cell

    # a stray value at BL10000 is inside the limits: reported as data outside the columns, quickly
    problems = problems_of(far_cell(filled, "BL10000"), "a.xlsx", spec)
    assert found(problems) == {("structure.data_outside_columns", "指标!10000:BL")}


def test_limits_are_parameters(spec: TemplateSpec, filled: bytes) -> None:
    from hostile import far_cell

    limits = UploadLimits(max_rows=50, max_columns=20)
    problems = problems_of(far_cell(filled, "U20"), "a.xlsx", spec, limits=limits)
    assert found(problems) == {("sheet.extent", "指标!20:U")}


def test_csv_with_too_many_rows(spec: TemplateSpec, filled: bytes) -> None:
    data = sheet_as_csv(filled, "指标") + b"x,1\r\n" * 200_000
    problems = problems_of(data, "a.csv", spec)
    assert [p.rule for p in problems] == ["sheet.rows"]
    assert problems[0].location.startswith("指标!")


@pytest.mark.parametrize("n", [40_000, 2_000_000])
def test_csv_cell_too_long_is_named_not_malformed(spec: TemplateSpec, filled: bytes, n: int) -> None:
    base = sheet_as_csv(filled, "指标")
    row = len(list(csv.reader(io.StringIO(base.decode("utf-8-sig"), newline="")))) + 1
    data = base + b'pv_capacity,"' + b"x" * n + b'"\r\n'
    problems = problems_of(data, "a.csv", spec)
    assert [p.rule for p in problems] == ["cell.too_long"]
    assert problems[0].location in (f"指标!{row}:B", f"指标!{row}:?")  # ? : beyond the csv module's own cap


def test_formula_like_text_is_flagged_on_import(spec: TemplateSpec, template: bytes) -> None:
    from collection_helpers import fill, valid_answers

    answers = valid_answers(spec)
    code = next(iter(answers["任务进展"]))
    answers["任务进展"][code] = {**answers["任务进展"][code], "narrative": "SENTINEL"}
    # as text in a CSV: typed into a workbook it would be a formula cell, refused as cell.formula
    data = sheet_as_csv(fill(template, answers), "任务进展")
    data = data.replace(b"SENTINEL", b'"=HYPERLINK(""http://x"",""y"")"')
    parsed = parse_upload(data, "a.csv", spec)
    flagged = [w for w in parsed.warnings if w.rule == "cell.formula_text"]
    assert len(flagged) == 1 and flagged[0].location.startswith("任务进展!")
    assert flagged[0].value == '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize(
    ("value", "out"),
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("a=b", "a=b"),
        (-1.5, -1.5),
    ],
)
def test_formula_like_text_is_neutralised_for_export(value: object, out: object) -> None:
    assert neutralised(value) == out


def test_member_inflating_past_its_declared_size_stops_at_the_limit(
    spec: TemplateSpec, filled: bytes
) -> None:
    from hostile import lying_member

    data = lying_member(filled, 3_000_000)  # declares 100 bytes
    problems = problems_of(data, "a.xlsx", spec, limits=UploadLimits(max_uncompressed_bytes=2_000_000))
    assert found(problems) == {("file.inflated_size", "a.xlsx")}
    assert "xl/worksheets/sheet2.xml" in problems[0].message_en


def test_cli_csv_output_neutralises_formula_like_text(capsys: pytest.CaptureFixture[str]) -> None:
    from carbonpeak.cli.output import print_csv

    print_csv([{"name": "=cmd|'/c calc'!A1", "value": -3.0}])
    out = capsys.readouterr().out.splitlines()
    assert out == ["name,value", "'=cmd|'/c calc'!A1,-3.0"]
