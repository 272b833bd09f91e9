"""What every command shares: printing located input errors and output errors, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from rota.io.errors import InputError
from rota.reports.atomic import OutputError


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
