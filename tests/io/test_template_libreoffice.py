"""The empty template opens in LibreOffice: it converts headless to PDF with every sheet.

Runs only where LibreOffice (``soffice``) and poppler (``pdftotext``) are installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from rota.io.template import write_template

pytestmark = pytest.mark.skipif(
    any(shutil.which(tool) is None for tool in ("soffice", "pdftotext")),
    reason="needs LibreOffice (soffice) and poppler-utils for the conversion",
)


def test_template_converts_with_libreoffice(tmp_path: Path) -> None:
    xlsx = write_template(tmp_path / "template.xlsx")
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(xlsx)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = tmp_path / "template.pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for header in ("referral_id", "therapist_id", "room_id", "site_id", "setting"):
        assert header in text
