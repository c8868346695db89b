"""The CLI command and the API route: thin adapters over services.projection."""

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carbonpeak.app import create_app
from carbonpeak.cli import build_app
from carbonpeak.settings import Settings


def test_cli_project_json_has_the_promised_keys_and_stores_the_result(tmp_path, monkeypatch):
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(
        build_app(),
        [
            "project",
            "--scenario",
            "plan",
            "--draws",
            "200",
            "--seed",
            "5",
            "--format",
            "json",
            "--analysis-draws",
            "100",
            "--sobol-draws",
            "16",
            "--sensitivity",
            "--wedges",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["sensitivity"]["tornado"] and data["wedges"]
    for key in (
        "p_peak_by_2030",
        "peak_year",
        "peak_value",
        "bands",
        "target_probabilities",
        "sensitivity",
        "wedges",
    ):
        assert key in data
    assert data["seed"] == 5 and len(data["scenario_hash"]) == 64
    stored = json.loads((tmp_path / "projections").glob("plan-*-seed5-n200.json").__next__().read_text())
    assert stored["p_peak_by_2030"] == data["p_peak_by_2030"]


def test_cli_project_impact_and_table(tmp_path, monkeypatch):
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path))
    proj = tmp_path / "plant.yaml"
    proj.write_text(
        "projects:\n  - {name: plant, start_year: 2027, sector: chemicals, source: review file,\n"
        "     energy: {coal: {value: 200, unit: 万tce, source: review file}}}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        build_app(),
        [
            "project",
            "--draws",
            "200",
            "--add-project",
            str(proj),
            "--no-save",
            "--no-sensitivity",
            "--no-wedges",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "P(peak by 2030)" in result.stdout and "project impact" in result.stdout


def test_api_runs_a_shipped_scenario_and_refuses_others(tmp_path, tiny_plan):
    from carbonpeak.services.init import init_database
    from carbonpeak.services.users import create_user, issue_token
    from carbonpeak.store.db import Database

    settings = Settings(data_dir=tmp_path)
    db = Database.from_settings(settings)
    init_database(db, tiny_plan)
    with db.session() as s:  # a new run needs a signed-in user (anonymous: cached results only)
        user = create_user(s, username="v", password="correct horse 1", role="viewer", unit_code="office")
        token = issue_token(s, user)
    db.dispose()
    with TestClient(create_app(settings), headers={"Authorization": f"Bearer {token}"}) as client:
        names = [s["name"] for s in client.get("/api/projection/scenarios").json()]
        assert names == ["baseline", "enhanced", "plan"]
        r = client.post(
            "/api/projection/run", json={"scenario": "baseline", "draws": 200, "analysis_draws": 50}
        )
        assert r.status_code == 200
        body = r.json()
        assert 0 <= body["p_peak_by_2030"] <= 1 and body["wedges"] == [] and body["sensitivity"] is None
        assert client.post("/api/projection/run", json={"scenario": "/etc/passwd"}).status_code == 404
        assert client.post("/api/projection/run", json={"draws": 10**9}).status_code == 422
