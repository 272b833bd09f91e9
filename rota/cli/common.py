"""What every command shares: located input errors and output errors printed without a
traceback, the exit codes, internal errors logged to a file, and Ctrl-C while writing."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from rota.io.errors import InputError
from rota.reports.atomic import OutputError, output_set


def fail(message: str, code: int = 1) -> NoReturn:
    """Print a message on stderr and exit with ``code`` (no traceback)."""
    click.echo(message, err=True)
    sys.exit(code)


@contextmanager
def plain_errors(
    *extra: type[Exception], describe: Callable[[Exception], str] = str
) -> Iterator[None]:
    """Turn expected errors (bad input, unwritable output) into a message and exit status 1."""
    try:
        yield
    except OutputError as exc:
        fail(f"error: {exc}")
    except extra as exc:
        fail(describe(exc))


def describe_error(exc: Exception) -> str:
    """Every located input problem under one heading, or the error's own words."""
    if isinstance(exc, InputError):
        count = len(exc.issues)
        head = f"{count} error{'s' if count != 1 else ''} in the input:"
        return "\n".join([head, *exc.lines])
    if isinstance(exc, OSError):
        target = exc.filename or ""
        return f"error: cannot write {target}: {exc.strerror or exc}"
    return f"error: {exc}"


# Exit codes, as the README lists them.
EXIT_OK = 0
EXIT_INPUT = 1
EXIT_USAGE = 2  # click's own
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


def log_folder() -> Path:
    """Where tracebacks of internal errors go: ``ROTA_LOG_DIR``, else the user's cache folder."""
    given = os.environ.get("ROTA_LOG_DIR")
    if given:
        return Path(given)
    if os.name == "nt" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "rota" / "logs"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rota" / "logs"


def internal_error(exc: BaseException) -> NoReturn:
    """A bug: one line on stderr and the traceback in a log file (never on screen)."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    where = "nowhere (the log folder cannot be written)"
    try:
        folder = log_folder()
        folder.mkdir(parents=True, exist_ok=True)
        log = folder / f"rota-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.log"
        log.write_text(f"rota {' '.join(sys.argv[1:])}\n{text}", encoding="utf-8")
        where = str(log)
    except OSError:
        pass
    fail(
        f"internal error ({type(exc).__name__}): this is a bug in rota, not in your input; "
        f"the details are in {where}",
        EXIT_INTERNAL,
    )


class Interrupts:
    """Ctrl-C while a command solves and writes.

    The first Ctrl-C stops the search; the best rota found is still written. A Ctrl-C while the
    outputs are written says so and lets them finish; another one abandons them (nothing is
    written). While the finished files are renamed into place (a moment) a Ctrl-C waits, so a
    run leaves its complete set of files or none. SIGTERM abandons at once.
    """

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.writing = False
        self.committing = False
        self.presses_while_writing = 0
        self.abandoned = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> Interrupts:
        if threading.current_thread() is threading.main_thread():
            self._previous[signal.SIGINT] = signal.signal(signal.SIGINT, self._on_interrupt)
            self._previous[signal.SIGTERM] = signal.signal(signal.SIGTERM, self._on_terminate)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _on_interrupt(self, signum: int, frame: Any) -> None:
        if self.committing:
            click.echo("\nthe files are being put in place: a moment", err=True)
            return
        if not self.writing:
            if not self.stop.is_set():
                self.stop.set()
                click.echo(
                    "\nstopping: the best rota found so far will be written "
                    "(Ctrl-C again while it is written abandons it)",
                    err=True,
                )
            return
        self.presses_while_writing += 1
        if self.presses_while_writing == 1:
            click.echo(
                "\nthe rota is being written: it will be finished "
                "(press Ctrl-C again to abandon it and write nothing)",
                err=True,
            )
            return
        # Abandoned between two files (checked by the output set), never in the middle of a
        # library's write, so that every temporary is removed.
        self.abandoned = True
        click.echo("\nabandoning: no file of this run will be kept", err=True)

    def _on_terminate(self, signum: int, frame: Any) -> None:
        if self.writing:
            self.abandoned = True
        elif not self.committing:
            raise KeyboardInterrupt

    @contextmanager
    def writing_phase(self) -> Iterator[None]:
        """Outputs are being written: Ctrl-C no longer means "stop the search"."""
        self.writing = True
        try:
            yield
        finally:
            self.writing = False

    @contextmanager
    def committing_phase(self) -> Iterator[None]:
        """The renames that put a complete set in place: not interruptible."""
        self.committing = True
        try:
            yield
        finally:
            self.committing = False


def write_outputs(
    interrupts: Interrupts, write: Callable[[], Sequence[Path]], run_id: str | None = None
) -> list[Path]:
    """Call ``write`` (which writes through rota.reports.atomic) inside one output set and put
    every file in place together; Ctrl-C twice or an error leaves none of them."""
    try:
        with interrupts.writing_phase(), output_set(run_id) as outputs:
            outputs.cancelled = lambda: interrupts.abandoned
            write()
            with interrupts.committing_phase():
                return outputs.commit()
    except KeyboardInterrupt:
        fail("abandoned: nothing was written", EXIT_INTERRUPTED)
