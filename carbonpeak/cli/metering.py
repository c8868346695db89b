"""`carbonpeak metering simulate | ingest | quality | compact`: online energy monitoring of key
energy-using units (docs/methods/metering.md)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli.options import Actor, Format, ListFormat, acting, command_group
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.cli.output import emit
from carbonpeak.validation import problem


def register(app: typer.Typer) -> None:
    group = command_group(
        app, "metering", "Online energy monitoring of key units. 重点用能单位能耗在线监测。"
    )

    @group.command("simulate")
    def simulate(
        out: Annotated[
            Path, typer.Option(help="folder for register.csv, packs.jsonl, monthly_reports.csv, faults.csv")
        ],
        units: Annotated[int, typer.Option(min=1, max=5000, help="key energy-using units")] = 10,
        meters: Annotated[int, typer.Option(min=1, max=200, help="metering points per unit")] = 4,
        days: Annotated[int, typer.Option(min=2, max=31, help="days from --start")] = 7,
        start: Annotated[
            str, typer.Option(help="first day (YYYY-MM-DD, China standard time)")
        ] = "2025-06-02",
        seed: Annotated[int, typer.Option(help="random seed (recorded in faults.csv's folder name)")] = 2025,
        clean: Annotated[bool, typer.Option(help="inject no fault")] = False,
    ) -> None:
        """A synthetic population with faults injected at known places (faults.csv). 生成模拟监测数据。"""
        import datetime as dt

        import numpy as np

        from carbonpeak.errors import InputError
        from carbonpeak.metering.simulate import population
        from carbonpeak.metering.simulate import simulate as run
        from carbonpeak.services.metering import write_simulation

        try:
            first = dt.date.fromisoformat(start)
        except ValueError:
            raise InputError(
                "--start is not a date",
                [problem("--start", "cli.date", start)],
            ) from None
        rng = np.random.default_rng(seed)
        ms = population(rng, units, meters, first.year)
        sim = run(rng, ms, start=first, days=days, faults=not clean)
        paths = write_simulation(sim, out, first.year)
        typer.echo(
            f"{len(ms)} meters of {units} units, {len(sim.packs)} packs, {len(sim.faults)} faults injected "
            f"(seed {seed}): {', '.join(str(p) for p in paths.values())}"
        )

    @group.command("ingest")
    def ingest(
        file: Annotated[
            Path,
            typer.Argument(
                help="packs.jsonl (one pack a line) or a JSON file of one pack", exists=True, dir_okay=False
            ),
        ],
    ) -> None:
        """Check SenML packs against the published register and store them (refusals kept). 导入监测数据。"""
        from carbonpeak.services.metering import ingest_file, reading_store
        from carbonpeak.store.db import open_session

        settings = cli_settings()
        with open_session(settings) as session:
            totals = ingest_file(session, reading_store(settings), file)
        typer.echo(" ".join(f"{k}={v}" for k, v in totals.items()))

    @group.command("quality")
    def quality(
        month: Annotated[str, typer.Option(help="YYYY-MM")],
        reports: Annotated[
            Path | None,
            typer.Option(
                help="monthly reports CSV: uscc, energy_kind, month, quantity", exists=True, dir_okay=False
            ),
        ] = None,
        show: Annotated[str, typer.Option(help="index, findings or chase")] = "index",
        record: Annotated[
            bool, typer.Option("--record", help="store the indices in the database (with their history)")
        ] = False,
        fmt: ListFormat = Format.table,
    ) -> None:
        """Quality index per unit, the findings, or the chase list (gaps open > 3 working days). 数据质量。"""
        import datetime as dt

        from carbonpeak.metering.quality import chase_list
        from carbonpeak.services.metering import (
            assess_month,
            meters,
            read_reports,
            reading_store,
            store_quality,
        )
        from carbonpeak.store.db import open_session

        settings = cli_settings()
        with open_session(settings) as session:
            got = assess_month(session, reading_store(settings), month, reports=read_reports(reports, month))
            if record:
                store_quality(session, got, month)
            by_key = {m.key: m for m in meters(session).values()}
        if show == "findings":
            rows = [dataclasses.asdict(f) for f in got.findings]
        elif show == "chase":
            rows = [dataclasses.asdict(c) for c in chase_list(got.findings, by_key, dt.date.today())]
        else:
            rows = [dataclasses.asdict(i) for i in got.indices]
        emit(rows, fmt)

    @group.command("subscribe")
    def subscribe(
        seconds: Annotated[
            float, typer.Option(help="stop after this many seconds (0: run until stopped)")
        ] = 0,
    ) -> None:
        """Take SenML packs from the MQTT broker (QoS 1), acknowledged once stored. 订阅监测数据。"""
        import signal
        import threading

        from carbonpeak.metering.mqtt import Subscriber
        from carbonpeak.services.metering import mqtt_handler, reading_store
        from carbonpeak.store.db import Database

        settings = cli_settings()
        db = Database.initialised(settings)
        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())
        sub = Subscriber(
            mqtt_handler(db, reading_store(settings)),
            host=settings.mqtt_host,
            port=settings.mqtt_port,
            prefix=settings.mqtt_prefix,
            client_id=settings.mqtt_client_id,
        )
        sub.start()
        if not sub.connected.wait(30):
            typer.echo(f"no broker at {settings.mqtt_host}:{settings.mqtt_port} yet; still trying", err=True)
        typer.echo(f"subscribed to {settings.mqtt_prefix}/+/+/+ on {settings.mqtt_host}:{settings.mqtt_port}")
        try:
            done.wait(seconds or None)
        except KeyboardInterrupt:
            pass
        finally:
            sub.stop()
            db.dispose()
        typer.echo(f"{sub.handled} message(s) handled")

    @group.command("aggregate")
    def aggregate(
        month: Annotated[str, typer.Option(help="YYYY-MM (China standard time)")],
        engine: Annotated[
            str, typer.Option(help="duckdb (here) or spark (CARBONPEAK_SPARK_MASTER)")
        ] = "duckdb",
        job: Annotated[str, typer.Option(help="unit, daily or district")] = "unit",
        fmt: ListFormat = Format.table,
    ) -> None:
        """Energy by unit, day and district and completeness, the same jobs on DuckDB or Spark. 汇总。"""
        from carbonpeak.errors import InputError
        from carbonpeak.services.metering import meters, reading_store, run_aggregate
        from carbonpeak.store.db import open_session

        if job not in ("unit", "daily", "district"):
            raise InputError(
                "unknown job",
                [problem("--job", "cli.choice", job, text_key="problem.cli.choice.job")],
            )
        settings = cli_settings()
        with open_session(settings) as session:
            register = meters(session)
        files = reading_store(settings).files([month])
        rows = run_aggregate(engine, files, register, month, spark_master=settings.spark_master, only=[job])[
            job
        ]
        emit(rows, fmt)

    @group.command("publish")
    def publish(
        month: Annotated[str, typer.Option(help="YYYY-MM: the year's months up to this one")],
        actor: Actor,
    ) -> None:
        """Monthly energy by unit from the meters as a draft data record (metered_energy). 月度能耗入库。"""
        from carbonpeak.services.metering import publish_monthly, reading_store

        with acting(actor) as (session, user):
            subs = publish_monthly(session, reading_store(cli_settings()), user, month)
            for s in subs:
                typer.echo(
                    f"submission {s.id}: metered_energy {s.year} version {s.version} ({s.flag}), draft"
                )

    @group.command("compact")
    def compact() -> None:
        """Rewrite each month-and-unit partition as one Parquet file (every version kept). 合并数据文件。"""
        from carbonpeak.services.metering import reading_store

        done = reading_store(cli_settings()).compact()
        typer.echo(f"{done} partition(s) compacted")
