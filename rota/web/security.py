"""What every request passes before the page sees it: a local Host, the launch token, a
same-origin Origin, a CSRF token on state-changing requests, and the upload size limit.

The token is made at launch and printed in the address (as Jupyter does); a first visit with
``?token=`` stores it in a cookie that only this site's own pages send (SameSite=Strict) and
redirects to the same address without it. Scripts send it in an ``Authorization: Bearer``
header instead. ``GET /api/health`` alone needs no token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from urllib.parse import urlencode

from starlette.datastructures import URL, Headers, QueryParams
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rota.web.config import ServerConfig

log = logging.getLogger("rota.web")

HEALTH_PATH = "/api/health"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
# Multipart framing and the small form fields that come with a file.
FORM_OVERHEAD = 64 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; "
        b"style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # "no-referrer" would make Origin null
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
)


class BodyTooLarge(Exception):
    """A request body went past the upload limit while it was being read."""


def csrf_token(token: str) -> str:
    """The CSRF token of a launch: derived from its secret token, so no state is kept."""
    return hmac.new(token.encode(), b"rota-csrf", hashlib.sha256).hexdigest()


def same(a: str | None, b: str) -> bool:
    """Constant-time comparison of a secret that may be missing."""
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


def host_name(host_header: str) -> str:
    """``127.0.0.1:8000`` -> ``127.0.0.1``; ``[::1]:8000`` -> ``::1``."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_origins(config: ServerConfig) -> frozenset[str]:
    """``http://host:port`` for every allowed host name."""
    out = set()
    for name in config.allowed_hosts:
        shown = f"[{name}]" if ":" in name else name
        out.add(f"http://{shown}:{config.port}")
    return frozenset(out)


def wants_json(path: str) -> bool:
    return path.startswith("/api/")


def refusal(path: str, status: int, message: str) -> Response:
    """A refusal in JSON for the API and as a short page for a browser."""
    if wants_json(path):
        return JSONResponse({"error": message}, status_code=status)
    body = (
        "<!doctype html><meta charset=utf-8><title>rota</title>"
        "<body style='font-family:sans-serif;max-width:40em;margin:3em auto'>"
        f"<h1>rota</h1><p>{message}</p></body>"
    )
    return HTMLResponse(body, status_code=status)


NO_TOKEN = (
    "This page needs the address that <code>rota serve</code> printed when it started "
    "(it ends in <code>?token=...</code>): open that address again."
)


INTERNAL = (
    "Something went wrong inside rota. Please report it (the server's window names the place, "
    "not your data)."
)


class Guard:
    """ASGI middleware in front of the whole application (see the module docstring)."""

    def __init__(self, app: ASGIApp, config: ServerConfig) -> None:
        self.app = app
        self.config = config
        self.origins = allowed_origins(config)
        self.csrf = csrf_token(config.token)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets: the page uses server-sent events
        started = time.perf_counter()
        status: list[int] = []
        send = self._headers_added(send, status)
        refused, auth = self._check(scope)
        path = scope["path"]
        if refused is not None:
            await refused(scope, receive, send)
        else:
            scope.setdefault("state", {})["auth"] = auth
            try:
                await self.app(scope, self._limited(scope, receive), send)
            except Exception as exc:  # logged without its message: it may hold client data
                log.error("internal error %s at %s", type(exc).__name__, where(exc))
                if not status:
                    await refusal(path, 500, INTERNAL)(scope, receive, send)
        # The path and status only: no query (it may hold the token), no names, no data.
        code = status[0] if status else 0
        log.info("%s %s %s %.0f ms", scope["method"], path, code, _ms(started))

    def _check(self, scope: Scope) -> tuple[Response | None, str]:
        """The refusal for this request, if any, and how it proved the token."""
        headers = Headers(scope=scope)
        path, method = scope["path"], scope["method"]
        if host_name(headers.get("host", "")) not in self.config.allowed_hosts:
            return refusal(path, 403, "This server only answers to this computer's own name."), ""
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins:
            return refusal(path, 403, "Requests from other web sites are refused."), ""
        site = headers.get("sec-fetch-site")
        navigating = method == "GET" and headers.get("sec-fetch-mode") == "navigate"
        if site == "cross-site" and not navigating:
            return refusal(path, 403, "Requests from other web sites are refused."), ""
        if path == HEALTH_PATH and method in SAFE_METHODS:
            return None, "none"
        auth = self._auth(scope, headers)
        if not auth:
            return refusal(path, 401, NO_TOKEN), ""
        if auth == "query" and method == "GET" and not wants_json(path):
            return self._store_token(scope), auth
        unsafe_api = method not in SAFE_METHODS and wants_json(path)
        if auth == "cookie" and unsafe_api and not same(headers.get(CSRF_HEADER), self.csrf):
            # A browser's API call sends the CSRF token in a header; a page's form posts it as
            # a field, which the page's handler checks (rota.web.context.read_form).
            return refusal(path, 403, "The request lacks this page's form key."), ""
        length = headers.get("content-length")
        limit = self.config.max_upload_bytes + FORM_OVERHEAD
        if length is not None and length.isdigit() and int(length) > limit:
            return refusal(path, 413, self.too_large_message()), ""
        return None, auth

    def too_large_message(self) -> str:
        mb = self.config.max_upload_bytes / (1024 * 1024)
        return f"The file is too large: the limit is {mb:g} MB."

    def _auth(self, scope: Scope, headers: Headers) -> str:
        token = self.config.token
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer ") and same(bearer[7:].strip(), token):
            return "header"
        if same(headers.get("x-rota-token"), token):
            return "header"
        if same(QueryParams(scope.get("query_string", b"").decode()).get("token"), token):
            return "query"
        cookies = _cookies(headers.get("cookie", ""))
        if same(cookies.get(self.config.cookie_name), token):
            return "cookie"
        return ""

    def _store_token(self, scope: Scope) -> Response:
        """Keep the token in a cookie and show the address without it."""
        url = URL(scope=scope)
        rest = [(k, v) for k, v in QueryParams(url.query).multi_items() if k != "token"]
        target = url.path + (f"?{urlencode(rest)}" if rest else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            self.config.cookie_name,
            self.config.token,
            httponly=True,
            samesite="strict",
            path="/",
        )
        return response

    def _headers_added(self, send: Send, status: list[int]) -> Send:
        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        return wrapped

    def _limited(self, scope: Scope, receive: Receive) -> Receive:
        """``receive`` that raises BodyTooLarge past the limit (chunked bodies included)."""
        limit = self.config.max_upload_bytes + FORM_OVERHEAD
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(self.too_large_message())
            return message

        return wrapped


def _cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out


def where(exc: BaseException) -> str:
    """File and line where an exception was raised (no values)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None:
        return "?"
    return f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
