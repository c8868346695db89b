"""`carbonpeak serve`: run the web platform (pages and API) with uvicorn and print its address."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from carbonpeak.settings import Settings


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
        threading.Thread(target=_warm, args=(settings,), name="warm-caches", daemon=True).start()
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning", ws="none")


def _warm(settings: Settings) -> None:
    """Build the overview once in the background (inventory, indicators, the seeded projection), so
    the first visitor does not wait for the caches (about 3 s cold, 20 ms warm: benchmarks/pages.py)."""
    try:
        from carbonpeak.services.pages.overview import overview_page

        overview_page(settings)
    except Exception:  # a page that cannot be built now will say why when it is asked for
        return
