"""The malformed-file corpus: one test per fault, each asserting the rule and the location of every
problem, and that all of them come back at once. The files are generated from the template here."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from collection_helpers import (
    edit,
    fill,
    found,
    full_spec,
    problems_of,
    rezip,
    sheet_as_csv,
    small_plan,
    spec_for_unit,
    valid_answers,
)
from openpyxl import Workbook

from carbonpeak.collection import Period, TemplateSpec, UploadLimits, build_template, parse_upload


@pytest.fixture
def filled(spec: TemplateSpec, template: bytes) -> bytes:
    return fill(template, valid_answers(spec))


def with_answers(spec: TemplateSpec, template: bytes, sheet: str, code: str, **cells: object) -> bytes:
    answers = valid_answers(spec)
    answers[sheet][code] = {**answers[sheet][code], **cells}
    return fill(template, answers)


# -- the bytes --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["报表.xlsx", "报表.csv"])
def test_empty_file(spec: TemplateSpec, name: str) -> None:
    assert found(problems_of(b"", name, spec)) == {("file.empty", name)}


def test_csv_with_only_blank_lines_is_empty(spec: TemplateSpec) -> None:
    assert found(problems_of(b",,,\r\n,,\r\n", "a.csv", spec)) == {("file.empty", "a.csv")}


def test_oversized_file_is_refused_before_reading(spec: TemplateSpec, filled: bytes) -> None:
    problems = problems_of(filled, "a.xlsx", spec, max_bytes=len(filled) - 1)
    assert found(problems) == {("file.too_large", "a.xlsx")}
    assert problems[0].value == str(len(filled))
    parse_upload(filled, "a.xlsx", spec, max_bytes=len(filled))  # the limit itself is allowed


def test_wrong_extension(spec: TemplateSpec, filled: bytes) -> None:
    assert found(problems_of(filled, "a.pdf", spec)) == {("file.type", "a.pdf")}


def test_oversized_with_wrong_extension_reports_both(spec: TemplateSpec) -> None:
    assert found(problems_of(b"x" * 11, "a.doc", spec, max_bytes=10)) == {
        ("file.too_large", "a.doc"),
        ("file.type", "a.doc"),
    }


@pytest.mark.parametrize("data", [b"name,value\n1,2\n", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"PK"])
def test_non_zip_bytes_named_xlsx(spec: TemplateSpec, data: bytes) -> None:
    assert found(problems_of(data, "a.xlsx", spec)) == {("file.not_zip", "a.xlsx")}


def test_legacy_xls_or_encrypted_workbook(spec: TemplateSpec) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert found(problems_of(ole2, "a.xlsx", spec)) == {("file.legacy_xls", "a.xlsx")}


def test_zip_that_is_not_a_workbook(spec: TemplateSpec) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    assert found(problems_of(out.getvalue(), "a.xlsx", spec)) == {("file.not_xlsx", "a.xlsx")}


def _bomb(member_bytes: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        # not even XML: if anything parsed this member the rule would be file.unreadable, not file.zip_bomb
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * member_bytes)
    return out.getvalue()


def test_zip_bomb_by_declared_size(spec: TemplateSpec) -> None:
    bomb = _bomb(12_000_000)  # 12 MB of zeros deflate to about 12 kB
    assert len(bomb) < 30_000
    problems = problems_of(bomb, "bomb.xlsx", spec)
    assert found(problems) == {("file.zip_bomb", "bomb.xlsx")}
    assert problems[0].value == str(12_000_000 + len("<Types/>") + len("<workbook/>"))


def test_zip_bomb_by_declared_total_size(spec: TemplateSpec) -> None:
    limits = UploadLimits(max_uncompressed_bytes=500_000)
    problems = problems_of(_bomb(600_000), "bomb.xlsx", spec, limits=limits)
    assert found(problems) == {("file.zip_bomb", "bomb.xlsx")}


def test_zip_with_too_many_members(spec: TemplateSpec, filled: bytes) -> None:
    limits = UploadLimits(max_members=3)
    assert found(problems_of(filled, "a.xlsx", spec, limits=limits)) == {("file.zip_bomb", "a.xlsx")}


def test_member_lying_about_its_size_fails_instead_of_inflating(spec: TemplateSpec, filled: bytes) -> None:
    # Shrink the declared uncompressed size of the indicator sheet in the central directory: the zip
    # check passes, and zipfile stops at the declared size and fails the CRC: unreadable, not a bomb.
    data = bytearray(filled)
    name = b"xl/worksheets/sheet2.xml"
    at = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02"))
    while at != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            data[at + 24 : at + 28] = (100).to_bytes(4, "little")
            break
        at = data.find(b"PK\x01\x02", at + 4)
    assert at != -1
    problems = problems_of(bytes(data), "a.xlsx", spec)
    assert found(problems) == {("file.unreadable", "a.xlsx")}


def test_xml_entity_declaration_is_refused(spec: TemplateSpec, filled: bytes) -> None:
    def add_dtd(xml: bytes) -> bytes:
        dtd = b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
        if xml.startswith(b"<?xml"):
            head, _, body = xml.partition(b"?>")
            return head + b"?>" + dtd + body
        return dtd + xml  # openpyxl writes no XML declaration

    data = rezip(filled, "xl/workbook.xml", add_dtd)
    assert found(problems_of(data, "a.xlsx", spec)) == {("file.xml_entities", "a.xlsx")}


def test_damaged_workbook_is_unreadable(spec: TemplateSpec, filled: bytes) -> None:
    data = rezip(filled, "xl/workbook.xml", lambda xml: xml[: len(xml) // 2])
    assert found(problems_of(data, "a.xlsx", spec)) == {("file.unreadable", "a.xlsx")}


# -- CSV encodings ------------------------------------------------------------------------------
def test_csv_in_utf16_or_binary_is_an_encoding_problem(spec: TemplateSpec, filled: bytes) -> None:
    utf16 = sheet_as_csv(filled, "指标", "utf-16")
    assert found(problems_of(utf16, "a.csv", spec)) == {("file.encoding", "a.csv")}
    assert found(problems_of(b"\xff\x80\xff\x80", "a.csv", spec)) == {("file.encoding", "a.csv")}


def test_csv_whose_first_cell_is_not_a_sheet(spec: TemplateSpec) -> None:
    data = "代码,数值\r\npv_capacity,80\r\n".encode("gbk")
    assert found(problems_of(data, "a.csv", spec)) == {("structure.csv_sheet", "a.csv!1:A")}


def test_csv_of_a_sheet_this_spec_does_not_have(filled: bytes) -> None:
    spec = spec_for_unit(small_plan(), "energy_bureau", Period(2024, "2024-A"), projects=[], indicators=[])
    data = sheet_as_csv(filled, "重点项目")
    assert found(problems_of(data, "p.csv", spec)) == {("structure.csv_sheet", "重点项目!1:A")}


def test_csv_without_identity_row(spec: TemplateSpec, filled: bytes) -> None:
    lines = sheet_as_csv(filled, "指标").decode("utf-8-sig").split("\r\n")
    data = ("指标" + "\r\n" + "\r\n".join(lines[1:])).encode("utf-8")
    assert found(problems_of(data, "a.csv", spec)) == {("structure.metadata_missing", "指标!1:A")}


# -- identity and structure ---------------------------------------------------------------------
def test_wrong_workbook_reports_missing_identity_and_every_missing_sheet(spec: TemplateSpec) -> None:
    wb = Workbook()
    wb.active.append(["name", "value"])  # type: ignore[union-attr]
    out = io.BytesIO()
    wb.save(out)
    assert found(problems_of(out.getvalue(), "other.xlsx", spec)) == {
        ("structure.metadata_missing", "other.xlsx"),  # never the hidden _meta sheet
        ("structure.sheet_missing", "指标"),
        ("structure.sheet_missing", "任务进展"),
        ("structure.sheet_missing", "重点项目"),
    }


def test_sheet_renamed(spec: TemplateSpec, filled: bytes) -> None:
    def rename(wb: Any) -> None:
        wb["任务进展"].title = "Sheet2"

    problems = problems_of(edit(filled, rename), "a.xlsx", spec)
    assert found(problems) == {("structure.sheet_missing", "任务进展")}


def test_template_of_another_unit(spec: TemplateSpec) -> None:
    other = spec_for_unit(small_plan(), "transport_bureau", Period(2024, "2024-A"))
    problems = problems_of(build_template(other), "a.xlsx", spec)
    assert found(problems) == {("structure.metadata_mismatch", "指标!1:C")}  # row 1 of a visible sheet
    assert problems[0].value == "transport_bureau"
    assert problems[0].message_zh == (
        "模板的单位代码为“transport_bureau”，本次填报应为“energy_bureau”；请下载本单位本轮次的模板后填写"
    )


def test_template_of_another_period_reports_year_and_round(spec: TemplateSpec, filled: bytes) -> None:
    later = full_spec()
    later = TemplateSpec(
        later.unit_code,
        later.unit_name_zh,
        Period(2025, "2025-A"),
        later.indicators,
        later.tasks,
        later.projects,
    )
    problems = problems_of(filled, "a.xlsx", later)
    assert found(problems) == {
        ("structure.metadata_mismatch", "指标!1:E"),
        ("structure.metadata_mismatch", "指标!1:G"),
    }
    assert sorted(p.value or "" for p in problems) == ["2024", "2024-A"]


def test_old_template_version(spec: TemplateSpec, filled: bytes) -> None:
    def downgrade(wb: Any) -> None:
        for row in wb["_meta"].iter_rows(min_row=2):
            if row[0].value == "template_version":
                row[1].value = "0"

    problems = problems_of(edit(filled, downgrade), "a.xlsx", spec)
    assert found(problems) == {("structure.template_version", "指标!1:I")}


def test_shifted_columns_skip_that_sheet_but_not_the_others(spec: TemplateSpec, template: bytes) -> None:
    data = with_answers(spec, template, "任务进展", "G1", percent="一半")

    def insert(wb: Any) -> None:
        wb["指标"].insert_cols(3)  # a column inserted before 计量单位 moves every later column right

    problems = problems_of(edit(data, insert), "a.xlsx", spec)
    assert found(problems) == {
        ("structure.columns_shifted", "指标!2:计量单位"),  # found in D instead of C
        ("structure.columns_shifted", "指标!2:数值"),  # found in E instead of D
        ("structure.columns_shifted", "指标!2:上年值"),
        ("structure.columns_shifted", "指标!2:有效范围"),
        ("structure.columns_shifted", "指标!2:是否必填"),
        ("structure.columns_shifted", "指标!2:说明"),
        ("structure.data_outside_columns", "指标!2:I"),  # the last header pushed past the template
        ("structure.data_outside_columns", "指标!3:I"),
        ("cell.type", "任务进展!6:完成进度(%)"),  # the other sheets are still read, in the same report
    }
    shifted = next(p for p in problems if p.location == "指标!2:数值")
    assert "E" in shifted.message_en and "E" in shifted.message_zh


def test_header_renamed(spec: TemplateSpec, filled: bytes) -> None:
    def rename(wb: Any) -> None:
        wb["重点项目"]["E2"] = "容量"

    problems = problems_of(edit(filled, rename), "a.xlsx", spec)
    assert found(problems) == {("structure.header", "重点项目!2:投运规模")}
    assert problems[0].value == "容量"


def test_value_typed_outside_the_template_columns(spec: TemplateSpec, filled: bytes) -> None:
    def stray(wb: Any) -> None:
        wb["指标"]["J5"] = 80

    assert found(problems_of(edit(filled, stray), "a.xlsx", spec)) == {
        ("structure.data_outside_columns", "指标!5:J")
    }


def test_merged_cells_in_the_data_area(spec: TemplateSpec, filled: bytes) -> None:
    def merge(wb: Any) -> None:
        wb["任务进展"].merge_cells("F4:F6")  # one narrative for three tasks
        wb["说明"].merge_cells("A1:B1")  # the instructions sheet is not data: allowed

    problems = problems_of(edit(filled, merge), "a.xlsx", spec)
    assert found(problems) == {("structure.merged_cells", "任务进展!F4:F6")}


def test_unknown_duplicate_and_missing_codes_in_csv(spec: TemplateSpec, filled: bytes) -> None:
    text = sheet_as_csv(filled, "指标").decode("utf-8-sig")
    lines = text.split("\r\n")
    lines[4] = lines[4].replace("pv_capacity", "hydro_capacity")  # row 5: not in the spec
    lines[5] = lines[5].replace("wind_capacity", "gas_share")  # row 6: gas_share, again in row 7
    lines.append(",,,12,,,,")  # row 9: a value with no code
    problems = problems_of("\r\n".join(lines).encode("utf-8"), "a.csv", spec)
    assert found(problems) == {
        ("structure.row_unknown", "指标!5:指标代码"),
        ("structure.row_duplicate", "指标!7:指标代码"),
        ("unit.incompatible", "指标!6:计量单位"),  # row 6 is taken as gas_share: its MW is not a %
        ("structure.row_code_missing", "指标!10:指标代码"),
        ("required.missing", "指标!pv_capacity"),
        ("required.missing", "指标!wind_capacity"),
    }


def test_csv_of_another_unit_points_at_the_identity_cell(filled: bytes) -> None:
    other = spec_for_unit(small_plan(), "transport_bureau", Period(2024, "2024-A"))
    problems = problems_of(sheet_as_csv(filled, "任务进展", "gbk"), "t.csv", other)
    assert found(problems) == {("structure.metadata_mismatch", "任务进展!1:C")}
