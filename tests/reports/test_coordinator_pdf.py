"""Printing: LibreOffice turns the workbooks into PDF; each week grid is one A4 landscape page.

Runs only where LibreOffice (``soffice``) and poppler (``pdftotext``, ``pdfinfo``) are installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rota.reports.coordinator import write_rota_workbook
from rota.reports.schools import write_school_workbooks
from rota.reports.therapists import write_therapist_files
from tests.reports.export_service import make_problem, make_result

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("soffice", "pdftotext", "pdfinfo")),
    reason="needs LibreOffice (soffice) and poppler-utils for the PDF conversion",
)


def _to_pdf(xlsx: Path, tmp_path: Path) -> Path:
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / (xlsx.stem + ".pdf")
    assert pdf.exists()
    return pdf


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")[:-1]


def _page_size(pdf: Path, page: int) -> tuple[float, float]:
    info = subprocess.run(
        ["pdfinfo", "-f", str(page), "-l", str(page), str(pdf)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    m = re.search(r"Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+)", info)
    assert m, info
    return float(m.group(1)), float(m.group(2))


def test_coordinator_workbook_prints_one_page_per_grid(tmp_path: Path) -> None:
    xlsx = write_rota_workbook(make_problem(), make_result(), tmp_path / "rota.xlsx")
    pdf = _to_pdf(xlsx, tmp_path)
    pages = _pages(pdf)
    # Title, and the last time row (working day to 17:00; school hours to 15:15).
    for title, last_row in (
        ("T01 Alex M: week rota", "16:45"),
        ("T02 Sam K: week rota", "16:45"),
        ("Fenland Primary (FEN): sessions by room and day", "15:45"),
        ("Huntingdon Clinic (HUN): sessions by room and day", "15:45"),
    ):
        found = [i for i, p in enumerate(pages, start=1) if title in p]
        assert len(found) == 1, f"{title} on pages {found}"
        width, height = _page_size(pdf, found[0])
        assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
        # The whole day fits on the page: first and last time rows are both printed.
        assert "08:00" in pages[found[0] - 1] and last_row in pages[found[0] - 1]
    t01 = next(p for p in pages if "T01 Alex M: week rota" in p)
    assert "09:05-09:35 A.B. (R001)" in t01 and "Fenland Primary" in t01
    assert "lunch 12:30-13:00" in t01
    # One page per grid: nothing of a grid spills onto a page of its own.
    footers = [p.strip().splitlines()[-1] for p in pages]
    assert sum("Therapist weeks" in f for f in footers) == 2
    assert sum("Site weeks" in f for f in footers) == 2
    # The index and the Rota sheet are each one page wide: the Rota's last column is printed.
    rota = [p for p, f in zip(pages, footers, strict=True) if " Rota " in f]
    assert len(rota) == 1 and "Term cost" in rota[0]


def test_therapist_week_prints_on_one_page(tmp_path: Path) -> None:
    files, _ = write_therapist_files(make_problem(), make_result(), tmp_path / "t")
    pdf = _to_pdf(files[0].workbook or tmp_path, tmp_path)
    pages = _pages(pdf)
    week = [p for p in pages if "T01 Alex M: week rota" in p]
    assert len(week) == 1 and "Page 1 of" in week[0]
    assert _page_size(pdf, 1) == pytest.approx((842, 595), abs=1)


def test_school_workbook_prints_its_own_sessions(tmp_path: Path) -> None:
    fen = write_school_workbooks(make_problem(), make_result(), tmp_path / "schools")[0]
    pages = _pages(_to_pdf(fen, tmp_path))
    text = "\n".join(pages)
    assert "Weekly sessions at Fenland Primary" in pages[0]
    assert "£441.50" in text
    assert "A.B." in text and "D.E." in text
    assert "Group C" not in text and "R002" not in text
