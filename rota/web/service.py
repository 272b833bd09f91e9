"""What the page and the API both do: keep an upload, check it with the CLI's readers, queue a
solve or a scenario, and describe a solve in words and in JSON."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from rota.io import InputError, InputIssue, read_problem_with_warnings
from rota.reports.schools import safe_file_name
from rota.scenarios.apply import load_and_apply
from rota.scheduler.params import SolveParams
from rota.web.config import ServerConfig
from rota.web.jobs import ACTIVE, Job, Runner, Upload
from rota.web.worker import ScenarioTask, SolveTask

CHUNK = 1024 * 1024
INPUT_SUFFIXES = (".xlsx", ".yaml", ".yml", ".json")
SCENARIO_SUFFIXES = (".yaml", ".yml")


class BadRequest(Exception):
    """The request cannot be served as asked; the message says why in plain words."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def stored_name(file_name: str, default: str = "input.xlsx") -> str:
    """A safe name for an uploaded file: its own name's letters, never a path."""
    path = Path(file_name.replace("\\", "/")).name
    suffix = re.sub(r"[^a-z0-9.]", "", Path(path).suffix.lower())[:8]
    stem = safe_file_name(Path(path).stem)[:80]
    return f"{stem}{suffix}" if path else default


async def save_upload(runner: Runner, file: Any) -> Upload:
    """Keep an uploaded input in its own folder (the caller checks it)."""
    if not isinstance(file, UploadFile) or not file.filename:
        raise BadRequest("Choose a workbook to upload first.")
    upload = runner.new_upload(stored_name(file.filename))
    with upload.path.open("wb") as out:
        while chunk := await file.read(CHUNK):
            out.write(chunk)
    return upload


def read_input(path: Path) -> tuple[Any, list[str], list[InputIssue], list[str]]:
    """The Problem, its warnings and its errors, read as ``rota solve`` reads it (pinned sessions
    that cannot be kept are errors too), and what ``rota validate`` says about the drives
    (summary lines; its warnings join the others)."""
    from rota.io.load import drive_report_lines, locate_issues
    from rota.scheduler.pins import pin_plan

    try:
        problem, warnings = read_problem_with_warnings(path)
        pins = pin_plan(problem).issues
        if pins:
            raise InputError(locate_issues(path, pins))
        drive_lines, drive_warnings = drive_report_lines(path, problem)
    except InputError as exc:
        return None, [str(w) for w in exc.warnings], exc.issues, []
    except Exception as exc:  # a file the readers cannot open at all: say so, do not crash
        message = f"cannot be read as a {path.suffix} file ({type(exc).__name__})"
        return None, [], [InputIssue(message, source=path.name)], []
    return problem, [*warnings, *drive_warnings], [], drive_lines


async def check_upload(runner: Runner, upload: Upload) -> Upload:
    """Read the upload (in a thread: a large workbook takes a while) and record the result."""
    problem, warnings, errors, drive_lines = await run_in_threadpool(read_input, upload.path)
    runner.checked(upload, problem, warnings, errors, drive_lines)
    return upload


def time_limit(value: Any, config: ServerConfig) -> float:
    """Seconds of search from a form field; BadRequest when it is not a sensible number."""
    if value is None or value == "":
        return config.default_time_limit
    try:
        seconds = float(str(value))
    except ValueError:
        raise BadRequest(
            f"The time limit '{str(value)[:20]}' is not a number of seconds."
        ) from None
    if not math.isfinite(seconds) or not 1 <= seconds <= config.max_time_limit:
        raise BadRequest(f"The time limit must be between 1 and {config.max_time_limit:g} seconds.")
    return seconds


def params(config: ServerConfig, seconds: float) -> SolveParams:
    return SolveParams(time_limit=seconds, workers=config.workers)


def start_solve(runner: Runner, upload: Upload, seconds: float) -> Job:
    """Queue a solve of a checked upload (QueueFull when there is no room)."""
    if upload.problem is None:
        raise BadRequest("This workbook has errors: fix them and upload it again.", 422)
    runner.ensure_room()
    task = SolveTask(upload.problem, params(runner.config, seconds), runner.job_folder())
    return runner.submit(upload, "solve", seconds, task, f"Rota from {upload.file_name}")


def latest_result(runner: Runner, upload: Upload) -> Any:
    """The most recent finished rota of this upload, if one is still kept."""
    for job_id in reversed(upload.job_ids):
        job = runner.job(job_id)
        if job is not None and job.kind == "solve" and job.status == "done" and job.result:
            return job.result
    return None


def start_scenario(
    runner: Runner, upload: Upload, text: str, file_name: str, seconds: float, from_base: bool
) -> Job:
    """Check a scenario against the upload and queue its run; ScenarioError lists every
    located problem of the scenario."""
    if upload.problem is None:
        raise BadRequest("This workbook has errors: fix them and upload it again.", 422)
    if not text.strip():
        raise BadRequest("Write a scenario or choose a scenario file first.")
    name = stored_name(file_name or "scenario.yaml", "scenario.yaml")
    if Path(name).suffix not in SCENARIO_SUFFIXES:
        raise BadRequest("A scenario is a YAML file (.yaml or .yml).")
    runner.ensure_room()
    path = upload.folder / name
    path.write_text(text, encoding="utf-8")
    scenario, _changed = load_and_apply(upload.problem, path)
    task = ScenarioTask(
        upload.problem,
        scenario,
        params(runner.config, seconds),
        runner.job_folder(),
        base_result=latest_result(runner, upload),
        from_base=from_base,
    )
    return runner.submit(upload, "scenario", seconds, task, f"What if: {scenario.name}")


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def status_text(job: Job, keep_seconds: float) -> str:
    """Where a solve is, in the coordinator's words."""
    if job.status == "queued":
        return f"Waiting: {ordinal(job.place or 1)} in the queue (one solve runs at a time)."
    if job.status == "running":
        return "Making the rota."
    if job.status == "stopping":
        return "Stopping: keeping the best rota found so far."
    if job.status == "writing":
        early = "Stopped early: the best rota found so far" if job.stop_requested else "The rota"
        return f"{early} is ready; writing the workbooks."
    if job.status == "done":
        if job.stop_requested:
            return "Stopped early: this is the best rota found before Stop was pressed."
        return "Finished."
    if job.status == "cancelled":
        return "Cancelled before it started."
    if job.status == "failed":
        return f"Failed: {job.error}"
    return (
        f"Removed: its files were deleted from this computer {keep_seconds / 60:g} minutes "
        "after it finished. Upload the workbook again to make a new rota."
    )


def download_urls(job: Job) -> dict[str, str]:
    return {name: f"/api/solves/{job.id}/{name}" for name in job.files}


def summary_json(job: Job) -> dict[str, Any] | None:
    """The figures of a finished rota for scripts: counts, driving, reasons by referral id."""
    result = job.result
    if result is None or result.kpis is None:
        return None
    k = result.kpis
    return {
        "solver_status": result.status,
        "gap": result.gap,
        "solve_seconds": round(result.wall_seconds, 2),
        "referrals": k.referrals,
        "placed": k.scheduled,
        "not_placed": k.unscheduled,
        "placed_by_priority": {str(p): n for p, n in sorted(k.scheduled_by_priority.items())},
        "not_placed_by_priority": {str(p): n for p, n in sorted(k.unscheduled_by_priority.items())},
        "travel_minutes_per_week": k.travel_minutes,
        "continuity_kept": k.continuity_kept,
        "continuity_possible": k.continuity_possible,
        "utilisation": round(k.utilisation, 4),
        "not_placed_reasons": [
            {"referral_id": u.referral_id, "reason": u.reason} for u in result.rota.unscheduled
        ],
        "rule_breaks": list(result.violations),
    }


def job_json(job: Job, keep_seconds: float) -> dict[str, Any]:
    """``GET /api/solves/{id}``: where the solve is, its latest progress, and when done the
    summary and the download addresses."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "status_text": status_text(job, keep_seconds),
        "place_in_queue": job.place,
        "time_limit": job.time_limit,
        "elapsed": round(job.elapsed, 1),
        "stopped_early": job.stop_requested and job.status in ("writing", "done"),
        "improvements": len(job.progress),
        "progress": job.progress[-1] if job.progress else None,
        "summary": summary_json(job),
        "downloads": download_urls(job),
        "error": job.error or None,
        "remove_at": None
        if job.finished is None or job.status == "expired"
        else round(job.finished + keep_seconds),
    }


def expiry_text(finished: float | None, keep_seconds: float) -> str:
    if finished is None:
        return f"{keep_seconds / 60:g} minutes after the solve finishes"
    return time.strftime("%H:%M", time.localtime(finished + keep_seconds))


def download_stem(runner: Runner, job: Job) -> str:
    """Downloads are named after the uploaded file: ``<input name>-rota.xlsx``."""
    upload = runner.upload(job.upload_id)
    return Path(upload.file_name).stem if upload is not None else "rota"


EXPLAIN_TOP = 5


def explain_referral(runner: Runner, job: Job, referral_id: str) -> Any:
    """Where else a referral of a finished solve could go and what each place would cost
    (``rota explain``'s answer); the candidates are worked out once per solve."""
    from rota.scheduler.candidates import build_candidates
    from rota.scheduler.explain import explain

    upload = runner.upload(job.upload_id)
    problem = upload.problem if upload is not None else None
    if job.kind != "solve" or job.result is None or problem is None:
        if job.status in ACTIVE:
            raise BadRequest("The rota is not ready yet.", 409)
        raise BadRequest("This solve has no rota to explain.", 404)
    if referral_id not in problem.referral_by_id:
        raise BadRequest(f"There is no referral {referral_id} in this workbook.", 404)
    if "candidates" not in job.cache:
        job.cache["candidates"] = build_candidates(problem, 0)
    return explain(
        problem, job.result.rota, referral_id, EXPLAIN_TOP, candidates=job.cache["candidates"]
    )
