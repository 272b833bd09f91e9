"""One real ``rota serve`` for all the web tests, the small demo and a broken workbook, an API
client, and headless Chromium (Debian's, never a downloaded one).

The server runs as the coordinator runs it (a subprocess of ``python -m rota.cli serve``) with
one CP-SAT worker, a 2 MB upload limit and a 10 s default time limit; the tests share it and
each leaves no solve running. The browser tests fail, never skip, when Chromium is missing.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from rota.demo import generate_problem
from rota.io.write import write_problem

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
UPLOAD_LIMIT_MB = 2
SERVER_START_SECONDS = 60


@dataclass
class Server:
    """The running server: its address, token, working folder and what it logged so far."""

    base: str
    token: str
    root: Path
    process: subprocess.Popen[str]
    log_path: Path

    @property
    def url(self) -> str:
        return f"{self.base}/?token={self.token}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """small.xlsx (``rota generate --size small --seed 1``) and broken.xlsx (two known errors)."""
    folder = tmp_path_factory.mktemp("web-demo")
    small = folder / "small.xlsx"
    write_problem(generate_problem("small", 1, version=1), small)
    wb = openpyxl.load_workbook(small)
    ws = wb["Referrals"]
    heads = [c.value for c in ws[1]]
    ws.cell(2, heads.index("minutes") + 1, "forty")
    ws.cell(3, heads.index("discipline") + 1, "juggling")
    wb.save(folder / "broken.xlsx")
    return folder


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``rota serve`` on a free port; stopped with Ctrl-C (SIGINT) at the end."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("web-server") / "server.log"
    command = [
        sys.executable, "-m", "rota.cli", "serve", "--port", str(port), "--workers", "1",
        "--max-upload-mb", str(UPLOAD_LIMIT_MB), "--time-limit", "10", "--keep-minutes", "30",
    ]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ}
        )
    assert process.stdout is not None
    token = root = None
    deadline = time.time() + SERVER_START_SECONDS
    while time.time() < deadline and (token is None or root is None):
        line = process.stdout.readline()
        if not line:
            break
        if m := re.search(r"\?token=(\S+)", line):
            token = m.group(1)
        if m := re.search(r"Working folder \(removed when the server stops\): (\S+)", line):
            root = Path(m.group(1))
    assert token and root, f"rota serve did not start: {log_path.read_text()}"
    base = f"http://127.0.0.1:{port}"
    while time.time() < deadline:
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    found = Server(base, token, root, process, log_path)
    yield found
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    # Ctrl-C removed every file; nothing went wrong inside (the log would say where).
    assert not root.exists()
    log = found.log()
    for sign in ("Traceback", "internal error", "dispatcher error", "solve lost", "not started"):
        assert sign not in log, log


@pytest.fixture(scope="session")
def api(server: Server) -> Iterator[httpx.Client]:
    """A script's client: the token in a Bearer header."""
    with httpx.Client(
        base_url=server.base, headers={"Authorization": f"Bearer {server.token}"}, timeout=30
    ) as client:
        yield client


def wait_for(api: httpx.Client, job_id: str, statuses: set[str], seconds: float = 120) -> Any:
    """Poll ``GET /api/solves/{id}`` until its status is one of ``statuses``."""
    deadline = time.time() + seconds
    body: Any = None
    while time.time() < deadline:
        body = api.get(f"/api/solves/{job_id}").json()
        if body["status"] in statuses:
            return body
        time.sleep(0.3)
    raise AssertionError(f"solve {job_id} never reached {statuses}: {body}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright: a failure, not a skip, when missing."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); "
            ".ci/run does so"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
