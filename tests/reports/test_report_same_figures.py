"""The annual report shows the engines' figures: the same as track_targets and the inventory service.

Through the CLI on an initialised database (the report's database), as XLSX and as PDF text: total
CO2, the non-fossil share, the energy-intensity fall and P(peak by 2030) equal the indicator
engine's rows for the same year, and the inventory's total equals the sum of its three scopes.
"""

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from carbonpeak.cli import main
from carbonpeak.services.indicators import track_targets
from carbonpeak.services.plan import current_plan
from carbonpeak.services.results import year_inventory
from carbonpeak.store.db import Database


def _engine_figures(url):
    db = Database(url)
    try:
        rows = {r["code"]: r for r in track_targets(plan=current_plan(), year=2024, database=db).rows}
    finally:
        db.dispose()
    return rows


def test_report_xlsx_and_pdf_show_the_engines_figures(tmp_path, initialised):
    rows = _engine_figures(initialised)
    plan = current_plan()
    name = {t.code: (t.name_zh, t.target_year) for t in plan.targets}
    inv = year_inventory("jinan", 2024)
    assert inv is not None
    assert inv.total == pytest.approx(inv.energy + inv.process + inv.indirect_electricity)
    assert inv.total == pytest.approx(rows["co2_peak_2030"]["latest"], abs=1e-3)  # the same total CO2

    out = tmp_path / "annual.xlsx"
    main(["report", "annual", "--year", "2024", "--format", "xlsx", "--lang", "zh", "--out", str(out)])
    wb = load_workbook(io.BytesIO(out.read_bytes()))
    actual = {(r[0].value, int(r[1].value)): r[4].value for r in wb["targets"].iter_rows(min_row=3)}
    assert len(actual) == len(plan.targets)  # every target, not a chosen few
    for code in ("non_fossil_share_2025", "energy_intensity_reduction_2025", "co2_peak_2030"):
        assert actual[name[code]] == pytest.approx(rows[code]["latest"]), code
    scopes = [r[1].value for r in wb["inventory"].iter_rows(min_row=3)]
    assert scopes[3] == pytest.approx(inv.total) and scopes[4] == "未核算"
    projection = {r[0].value: r[1].value for r in wb["projection"].iter_rows(min_row=3)}
    assert len(projection) == 2  # plan and baseline side by side
    p_plan = next(v for k, v in projection.items() if k.startswith("方案"))
    assert p_plan == pytest.approx(rows["co2_peak_2030"]["peak_probability"])

    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing: run scripts/install-system.sh")
    pdf = tmp_path / "annual.pdf"
    main(["report", "annual", "--year", "2024", "--format", "pdf", "--lang", "zh", "--out", str(pdf)])
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    for figure in (
        f"{inv.total:,.1f}",
        f"{rows['non_fossil_share_2025']['latest']:,.2f}",
        f"{rows['energy_intensity_reduction_2025']['latest']:,.2f}",
        f"{rows['co2_peak_2030']['peak_probability']:.1%}",
    ):
        assert figure in text, figure
