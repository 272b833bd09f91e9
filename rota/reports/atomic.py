"""Atomic, refuse-to-overwrite output: build in a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class OutputError(Exception):
    """An output could not be written (exists without --force, locked, unwritable)."""


def check_writable(path: Path, force: bool) -> None:
    """Refuse an existing output unless ``force``; say so plainly."""
    if path.exists() and not force:
        raise OutputError(f"{path} already exists: use --force to replace it")
    if path.exists() and path.is_dir():
        raise OutputError(f"{path} is a folder, not a file")


@contextlib.contextmanager
def atomic_path(path: Path | str, force: bool = True) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it onto ``path``.

    Nothing is left behind on failure, and an existing file is replaced only when ``force``.
    A locked target (open in Excel on Windows) gives an OutputError, not a traceback.
    """
    target = Path(path)
    check_writable(target, force)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file owner-only; give it the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise OutputError(
                f"cannot replace {target}: it is open in another program or read-only ({exc})"
            ) from exc
    finally:
        if tmp.exists():
            tmp.unlink()


def write_atomic(path: Path | str, write: Callable[[Path], Any], force: bool = True) -> Path:
    """Call ``write(tmp_path)`` and move the result onto ``path`` atomically."""
    with atomic_path(path, force=force) as tmp:
        write(tmp)
    return Path(path)
