"""The real page in headless Chromium, as a coordinator uses it: upload the small demo, see it
checked, solve for 10 s while the progress updates, look at the week, download the rota and
check it; a broken workbook's located errors; Stop mid-solve; a scenario; the demo and template.

Set ROTA_UPDATE_SCREENSHOTS=1 to write the README's picture (docs/img/web.png) from this run.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from rota.cli import main
from tests.web.conftest import Server

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "img" / "web.png"
WAIT_MS = 120_000


def _page(browser: Any, server: Server) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.set_default_timeout(WAIT_MS)
    page.goto(server.url)
    assert "token=" not in page.url  # the key moved into a cookie
    return page


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("#input-file", str(path))
    page.click("button:has-text('Check workbook')")


def _download_and_check(page: Any, demo_dir: Path, tmp_path: Path) -> str:
    page.wait_for_selector("#downloads a[href$='rota.xlsx']")
    with page.expect_download() as info:
        page.click("#downloads a[href$='rota.xlsx']")
    target = tmp_path / "downloaded-rota.xlsx"
    info.value.save_as(target)
    out = CliRunner().invoke(main, ["check", str(demo_dir / "small.xlsx"), str(target)])
    assert out.exit_code == 0, out.output
    return out.output


def _watch(page: Any, seconds: float = 60) -> tuple[set[str], set[int]]:
    """The times and improvement counts the live page showed while the search ran."""
    times: set[str] = set()
    rows: set[int] = set()
    deadline = time.time() + seconds
    while time.time() < deadline:
        status = page.get_attribute("#status", "data-status")
        if status not in ("queued", "running"):
            break
        if status == "running":
            times.add(page.inner_text("#elapsed"))
            rows.add(page.locator("#log tbody tr").count())
        time.sleep(0.2)
    return times, rows


def test_upload_solve_watch_look_download(
    browser: Any, server: Server, demo_dir: Path, tmp_path: Path
) -> None:
    page = _page(browser, server)
    _upload(page, demo_dir / "small.xlsx")
    valid = page.inner_text("#valid")
    assert "No errors" in valid and "Referrals: 80" in valid
    assert "bsl" in page.inner_text("#warnings")
    page.fill("#time-limit", "10")
    page.click("#make-rota")
    page.wait_for_selector("#status[data-status=running]")
    times, rows = _watch(page)
    assert len(times) >= 3, times  # the clock moved on at least twice
    assert len(rows) >= 2 and max(rows) >= 2, rows  # improvements arrived while watching
    # The rota: summary, a therapist's week with sessions, admin, lunch and drives.
    page.wait_for_selector("#summary")
    assert "of 80" in page.inner_text("#headline-placed")
    week = page.locator(".week")
    assert week.locator(".block.session").count() > 0
    assert week.locator(".block.admin").count() == week.locator(".block.session").count()
    assert "Not placed" in page.inner_text("#unplaced")
    _download_and_check(page, demo_dir, tmp_path)
    if os.environ.get("ROTA_UPDATE_SCREENSHOTS") == "1":
        _screenshot(page, SCREENSHOT)
    _screenshot(page, tmp_path / "web.png")
    assert (tmp_path / "web.png").stat().st_size > 20_000
    _look_at_a_site_and_filter(page)
    _run_a_scenario(page)


def _screenshot(page: Any, path: Path) -> None:
    """The status, downloads, summary and first therapist's week, as the README shows them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.wait_for_selector(".week .block.session")
    top = page.locator("h1").bounding_box()
    bottom = page.locator(".week").bounding_box()
    assert top is not None and bottom is not None
    page.set_viewport_size({"width": 1280, "height": 900})
    height = min(bottom["y"] + bottom["height"] + 10 - top["y"], 2400)
    page.screenshot(
        path=str(path), full_page=True, clip={"x": 0, "y": top["y"] - 10, "width": 1280,
                                              "height": height}
    )  # fmt: skip


def _look_at_a_site_and_filter(page: Any) -> None:
    sites = page.locator("#week-choice optgroup[label=Sites] option")
    value = sites.first.get_attribute("value")
    page.select_option("#week-choice", value)
    page.click("#filters button[type=submit]")
    assert page.locator(".week .colhead small").count() > 5  # a column per day and room
    assert page.locator(".week .block.session").count() > 0
    page.select_option("#filters select[name=discipline]", "drama")
    page.click("#filters button[type=submit]")
    disciplines = page.locator("#unplaced-table tbody tr td:nth-child(4)").all_inner_texts()
    assert disciplines and set(disciplines) == {"drama"}


def _run_a_scenario(page: Any) -> None:
    page.click(".crumbs a:nth-child(2)")  # back to the workbook
    page.fill("#scenario textarea", "name: leave\nchanges:\n  - op: remove_therapist\n"
              "    therapist_id: T99\n")  # fmt: skip
    page.click("button:has-text('Run the scenario')")
    errors = page.inner_text("#scenario-errors")
    assert "therapist_id" in errors and "T99" in errors
    page.fill("#scenario textarea", "name: leave\nchanges:\n  - op: remove_therapist\n"
              "    therapist_id: T003\n")  # fmt: skip
    page.fill("#scenario input[name=time_limit]", "3")
    page.click("button:has-text('Run the scenario')")
    page.wait_for_selector("#compare-table")
    heads = page.locator("#compare-table thead th").all_inner_texts()
    assert heads[:3] == ["Figure", "base", "leave"]
    assert "What changes for each school" in page.inner_text("#changes")
    page.wait_for_selector("#downloads a[href$='comparison.xlsx']")


def test_a_broken_workbook_shows_its_located_errors(
    browser: Any, server: Server, demo_dir: Path
) -> None:
    page = _page(browser, server)
    _upload(page, demo_dir / "broken.xlsx")
    page.wait_for_selector("#errors")
    rows = [r.locator("td").all_inner_texts() for r in page.locator("#error-table tbody tr").all()]
    assert [r[:3] for r in rows] == [
        ["Referrals", "2", "minutes"],
        ["Referrals", "3", "discipline"],
    ]
    assert all(r[3] for r in rows)
    assert page.locator("#make-rota").count() == 0  # a workbook with errors cannot be solved


def test_stop_mid_solve_keeps_a_checked_rota(
    browser: Any, server: Server, demo_dir: Path, tmp_path: Path
) -> None:
    page = _page(browser, server)
    _upload(page, demo_dir / "small.xlsx")
    page.fill("#time-limit", "300")
    page.click("#make-rota")
    page.wait_for_selector("#log tbody tr")
    started = time.time()
    page.click("#stop")
    page.wait_for_selector("#summary")
    assert time.time() - started < 60
    _download_and_check(page, demo_dir, tmp_path)
    assert "Stopped early" in page.inner_text("#status")


def test_the_demo_and_the_template(browser: Any, server: Server, tmp_path: Path) -> None:
    page = _page(browser, server)
    with page.expect_download() as info:
        page.click("a[href='/template.xlsx']")
    info.value.save_as(tmp_path / "template.xlsx")
    assert "Referrals" in openpyxl.load_workbook(tmp_path / "template.xlsx").sheetnames
    page.click("button:has-text('Small demo')")
    assert "No errors" in page.inner_text("#valid")
    assert page.locator("#make-rota").count() == 1
