"""What every handler shares: the templates, the runner and settings, rendering a page with
its form key, and reading a posted form after checking that key."""

from __future__ import annotations

import time
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse

from rota import __version__
from rota.web.config import MEGABYTE, ServerConfig
from rota.web.jobs import Job, Runner, Upload
from rota.web.security import CSRF_FIELD, csrf_token, same
from rota.web.service import BadRequest

MAX_FORM_FILES = 2
MAX_FORM_FIELDS = 20


def templates() -> Environment:
    """The page templates, HTML-escaped, with the number formats the pages use."""
    env = Environment(
        loader=PackageLoader("rota.web", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int | float) else n
    env.filters["percent"] = lambda x: "" if x is None else f"{x:.0%}"
    env.filters["percent1"] = lambda x: "" if x is None else f"{x:.1%}"
    env.filters["money"] = lambda x: f"£{x:,.2f}"
    env.filters["clock"] = lambda t: time.strftime("%H:%M", time.localtime(t))
    return env


def runner_of(request: Request) -> Runner:
    runner: Runner = request.app.state.runner
    return runner


def config_of(request: Request) -> ServerConfig:
    config: ServerConfig = request.app.state.config
    return config


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page, with what every page needs: the form key, the server's limits and queue."""
    config = config_of(request)
    running, waiting = runner_of(request).counts()
    body = request.app.state.templates.get_template(name).render(
        csrf=csrf_token(config.token),
        config=config,
        max_upload_mb=config.max_upload_bytes / MEGABYTE,
        max_upload_bytes=config.max_upload_bytes,
        keep_minutes=config.keep_seconds / 60,
        running=running,
        waiting=waiting,
        version=__version__,
        **context,
    )
    return HTMLResponse(body, status_code=status)


async def read_form(request: Request) -> FormData:
    """A posted form; a browser's post must carry the page's form key (CSRF)."""
    form = await request.form(max_files=MAX_FORM_FILES, max_fields=MAX_FORM_FIELDS)
    if request.scope.get("state", {}).get("auth") == "cookie":
        value = form.get(CSRF_FIELD)
        key = csrf_token(config_of(request).token)
        if not same(value if isinstance(value, str) else None, key):
            raise BadRequest("This form has expired: reload the page and try again.", 403)
    return form


def job_or_404(request: Request) -> Job:
    """A copy of the solve named in the address (``job_id``), or a 404."""
    job = runner_of(request).view(request.path_params["job_id"])
    if job is None:
        raise BadRequest("No such solve (it may belong to an earlier launch).", 404)
    return job


def upload_or_404(request: Request) -> Upload:
    """The upload named in the address (``upload_id``), or a 404."""
    upload = runner_of(request).upload(request.path_params["upload_id"])
    if upload is None:
        raise BadRequest("No such workbook (it may belong to an earlier launch).", 404)
    return upload
