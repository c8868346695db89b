"""CLI and API adapters of the inventory call the service and show its problems."""

from __future__ import annotations

import json

import numpy as np
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


def test_cli_table_is_a_summary_that_fits_80_columns(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    path = tmp_path / "balance.csv"
    path.write_text(TINY, encoding="utf-8")
    main(["inventory", "--balance", str(path), "--format", "table"])
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.strip()]
    header = next(ln for ln in lines if "year" in ln)
    for col in ("total", "energy", "process", "indirect", "万tce", "coal%", "nonfos%"):
        assert col in header
    row = next(ln for ln in lines if ln.strip().startswith("2020"))
    assert "53.8" in row.split()  # process: 100 万t clinker × 0.538 = 53.8 万t CO2
    assert max(len(ln) for ln in lines if "note" not in ln) <= 80
    assert "…" not in out


def test_cli_csv_keeps_every_total_column(tmp_path, capsys):
    from carbonpeak.services.inventory import TOTAL_COLUMNS

    path = tmp_path / "balance.csv"
    path.write_text(TINY, encoding="utf-8")
    main(["inventory", "--balance", str(path), "--format", "csv"])
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert tuple(header) == TOTAL_COLUMNS


def test_cli_regional_grid_and_separate_imports(tmp_path, capsys):
    text = (
        "region,year,sector,fuel,quantity,unit\n"
        "济南市,2022,S46,electricity,10,亿kWh\n济南市,2022,IMPORT,electricity,10,亿kWh\n"
    )
    path = tmp_path / "balance.csv"
    path.write_text(text, encoding="utf-8")
    main(["inventory", "--balance", str(path), "--format", "json", "--grid", "regional"])
    out = json.loads(capsys.readouterr().out)
    total = out["totals"][0]
    assert total["indirect_electricity_t"] == pytest.approx(1e6 * 0.6410)
    # all energy is imported electricity, credited at Shandong's share (2022 not tabulated: the
    # nearest Shandong year, 2023: 27.5 − 3.2 = 24.3 %, Shandong statistics bureau's 2024 review)
    assert total["share_non_fossil"] == pytest.approx(0.243)
    main(["inventory", "--balance", str(path), "--format", "json", "--non-fossil-imports", "separate"])
    out = json.loads(capsys.readouterr().out)
    assert out["totals"][0]["share_non_fossil"] == 0.0
    assert out["totals"][0]["indirect_electricity_t"] == pytest.approx(1e6 * 0.5366)


def test_api_compute_with_regional_grid_and_an_import_share(tmp_path):
    cell = {"region": "济南市", "year": 2022, "fuel": "electricity", "quantity": 10, "unit": "亿kWh"}
    rows = [{**cell, "sector": "S46"}, {**cell, "sector": "IMPORT"}]
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        body = {"rows": rows, "grid": "regional", "import_share": 0.5}
        got = client.post("/api/inventory/compute", json=body)
        assert got.status_code == 200
        total = got.json()["totals"][0]
        assert total["indirect_electricity_t"] == pytest.approx(1e6 * 0.6410)
        assert total["share_non_fossil"] == pytest.approx(0.5)
        regions = client.get("/api/inventory/factors", params={"table": "grid_regions"}).json()
        assert any(r["region"] == "山东省" and r["grid"] == "华北" for r in regions["grid_regions"])
        bad = client.post("/api/inventory/compute", json={**body, "import_share": 1.5})
        assert bad.status_code == 422


def test_service_rejects_an_unknown_grid_choice():
    from carbonpeak.accounting import parse_csv
    from carbonpeak.errors import BalanceError
    from carbonpeak.services.inventory import compute_inventory

    with pytest.raises(BalanceError) as err:
        compute_inventory(parse_csv(TINY), grid="provincial")
    assert err.value.problems[0].rule == "inventory.grid"


def test_demo_balance_has_no_negative_share():
    from pathlib import Path

    from carbonpeak.accounting.energy import MIX_PARTS

    demo = Path(__file__).resolve().parents[2] / "carbonpeak" / "demo" / "data" / "energy-balance.csv"
    from carbonpeak.accounting import energy_mix, parse_csv, read_balance

    mix = energy_mix(read_balance(parse_csv(demo.read_text(encoding="utf-8"))), "coal_equivalent")
    for key in ("coal", "oil", "gas", "non_fossil", "non_fossil_local", "net_import_non_fossil"):
        assert (mix[key] >= 0).all(), key
    assert (mix["statistical_difference"] <= 0).all()
    np.testing.assert_allclose(sum(mix[k] for k in MIX_PARTS), 1.0)
