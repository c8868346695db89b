"""`carbonpeak serve`: run the web platform (pages and API) with uvicorn and print its address."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
    ) -> None:
        """Serve the pages and the API on the configured database. 启动网页平台。"""
        import socket

        import uvicorn

        from carbonpeak.app import create_app
        from carbonpeak.errors import InputError, Problem
        from carbonpeak.settings import Settings

        with socket.socket() as probe:  # fail with a clear message, not a traceback, when the port is taken
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise InputError(
                    f"cannot listen on {host}:{port}: {exc.strerror}",
                    [
                        Problem(
                            "--port",
                            "serve.port",
                            f"无法监听 {host}:{port}（{exc.strerror}）",
                            f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port",
                            str(port),
                        )
                    ],
                ) from None
        settings = Settings()
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
        typer.echo(
            f"carbonpeak: serving on http://{shown}:{port}/  "
            f"(database {settings.resolved_database_url()}; Ctrl+C stops)"
        )
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", ws="none")
