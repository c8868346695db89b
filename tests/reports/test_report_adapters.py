"""The CLI commands and API routes of reports, evaluation and supervision, on the packaged plan and sample."""

import io
import json

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.app import create_app
from carbonpeak.cli import main
from carbonpeak.settings import Settings


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_cli_report_annual_xlsx(tmp_path, capsys, initialised):
    out = tmp_path / "annual.xlsx"
    main(["report", "annual", "--year", "2024", "--format", "xlsx", "--lang", "en", "--out", str(out)])
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    assert {"targets", "capacity", "scores districts", "scores departments", "rectification"} <= set(
        wb.sheetnames
    )
    assert "Sample data" in str(wb["README"]["A2"].value)


def test_cli_evaluate_archive_and_reproduce(tmp_path, capsys, initialised):
    main(["evaluate", "--year", "2024", "--archive", str(tmp_path), "--format", "json"])
    first = json.loads(capsys.readouterr().out)
    [record] = list((tmp_path / "evaluations").glob("2024-jinan-2024-v2-*.json"))
    main(["evaluate", "--reproduce", str(record), "--format", "json"])
    again = json.loads(capsys.readouterr().out)
    assert again == first
    assert {u["grade_zh"] for u in first["units"] if u["evaluated"]} <= {"优秀", "良好", "合格", "不合格"}
    # every district and functional zone: graded with both veto conditions, or 未参评 with a reason
    from carbonpeak.services.plan import current_plan

    members = current_plan().members()["district_governments"]
    listed = {u["unit"]: u for u in first["units"]}
    assert len(members) == 15 and set(members) <= set(listed)
    for code in members:
        u = listed[code]
        if u["evaluated"]:
            assert set(u["veto_conditions"]) == {"annual", "cumulative"}
        else:
            assert u["status_zh"] == "未参评" and u["reason_zh"]
    assert "district_governments" not in listed and "city_departments" not in listed


@pytest.mark.parametrize(
    "argv", [["report", "annual", "--year", "2024", "--format", "xlsx"], ["evaluate", "--year", "2024"]]
)
def test_cli_says_run_init_instead_of_showing_sample_results(tmp_path, capsys, monkeypatch, argv):
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    code, _, err = _run([*argv, "--out", str(tmp_path / "x")] if argv[0] == "report" else argv, capsys)
    assert code == 2  # not initialised is a user error (docs/cli.md, exit codes)
    assert "carbonpeak init" in err and "初始化" in err
    assert not (tmp_path / "x").exists()


def test_cli_unknown_format_is_an_input_error(capsys):
    code, _, err = _run(["report", "dispatch", "--format", "odt"], capsys)
    assert code == 2 and "odt" in err and "docx" in err  # names the formats there are


def test_cli_dispatch_and_balance(capsys):
    main(["dispatch", "--part", "overdue", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert data["overdue_reports"] and all(o["state"] in ("missing", "late") for o in data["overdue_reports"])
    main(["balance", "--format", "json"])
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["pv_capacity_2030"]["status"] == "shortfall"


@pytest.fixture(scope="module")
def office_client(tmp_path_factory):
    from carbonpeak.services import users
    from carbonpeak.services.init import init_database
    from carbonpeak.services.plan import current_plan
    from carbonpeak.store.db import Database

    settings = Settings(data_dir=tmp_path_factory.mktemp("api"), secret_key="test")
    db = Database.from_settings(settings)
    init_database(db, current_plan(settings.plan_file))
    with db.session() as s:
        office = users.create_user(
            s, username="office", password="office-password-1", role="office", unit_code="development_reform"
        )
        dept = users.create_user(
            s, username="dept", password="dept-password-1", role="department", unit_code="transport"
        )
        tokens = {"office": users.issue_token(s, office), "dept": users.issue_token(s, dept)}
    db.dispose()
    with TestClient(create_app(settings)) as client:
        yield client, tokens


def test_api_reports_and_evaluation(office_client):
    client, tokens = office_client
    auth = {"Authorization": f"Bearer {tokens['office']}"}
    r = client.get("/api/reports/dispatch?lang=en", headers=auth)
    assert r.status_code == 200, r.text and r.headers["content-type"].startswith("text/html")
    assert "dispatch notice" in r.text
    x = client.get("/api/reports/assessment?year=2025&format=xlsx", headers=auth)
    assert x.status_code == 200, x.text and "balance" in load_workbook(io.BytesIO(x.content)).sheetnames
    e = client.get("/api/evaluation/2024", headers=auth).json()
    assert e["scheme_code"] == "jinan-2024" and e["scores"][0]["rank"] == 1
    assert client.get("/api/evaluation/balance", headers=auth).status_code == 200
    assert client.get("/api/supervision/capacity", headers=auth).json()[0]["target"]
    assert (
        client.get("/api/supervision/dispatch?as_of=2025-03-01", headers=auth).json()["as_of"] == "2025-03-01"
    )


def test_api_is_for_the_office(office_client):
    client, tokens = office_client
    assert client.get("/api/reports/annual").status_code == 401
    r = client.get("/api/evaluation/2024", headers={"Authorization": f"Bearer {tokens['dept']}"})
    assert r.status_code == 403


def test_api_summary_is_stored_and_printed_first_in_its_section(office_client):
    client, tokens = office_client
    auth = {"Authorization": f"Bearer {tokens['office']}"}
    body = {"text_zh": "全年新增光伏装机稳步推进。", "text_en": "PV capacity grew steadily."}
    r = client.put("/api/reports/annual/2024/summaries/achievements", json=body, headers=auth)
    assert r.status_code == 200, r.text
    assert (
        client.get("/api/reports/annual/2024/summaries", headers=auth).json()[0]["text_en"] == body["text_en"]
    )
    bad = client.put("/api/reports/annual/2024/summaries/outlook", json=body, headers=auth)
    assert bad.status_code == 422
    dept = {"Authorization": f"Bearer {tokens['dept']}"}
    assert (
        client.put("/api/reports/annual/2024/summaries/problems", json=body, headers=dept).status_code == 403
    )
    html = client.get("/api/reports/annual?year=2024&lang=en", headers=auth).text
    assert "<h2>4. Achievements</h2>\n  <p>PV capacity grew steadily.</p>" in html
    d = client.get("/api/reports/assessment?year=2025&format=docx", headers=auth)
    assert d.status_code == 200 and d.content[:2] == b"PK"
