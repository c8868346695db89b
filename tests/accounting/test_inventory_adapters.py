"""CLI and API adapters of the inventory call the service and show its problems."""

from __future__ import annotations

import json

import pytest
from conftest import TINY
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.cli import main
from carbonpeak.settings import Settings


def test_cli_inventory_json(tmp_path, capsys):
    path = tmp_path / "balance.csv"
    path.write_text(TINY, encoding="utf-8")
    main(["inventory", "--balance", str(path), "--format", "json"])  # returns normally on success
    out = json.loads(capsys.readouterr().out)
    total = out["totals"][0]
    assert total["process_t"] == pytest.approx(538_000.0)
    assert total["total_t"] == pytest.approx(total["direct_t"] + total["indirect_electricity_t"])
    assert {c["scope"] for c in out["cells"]} == {"energy", "process", "indirect"}


def test_cli_inventory_bad_balance_exits_2_with_every_problem(tmp_path, capsys):
    path = tmp_path / "jinan-2020.csv"
    text = "region,year,sector,fuel,quantity,unit\nA,2020,S99,diesel,1,万t\nA,2020,S01,x,1,万t\n"
    path.write_text(text, "utf-8")
    with pytest.raises(SystemExit) as info:
        main(["inventory", "--balance", str(path), "--format", "csv"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "jinan-2020.csv:2:sector" in err and "jinan-2020.csv:3:fuel" in err


def test_cli_factors_export_lists_sources(capsys):
    main(["factors", "export", "--format", "json"])
    lib = json.loads(capsys.readouterr().out)
    assert all(row["source"] for row in lib["combustion"])
    assert len(lib["sectors"]) == 60 and sum(s["role"] == "final" for s in lib["sectors"]) == 47


def test_api_factors_and_compute(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        grid = client.get("/api/inventory/factors", params={"table": "grid"}).json()
        assert set(grid) == {"grid"} and grid["grid"][0]["source"]
        row = {"region": "A", "year": 2020, "sector": "S01", "fuel": "diesel"}
        rows = [{**row, "quantity": 1, "unit": "万t"}]
        got = client.post("/api/inventory/compute", json={"rows": rows, "factor_set": "guideline"})
        assert got.status_code == 200
        assert got.json()["totals"][0]["energy_t"] == pytest.approx(42.652e-3 * 20.2 * 0.98 * 44 / 12 * 1e4)
        bad = client.post("/api/inventory/compute", json={"rows": [{**rows[0], "sector": "S99"}]})
        assert bad.status_code == 422
        assert bad.json()["problems"][0]["rule"] == "balance.sector.known"


def test_service_cell_lineage():
    from carbonpeak.accounting import parse_csv
    from carbonpeak.errors import BalanceError
    from carbonpeak.services.inventory import cell_lineage

    got = cell_lineage(parse_csv(TINY), "guideline", "A", 2020, "S28", "coke")
    assert got["input_rows"][0]["line"] == 9 and got["factor_rows"][0]["file"] == "combustion_factors.csv"
    with pytest.raises(BalanceError):
        cell_lineage(parse_csv(TINY), "guideline", "B", 2020, "S28", "coke")
