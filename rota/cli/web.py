"""Command: ``rota serve``, the coordinator's page on this computer (see rota.web)."""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path

import click

from rota.scheduler.params import SolveParams
from rota.web.config import LOCAL_HOSTS, MEGABYTE, ServerConfig


def _config(
    host: str,
    port: int,
    allow_host: tuple[str, ...],
    max_upload_mb: float,
    queue: int,
    max_solves: int,
    keep_minutes: float,
    workers: int,
    time_limit: float,
) -> ServerConfig:
    root = Path(tempfile.mkdtemp(prefix="rota-serve-"))  # owner-only (0700)
    return ServerConfig(
        root=root,
        host=host,
        port=port,
        max_upload_bytes=int(max_upload_mb * MEGABYTE),
        max_queued=queue,
        max_running=max_solves,
        keep_seconds=keep_minutes * 60,
        workers=workers,
        default_time_limit=time_limit,
        extra_hosts=allow_host,
    )


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but this computer's own (127.0.0.1) lets other "
    "machines reach the page: the launch token is then all that protects it.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the web browser.")
@click.option(
    "--allow-host",
    multiple=True,
    help="Another name this computer is addressed by (the Host header), e.g. with --host.",
)
@click.option(
    "--max-upload-mb", default=20.0, show_default=True, type=click.FloatRange(min=0.01),
    help="Largest file that can be uploaded.",
)  # fmt: skip
@click.option(
    "--queue", default=8, show_default=True, type=click.IntRange(min=1),
    help="Solves that may wait their turn.",
)  # fmt: skip
@click.option(
    "--max-solves", default=1, show_default=True, type=click.IntRange(min=1),
    help="Solves at once (each uses the cores).",
)  # fmt: skip
@click.option(
    "--keep-minutes", default=60.0, show_default=True, type=click.FloatRange(min=0.1),
    help="Minutes a finished solve's files are kept before they are removed.",
)  # fmt: skip
@click.option(
    "--workers", default=SolveParams().workers, show_default=True, type=click.IntRange(min=1),
    help="CP-SAT search workers per solve.",
)  # fmt: skip
@click.option(
    "--time-limit", default=60.0, show_default=True, type=click.FloatRange(min=1),
    help="The page's suggested seconds of search.",
)  # fmt: skip
def serve_command(
    host: str,
    port: int,
    open_browser: bool,
    allow_host: tuple[str, ...],
    max_upload_mb: float,
    queue: int,
    max_solves: int,
    keep_minutes: float,
    workers: int,
    time_limit: float,
) -> None:
    """The coordinator's page: upload a workbook, watch the solve, look at the week, download.

    It runs on this computer only and prints an address holding this launch's key; nothing is
    sent anywhere. Ctrl-C stops it and every solve, and removes every file it wrote.
    """
    import uvicorn

    from rota.web.app import create_app

    if host not in LOCAL_HOSTS:
        click.echo(
            f"warning: listening on {host}: other computers can reach this page; the key in "
            "the address is all that protects the children's data. Use it on a trusted "
            "network only.",
            err=True,
        )
    config = _config(
        host, port, allow_host, max_upload_mb, queue, max_solves, keep_minutes, workers,
        time_limit,
    )  # fmt: skip
    # Uploads the server spools to disk stay in its own folder.
    previous_tempdir, tempfile.tempdir = tempfile.tempdir, str(config.root / "tmp")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    click.echo("rota's page is running. Open this address in your web browser:")
    click.echo(f"    {config.url}")
    click.echo("The address holds this launch's key: do not share it.")
    click.echo("Ctrl-C stops the server and removes its files: download what you need first.")
    click.echo(f"Working folder (removed when the server stops): {config.root}")
    sys.stdout.flush()
    if open_browser:
        threading.Timer(1.0, webbrowser.open, [config.url]).start()
    try:
        uvicorn.run(
            create_app(config),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=3,
        )
    finally:
        tempfile.tempdir = previous_tempdir
        shutil.rmtree(config.root, ignore_errors=True)
