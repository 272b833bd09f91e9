"""The documented limits of every input, checked before anything is expanded.

A workbook or YAML file can be made to inflate a thousandfold (a zip bomb, an alias bomb); these
limits keep ``rota validate`` and ``rota solve`` within a few hundred megabytes of memory whatever
they are given. Each is far above what a county service needs (a 3,600-referral service is a
1 MB workbook) and each refusal names the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from rota.io.errors import InputError, InputIssue

MB = 1024 * 1024
#: An input workbook on disk.
MAX_WORKBOOK_BYTES = 50 * MB
#: All the parts of a workbook once unzipped (the zip headers say, before anything is unzipped).
MAX_UNZIPPED_BYTES = 200 * MB
#: The shared text of a workbook (read whole by openpyxl), once unzipped.
MAX_SHARED_STRINGS_BYTES = 50 * MB
#: Filled rows read from one sheet.
MAX_ROWS_PER_SHEET = 100_000
#: Columns read from one sheet (values further right are an error).
MAX_COLUMNS = 200
#: A YAML or JSON input, or a scenario file, on disk.
MAX_TEXT_BYTES = 20 * MB
#: Values in a YAML input once its aliases are expanded (a 3,600-referral service has 80,000).
MAX_YAML_NODES = 500_000
#: Values in a scenario file once its aliases are expanded.
MAX_SCENARIO_VALUES = 50_000
#: A scenario file on disk.
MAX_SCENARIO_BYTES = 1 * MB
#: Aliases (``*name``) in a YAML file.
MAX_YAML_ALIASES = 10_000
#: Nesting of lists and mappings in a YAML or JSON file.
MAX_NESTING = 50


def file_error(source: str, message: str) -> InputError:
    """An InputError about a whole file."""
    return InputError([InputIssue(message, source=source)])


def check_input_file(path: Path, max_bytes: int) -> None:
    """A regular file no larger than ``max_bytes``: a folder, a FIFO or a device is refused
    before it is opened (opening a FIFO would wait for a writer for ever)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise file_error(str(path), "no such file") from None
    except OSError as exc:
        raise file_error(str(path), f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise file_error(str(path), "is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise file_error(str(path), "is not a regular file (a pipe or a device): give a file")
    if info.st_size > max_bytes:
        raise file_error(
            path.name,
            f"is {info.st_size / MB:,.1f} MB: rota reads input files of at most "
            f"{max_bytes // MB} MB",
        )
