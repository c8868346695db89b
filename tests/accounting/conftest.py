"""Small hand-checkable balances for the inventory tests."""

from __future__ import annotations

import pytest

from carbonpeak.accounting import Balance, parse_csv, read_balance

# One city, one year: a power plant burning 100 万t raw coal for 20 亿kWh, households using 25 亿kWh
# (5 亿kWh imported), a coking plant turning 10 万t raw coal into 7 万t coke burnt by steel, 1 万t diesel
# in farming, 100 万t clinker.
TINY = """region,year,sector,fuel,quantity,unit,flag
A,2020,S01,diesel,1,万t,published
A,2020,T_POWER,raw_coal,100,万t,published
A,2020,T_POWER,electricity,-20,亿kWh,published
A,2020,S46,electricity,25,亿kWh,published
A,2020,IMPORT,electricity,5,亿kWh,published
A,2020,T_COKING,raw_coal,10,万t,published
A,2020,T_COKING,coke,-7,万t,published
A,2020,S28,coke,7,万t,published
A,2020,S27,clinker,100,万t,sample
"""


def balance_of(text: str) -> Balance:
    return read_balance(parse_csv(text))


@pytest.fixture
def tiny() -> Balance:
    return balance_of(TINY)
