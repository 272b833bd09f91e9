"""The coordinator's pages: start (upload, template, demo), the checked workbook (errors,
warnings, solve, scenarios), and a solve (live progress, then the rota to look at and download).

Every form posts and redirects (post/redirect/get), so a reload never repeats a solve.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from rota.scenarios.spec import ScenarioError
from rota.scheduler.day import DayRules
from rota.web import views
from rota.web.context import (
    config_of,
    job_or_404,
    read_form,
    render,
    runner_of,
    upload_or_404,
)
from rota.web.exports import DOWNLOADS
from rota.web.jobs import Job, Upload
from rota.web.service import (
    BadRequest,
    check_upload,
    expiry_text,
    explain_referral,
    latest_result,
    save_upload,
    start_scenario,
    start_solve,
    status_text,
    time_limit,
)

DEMO_SIZES = ("small", "county")
LIVE = frozenset({"queued", "running", "stopping"})  # the page follows the search
SCENARIO_EXAMPLE = """name: leave
description: T003 on leave all term
changes:
  - op: remove_therapist
    therapist_id: T003
"""


def see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ------------------------------------------------------------------------------ start
async def home(request: Request) -> Response:
    return render(request, "home.html", recent=runner_of(request).recent())


async def template_file(request: Request) -> Response:
    """The blank input workbook, written once per launch into the server's folder."""
    from rota.io.template import write_template

    path = config_of(request).root / "tmp" / "template.xlsx"
    if not path.exists():
        await run_in_threadpool(write_template, path, force=True)
    return FileResponse(path, filename="rota-template.xlsx")


async def upload_post(request: Request) -> Response:
    runner = runner_of(request)
    form = await read_form(request)
    upload = await check_upload(runner, await save_upload(runner, form.get("input")))
    return see(f"/uploads/{upload.id}")


async def demo_post(request: Request) -> Response:
    """A made-up service (pseudonymous, as ``rota generate`` makes it), checked like an upload."""
    from rota.demo import generate_problem
    from rota.io.write import write_problem

    form = await read_form(request)
    size = str(form.get("size", "small"))
    if size not in DEMO_SIZES:
        raise BadRequest("Choose the small or the county demo.")
    runner = runner_of(request)
    upload = runner.new_upload(f"demo-{size}.xlsx")
    problem = await run_in_threadpool(generate_problem, size, 1)
    await run_in_threadpool(write_problem, problem, upload.path)
    await check_upload(runner, upload)
    return see(f"/uploads/{upload.id}")


# ------------------------------------------------------------------------------ the workbook
def _upload_page(request: Request, upload: Upload, status: int = 200, **extra: Any) -> Response:
    runner = runner_of(request)
    jobs = [j for j in (runner.view(i) for i in upload.job_ids) if j is not None]
    lines: list[str] = []
    if upload.problem is not None:
        from rota.cli.inputs import summary_lines

        lines = [*summary_lines(upload.problem), *upload.drive_lines]
    context: dict[str, Any] = {
        "upload": upload,
        "errors": views.issue_rows(upload.errors),
        "summary_lines": lines,
        "jobs": [(j, status_text(j, config_of(request).keep_seconds)) for j in jobs],
        "has_rota": latest_result(runner, upload) is not None,
        "scenario_text": SCENARIO_EXAMPLE,
        "scenario_errors": [],
        "from_base": True,
    }
    context.update(extra)
    return render(request, "upload.html", status=status, **context)


async def upload_page(request: Request) -> Response:
    return _upload_page(request, upload_or_404(request))


async def solve_post(request: Request) -> Response:
    upload = upload_or_404(request)
    form = await read_form(request)
    seconds = time_limit(form.get("time_limit"), config_of(request))
    job = start_solve(runner_of(request), upload, seconds)
    return see(f"/solves/{job.id}")


async def scenario_post(request: Request) -> Response:
    """Check the scenario at once (every located error on the page), then queue its run."""
    upload = upload_or_404(request)
    form = await read_form(request)
    seconds = time_limit(form.get("time_limit"), config_of(request))
    text, file_name = str(form.get("scenario_text") or ""), "scenario.yaml"
    file = form.get("scenario_file")
    if file is not None and not isinstance(file, str) and file.filename:
        file_name = file.filename
        text = (await file.read()).decode("utf-8", errors="replace")
    from_base = form.get("from_base") == "yes"
    try:
        job = await run_in_threadpool(
            start_scenario, runner_of(request), upload, text, file_name, seconds, from_base
        )
    except ScenarioError as exc:
        return _upload_page(
            request,
            upload,
            422,
            scenario_text=text,
            scenario_errors=exc.messages,
            from_base=from_base,
        )
    return see(f"/solves/{job.id}")


# ------------------------------------------------------------------------------ a solve
def _cached(cache: dict[str, Any], key: str, make: Any) -> Any:
    """Figures of a finished rota, worked out once per solve (the rota does not change)."""
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _rota_context(
    request: Request, job: Job, upload: Upload, cache: dict[str, Any]
) -> dict[str, Any]:
    """Summary, week grid, not placed and sessions of a solve's rota, with the filters."""
    result, problem = job.result, upload.problem
    assert result is not None and problem is not None
    rota = result.rota
    filters = views.Filters.from_query(request.query_params, problem)
    rules = _cached(cache, "rules", lambda: DayRules(problem))
    choice, week = views.chosen_week(
        problem, rota, request.query_params.get("week", ""), filters, rules
    )
    sessions = _cached(cache, "sessions", lambda: views.session_rows(problem, rota))
    unplaced = _cached(cache, "unplaced", lambda: views.unplaced_rows(problem, rota))
    return {
        "summary": _cached(cache, "summary", lambda: views.summary(problem, result)),
        "filters": filters,
        "choices": views.filter_choices(problem),
        "weeks": views.week_choices(problem, rota, filters),
        "week_choice": choice,
        "week": week,
        "sessions": views.filtered(problem, sessions, filters),
        "all_sessions": len(sessions),
        "unplaced": views.filtered(problem, unplaced, filters),
        "all_unplaced": len(unplaced),
    }


async def job_page(request: Request) -> Response:
    job = job_or_404(request)
    runner, config = runner_of(request), config_of(request)
    upload = runner.upload(job.upload_id)
    assert upload is not None
    context: dict[str, Any] = {
        "job": job,
        "upload": upload,
        "status_line": status_text(job, config.keep_seconds),
        "live": job.status in LIVE,
        "downloads": DOWNLOADS,
        "remove_at": expiry_text(job.finished, config.keep_seconds),
    }
    if job.kind == "solve" and job.result is not None and upload.problem is not None:
        more = await run_in_threadpool(_rota_context, request, job, upload, job.cache)
        context.update(more)
    if job.kind == "scenario" and job.comparison is not None:
        comparison = job.comparison
        context["comparison"] = {
            "names": [f.name for f in comparison.figures],
            "rows": views.comparison_rows(comparison.rows),
            "notes": comparison.notes,
            "outcomes": comparison.outcomes,
            "changes": views.changes_by_school(comparison),
        }
    return render(request, "job.html", **context)


async def explain_page(request: Request) -> Response:
    """Where else one referral could go, what each place would cost, and what would have to
    move for a referral that waits (``rota explain`` on the page)."""
    from rota.reports.explaining import moves_text, terms_text, where_text

    job = job_or_404(request)
    runner = runner_of(request)
    rid = request.path_params["referral_id"]
    answer = await run_in_threadpool(explain_referral, runner, job, rid)
    upload = runner.upload(job.upload_id)
    assert upload is not None and upload.problem is not None
    problem = upload.problem
    referral = problem.referral_by_id[rid]

    def option(c: Any, moves: bool) -> dict[str, Any]:
        return {
            "where": where_text(problem, c.sessions[0]),
            "cost": c.cost_change,
            "terms": terms_text(c.terms),
            "moves": moves_text(problem, c) if moves else [],
        }

    return render(
        request,
        "explain.html",
        job=job,
        upload=upload,
        referral=referral,
        now=where_text(problem, answer.current) if answer.current else None,
        now_terms=terms_text(answer.current_terms) if answer.current_terms else "",
        alternatives=[option(c, False) for c in answer.alternatives],
        displacements=[option(c, True) for c in answer.displacements],
        note=answer.note,
    )


async def stop_post(request: Request) -> Response:
    job = job_or_404(request)
    await read_form(request)
    runner_of(request).stop(job.id)
    return see(f"/solves/{job.id}")


def routes() -> list[BaseRoute]:
    return [
        Route("/", home, methods=["GET"]),
        Route("/template.xlsx", template_file, methods=["GET"]),
        Route("/uploads", upload_post, methods=["POST"]),
        Route("/demo", demo_post, methods=["POST"]),
        Route("/uploads/{upload_id:str}", upload_page, methods=["GET"]),
        Route("/uploads/{upload_id:str}/solves", solve_post, methods=["POST"]),
        Route("/uploads/{upload_id:str}/scenarios", scenario_post, methods=["POST"]),
        Route("/solves/{job_id:str}", job_page, methods=["GET"]),
        Route("/solves/{job_id:str}/stop", stop_post, methods=["POST"]),
        Route("/solves/{job_id:str}/explain/{referral_id:str}", explain_page, methods=["GET"]),
    ]
