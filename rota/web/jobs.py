"""The server's uploads and solves: a bounded queue, a child process per solve, and the removal
of each working folder a set time after it was last needed.

One thread (the dispatcher) starts waiting solves while fewer than ``max_running`` run, reads
the messages of running children, and removes expired folders. Every change happens under one
lock; the web handlers read copies (:meth:`Runner.view`).
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import queue
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Any, Literal

from rota.io.errors import InputIssue
from rota.models.problem import Problem
from rota.models.result import Result
from rota.reports.comparison import Comparison
from rota.web.config import ServerConfig
from rota.web.security import where
from rota.web.worker import ScenarioTask, SolveTask, Task, run_task

Status = Literal[
    "queued", "running", "stopping", "writing", "done", "cancelled", "failed", "expired"
]
ACTIVE: frozenset[str] = frozenset({"queued", "running", "stopping", "writing"})
FINISHED: frozenset[str] = frozenset({"done", "cancelled", "failed", "expired"})
log = logging.getLogger("rota.web")
TICK_SECONDS = 0.1
STOP_WAIT_SECONDS = 3.0  # a shutdown removes every file anyway: no rota is waited for


class QueueFull(Exception):
    """No room in the queue: the request should be tried again later."""


def new_id() -> str:
    """An id nobody can guess (ids are in addresses)."""
    return secrets.token_hex(8)


@dataclass
class Upload:
    """An input workbook and what reading it found."""

    id: str
    folder: Path
    file_name: str
    created: float
    problem: Problem | None = None
    warnings: list[str] = field(default_factory=list)
    errors: list[InputIssue] = field(default_factory=list)
    #: What ``rota validate`` says about the drives between the sites.
    drive_lines: list[str] = field(default_factory=list)
    job_ids: list[str] = field(default_factory=list)
    last_used: float = 0.0
    expired: bool = False

    @property
    def path(self) -> Path:
        return self.folder / self.file_name


@dataclass
class Job:
    """A solve (or a scenario run) of an upload, from the queue to its files."""

    id: str
    upload_id: str
    kind: Literal["solve", "scenario"]
    time_limit: float
    folder: Path
    created: float
    task: Task | None = None
    title: str = ""
    status: Status = "queued"
    started: float | None = None
    finished: float | None = None
    progress: list[dict[str, Any]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    result: Result | None = None
    comparison: Comparison | None = None
    files: dict[str, Path] = field(default_factory=dict)
    error: str = ""
    stop_requested: bool = False
    place: int | None = None  # 1 = next to start
    version: int = 0
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def elapsed(self) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or time.time()) - self.started


@dataclass
class _Child:
    process: SpawnProcess
    messages: Any  # multiprocessing.Queue
    stop: Any  # multiprocessing.Event


StartChild = Callable[[Task, Any, Any], SpawnProcess]


class Runner:
    """Uploads, the queue and the children (see the module docstring)."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.uploads: dict[str, Upload] = {}
        self.jobs: dict[str, Job] = {}
        self.waiting: list[str] = []
        self.children: dict[str, _Child] = {}
        self.context = multiprocessing.get_context("spawn")
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="rota-dispatcher", daemon=True)
        for sub in ("uploads", "solves", "tmp"):
            (config.root / sub).mkdir(parents=True, exist_ok=True)

    # ------------------------------------------------------------------ life
    def start(self) -> None:
        self.thread.start()

    def shutdown(self) -> None:
        """Cancel waiting solves, stop and end the children, remove every file."""
        self.closing.set()
        with self.lock:
            for job_id in list(self.waiting):
                self._finish(self.jobs[job_id], "cancelled")
            self.waiting.clear()
            for child in self.children.values():
                child.stop.set()
        deadline = time.time() + STOP_WAIT_SECONDS
        for child in list(self.children.values()):
            child.process.join(max(0.0, deadline - time.time()))
            if child.process.is_alive():
                child.process.terminate()
                child.process.join(5)
        if self.thread.is_alive():
            self.thread.join(5)
        shutil.rmtree(self.config.root, ignore_errors=True)

    # ------------------------------------------------------------------ uploads
    def new_upload(self, file_name: str) -> Upload:
        """A new upload's record and its empty folder (the file is saved by the caller)."""
        upload_id = new_id()
        folder = self.config.root / "uploads" / upload_id
        folder.mkdir(mode=0o700)
        now = time.time()
        upload = Upload(upload_id, folder, file_name, now, last_used=now)
        with self.lock:
            self.uploads[upload_id] = upload
        return upload

    def checked(
        self,
        upload: Upload,
        problem: Problem | None,
        warnings: list[str],
        errors: list[InputIssue],
        drive_lines: list[str] | None = None,
    ) -> None:
        """Record what reading the upload found."""
        with self.lock:
            upload.problem, upload.warnings, upload.errors = problem, warnings, errors
            upload.drive_lines = drive_lines or []
            upload.last_used = time.time()

    def upload(self, upload_id: str) -> Upload | None:
        with self.lock:
            return self.uploads.get(upload_id)

    # ------------------------------------------------------------------ jobs
    def submit(self, upload: Upload, kind: str, time_limit: float, task: Task, title: str) -> Job:
        """Queue a solve; QueueFull when the queue holds ``max_queued`` already."""
        with self.lock:
            self.ensure_room()
            job = Job(
                new_id(),
                upload.id,
                "scenario" if kind == "scenario" else "solve",
                time_limit,
                task.folder,
                time.time(),
                task=task,
                title=title,
            )
            self.jobs[job.id] = job
            self.waiting.append(job.id)
            upload.job_ids.append(job.id)
            upload.last_used = job.created
            self._renumber()
            return job

    def ensure_room(self) -> None:
        """QueueFull unless another solve can wait in the queue."""
        with self.lock:
            if len(self.waiting) >= self.config.max_queued:
                raise QueueFull(
                    f"The queue is full ({len(self.waiting)} solves waiting): try again when "
                    "one has finished."
                )

    def job_folder(self) -> Path:
        """A new, empty working folder for one solve."""
        folder = self.config.root / "solves" / new_id()
        folder.mkdir(mode=0o700)
        return folder

    def stop(self, job_id: str) -> Status | None:
        """Stop a solve: a waiting one is cancelled, a running one keeps its best rota."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            if job.status == "queued":
                self.waiting.remove(job_id)
                self._finish(job, "cancelled")
                self._renumber()
            elif job.status == "running":
                job.stop_requested = True
                job.status = "stopping"
                job.version += 1
                self.children[job_id].stop.set()
            return job.status

    def view(self, job_id: str) -> Job | None:
        """A copy of a job that later changes do not touch (lists copied)."""
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return None
            return replace(
                job, progress=list(job.progress), steps=list(job.steps), files=dict(job.files)
            )

    def job(self, job_id: str) -> Job | None:
        """The job itself (for its cache and its immutable result)."""
        with self.lock:
            return self.jobs.get(job_id)

    def counts(self) -> tuple[int, int]:
        """Solves running and waiting."""
        with self.lock:
            return len(self.children), len(self.waiting)

    def recent(self) -> list[tuple[Upload, list[Job]]]:
        """This launch's uploads, newest first, each with its jobs."""
        with self.lock:
            out = []
            for upload in sorted(self.uploads.values(), key=lambda u: -u.created):
                out.append((upload, [self.jobs[j] for j in upload.job_ids]))
            return out

    # ------------------------------------------------------------------ the dispatcher
    def _loop(self) -> None:
        while not self.closing.is_set():
            try:
                self.tick()
            except Exception as exc:  # the dispatcher must go on; logged without data
                log.error("dispatcher error %s at %s", type(exc).__name__, where(exc))
            time.sleep(TICK_SECONDS)
        self.tick()

    def tick(self) -> None:
        """One round: read children's messages, start waiting solves, remove old files."""
        with self.lock:
            for job_id in list(self.children):
                try:
                    self._read(job_id)
                except Exception as exc:  # one solve's trouble must not stop the others
                    log.error("solve lost: %s at %s", type(exc).__name__, where(exc))
                    self._lost(job_id, f"the server lost touch with it ({type(exc).__name__})")
            while (
                self.waiting
                and len(self.children) < self.config.max_running
                and not self.closing.is_set()
            ):
                self._start(self.jobs[self.waiting.pop(0)])
                self._renumber()
            self._expire(time.time())

    def _lost(self, job_id: str, reason: str) -> None:
        child = self.children.pop(job_id)
        if child.process.is_alive():
            child.process.terminate()
        job = self.jobs[job_id]
        if job.status not in FINISHED:
            self._finish(job, "failed", reason)

    def _start(self, job: Job) -> None:
        assert job.task is not None
        messages = self.context.Queue()
        stop = self.context.Event()
        process = self.context.Process(
            target=run_task, args=(job.task, messages, stop), name="rota-solve", daemon=True
        )
        try:
            process.start()
        except Exception as exc:
            log.error("solve not started: %s at %s", type(exc).__name__, where(exc))
            self._finish(job, "failed", f"the solve could not start ({type(exc).__name__})")
            return
        self.children[job.id] = _Child(process, messages, stop)
        job.task = None  # the child has it; do not keep a second copy of the data
        job.status = "running"
        job.started = time.time()
        job.version += 1

    def _read(self, job_id: str) -> None:
        """Take every message a child has sent; a child that ended without its files failed."""
        job, child = self.jobs[job_id], self.children[job_id]
        while True:
            try:
                kind, payload = child.messages.get_nowait()
            except queue.Empty:
                break
            self._message(job, kind, payload)
        if job.status in FINISHED:
            self._reap(job_id)
        elif not child.process.is_alive():
            with contextlib.suppress(queue.Empty):
                kind, payload = child.messages.get(timeout=0.5)  # a message still in flight
                self._message(job, kind, payload)
            if job.status not in FINISHED:
                code = child.process.exitcode
                self._finish(job, "failed", f"the solve ended unexpectedly (exit code {code})")
            self._reap(job_id)

    def _message(self, job: Job, kind: str, payload: Any) -> None:
        if kind == "progress":
            job.progress.append(payload)
        elif kind == "step":
            job.steps.append(payload)
        elif kind == "solved":
            job.result = payload
            job.status = "writing"
        elif kind == "compared":
            job.comparison = payload
            job.status = "writing"
        elif kind == "files":
            job.files = {name: Path(path) for name, path in payload.items()}
            self._finish(job, "done")
        elif kind == "failed":
            self._finish(job, "failed", payload)
        job.version += 1

    def _reap(self, job_id: str) -> None:
        """Forget a child that has said its last word (it exits by itself; multiprocessing
        collects it), without waiting for it while the lock is held."""
        child = self.children.pop(job_id)
        child.messages.close()

    def _finish(self, job: Job, status: Status, error: str = "") -> None:
        job.status = status
        job.error = error
        job.finished = time.time()
        job.task = None
        job.version += 1
        upload = self.uploads.get(job.upload_id)
        if upload is not None:
            upload.last_used = job.finished

    def _renumber(self) -> None:
        for job in self.jobs.values():
            job.place = None
        for place, job_id in enumerate(self.waiting, start=1):
            self.jobs[job_id].place = place
            self.jobs[job_id].version += 1

    def _expire(self, now: float) -> None:
        """Remove the folders (and drop the data) of solves finished ``keep_seconds`` ago and of
        uploads unused that long with nothing waiting or running."""
        keep = self.config.keep_seconds
        for job in self.jobs.values():
            done = job.status in FINISHED and job.status != "expired"
            if done and job.finished is not None and now - job.finished >= keep:
                shutil.rmtree(job.folder, ignore_errors=True)
                job.result, job.comparison, job.files, job.cache = None, None, {}, {}
                job.progress, job.steps = [], []
                job.status = "expired"
                job.version += 1
        for upload in self.uploads.values():
            busy = any(self.jobs[j].status in ACTIVE for j in upload.job_ids)
            if not upload.expired and not busy and now - upload.last_used >= keep:
                shutil.rmtree(upload.folder, ignore_errors=True)
                upload.problem, upload.warnings, upload.errors = None, [], []
                upload.expired = True


__all__ = ["QueueFull", "Runner", "ScenarioTask", "SolveTask"]
