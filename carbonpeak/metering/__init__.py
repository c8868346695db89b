"""Online energy monitoring of key energy-using units (重点用能单位能耗在线监测).

Pure domain (no I/O in the computing functions):

    register.py   the meter register: units (统一社会信用代码) and their metering points, parsed from
                  a data record of kind `meter_register` (statistics/kinds.yaml)
    senml.py      SenML packs (RFC 8428) → readings, every problem located, in zh and en
    quality.py    the quality rules: completeness, time labels, monotone registers with rollover,
                  jumps, stuck values, late data, daily vs monthly deviation, a composite index
    simulate.py   a synthetic population of units and meters with faults injected at known places
    aggregate.py  the aggregations written once as Ibis expressions (DuckDB locally, Spark at scale)
    formats.py    the wire formats by name (SenML; GB/T 37947 registered, not available)

The edge (files, brokers): storage.py (Parquet partitioned by month and unit, queried with DuckDB),
mqtt.py (the subscriber). Use cases live in services/metering.py. Docs: docs/methods/metering.md.
"""
