"""The server's queue and working folders, in-process (no child is started): a bounded queue
with places, cancelling a waiting solve, and folders removed once their time is up."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from rota.scheduler.params import SolveParams
from rota.web.config import ServerConfig
from rota.web.jobs import QueueFull, Runner
from rota.web.worker import SolveTask
from tests.conftest import make_tiny_service


def _runner(tmp_path: Path, **settings: Any) -> Runner:
    return Runner(ServerConfig(root=tmp_path / "root", **settings))


def _queue(runner: Runner) -> list[str]:
    upload = runner.new_upload("service.xlsx")
    ids = []
    for _ in range(runner.config.max_queued):
        task = SolveTask(make_tiny_service(), SolveParams(time_limit=1), runner.job_folder())
        ids.append(runner.submit(upload, "solve", 1, task, "test").id)
    return ids


def test_the_queue_is_bounded_and_numbered(tmp_path: Path) -> None:
    runner = _runner(tmp_path, max_queued=3)
    ids = _queue(runner)
    assert [runner.jobs[i].place for i in ids] == [1, 2, 3]
    with pytest.raises(QueueFull, match="queue is full"):
        runner.ensure_room()
    assert runner.stop(ids[0]) == "cancelled"
    assert [runner.jobs[i].place for i in ids[1:]] == [1, 2]
    runner.ensure_room()  # room again


def test_folders_are_removed_when_their_time_is_up(tmp_path: Path) -> None:
    runner = _runner(tmp_path, max_queued=1, keep_seconds=0.2)
    (job_id,) = _queue(runner)
    job = runner.job(job_id)
    assert job is not None
    upload = runner.upload(job.upload_id)
    assert upload is not None
    runner.stop(job_id)  # cancelled: finished now
    (job.folder / "rota.xlsx").write_bytes(b"data")
    runner.tick()
    assert job.folder.exists() and job.status == "cancelled"  # not yet
    time.sleep(0.3)
    runner.tick()
    assert job.status == "expired" and not job.folder.exists()
    assert upload.expired and upload.problem is None and not upload.folder.exists()
    runner.shutdown()
    assert not runner.config.root.exists()
