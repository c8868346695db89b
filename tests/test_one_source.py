"""One figure, one value: the headline figures of one snapshot are equal on every surface, and a
re-published record changes them on every surface at once (issue: one source of truth).

Surfaces: `carbonpeak indicators --store --format json`, `/overview.json`, `/api/indicators`, the
annual report as XLSX and as PDF text. Figures: total CO2, the CO2-intensity fall since 2005, the
energy-intensity fall since 2020, the non-fossil share, P(peak by 2030), PV and storage capacity.
The reconciliation of enterprise accounts with the inventory (inventory page, /api/enterprises/
reconciliation, `carbonpeak enterprise reconcile --store`): its city figures are the inventory's.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.app import create_app
from carbonpeak.cli import main
from carbonpeak.services.plan import current_plan
from carbonpeak.settings import Settings

ROWS = {  # headline → (target row, field of that row)
    "total_co2": ("co2_peak_2030", "latest"),
    "co2_intensity_reduction": ("co2_intensity_reduction_2030", "latest"),  # since 2005
    "energy_intensity_reduction": ("energy_intensity_reduction_2025", "latest"),
    "non_fossil_share": ("non_fossil_share_2025", "latest"),
    "peak_probability": ("co2_peak_2030", "peak_probability"),
    "pv_capacity": ("pv_capacity_2030", "latest"),
    "storage_capacity": ("storage_capacity_2030", "latest"),
}


DIGITS = {  # decimals each figure is shown with on pages and reports
    "total_co2": 1,
    "co2_intensity_reduction": 1,
    "energy_intensity_reduction": 2,
    "non_fossil_share": 2,
    "peak_probability": 3,
    "pv_capacity": 1,
    "storage_capacity": 1,
}


@pytest.fixture
def store(demo_settings, tmp_path, monkeypatch) -> Settings:
    """A copy of the demo store (its database and keys) that a test may change."""
    for item in Path(demo_settings.data_dir).iterdir():
        if item.is_file():
            shutil.copy(item, tmp_path / item.name)
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    return Settings(data_dir=tmp_path)


def _from_rows(rows: list[dict]) -> dict[str, float]:
    by = {r["code"]: r for r in rows}
    return {k: float(by[code][field]) for k, (code, field) in ROWS.items()}


def _cli(capsys) -> tuple[dict[str, float], str]:
    main(["indicators", "--store", "--format", "json"])
    body = json.loads(capsys.readouterr().out)
    return _from_rows(body["targets"]), body["dataset"]


def _web(settings: Settings) -> tuple[dict[str, float], dict[str, float], str]:
    with TestClient(create_app(settings)) as client:
        api = client.get("/api/indicators").json()
        overview = client.get("/overview.json").json()
    heads = {h["key"]: h["value"] for h in overview["headline"]}
    cards = {c["code"]: c for c in overview["targets"]}
    page = {
        "total_co2": heads["total_co2"],
        "co2_intensity_reduction": heads["co2_intensity_reduction"],
        "energy_intensity_reduction": cards["energy_intensity_reduction_2025"]["latest_value"],
        "non_fossil_share": heads["non_fossil_share"],
        "peak_probability": heads["peak_probability"] / 100,  # shown in %
        "pv_capacity": cards["pv_capacity_2030"]["latest_value"],
        "storage_capacity": cards["storage_capacity_2030"]["latest_value"],
    }
    assert api["dataset"] == overview["snapshot"]
    return _from_rows(api["targets"]), {k: float(v) for k, v in page.items()}, overview["snapshot"]


def _report(tmp_path: Path) -> tuple[dict[str, float], str]:
    plan = current_plan()
    name = {t.code: t.name_zh for t in plan.targets}
    out = tmp_path / "annual.xlsx"
    main(["report", "annual", "--year", "2024", "--format", "xlsx", "--lang", "zh", "--out", str(out)])
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    actual = {r[0].value: r[4].value for r in wb["targets"].iter_rows(min_row=3)}
    projection = {r[0].value: r[1].value for r in wb["projection"].iter_rows(min_row=3)}
    figures = {k: float(actual[name[code]]) for k, (code, field) in ROWS.items() if field == "latest"}
    figures["peak_probability"] = float(next(v for k, v in projection.items() if k.startswith("方案")))
    assert len([r for r in wb["targets"].iter_rows(min_row=3) if r[0].value]) == len(plan.targets) == 27
    pdf = tmp_path / "annual.pdf"
    main(["report", "annual", "--year", "2024", "--format", "pdf", "--lang", "zh", "--out", str(pdf)])
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    _official_document(plan, text, tmp_path)
    return figures, text


def _official_document(plan, text: str, tmp_path: Path) -> None:
    """The annual PDF as the issue asks: every target, the three narrative sections, emissions by
    scope with sinks apart, every table's header on one line; the DOCX with the same tables."""
    from docx import Document

    from carbonpeak.reports.render import tables_with_broken_headers
    from carbonpeak.services.reports import build_report
    from carbonpeak.services.results import year_results
    from carbonpeak.services.supervision import load_bundle
    from carbonpeak.store.db import Database

    db = Database.from_settings(Settings())
    try:
        report = build_report(
            "annual",
            plan,
            load_bundle(None, year=2024),
            year=2024,
            results=year_results(plan, 2024, database=db),
        )
    finally:
        db.dispose()
    assert tables_with_broken_headers(report, text) == []  # no column narrower than its header
    for target in plan.targets:  # a long name wraps in its cell: its first line holds the start
        assert target.name_zh[:8] in text, target.code
    for heading in ("主要成效", "存在问题", "下步工作"):
        assert re.search(rf"^[一二三四五六七八九十]+、{heading}$", text, re.M), heading
    for scope in (
        "能源活动直接排放",
        "工业生产过程排放",
        "调入电力间接排放",
        "二氧化碳排放总量（以上三项之和）",
    ):
        assert scope in text, scope
    assert "碳汇（单列，不计入总量）" in text

    docx = tmp_path / "annual.docx"
    main(["report", "annual", "--year", "2024", "--format", "docx", "--lang", "zh", "--out", str(docx)])
    doc = Document(str(docx))
    assert any(t.rows[0].cells[0].text == "指标" and len(t.rows) == 28 for t in doc.tables)  # 27 targets


def _all_equal(store: Settings, tmp_path: Path, capsys) -> dict[str, float]:
    cli, cli_data = _cli(capsys)
    api, page, snapshot = _web(store)
    assert cli_data == snapshot  # every surface names the same snapshot
    report, pdf_text = _report(tmp_path)
    for key, value in cli.items():
        assert api[key] == pytest.approx(value, rel=1e-12), key  # the same JSON model
        # pages and reports show rounded figures: equal at the precision they are shown with
        step = 10.0 ** -DIGITS[key]
        assert page[key] == pytest.approx(value, abs=step / 2 + 1e-9), key
        assert report[key] == pytest.approx(value, abs=step / 2 + 1e-9), key
    for shown in (
        f"{cli['total_co2']:,.1f}",
        f"{cli['non_fossil_share']:,.2f}",
        f"{cli['energy_intensity_reduction']:,.2f}",
        f"{cli['peak_probability']:.1%}",
    ):
        assert shown in pdf_text, shown
    return cli


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils missing: scripts/install-system.sh"
)
def test_one_figure_one_value_and_a_republished_record_moves_every_surface(store, tmp_path, capsys):
    from carbonpeak.services import statistics as stats
    from carbonpeak.services import submissions as svc
    from carbonpeak.services.demo import statistics_files
    from carbonpeak.store.db import Database
    from carbonpeak.store.models import User

    before = _all_equal(store, tmp_path, capsys)

    # the statistics bureau re-publishes the 2024 energy balance: 10 % more raw coal burnt for power
    text = dict((k, d) for k, _, d in statistics_files())["energy_balance"].decode()
    rows = []
    for line in text.splitlines():
        f = line.split(",")
        if f[0] == "region" or f[1] == "2024":
            if f[2:4] == ["T_POWER", "raw_coal"]:
                f[4] = f"{float(f[4]) * 1.1:.4f}"
            rows.append(",".join(f))
    db = Database.from_settings(store)
    try:
        with db.session() as s:
            office = s.query(User).filter_by(username="demo-office").one()
            reviewer = s.query(User).filter_by(username="demo-reviewer").one()  # separation of duties
            (sub,) = stats.import_records(
                s, office, kind="energy_balance", filename="2024-v2.csv", data="\n".join(rows).encode()
            )
            assert sub.version == 2
            svc.submit_submission(s, office, sub.id)
            svc.approve_submission(s, reviewer, sub.id)
            svc.publish_submission(s, reviewer, sub.id)
            s.commit()
    finally:
        db.dispose()

    after = _all_equal(store, tmp_path, capsys)
    assert after["total_co2"] > before["total_co2"]
    assert after["co2_intensity_reduction"] < before["co2_intensity_reduction"]
    assert after["pv_capacity"] == before["pv_capacity"]  # a figure the record does not feed stays


def test_project_and_decompose_take_the_snapshot_with_store(store, capsys):
    """`project --store` gives the P(peak by 2030) the indicator engine shows, on the same data set;
    `decompose --store` decomposes that data set's emissions."""
    main(["indicators", "--store", "--format", "json"])
    indicators = json.loads(capsys.readouterr().out)
    p_peak = {r["code"]: r for r in indicators["targets"]}["co2_peak_2030"]["peak_probability"]
    main(["project", "--store", "--draws", "5000", "--seed", "1", "--no-save", "--format", "json"])
    projection = json.loads(capsys.readouterr().out)
    assert projection["dataset"] == indicators["dataset"]
    assert projection["p_peak_by"]["probability"] == pytest.approx(p_peak, abs=1e-12)
    main(["decompose", "--store", "--format", "json"])
    decomposition = json.loads(capsys.readouterr().out)
    assert decomposition["input"] == f"snapshot {indicators['dataset']}"
    from carbonpeak.services.results import year_inventory
    from carbonpeak.store.db import Database

    db = Database.from_settings(store)
    try:
        inv = year_inventory("jinan", 2024, database=db)
    finally:
        db.dispose()
    assert inv is not None  # energy CO2 with imported electricity: the inventory less process CO2
    assert decomposition["end_emissions"] == pytest.approx(inv.energy + inv.indirect_electricity, rel=1e-6)


def test_the_reconciliation_shows_the_inventorys_figures_on_every_surface(store, capsys):
    """Per industry, the inventory column of the reconciliation is the sum of the inventory page's own
    lines (energy + process, t CO2) of the sectors the industry covers, and the enterprise column the
    sum of the enterprises' direct CO2 of /api/enterprises/grades; the inventory page, the API and
    the CLI show the same rows; every industry with enterprises shows a coverage and a residual."""
    from carbonpeak.services.users import create_user, issue_token
    from carbonpeak.store.db import Database

    db = Database.from_settings(store)
    try:
        with db.session() as s:
            token = issue_token(
                s,
                create_user(
                    s, username="rec", password="correct horse 1", role="office", unit_code="carbon_office"
                ),
            )
            s.commit()
    finally:
        db.dispose()
    with TestClient(create_app(store)) as client:
        page = client.get("/inventory.json").json()
        headers = {"Authorization": f"Bearer {token}"}
        api = client.get(
            "/api/enterprises/reconciliation", params={"year": page["year"]}, headers=headers
        ).json()
        grades = client.get("/api/enterprises/grades", params={"year": page["year"]}, headers=headers).json()
        assert client.get("/api/enterprises/reconciliation").status_code == 401
    rec = page["reconciliation"]
    assert rec["year"] == page["year"] == api["year"] and rec["rows"] == api["rows"]
    main(["enterprise", "reconcile", "--store", "--year", str(page["year"]), "--format", "json"])
    cli = json.loads(capsys.readouterr().out)
    assert [{k: r[k] for k in cli[0]} for r in rec["rows"]] == cli
    lines: dict[str, float] = {}
    for line in page["lines"]:
        if line["scope"] in ("energy", "process"):
            lines[line["sector"]] = lines.get(line["sector"], 0.0) + line["emissions"] * 1e4
    direct: dict[str, float] = {}
    for g in grades["rows"]:
        direct[g["division"]] = direct.get(g["division"], 0.0) + g["direct_t"]
    assert len(rec["rows"]) >= 5
    for r in rec["rows"]:
        assert r["inventory_t"] == pytest.approx(
            sum(lines.get(s, 0.0) for s in r["inventory_sectors"]), rel=1e-6
        )
        assert r["enterprises_t"] == pytest.approx(direct[r["division"]], rel=1e-9)
        assert r["residual_t"] == pytest.approx(r["inventory_t"] - r["enterprises_t"], rel=1e-9, abs=1e-6)
        assert r["coverage"] is not None and 0 < r["coverage"] < 1
    assert rec["coverage"] == pytest.approx(rec["enterprises_t"] / rec["inventory_t"])
