"""Cell readers and byte checks on their own (no workbook), and the packaged plan's units."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.collection import PROJECT_STATUSES, TASK_STATUSES, build_template, parse_upload, spec_for_unit
from carbonpeak.collection.reading import decode_csv
from carbonpeak.collection.rules import CellFault, range_text, read_date, read_number, read_status
from carbonpeak.collection.xlsx_safety import DEFAULT_LIMITS, container_problems, file_kind
from carbonpeak.errors import UploadError


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_number_written_as_text_reads_back_exactly(x: float) -> None:
    assert read_number(repr(x)) == x
    assert read_number(x) == x


@pytest.mark.parametrize("text", ["nan", "inf", "-Infinity", "12abc", "", None])
def test_read_number_refuses_non_finite_and_words(text: str | None) -> None:
    if text in ("", None):
        assert read_number(text) is None
    else:
        with pytest.raises(CellFault):
            read_number(text)


def test_read_number_percent_sign_only_in_percent_columns() -> None:
    assert read_number("45%", percent=True) == 45.0
    with pytest.raises(CellFault):
        read_number("45%")


@given(st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)))
def test_dates_in_every_accepted_form(day: dt.date) -> None:
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        dt.datetime.combine(day, dt.time()),
        day,
    ]
    assert {read_date(f) for f in forms} == {day}


def test_month_reads_as_first_day_and_impossible_dates_fail() -> None:
    assert read_date("2024-05") == read_date("2024年5月") == dt.date(2024, 5, 1)
    for bad in ("2024-02-30", "下个月", "30/06/2024"):
        with pytest.raises(CellFault):
            read_date(bad)


def test_status_labels_and_codes() -> None:
    for code, label in {**TASK_STATUSES}.items():
        assert read_status(label, TASK_STATUSES) == read_status(code.upper(), TASK_STATUSES) == code
    assert read_status("under construction", PROJECT_STATUSES) == "under_construction"
    with pytest.raises(CellFault):
        read_status("完成", TASK_STATUSES)


def test_range_text() -> None:
    assert [range_text(0, 100), range_text(0, None), range_text(None, 5.5), range_text(None, None)] == [
        "0–100",
        "≥ 0",
        "≤ 5.5",
        "",
    ]


def test_decode_csv_encodings() -> None:
    text = "指标,单位\r\n光伏,万千瓦\r\n"
    for encoding in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        assert decode_csv(text.encode(encoding)) == text
    assert decode_csv(text.encode("utf-16")) is None


def test_file_kind_is_by_extension() -> None:
    names = ("a.XLSX", "b.csv", "c.xlsm", "d.xls", "e")
    assert [file_kind(n) for n in names] == ["xlsx", "csv", None, None, None]


def test_container_reads_only_the_directory() -> None:
    # a member whose data is not even deflate: the check passes because it never inflates anything
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    assert container_problems(out.getvalue(), "a.xlsx", DEFAULT_LIMITS) == []


def test_every_unit_of_the_packaged_plan_gets_a_spec_and_the_largest_a_clean_template() -> None:
    from carbonpeak.plan.load import load_plan

    plan = load_plan()
    specs = [spec_for_unit(plan, unit.code, 2024) for unit in plan.units]
    assert sum(len(s.tasks) for s in specs) > len(plan.units)  # tasks are found through lead and co units
    idle = next((s for s in specs if not (s.indicators or s.tasks or s.projects)), None)
    if idle is not None:  # a unit with nothing to report yet gets a template of instructions only
        assert parse_upload(build_template(idle), "idle.xlsx", idle).sheets == ()
    largest = sorted(specs, key=lambda s: -(len(s.indicators) + len(s.tasks) + len(s.projects)))[:2]
    for spec in largest:
        with pytest.raises(UploadError) as err:
            parse_upload(build_template(spec), f"{spec.unit_code}.xlsx", spec)
        # an untouched template is well formed: the only faults are the values not yet typed
        assert {p.rule for p in err.value.problems} == {"required.missing"}, spec.unit_code


def _both_readers(data: bytes):
    from carbonpeak.collection.reading import _read_values, read_xlsx_openpyxl

    fast, full = _read_values(data), read_xlsx_openpyxl(data, "a.xlsx")
    assert fast is not None and not isinstance(full, list)
    trimmed = {
        name: [[*row] for row in grid.rows] for name, grid in full.grids.items()
    }  # openpyxl keeps styled blank cells: compare without trailing blanks
    for rows in trimmed.values():
        for row in rows:
            while row and row[-1] is None:
                row.pop()
        while rows and not rows[-1]:
            rows.pop()
    return fast, full, trimmed


def test_calamine_reads_what_openpyxl_reads(spec, template) -> None:
    """The fast reader (values, merged ranges, identity) gives openpyxl's grid, cell types included."""
    from collection_helpers import edit, fill, valid_answers

    def extra(book) -> None:
        ws = book[book.sheetnames[1]]
        ws["H20"], ws["I20"], ws["J20"] = 40, 40.5, dt.datetime(2024, 5, 1)
        ws.merge_cells("H21:I21")

    data = edit(fill(template, valid_answers(spec)), extra)
    fast, full, trimmed = _both_readers(data)
    assert {n: g.rows for n, g in fast.grids.items()} == trimmed
    assert {n: sorted(g.merged) for n, g in fast.grids.items()} == {
        n: sorted(g.merged) for n, g in full.grids.items()
    }
    assert (fast.identity, fast.identity_cells) == (full.identity, full.identity_cells)
    assert any(g.merged for g in fast.grids.values())


def test_a_workbook_with_a_formula_is_read_by_openpyxl(spec, template) -> None:
    from collection_helpers import edit

    from carbonpeak.collection.reading import has_formulas, read_xlsx

    data = edit(template, lambda book: book[book.sheetnames[1]].cell(row=30, column=4, value="=1+1"))
    assert not has_formulas(template) and has_formulas(data)
    book = read_xlsx(data, "a.xlsx")
    assert not isinstance(book, list)
    assert any((30, 3) in g.formulas for g in book.grids.values())
