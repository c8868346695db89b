"""`carbonpeak serve`: run the web platform (pages and API) with uvicorn and print its address once
the port accepts connections. `serve --check-port` only checks that the port is free (`make run`
asks it before `init` and `demo load`, so a taken port is found before minutes of work)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from typing import TYPE_CHECKING, Annotated

import typer

from carbonpeak.errors import InputError
from carbonpeak.logs import Level, configure
from carbonpeak.validation import problem

if TYPE_CHECKING:
    from carbonpeak.settings import Settings

DEFAULT_HINT = "carbonpeak serve --port {port}"


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
        port: Annotated[int, typer.Option(help="TCP port", min=1, max=65535)] = 8000,
        check_port: Annotated[
            bool, typer.Option("--check-port", help="only check that the port is free, then exit (0 or 2)")
        ] = False,
        hint: Annotated[
            str,
            typer.Option(
                help="how a taken port's error suggests a free one, {port} standing for it "
                "(`make run` gives 'make run PORT={port}')"
            ),
        ] = DEFAULT_HINT,
        log_level: Annotated[
            Level | None,
            typer.Option(help="info logs one line per request; default CARBONPEAK_LOG_LEVEL"),
        ] = None,
    ) -> None:
        """Serve the pages and the API on the configured database. 启动网页平台。"""
        ensure_port_free(host, port, hint)
        if check_port:
            return
        import uvicorn

        from carbonpeak.app import create_app
        from carbonpeak.cli.options import settings as cli_settings

        settings = cli_settings()
        configure(log_level or settings.log_level, settings.log_json, background=True)
        shown = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
        address = (
            f"carbonpeak: serving on http://{shown}:{port}/  "
            f"(database {settings.resolved_database_url()}; Ctrl+C stops)"
        )

        class Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                await super().startup(sockets)
                if self.started:  # listening: the address printed now answers
                    typer.echo(address)

        threading.Thread(target=_warm, args=(settings,), name="warm-caches", daemon=True).start()
        # uvicorn's own access log is off: carbonpeak.logs.AccessLog writes one line per request
        config = uvicorn.Config(
            create_app(settings), host=host, port=port, log_level="warning", access_log=False, ws="none"
        )
        Server(config).run()


def ensure_port_free(host: str, port: int, hint: str = DEFAULT_HINT) -> None:
    """Nothing when `host:port` can be listened on; an InputError naming the port, and a command in
    the form of `hint` with a free port in it, when it cannot."""
    error = _bind_error(host, port)
    if error is None:
        return
    free = next((p for p in range(port + 1, min(port + 50, 65536)) if _bind_error(host, p) is None), None)
    suggestion = hint.replace("{port}", str(free)) if free else ""
    try_zh = f"；可改用：{suggestion}" if free else ""
    try_en = f"; try: {suggestion}" if free else ""
    raise InputError(
        f"cannot listen on {host}:{port}: {error}",
        [
            problem(
                "--port",
                "serve.port",
                str(port),
                host=host,
                port=port,
                error=error,
                try_zh=try_zh,
                try_en=try_en,
            )
        ],
        message_zh=f"无法监听 {host}:{port}：{error}",
    )


def _bind_error(host: str, port: int) -> str | None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn: TIME_WAIT is no hindrance
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.strerror or str(exc)
    return None


def _warm(settings: Settings) -> None:
    """Build the overview once in the background (inventory, indicators, the seeded projection), so
    the first visitor does not wait for the caches (about 3 s cold, 20 ms warm: benchmarks/pages.py)."""
    log = logging.getLogger(__name__)
    log.info("job warm-caches started")
    started = time.perf_counter()
    try:
        from carbonpeak.services.pages.overview import overview_page

        overview_page(settings)
    except Exception:  # a page that cannot be built now will say why when it is asked for
        log.warning("job warm-caches failed; the overview is built on its first request", exc_info=True)
        return
    log.info("job warm-caches finished", extra={"ms": round((time.perf_counter() - started) * 1000)})
