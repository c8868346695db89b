"""`carbonpeak user add | list | token`: manage users from the command line (acts as `system`)."""

from __future__ import annotations

from typing import Annotated

import typer

from carbonpeak.cli.options import Format, ListFormat, command_group, emit_listing
from carbonpeak.cli.options import settings as cli_settings
from carbonpeak.store.db import open_session


def register(app: typer.Typer) -> None:
    group = command_group(app, "user", "Users, roles and API tokens. 用户、角色与令牌。")

    @group.command("add")
    def add(
        username: str,
        role: Annotated[str, typer.Option(help="office | department | district | enterprise | viewer")],
        unit: Annotated[str, typer.Option(help="unit code from the plan")],
        name: Annotated[str | None, typer.Option(help="display name")] = None,
        password: Annotated[
            str | None, typer.Option(help="password (default: CARBONPEAK_NEW_PASSWORD, else asked for)")
        ] = None,
    ) -> None:
        """Add a user with a role and a unit. 新增用户。"""
        from carbonpeak.services.users import create_user

        settings = cli_settings()
        with open_session(settings) as session:  # first: no password asked for a database that is not there
            secret = (
                password
                or settings.new_password
                or typer.prompt("password", hide_input=True, confirmation_prompt=True)
            )
            user = create_user(
                session, username=username, password=secret, role=role, unit_code=unit, display_name=name
            )
        typer.echo(f"user {user.username} ({user.role}, {user.unit_code}) added with id {user.id}")

    @group.command("list")
    def list_(fmt: ListFormat = Format.table) -> None:
        """List users. 列出用户。"""
        from carbonpeak.services.users import list_users

        emit_listing(
            fmt,
            lambda session: list_users(session, None),
            lambda u: {
                "id": u.id,
                "username": u.username,
                "role": u.role,
                "unit": u.unit_code,
                "active": u.active,
            },
        )

    @group.command("token")
    def token(username: str, name: Annotated[str, typer.Option(help="label of the token")] = "cli") -> None:
        """Issue an API token for a user (valid CARBONPEAK_API_TOKEN_DAYS) and print it once. 签发API令牌。"""
        from carbonpeak.services.users import issue_token, user_named

        with open_session(cli_settings()) as session:
            user = user_named(session, username)
            lifetime = cli_settings().api_token_lifetime
            typer.echo(issue_token(session, user, kind="api", name=name, lifetime=lifetime))
