"""`carbonpeak enterprise …`: enterprise carbon accounts, grades, ETS, reconciliation, USCC check.

Each command calls one service (services/pages/enterprise.py or services/enterprise.py) on the data
set of the configured database (`--store`) or, without it, of the packaged demo files — the figures
the pages and the API show. The command line is the operator's: it sees every enterprise.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from carbonpeak.cli.options import Format, ListFormat, store_database, store_option
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.cli.output import emit, print_json

app = typer.Typer(help="企业碳账户与碳效评价 / enterprise carbon accounts and grades.", no_args_is_help=True)
OPERATOR = type("Operator", (), {"role": "office", "username": "cli"})()

Year = Annotated[int | None, typer.Option(help="year (default: the latest reported)")]
Store = Annotated[bool, store_option("the data set of the configured database")]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="enterprise")


@app.command("grades")
def grades(year: Year = None, store: Store = False, fmt: ListFormat = Format.table) -> None:
    """碳效评价 / every registered enterprise's account and grade (Huzhou scheme)."""
    from carbonpeak.services.pages.enterprise import EXPORT_COLUMNS, export_rows

    with store_database(store) as db:
        found, rows = export_rows(OPERATOR, year, db)
    columns = (
        EXPORT_COLUMNS
        if fmt != "table"
        else ("name_zh", "division", "co2_t", "intensity", "k", "grade", "flag")
    )
    emit(rows, fmt, columns, title=f"carbon-efficiency grades {found}")


@app.command("account")
def account(
    uscc: Annotated[str, typer.Argument(help="统一社会信用代码")], year: Year = None, store: Store = False
) -> None:
    """企业碳账户 / one enterprise's account as JSON: trend, grade, position, the cut to the next grade."""
    from carbonpeak.services.pages.enterprise import enterprise_page

    with store_database(store) as db:
        page = enterprise_page(cli_settings(), user=OPERATOR, uscc=uscc, year=year, db=db)
    print_json(page.model_dump(mode="json"))


@app.command("reconcile")
def reconcile(year: Year = None, store: Store = False, fmt: ListFormat = Format.table) -> None:
    """清单核对 / the inventory's direct CO2 against the sum of enterprise accounts, by industry."""
    from carbonpeak.services import enterprise as ent
    from carbonpeak.services.pages.enterprise import reconciliation_section

    with store_database(store) as db:
        years = ent.book(db).years
        section = reconciliation_section(db, year if year in years else (years[-1] if years else None))
    rows = [r.model_dump() for r in section.rows]
    cols = ("division", "name_zh", "inventory_t", "enterprises_t", "coverage", "residual_t", "enterprises")
    emit(rows, fmt, cols, title=f"inventory vs enterprises {section.year} (t CO2, direct)")


@app.command("ets")
def ets(store: Store = False, fmt: ListFormat = Format.table) -> None:
    """碳市场履约 / verified emissions, allowances and surrender per compliance period."""
    from carbonpeak.services import enterprise as ent

    with store_database(store) as db:
        rows = [asdict(c) for c in ent.ets_status(db)]
    emit(rows, fmt, None, title="national ETS compliance")


@app.command("check-uscc")
def check_uscc(codes: Annotated[list[str], typer.Argument(help="one or more codes")]) -> None:
    """统一社会信用代码校验 / check codes against GB 32100-2015; exit 2 if any fails."""
    from carbonpeak.enterprise.uscc import uscc_error
    from carbonpeak.errors import InputError, Problem

    problems = [
        Problem(code, "enterprise.uscc", err[0], err[1], code) for code in codes if (err := uscc_error(code))
    ]
    if problems:
        raise InputError(
            f"{len(problems)} code(s) fail GB 32100-2015", problems, message_zh="统一社会信用代码校验未通过"
        )
    typer.echo(f"{len(codes)} ok")
