"""The Starlette application: the coordinator's pages, the JSON API, and the guard in front.

Why Starlette: a small, well-kept ASGI toolkit (the base of FastAPI) that serves
server-rendered Jinja2 pages, form posts, files and server-sent events with no front-end build
step; uvicorn runs it. Pages work without JavaScript; a little plain JS draws the live chart.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rota import __version__
from rota.scenarios.spec import ScenarioError
from rota.web import pages
from rota.web.config import ServerConfig
from rota.web.context import (
    config_of,
    job_or_404,
    read_form,
    render,
    runner_of,
    templates,
)
from rota.web.jobs import ACTIVE, QueueFull, Runner
from rota.web.security import BodyTooLarge, Guard, refusal
from rota.web.service import (
    BadRequest,
    check_upload,
    download_stem,
    explain_referral,
    job_json,
    save_upload,
    start_solve,
    status_text,
    time_limit,
)

EVENT_POLL_SECONDS = 0.25
TICK_EVERY_SECONDS = 1.0


# ------------------------------------------------------------------------------ the API
async def api_health(request: Request) -> Response:
    return JSONResponse({"status": "ok", "version": __version__})


async def api_create(request: Request) -> Response:
    """``POST /api/solves`` (multipart ``input``, ``time_limit``) -> ``{"id": ...}``."""
    runner = runner_of(request)
    form = await read_form(request)
    seconds = time_limit(form.get("time_limit"), config_of(request))
    runner.ensure_room()
    upload = await check_upload(runner, await save_upload(runner, form.get("input")))
    if upload.problem is None:
        from rota.web.views import issue_rows

        count = len(upload.errors)
        return JSONResponse(
            {
                "error": f"{count} error{'s' if count != 1 else ''} in the input",
                "errors": issue_rows(upload.errors),
                "warnings": upload.warnings,
            },
            status_code=422,
        )
    job = start_solve(runner, upload, seconds)
    body = job_json(job, config_of(request).keep_seconds)
    body["warnings"] = upload.warnings
    return JSONResponse(body, status_code=202, headers={"Location": f"/api/solves/{job.id}"})


async def api_status(request: Request) -> Response:
    return JSONResponse(job_json(job_or_404(request), config_of(request).keep_seconds))


async def api_stop(request: Request) -> Response:
    """``POST /api/solves/{id}/stop``: a waiting solve is cancelled, a running one keeps its
    best rota."""
    job = job_or_404(request)
    runner_of(request).stop(job.id)
    return JSONResponse(job_json(job_or_404(request), config_of(request).keep_seconds))


async def api_file(request: Request) -> Response:
    """A finished solve's file: rota.xlsx, schools.zip, therapists.zip, result.json, or a
    scenario's comparison.xlsx."""
    job = job_or_404(request)
    name = request.path_params["name"]
    path = job.files.get(name)
    if path is None:
        if job.status in ACTIVE:
            raise BadRequest("The rota is not ready yet.", 409)
        raise BadRequest(f"This solve has no file {name}: {status_text(job, 0)}", 404)
    stem = download_stem(runner_of(request), job)
    return FileResponse(path, filename=f"{stem}-{name}")


async def api_explain(request: Request) -> Response:
    """``rota explain --json`` for one referral of a finished solve."""
    from rota.reports.explaining import explanation_json

    job = job_or_404(request)
    rid = request.path_params["referral_id"]
    answer = await run_in_threadpool(explain_referral, runner_of(request), job, rid)
    return JSONResponse(explanation_json(answer))


async def api_events(request: Request) -> Response:
    """Server-sent events: every improvement, a tick a second, status changes, then ``end``."""
    runner = runner_of(request)
    job_id = job_or_404(request).id
    keep = config_of(request).keep_seconds

    async def stream() -> AsyncIterator[str]:
        sent, version, last_tick = 0, -1, 0.0
        while True:
            job = runner.view(job_id)
            if job is None:
                return
            for p in job.progress[sent:]:
                yield _event("progress", p)
            sent = len(job.progress)
            if job.version != version:
                version = job.version
                yield _event("status", {"status": job.status, "text": status_text(job, keep),
                                        "steps": job.steps})  # fmt: skip
            now = asyncio.get_running_loop().time()
            if now - last_tick >= TICK_EVERY_SECONDS:
                last_tick = now
                yield _event("tick", {"elapsed": round(job.elapsed, 1)})
            if job.status not in ACTIVE:
                yield _event("end", {"status": job.status})
                return
            await asyncio.sleep(EVENT_POLL_SECONDS)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"X-Accel-Buffering": "no"}
    )


def _event(kind: str, data: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps(data)}\n\n"


# ------------------------------------------------------------------------------ errors
async def bad_request(request: Request, exc: Exception) -> Response:
    status = exc.status if isinstance(exc, BadRequest) else 400
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": str(exc)}, status_code=status)
    return render(request, "message.html", status=status, message=str(exc))


async def queue_full(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": str(exc)}, status_code=503)
    return render(request, "message.html", status=503, message=str(exc))


async def scenario_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ScenarioError)
    return JSONResponse({"error": "the scenario has errors", "errors": exc.messages}, 422)


async def too_large(request: Request, exc: Exception) -> Response:
    return refusal(request.url.path, 413, str(exc))


async def not_found(request: Request, exc: Exception) -> Response:
    return refusal(request.url.path, 404, "There is no such page.")


def create_app(config: ServerConfig, runner: Runner | None = None) -> Guard:
    """The application for one launch, with its guard in front."""
    runner = runner or Runner(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runner.start()
        try:
            yield
        finally:
            await asyncio.to_thread(runner.shutdown)

    routes = [
        Route("/api/health", api_health, methods=["GET"]),
        Route("/api/solves", api_create, methods=["POST"]),
        Route("/api/solves/{job_id:str}", api_status, methods=["GET"]),
        Route("/api/solves/{job_id:str}/stop", api_stop, methods=["POST"]),
        Route("/api/solves/{job_id:str}/events", api_events, methods=["GET"]),
        Route("/api/solves/{job_id:str}/explain/{referral_id:str}", api_explain, methods=["GET"]),
        Route("/api/solves/{job_id:str}/{name:str}", api_file, methods=["GET"]),
        *pages.routes(),
        Mount("/static", StaticFiles(packages=[("rota.web", "static")]), name="static"),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={
            BadRequest: bad_request,
            QueueFull: queue_full,
            ScenarioError: scenario_error,
            BodyTooLarge: too_large,
            404: not_found,
        },
    )
    app.state.config = config
    app.state.runner = runner
    app.state.templates = templates()
    return Guard(app, config)
