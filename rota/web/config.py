"""The server's settings: where it listens, its token, and its limits (uploads, queue, files)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

LOCAL_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """Everything the application needs to know about this launch.

    ``root`` is the one folder the server writes in (a working folder per upload and per
    solve below it); ``keep_seconds`` is how long a finished solve's files (and an unused
    upload) are kept before they are removed."""

    root: Path
    host: str = "127.0.0.1"
    port: int = 8000
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    max_upload_bytes: int = 20 * MEGABYTE
    max_queued: int = 8  # solves waiting, beyond those running
    max_running: int = 1  # each solve uses the cores: one at a time by default
    keep_seconds: float = 3600.0
    workers: int = 2  # CP-SAT search workers per solve
    default_time_limit: float = 60.0
    max_time_limit: float = 3600.0
    extra_hosts: tuple[str, ...] = ()  # Host names allowed besides the local ones

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """Host names (without port) a request may address."""
        names = {*LOCAL_HOSTS, *self.extra_hosts}
        if self.host not in ("0.0.0.0", "::"):
            names.add(self.host)
        return frozenset(n.lower() for n in names)

    @property
    def url(self) -> str:
        """The address to open, with the launch token (as Jupyter prints it)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/?token={self.token}"

    @property
    def cookie_name(self) -> str:
        """Cookies are not kept apart by port: name ours after it, so two servers can run."""
        return f"rota_token_{self.port}"
