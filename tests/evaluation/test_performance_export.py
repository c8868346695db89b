"""The evaluation's points per unit as a CSV / XLSX file for the city's performance assessment."""

import csv
import io

import pytest
from openpyxl import load_workbook

from carbonpeak.cli import main
from carbonpeak.services.performance_export import COLUMNS


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    with pytest.MonkeyPatch.context() as mp:
        from carbonpeak.services.init import init_database
        from carbonpeak.services.plan import current_plan
        from carbonpeak.store.db import Database

        url = f"sqlite:///{folder / 'carbonpeak.db'}"
        db = Database(url)
        init_database(db, current_plan())
        db.dispose()
        mp.setenv("CARBONPEAK_DATABASE_URL", url)
        main_args = ["evaluate", "--year", "2024", "--format", "json"]
        for suffix in ("csv", "xlsx"):
            main([*main_args, "--export", str(folder / f"points.{suffix}")])
    return folder


def test_csv_has_every_unit_and_criterion_with_totals_that_match(exported):
    text = (exported / "points.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    scored = [r for r in rows if r["criterion"] != "not_evaluated"]
    assert {"development_reform", "tianqiao"} & {r["unit_code"] for r in rows}
    # a unit's rows share one total score and grade; ranks are numbers from 1
    by_unit: dict[str, set[str]] = {}
    for r in scored:
        by_unit.setdefault(r["unit_code"], set()).add(r["score"])
    assert all(len(v) == 1 for v in by_unit.values())
    assert min(int(r["rank"]) for r in scored) == 1
    assert all(r["basis"] for r in rows if r["criterion"] == "not_evaluated")  # the reason given


def test_xlsx_numbers_are_numbers_and_match_the_csv(exported):
    ws = load_workbook(exported / "points.xlsx").active
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    header = [c.value for c in ws[1]]
    assert tuple(header) == COLUMNS
    first = [c.value for c in ws[2]]
    assert isinstance(first[header.index("score")], float | int)
    assert isinstance(first[header.index("points")], float | int)
    text = (exported / "points.csv").read_bytes().decode("utf-8-sig")
    assert ws.max_row == len(text.strip().splitlines())


def test_an_unknown_suffix_is_an_input_error(exported, capsys, monkeypatch):
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", f"sqlite:///{exported / 'carbonpeak.db'}")
    with pytest.raises(SystemExit) as exc:
        main(["evaluate", "--year", "2024", "--export", str(exported / "points.pdf")])
    assert exc.value.code == 2 and ".csv" in capsys.readouterr().err
