"""Workbook -> plain rows: every sheet as (Excel row number, stripped cell values).

A workbook is opened once with openpyxl ``read_only=True, data_only=True``; merged cells and
formulas without a saved value (which read-only mode cannot see) are found by streaming each
sheet's XML. The limits of :mod:`rota.io.limits` are checked before anything is unzipped.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from rota.io.errors import InputError, InputIssue
from rota.io.limits import (
    MAX_COLUMNS,
    MAX_ROWS_PER_SHEET,
    MAX_SHARED_STRINGS_BYTES,
    MAX_UNZIPPED_BYTES,
    MAX_WORKBOOK_BYTES,
    MB,
    check_input_file,
    file_error,
)

Row = tuple[int, tuple[Any, ...]]

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_RE = re.compile(r"([A-Z]+)([0-9]+)$")
_RANGE_ROW_RE = re.compile(r"[A-Z]+([0-9]+)")


@dataclass(frozen=True)
class FormulaCell:
    """A formula whose value was never saved (written by a program other than Excel): reading
    it as blank would silently lose the value, so the parser reports it."""

    formula: str

    def __str__(self) -> str:
        return f"={self.formula}"

    @property
    def problem(self) -> str:
        """What the readers say about such a cell."""
        return (
            f"'{self}' is a formula whose value was never saved: type the value, or open and "
            "save the workbook in Excel"
        )


@dataclass
class RawSheet:
    """One worksheet as plain values: ``rows`` are (Excel row number, cell values)."""

    title: str
    rows: list[Row] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


@dataclass
class _SheetXml:
    """What a scan of a sheet's XML finds that read-only openpyxl cannot see."""

    merged: list[str] = field(default_factory=list)
    uncached: dict[int, dict[int, FormulaCell]] = field(default_factory=dict)  # row -> column


def clean_cell(value: Any) -> Any:
    """Strip text; empty text is a blank cell."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_workbook_rows(path: Path | str) -> dict[str, RawSheet]:
    """Every worksheet of an .xlsx file as plain, stripped rows (blank rows left out).

    Raises InputError (never a library exception) for a missing, locked, damaged or oversized
    file; the limits of :mod:`rota.io.limits` are checked before anything is unzipped.
    """
    path = Path(path)
    source = path.name
    check_input_file(path, MAX_WORKBOOK_BYTES)
    damaged = "is not an Excel workbook (.xlsx) or it is damaged: re-save it from Excel"
    try:
        _check_unzipped_sizes(path)
        scans = _scan_sheets(path)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except PermissionError:
        raise file_error(source, "cannot be opened: it is locked by another program") from None
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001 - any library error on a foreign file means "damaged"
        raise file_error(source, damaged) from None
    try:
        return {
            ws.title: _read_sheet(ws, scans.get(ws.title, _SheetXml()), source)
            for ws in workbook.worksheets
        }
    except InputError:
        raise
    except MemoryError:
        raise
    except Exception:  # noqa: BLE001
        raise file_error(source, "is damaged and cannot be read: re-save it from Excel") from None
    finally:
        workbook.close()


def _read_sheet(ws: Any, scan: _SheetXml, source: str) -> RawSheet:
    """One sheet's filled rows, formulas without a saved value marked, within the limits."""
    reset = getattr(ws, "reset_dimensions", None)
    if reset is not None:
        # Some programs write a wrong sheet size; reading every row is the safe choice.
        reset()
    raw = RawSheet(title=ws.title, merged=scan.merged)
    for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if len(values) > MAX_COLUMNS and any(v is not None for v in values[MAX_COLUMNS:]):
            raise InputError(
                [InputIssue(f"has values beyond column {MAX_COLUMNS}: rota reads at most "
                            f"{MAX_COLUMNS} columns", ws.title, row_no, source=source)]
            )  # fmt: skip
        cells = [clean_cell(v) for v in values[:MAX_COLUMNS]]
        for c, formula in scan.uncached.get(row_no, {}).items():
            if c <= MAX_COLUMNS:
                cells.extend([None] * (c - len(cells)))
                cells[c - 1] = formula
        if any(v is not None for v in cells):
            if len(raw.rows) >= MAX_ROWS_PER_SHEET:
                raise InputError(
                    [InputIssue(f"has more than {MAX_ROWS_PER_SHEET:,} filled rows: rota reads "
                                "at most that many", ws.title, source=source)]
                )  # fmt: skip
            raw.rows.append((row_no, tuple(cells)))
    return raw


def _check_unzipped_sizes(path: Path) -> None:
    """Refuse a workbook whose parts would unzip past the limits (a zip bomb), from the sizes
    its zip directory declares; a part that inflates past its declared size fails its check."""
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise file_error(
            path.name,
            f"would unzip to {total / MB:,.0f} MB: rota reads workbooks of at most "
            f"{MAX_UNZIPPED_BYTES // MB} MB unzipped (is it really the service's input?)",
        )
    shared = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    if shared > MAX_SHARED_STRINGS_BYTES:
        raise file_error(
            path.name,
            f"holds {shared / MB:,.0f} MB of text: rota reads at most "
            f"{MAX_SHARED_STRINGS_BYTES // MB} MB",
        )


def _scan_sheets(path: Path) -> dict[str, _SheetXml]:
    """Merged ranges and formulas without a saved value, per sheet title, streamed from each
    sheet's XML (never loaded whole)."""
    out: dict[str, _SheetXml] = {}
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
            if member in names:
                with zf.open(member) as stream:
                    out[sheet.get("name", "")] = _scan_sheet_xml(stream)
    return out


def _scan_sheet_xml(stream: IO[bytes]) -> _SheetXml:
    found = _SheetXml()
    for _event, elem in ElementTree.iterparse(stream, events=("end",)):
        tag = elem.tag.rsplit("}", 1)[-1]
        if tag == "c":
            formula = elem.find(f"{_MAIN_NS}f")
            value = elem.find(f"{_MAIN_NS}v")
            if formula is not None and (value is None or value.text is None):
                ref = elem.get("r", "")
                m = _CELL_RE.match(ref)
                if m and formula.text:
                    row = found.uncached.setdefault(int(m.group(2)), {})
                    row[column_index_from_string(m.group(1))] = FormulaCell(formula.text)
        elif tag == "mergeCell":
            found.merged.append(elem.get("ref", ""))
        elif tag == "row":
            elem.clear()
    return found


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
