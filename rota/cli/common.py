"""What every command shares: printing located input errors and output errors, no traceback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from rota.io.atomic import OutputError


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
