import pytest

from carbonpeak.supervision.model import CapacityInOperation, ProjectStatus
from carbonpeak.supervision.projects import capacity_rollup, status_counts


def test_capacity_rollup_against_targets(small_plan):
    statuses = [
        ProjectStatus("C1.1.1", "in_operation"),  # no reported capacity: its planned 200 MW counts
        ProjectStatus("C1.1.2", "under_construction", (CapacityInOperation(10, "万千瓦"),)),  # partly running
        ProjectStatus("C1.1.3", "in_operation", (CapacityInOperation(50, "MW"),)),  # unquantified in the plan
        ProjectStatus(
            "C1.2.1", "in_operation", (CapacityInOperation(200, "MW"), CapacityInOperation(400, "MWh"))
        ),
        ProjectStatus("C1.2.2", "cancelled"),
        ProjectStatus("C3.1.1", "under_construction", (CapacityInOperation(250, "个"),)),
    ]
    rows = {r.target: r for r in capacity_rollup(small_plan, statuses)}
    assert set(rows) == {"pv_2025", "storage_2025", "charging_2025"}
    pv = rows["pv_2025"]  # target in 万kW: 200 MW = 20 万kW, 30 万kW planned
    assert pv.planned == pytest.approx(50.0)
    assert pv.in_operation == pytest.approx(20.0 + 10.0 + 5.0)
    assert (pv.projects, pv.projects_in_operation, pv.projects_unquantified) == (3, 2, 0)
    assert pv.share_in_operation == pytest.approx(0.35)
    st = rows["storage_2025"]  # MW target: 2×100 MW planned, the cancelled 150 MW not; MWh ignored
    assert st.planned == pytest.approx(200.0)
    assert st.in_operation == pytest.approx(200.0)
    assert st.share_planned == pytest.approx(0.4)
    ch = rows["charging_2025"]
    assert (ch.planned, ch.in_operation, ch.target_value) == (600.0, 250.0, 1000.0)


def test_status_counts_default_to_planned(small_plan):
    counts = status_counts(small_plan, [ProjectStatus("C1.1.1", "in_operation")])
    assert counts["pv"]["in_operation"] == 1
    assert counts["pv"]["planned"] == 2
    assert counts["storage"]["planned"] == 2
