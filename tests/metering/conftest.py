"""A small register (2 units: one cumulative electricity meter with a 6-digit register, one interval
gas meter) as CSV bytes, its Meter map, and a store with it published through the data spine."""

from __future__ import annotations

import csv
import io

import pytest

from carbonpeak.metering.register import uscc_from

U1 = uscc_from("91370100MA3C00001")
U2 = uscc_from("91370100MA3C00002")
HEADER = (
    "uscc,unit_name,industry,district,meter,energy_kind,quantity,unit,mode,rated_capacity,"
    "register_width,interval_minutes,calibration_due,year"
)
ROWS = [
    f"{U1},济南甲钢铁有限公司,C3120,历城区,E01,electricity,active_energy,kWh,cumulative,4000,6,15,2027-06-30,2025",
    f"{U1},济南甲钢铁有限公司,C3120,历城区,G01,natural_gas,volume,m3,interval,800,0,15,2027-06-30,2025",
    f"{U2},济南乙化工有限公司,C2614,章丘区,E01,electricity,active_energy,kWh,cumulative,2000,7,15,2027-06-30,2025",
]


def register_csv(rows: list[str] | None = None) -> bytes:
    return ("\n".join([HEADER, *(ROWS if rows is None else rows)]) + "\n").encode()


def register_dicts() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(register_csv().decode())))


@pytest.fixture
def register():
    """SenML name → Meter of ROWS, checked as the import does."""
    from carbonpeak.metering.register import check_register, meter_of

    rows, problems = check_register(
        (i, d, {k: f"r.csv:{i}:{k}" for k in d}) for i, d in enumerate(register_dicts(), 2)
    )
    assert problems == []
    meters = [meter_of(r.key, r.value, r.unit, r.region, r.text) for r in rows]
    return {m.name: m for m in meters}


@pytest.fixture
def published(database, tmp_path):
    """A store with the tiny plan, an office user, a reviewer, an enterprise user, and ROWS published
    as the 2025 meter register through import → submit → approve → publish."""
    from carbonpeak.plan.load import load_plan
    from carbonpeak.services import statistics as stats
    from carbonpeak.services import submissions as subs
    from carbonpeak.services.init import init_database
    from carbonpeak.services.users import create_user
    from carbonpeak.settings import DEFAULT_PLAN_FILE

    init_database(database, load_plan(DEFAULT_PLAN_FILE), source_file="jinan.yaml")
    with database.session() as s:
        office = create_user(
            s, username="o", password="correct horse 1", role="office", unit_code="carbon_office"
        )
        reviewer = create_user(
            s, username="r", password="correct horse 1", role="office", unit_code="carbon_office"
        )
        s.commit()
        for sub in stats.import_records(
            s, office, kind="meter_register", filename="register.csv", data=register_csv()
        ):
            subs.submit_submission(s, office, sub.id)
            subs.approve_submission(s, reviewer, sub.id)
            subs.publish_submission(s, reviewer, sub.id)
        s.commit()
    return database
