"""Statistics as data: the kinds of records the office maintains (energy balance, GDP, population …)
and the parsing and checking of one uploaded file of a kind, pure (no database).

    data_kinds()                              the registry of kinds.yaml
    parse_records(kind, filename, data, …)    ParsedRecords: typed rows grouped by year, or InputError
                                              (parse.py; the file read by tables.py, the energy
                                              balance checked whole by balance_checks.py)
    balance_template(…) / write_csv(…)        the files a user downloads (template, export)

The store and the workflow are in services/statistics.py, the published rows and the snapshot in
services/published.py; one value of a record is a `StatRow` (statistics/rows.py).
"""

from carbonpeak.statistics.kinds import DataKind, data_kinds, kind_of
from carbonpeak.statistics.parse import ParsedRecords, parse_records
from carbonpeak.statistics.rows import FLAGS, StatRow

__all__ = ["FLAGS", "DataKind", "ParsedRecords", "StatRow", "data_kinds", "kind_of", "parse_records"]
