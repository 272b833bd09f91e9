"""``rota serve`` itself, without a real server: what it prints, where it listens, the warning
for a non-local address, and the working folder removed when it stops."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from rota.cli import main


@pytest.fixture()
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """uvicorn.run replaced by a stub that records how it was called."""
    import uvicorn

    calls: dict[str, Any] = {}

    def run(app: Any, **options: Any) -> None:
        calls.update(options, app=app)

    monkeypatch.setattr(uvicorn, "run", run)
    return calls


def test_serve_listens_on_this_computer_only_by_default(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["serve", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert served["host"] == "127.0.0.1" and served["port"] == 8123
    assert served["access_log"] is False  # the request log is rota's own, without queries
    assert re.search(r"http://127\.0\.0\.1:8123/\?token=\S{40,}", result.stdout)
    assert "warning" not in result.stderr
    folder = re.search(r"Working folder \(removed when the server stops\): (\S+)", result.stdout)
    assert folder and not Path(folder.group(1)).exists()


def test_another_address_is_a_choice_with_a_warning(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0
    assert served["host"] == "0.0.0.0"
    assert "warning: listening on 0.0.0.0: other computers can reach this page" in result.stderr


def test_each_launch_has_its_own_token(served: dict[str, Any]) -> None:
    before = tempfile.gettempdir()
    outputs = [CliRunner().invoke(main, ["serve"]).stdout for _ in range(2)]
    tokens = {m.group(1) for out in outputs if (m := re.search(r"token=(\S+)", out))}
    assert len(tokens) == 2
    assert tempfile.gettempdir() == before  # the server's own temporary folder is not left set
