"""Workbook -> plain rows: every sheet as (Excel row number, stripped cell values).

A workbook is opened once with openpyxl ``read_only=True, data_only=True``; merged cells (which
read-only mode cannot see) are found by scanning each sheet's XML for ``<mergeCell>`` entries.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from rota.io.errors import InputError, InputIssue

Row = tuple[int, tuple[Any, ...]]

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")
_RANGE_ROW_RE = re.compile(r"[A-Z]+([0-9]+)")


@dataclass
class RawSheet:
    """One worksheet as plain values: ``rows`` are (Excel row number, cell values)."""

    title: str
    rows: list[Row] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def clean_cell(value: Any) -> Any:
    """Strip text; empty text is a blank cell."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_workbook_rows(path: Path | str) -> dict[str, RawSheet]:
    """Every worksheet of an .xlsx file as plain, stripped rows (blank rows left out).

    Raises InputError (never a library exception) for a missing, locked or damaged file.
    """
    path = Path(path)
    source = path.name
    _check_file(path)
    try:
        merged = _merged_ranges(path)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except PermissionError:
        raise _file_error(source, "cannot be opened: it is locked by another program") from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ElementTree.ParseError, OSError):
        raise _file_error(
            source, "is not an Excel workbook (.xlsx) or it is damaged: re-save it from Excel"
        ) from None
    sheets: dict[str, RawSheet] = {}
    try:
        for ws in workbook.worksheets:
            reset = getattr(ws, "reset_dimensions", None)
            if reset is not None:
                # Some programs write a wrong sheet size; reading every row is the safe choice.
                reset()
            raw = RawSheet(title=ws.title, merged=merged.get(ws.title, []))
            for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
                cells = tuple(clean_cell(v) for v in values)
                if any(v is not None for v in cells):
                    raw.rows.append((row_no, cells))
            sheets[ws.title] = raw
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, ValueError, TypeError):
        raise _file_error(source, "is damaged and cannot be read: re-save it from Excel") from None
    finally:
        workbook.close()
    return sheets


def _file_error(source: str, message: str) -> InputError:
    return InputError([InputIssue(message, source=source)])


def _check_file(path: Path) -> None:
    if not path.exists():
        raise _file_error(str(path), "no such file")
    if path.is_dir():
        raise _file_error(str(path), "is a folder, not a file")


def _merged_ranges(path: Path) -> dict[str, list[str]]:
    """Merged ranges per sheet title, read straight from the file's XML (cheap, no full load)."""
    out: dict[str, list[str]] = {}
    with zipfile.ZipFile(path) as zf:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target_by_id = {
            r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL_NS}Relationship")
        }
        names = set(zf.namelist())
        for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
            target = target_by_id.get(sheet.get(f"{_REL_NS}id"), "")
            member = (
                target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
            )
            if member not in names:
                continue
            found = [m.decode() for m in _MERGE_RE.findall(zf.read(member))]
            if found:
                out[sheet.get("name", "")] = found
    return out


def merged_range_row(ref: str) -> int:
    """The first Excel row of a range such as ``B3:C4``."""
    m = _RANGE_ROW_RE.match(ref)
    return int(m.group(1)) if m else 0


def rows_of(values: Sequence[Sequence[Any]], first_row: int = 1) -> list[Row]:
    """Number plain rows as Excel would (handy for tests and for callers with in-memory data)."""
    return [
        (first_row + i, tuple(clean_cell(v) for v in row))
        for i, row in enumerate(values)
        if any(clean_cell(v) is not None for v in row)
    ]
