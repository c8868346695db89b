"""A file of kind `metered_energy` (layout unit_month, metering/monthly.py): every row checked, the
rows the data spine stores built in one pass, every fault located; nothing stored on any fault."""

from __future__ import annotations

import pytest

from carbonpeak.demo.enterprises import uscc_for
from carbonpeak.errors import InputError
from carbonpeak.statistics import kind_of, parse_records

UNIT = uscc_for("370117", 1)
HEADER = "uscc,energy_kind,month,quantity,unit,completeness,flag\n"


def _parse(body: str):
    return parse_records(kind_of("metered_energy"), "m.csv", (HEADER + body).encode(), region="jinan")


def test_the_rows_are_the_spines_rows_with_completeness_as_text():
    parsed = _parse(f"{UNIT},electricity,2024-03,1200.5,kWh,0.98,\n{UNIT},coal,2024-03,3,t,1,estimated\n")
    rows = [r for year_rows in parsed.by_year.values() for r in year_rows]
    assert [(r.key, r.field, r.year, r.value, r.unit, r.flag, r.text) for r in rows] == [
        (UNIT, "electricity:2024-03", 2024, 1200.5, "kWh", "published", "0.980000"),  # the file's flag
        (UNIT, "coal:2024-03", 2024, 3.0, "t", "estimated", "1.000000"),
    ]
    assert rows[0].location == "m.csv:2:4"


def test_a_second_row_of_a_unit_kind_and_month_and_an_unknown_flag_are_located_and_nothing_is_kept():
    body = (
        f"{UNIT},electricity,2024-03,1,kWh,1,\n"
        f"{UNIT},electricity,2024-03,2,kWh,1,\n"  # the same unit, kind and month again
        f"{UNIT},coal,2024-04,2,t,1,guessed\n"  # no such flag
    )
    with pytest.raises(InputError) as raised:
        _parse(body)
    found = {(p.location, p.rule) for p in raised.value.problems}
    assert found == {("m.csv:3:4", "data.duplicate"), ("m.csv:4:4", "data.flag")}
    duplicate = next(p for p in raised.value.problems if p.rule == "data.duplicate")
    assert "m.csv:2:4" in duplicate.message_zh and "m.csv:2:4" in duplicate.message_en
