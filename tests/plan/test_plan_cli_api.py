"""`carbonpeak plan …` and /api/plan/…, on the packaged plan and on the invented city's plan."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.cli import main
from carbonpeak.plan.load import load_plan
from carbonpeak.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
YUNZE = FIXTURES / "yunze-2024.yaml"
EXPORT_KEYS = ["targets", "programmes", "guarantees", "organisation", "key_projects", "units"]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_json_holds_every_record_with_a_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "export", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert list(data) == EXPORT_KEYS
    assert len(data["programmes"]) == 10
    assert sum(len(p["tasks"]) for p in data["programmes"]) == 39
    assert len(data["key_projects"]) == 111
    assert len(data["targets"]) == 27
    records = [r for key in EXPORT_KEYS for r in data[key]] + [
        t for p in data["programmes"] for t in p["tasks"]
    ]
    assert all(r["source"]["section"] and r["source"]["quote"] for r in records)
    pv = next(t for t in data["targets"] if t["code"] == "pv_capacity_2030")
    assert (pv["target_value"], pv["unit"]) == (500, "万kW")


def test_export_csv_one_row_per_record(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "export", "--format", "csv"], capsys)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["record"]] = counts.get(r["record"], 0) + 1
        assert r["source_section"] and r["source_quote"]
    assert counts == {
        "unit": 55,
        "target": 27,
        "programme": 10,
        "task": 39,
        "guarantee": 6,
        "organisation": 3,
        "key_project": 111,
    }


def test_export_rejects_an_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["plan", "export", "--format", "xml"], capsys)
    assert code == 2 and "xml" in err and "Traceback" not in err


def test_show_prints_a_tree_with_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "show"], capsys)
    assert code == 0
    assert "重点工程 (10; 重点任务 39)" in out
    assert "重点项目 (111)" in out
    assert "光伏发电装机规模 2030: ≥ 500 万kW" in out
    code, out, _ = run(["plan", "show", "--lang", "en", "--file", str(YUNZE)], capsys)
    assert code == 0 and "Programmes (2; Tasks 3)" in out
    assert out.splitlines()[0].startswith("Yunze Carbon Peak Implementation Plan")


def test_validate_good_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["plan", "validate"], capsys)
    assert code == 0 and "tasks 39" in out and "key_projects 111" in out
    code, out, _ = run(["plan", "validate", str(YUNZE)], capsys)
    assert code == 0 and "yunze-2024" in out and "tasks 3" in out


def test_validate_bad_file_lists_every_problem_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    text = YUNZE.read_text(encoding="utf-8")
    text = text.replace("lead_units: [transport]", "lead_units: [市发改委]").replace(
        "target_value: 15", "target_value: 15\n    base_year: 2030"
    )
    bad.write_text(text, encoding="utf-8")
    code, _, err = run(["plan", "validate", str(bad)], capsys)
    assert code == 2
    assert "Traceback" not in err
    line = next(ln for ln in err.splitlines() if "programmes[1].tasks[0].lead_units[0]: " in ln)
    assert 'unknown unit "市发改委"' in line and line.index("市发改委") < line.index(" / ")  # zh, then en
    assert "targets[0].target_year" in err and "2 problem(s)" in err


def test_validate_bad_file_as_a_process_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: x\nunits: [\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "carbonpeak", "plan", "validate", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "yaml.syntax" in proc.stderr


def test_the_invented_city_loads_with_the_same_code() -> None:
    plan = load_plan(YUNZE)
    assert (plan.city_en, len(plan.programmes), len(plan.tasks()), len(plan.key_projects)) == (
        "Yunze",
        2,
        3,
        4,
    )
    assert plan.target("co2_intensity_reduction_2025").value_pending
    assert plan.unit("housing").aliases == ["市住建局"]


def test_api_serves_the_plan_read_only(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path))
    with TestClient(app) as client:
        data = client.get("/api/plan").json()
        assert list(data) == EXPORT_KEYS
        targets = client.get("/api/plan/targets", params={"indicator": "non_fossil_share"}).json()
        assert [(t["target_year"], t["target_value"]) for t in targets] == [(2025, 7), (2030, 12)]
        assert len(client.get("/api/plan/tasks").json()) == 39
        statistics = client.get("/api/plan/tasks", params={"unit": "transport"}).json()
        assert "P5.T1" in [t["code"] for t in statistics]
        assert len(client.get("/api/plan/projects").json()) == 111
        assert len(client.get("/api/plan/projects", params={"column": 3}).json()) == 13
        assert len(client.get("/api/plan/units").json()) == 55
        assert client.post("/api/plan/targets").status_code == 405


def test_api_reads_the_settings_plan_file(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, plan_file=YUNZE))
    with TestClient(app) as client:
        assert len(client.get("/api/plan/projects").json()) == 4
