"""The enterprise data kinds: located zh/en errors for bad input, the metering seam, ETS and 两高."""

from __future__ import annotations

import numpy as np
import pytest

from carbonpeak.demo.enterprises import uscc_for
from carbonpeak.enterprise import accounts as acc
from carbonpeak.enterprise.efficiency import efficiency_status, levels
from carbonpeak.enterprise.ets import EtsYear, compliance
from carbonpeak.enterprise.scheme import load_scheme
from carbonpeak.enterprise.validate import Context
from carbonpeak.errors import InputError
from carbonpeak.statistics import kind_of, parse_records

GOOD = uscc_for("370117", 1)
OTHER = uscc_for("370112", 2)
REGISTER_HEAD = "uscc,year,name_zh,name_en,industry,district,key_energy_unit,ets,lianggao\n"


def _parse(kind: str, text: str, context: Context | None = None):
    return parse_records(kind_of(kind), f"{kind}.csv", text.encode(), region="jinan", context=context)


def _problems(kind: str, text: str, context: Context | None = None):
    with pytest.raises(InputError) as exc:
        _parse(kind, text, context)
    return exc.value.problems


def test_a_good_register_row_is_stored_as_text_values():
    parsed = _parse(
        "enterprises",
        REGISTER_HEAD + f"{GOOD},2024,钢铁企业,Steelworks,3120,gangcheng,yes,是,blast_furnace\n",
    )
    rows = {r.field: r for r in parsed.by_year[2024]}
    assert rows["industry"].text == "3120" and rows["ets"].text == "yes"
    assert rows["name_zh"].location == "enterprises.csv:2:3"


def test_a_uscc_failing_its_check_digit_is_located_in_both_languages():
    bad = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")
    (p,) = _problems(
        "enterprises", REGISTER_HEAD + f"{bad},2024,钢铁企业,Steelworks,3120,gangcheng,yes,yes,\n"
    )
    assert p.location == "enterprises.csv:2:1" and p.rule == "enterprise.uscc"
    assert "校验位" in p.message_zh and "check character" in p.message_en


def test_an_unknown_industry_code_is_located():
    (p,) = _problems(
        "enterprises", REGISTER_HEAD + f"{GOOD},2024,钢铁企业,Steelworks,9999,gangcheng,yes,yes,\n"
    )
    assert (p.location, p.rule) == ("enterprises.csv:2:5", "enterprise.industry")
    assert "GB/T 4754" in p.message_zh and "GB/T 4754" in p.message_en


REPORT_HEAD = "uscc,year,item,value,unit\n"


def test_value_added_not_above_zero_is_refused():
    for value in ("0", "-5"):
        (p,) = _problems("enterprise_year", REPORT_HEAD + f"{GOOD},2024,value_added,{value},万元\n")
        assert (p.location, p.rule) == ("enterprise_year.csv:2:4", "enterprise.value_added")
        assert "增加值" in p.message_zh and "value added" in p.message_en


def test_every_problem_of_a_report_is_reported_at_once():
    text = REPORT_HEAD + (
        f"{GOOD},2024,value_added,0,万元\n"
        f"{GOOD},2024,unobtainium,1,t\n"
        f"{GOOD},2024,raw_coal,-1,t\n"
        f"{GOOD},2024,electricity,10,kg\n"
        f"{GOOD[:-1]}Z,2024,electricity,10,MWh\n"
    )
    rules = [p.rule for p in _problems("enterprise_year", text)]
    assert rules == [
        "enterprise.value_added",
        "enterprise.item",
        "enterprise.negative",
        "data.unit",
        "enterprise.uscc",
    ]


def test_a_report_for_an_enterprise_outside_the_register_is_refused():
    ctx = Context(register=frozenset({OTHER}))
    (p,) = _problems("enterprise_year", REPORT_HEAD + f"{GOOD},2024,electricity,10,MWh\n", ctx)
    assert p.rule == "enterprise.unregistered" and GOOD in p.message_en


def test_monthly_reports_need_a_month():
    head = "uscc,year,month,item,value,unit\n"
    (p,) = _problems("enterprise_month", head + f"{GOOD},2024,13,electricity,10,MWh\n")
    assert p.rule == "enterprise.month"
    parsed = _parse("enterprise_month", head + f"{GOOD},2024,3,electricity,10,MWh\n")
    assert parsed.by_year[2024][0].key == f"{GOOD}/03"


def test_energy_contradicting_metering_beyond_the_tolerance_is_refused():
    head = "uscc,year,month,item,value,unit\n"
    # 1000 MWh at 0.1229 tce/MWh = 122.9 tce reported
    text = head + f"{GOOD},2024,3,electricity,1000,MWh\n"
    within = Context(metered={(GOOD, 2024, 3): 122.9 * 1.04}, tolerance=0.05)
    assert _parse("enterprise_month", text, within).by_year[2024]
    beyond = Context(metered={(GOOD, 2024, 3): 122.9 * 1.10}, tolerance=0.05)
    (p,) = _problems("enterprise_month", text, beyond)
    assert p.rule == "enterprise.metering" and p.location == "enterprise_month.csv:2:1"
    assert "计量" in p.message_zh and "metered" in p.message_en
    # an annual report is checked against the sum of twelve metered months
    annual = REPORT_HEAD + f"{GOOD},2024,electricity,12000,MWh\n"
    months = {(GOOD, 2024, m): 122.9 for m in range(1, 13)}
    assert _parse("enterprise_year", annual, Context(metered=months))
    months[(GOOD, 2024, 1)] = 400.0
    (p,) = _problems("enterprise_year", annual, Context(metered=months))
    assert p.rule == "enterprise.metering"


def test_co2_of_a_hand_checked_account():
    codes = ("raw_coal", "electricity", "green_electricity", "process:clinker")
    f = acc.factor_vector(codes, 2022, load_scheme())
    # raw coal: 20908 kJ/kg × 26.37 tC/TJ × 0.94 × 44/12 = 1.9003 tCO2/t (the published reference figure)
    assert f.co2_per_unit[0] == pytest.approx(1.9003, abs=5e-5)
    assert f.co2_per_unit[1] == pytest.approx(0.5703)  # MEE reporting factor for 2022
    direct, indirect = acc.co2(np.asarray([100.0, 1000.0, 400.0, 10.0]), f)
    assert direct == pytest.approx(100 * f.co2_per_unit[0] + 10 * 0.538)
    assert indirect == pytest.approx(600 * 0.5703)  # green electricity deducted
    # green electricity never makes indirect CO2 negative
    assert acc.co2(np.asarray([0.0, 100.0, 400.0, 0.0]), f)[1] == 0.0


def test_ets_compliance_per_period():
    rows = [
        EtsYear("A", 2021, 90, 100, 100),
        EtsYear("A", 2022, 90, 100, 100),
        EtsYear("A", 2023, 100, 100, 95),
        EtsYear("A", 2024, 100, 100, None),
        EtsYear("B", 2021, 90, 100, 100),  # 2022 missing
    ]
    got = {(c.uscc, c.period): c for c in compliance(rows)}
    assert got[("A", "2021-2022")].status == "compliant" and got[("A", "2021-2022")].surplus_t == -20
    assert got[("A", "2023")].status == "shortfall"
    assert got[("A", "2024")].status == "open"
    assert got[("B", "2021-2022")].status == "incomplete"


def test_efficiency_levels_cite_their_source_and_order():
    for lv in levels().values():
        assert "1609" in lv.source or "723" in lv.source
        assert lv.benchmark < lv.baseline  # lower is better
    assert efficiency_status("clinker", 100) == "benchmark"
    assert efficiency_status("clinker", 117) == "between"
    assert efficiency_status("clinker", 117.1) == "below_baseline"


def test_the_published_metered_energy_is_read_in_tce():
    """Rows of the `metered_energy` kind (metering/monthly.py): key USCC, field kind:YYYY-MM."""
    from types import SimpleNamespace

    from carbonpeak.services.enterprise import metered_energy

    rows = [
        SimpleNamespace(key=GOOD, field="coal:2024-03", year=2024, value=100.0, unit="tce"),
        SimpleNamespace(key=GOOD, field="gas:2024-03", year=2024, value=0.5, unit="万tce"),  # two kinds
        SimpleNamespace(key=GOOD, field="value", year=2024, value=1.0, unit="tce"),  # no month: not monthly
    ]
    assert metered_energy(rows) == {(GOOD, 2024, 3): pytest.approx(5100.0)}
