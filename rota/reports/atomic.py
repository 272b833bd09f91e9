"""Safe outputs: every check before the solve, temporaries a later run removes, all or nothing.

Each output is built in a temporary file in a ``.rota-tmp`` folder beside it (same disk, so the
final rename is atomic) and renamed into place. Outputs written inside :func:`output_set` are
renamed together at :meth:`OutputSet.commit`: a run leaves its complete set of files or none.
A temporary's name starts with the writing process's id, so a later run can tell one left by a
killed run (SIGKILL, a power cut) from one still being written, and removes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any

TEMP_DIR_NAME = ".rota-tmp"
#: Longest file name most file systems (and Windows) accept, in bytes.
MAX_NAME_BYTES = 255
#: Longest path Windows accepts without the long-path setting.
MAX_WINDOWS_PATH = 259
#: A temporary older than this is removed even if its process id is in use again.
STALE_SECONDS = 24 * 3600
RUN_PREFIX = "rota-run:"
_RUN_RE = re.compile(rb"<dc:identifier>rota-run:([^<]*)</dc:identifier>")


class OutputError(Exception):
    """An output could not be written (exists without --force, locked, unwritable)."""


def new_run_id() -> str:
    """A run's stamp: when it started and a random part, e.g. ``2027-01-04 09:12:03 1a2b3c4d``."""
    return f"{dt.datetime.now():%Y-%m-%d %H:%M:%S} {uuid.uuid4().hex[:8]}"


# ----------------------------------------------------------------------------- checks
def check_writable(path: Path, force: bool) -> None:
    """Refuse an existing output unless ``force``; say so plainly."""
    if path.exists() and path.is_dir():
        raise OutputError(f"{path} is a folder, not a file")
    if path.exists() and not force:
        raise OutputError(f"{path} already exists: use --force to replace it")


def check_outputs(
    targets: Iterable[Path], inputs: Iterable[Path] = (), *, force: bool = False
) -> None:
    """Everything that can be known before a solve about the files it will write: not an input
    (whatever ``force`` says), a usable name, not an existing file without ``force``, a folder
    that can be written, and not open in Excel. Also removes temporaries of killed runs."""
    sources = [Path(p) for p in inputs if Path(p).exists()]
    for target in targets:
        target = Path(target)
        check_name(target)
        for source in sources:
            if target.exists() and os.path.samefile(target, source):
                raise OutputError(
                    f"{target} is also an input of this run: write the output to another file "
                    "(inputs are never replaced, even with --force)"
                )
        check_writable(target, force)
        folder = _existing_folder(target.parent)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(f"cannot write in {folder}: the folder is read-only")
        check_not_open(target)
        sweep_temporaries(target.parent)


def check_name(target: Path) -> None:
    """A file name the file system (and Windows) will accept."""
    size = len(target.name.encode("utf-8"))
    if size > MAX_NAME_BYTES:
        raise OutputError(
            f"{target.name[:60]}...: the file name is {size} bytes long; the most is "
            f"{MAX_NAME_BYTES}: choose a shorter name"
        )
    if os.name == "nt" and len(str(target.absolute())) > MAX_WINDOWS_PATH:
        raise OutputError(f"{target}: the path is too long for Windows: use a shorter folder")


def _existing_folder(folder: Path) -> Path:
    """The folder, or the nearest folder above it that exists (where it would be made)."""
    current = folder.absolute()
    while not current.exists():
        current = current.parent
    if not current.is_dir():
        raise OutputError(f"{current} is a file, not a folder")
    return current


def check_not_open(target: Path) -> None:
    """Refuse a file that another program holds: Excel leaves ``~$name.xlsx`` beside a workbook
    it has open (and on Windows locks the workbook itself)."""
    owner = target.with_name("~$" + target.name)
    for candidate in (owner,):
        if candidate.exists():
            raise OutputError(
                f"{target} is open in Excel ({candidate.name} is beside it): close it first"
            )
    if target.is_file():
        try:
            with open(target, "r+b"):
                pass
        except PermissionError:
            raise OutputError(
                f"cannot replace {target}: it is open in another program or read-only"
            ) from None


# ----------------------------------------------------------------------------- temporaries
def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def sweep_temporaries(folder: Path) -> list[Path]:
    """Remove temporaries left in ``folder``'s ``.rota-tmp`` by runs that no longer exist (or
    older than a day); returns what was removed."""
    tmp_dir = Path(folder) / TEMP_DIR_NAME
    if not tmp_dir.is_dir():
        return []
    removed = []
    for item in tmp_dir.iterdir():
        pid_text = item.name.split("-", 1)[0]
        try:
            age = time.time() - item.stat().st_mtime
        except OSError:
            continue
        if pid_text.isdigit() and _pid_alive(int(pid_text)) and age < STALE_SECONDS:
            continue
        with contextlib.suppress(OSError):
            item.unlink()
            removed.append(item)
    with contextlib.suppress(OSError):
        tmp_dir.rmdir()  # only when empty
    return removed


def _temporary(target: Path) -> Path:
    tmp_dir = target.parent / TEMP_DIR_NAME
    for attempt in range(5):
        tmp_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd, name = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=target.suffix, dir=tmp_dir)
            break
        except FileNotFoundError:
            # Another process writing to the same folder removed the (then empty) temporary
            # folder between our mkdir and mkstemp: make it again.
            if attempt == 4:
                raise
    os.close(fd)
    # mkstemp makes the file owner-only; give it the permissions a plain open() would.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)
    return Path(name)


# ----------------------------------------------------------------------------- writing
class OutputSet:
    """Outputs staged as temporaries and renamed into place together by :meth:`commit`."""

    def __init__(self, run_id: str | None = None) -> None:
        self.run_id = run_id or new_run_id()
        self.staged: list[tuple[Path, Path]] = []  # (temporary, target)
        self.committed: list[Path] = []
        # Asked between files: True abandons the set (KeyboardInterrupt), e.g. after Ctrl-C.
        self.cancelled: Callable[[], bool] = lambda: False

    def _check_cancelled(self) -> None:
        if self.cancelled():
            raise KeyboardInterrupt

    def stage(self, target: Path, write: Callable[[Path], Any], force: bool) -> Path:
        """Write ``target``'s content into a temporary now; it is renamed at commit."""
        self._check_cancelled()
        check_writable(target, force)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(target)
        self.staged.append((tmp, target))
        write(tmp)
        self._check_cancelled()
        return target

    def commit(self) -> list[Path]:
        """Rename every staged file into place (each rename is atomic); returns the targets."""
        self._check_cancelled()
        while self.staged:
            tmp, target = self.staged[0]
            try:
                os.replace(tmp, target)
            except PermissionError as exc:
                raise OutputError(
                    f"cannot replace {target}: it is open in another program or read-only ({exc})"
                ) from exc
            self.staged.pop(0)
            self.committed.append(target)
            _remove_empty(tmp.parent)
        return list(self.committed)

    def abandon(self) -> None:
        """Remove every temporary not yet renamed."""
        for tmp, _target in self.staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
            _remove_empty(tmp.parent)
        self.staged.clear()


def _remove_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()


_ACTIVE: ContextVar[OutputSet | None] = ContextVar("rota_output_set", default=None)


@contextlib.contextmanager
def output_set(run_id: str | None = None) -> Iterator[OutputSet]:
    """Writes inside the block are staged; the caller commits; whatever is not committed when
    the block ends (an error, Ctrl-C) is removed."""
    outputs = OutputSet(run_id)
    token = _ACTIVE.set(outputs)
    try:
        yield outputs
    finally:
        _ACTIVE.reset(token)
        outputs.abandon()


def current_run_id() -> str | None:
    """The stamp of the output set being written, if any."""
    outputs = _ACTIVE.get()
    return outputs.run_id if outputs is not None else None


def write_atomic(path: Path | str, write: Callable[[Path], Any], force: bool = True) -> Path:
    """Call ``write(tmp_path)`` and move the result onto ``path`` atomically (at the commit of
    the enclosing :func:`output_set`, if there is one)."""
    target = Path(path)
    active = _ACTIVE.get()
    if active is not None:
        return active.stage(target, write, force)
    with output_set() as alone:
        alone.stage(target, write, force)
        alone.commit()
    return target


@contextlib.contextmanager
def atomic_path(path: Path | str, force: bool = True) -> Iterator[Path]:
    """Yield a temporary path; on success it is renamed onto ``path`` (nothing left behind on
    failure; an existing file is replaced only when ``force``)."""
    with output_set() as alone:
        target = Path(path)
        check_writable(target, force)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(target)
        alone.staged.append((tmp, target))
        yield tmp
        alone.commit()


# ----------------------------------------------------------------------------- runs
def run_of(path: Path) -> str | None:
    """The run stamp a workbook rota wrote carries in its properties (None for other files)."""
    try:
        with zipfile.ZipFile(path) as zf:
            found = _RUN_RE.search(zf.read("docProps/core.xml")[:100_000])
    except (OSError, KeyError, zipfile.BadZipFile, ValueError):
        return None
    return found.group(1).decode("utf-8", "replace") if found else None


def remove_previous_run(folder: Path, run_id: str, keep: Sequence[Path]) -> list[Path]:
    """Once a new set is complete, remove the workbooks an earlier rota run left in ``folder``
    (recognised by their stamp; files rota did not write are never touched)."""
    kept = {Path(p).resolve() for p in keep}
    removed = []
    for item in sorted(Path(folder).glob("*.xlsx")):
        if item.resolve() in kept:
            continue
        stamp = run_of(item)
        if stamp is not None and stamp != run_id:
            with contextlib.suppress(OSError):
                item.unlink()
                removed.append(item)
    return removed
