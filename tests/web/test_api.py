"""The JSON API against the real server: every endpoint, a rota downloaded and checked, a solve
stopped through the API, two solves queued behind one another, an oversize upload, a bad
workbook, and what the server's log holds."""

from __future__ import annotations

import json
import time
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
from click.testing import CliRunner

from rota.cli import main
from rota.io import read_problem
from tests.web.conftest import UPLOAD_LIMIT_MB, Server, wait_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(api: httpx.Client, path: Path, time_limit: float) -> httpx.Response:
    with path.open("rb") as f:
        return api.post(
            "/api/solves",
            files={"input": (path.name, f, XLSX)},
            data={"time_limit": str(time_limit)},
        )


def _check(demo_dir: Path, rota: bytes, tmp_path: Path) -> str:
    """``rota check`` on a downloaded rota workbook; returns its output (exit 0 asserted)."""
    path = tmp_path / "rota.xlsx"
    path.write_bytes(rota)
    out = CliRunner().invoke(main, ["check", str(demo_dir / "small.xlsx"), str(path)])
    assert out.exit_code == 0, out.output
    return out.output


def _first_progress(api: httpx.Client, job_id: str, seconds: float = 60) -> Any:
    """Wait until the solve has sent its first rota (it is then running)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        body = api.get(f"/api/solves/{job_id}").json()
        if body["improvements"]:
            return body
        time.sleep(0.3)
    raise AssertionError(f"solve {job_id} sent no progress in {seconds} s")


def test_health_needs_no_token(server: Server) -> None:
    response = httpx.get(f"{server.base}/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_every_other_request_needs_the_token(server: Server) -> None:
    for method, path in [("GET", "/"), ("POST", "/api/solves"), ("GET", "/api/solves/x")]:
        response = httpx.request(method, f"{server.base}{path}")
        assert response.status_code == 401, (method, path)
    wrong = httpx.get(f"{server.base}/api/solves/x", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_a_solve_from_upload_to_checked_rota(
    api: httpx.Client, demo_dir: Path, tmp_path: Path
) -> None:
    created = _post(api, demo_dir / "small.xlsx", 3)
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    assert created.headers["location"] == f"/api/solves/{job_id}"
    assert any("bsl" in w for w in created.json()["warnings"])
    done = wait_for(api, job_id, {"done", "failed"})
    assert done["status"] == "done", done
    summary = done["summary"]
    problem = read_problem(demo_dir / "small.xlsx")
    assert summary["referrals"] == len(problem.referrals)
    assert summary["placed"] + summary["not_placed"] == summary["referrals"]
    assert summary["placed"] >= 70 and summary["rule_breaks"] == []
    assert {r["referral_id"] for r in summary["not_placed_reasons"]} <= set(problem.referral_by_id)
    assert set(done["downloads"]) == {"rota.xlsx", "schools.zip", "therapists.zip", "result.json"}
    rota = api.get(f"/api/solves/{job_id}/rota.xlsx")
    assert rota.status_code == 200
    assert rota.headers["content-disposition"].endswith('small-rota.xlsx"')
    assert _check(demo_dir, rota.content, tmp_path).startswith("OK:")
    result = json.loads(api.get(f"/api/solves/{job_id}/result.json").content)
    assert len(result["rota"]["sessions"]) == summary["placed"]
    schools = zipfile.ZipFile(BytesIO(api.get(f"/api/solves/{job_id}/schools.zip").content))
    sites = {s["site_id"] for s in result["rota"]["sessions"]}
    assert len(schools.namelist()) == len(sites)
    therapists = zipfile.ZipFile(BytesIO(api.get(f"/api/solves/{job_id}/therapists.zip").content))
    names = therapists.namelist()
    # A workbook and a calendar per therapist.
    assert sorted(n.rsplit(".", 1)[1] for n in names) == sorted(
        ["ics", "xlsx"] * len(problem.therapists)
    )
    assert api.get(f"/api/solves/{job_id}/nothing.xlsx").status_code == 404
    # The event stream replays the search and ends.
    with api.stream("GET", f"/api/solves/{job_id}/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        kinds = [line[7:] for line in response.iter_lines() if line.startswith("event: ")]
    assert kinds.count("progress") == done["improvements"] >= 1 and kinds[-1] == "end"


def test_a_solve_stopped_through_the_api_keeps_its_best_rota(
    api: httpx.Client, demo_dir: Path, tmp_path: Path
) -> None:
    job_id = _post(api, demo_dir / "small.xlsx", 300).json()["id"]
    _first_progress(api, job_id)
    stopped = api.post(f"/api/solves/{job_id}/stop")
    assert stopped.status_code == 200 and stopped.json()["status"] in {"stopping", "writing"}
    done = wait_for(api, job_id, {"done", "failed"}, seconds=60)
    assert done["status"] == "done" and done["stopped_early"], done
    assert done["elapsed"] < 120
    assert "Stopped early" in done["status_text"]
    _check(demo_dir, api.get(f"/api/solves/{job_id}/rota.xlsx").content, tmp_path)


def test_two_solves_on_one_core_queue_one_behind_the_other(
    api: httpx.Client, demo_dir: Path, tmp_path: Path
) -> None:
    posted: list[str] = []
    try:
        _queue_behind(api, demo_dir, tmp_path, posted)
    finally:  # a failure here must not leave 300 s solves in front of the next tests
        for job_id in posted:
            api.post(f"/api/solves/{job_id}/stop")


def _queue_behind(api: httpx.Client, demo_dir: Path, tmp_path: Path, posted: list[str]) -> None:
    def post() -> Any:
        body = _post(api, demo_dir / "small.xlsx", 300).json()
        posted.append(body["id"])
        return body

    first = post()
    # The dispatcher starts a solve a moment after it accepts it; wait for that, or on a slow
    # machine the first is still waiting when the second arrives.
    wait_for(api, first["id"], {"running"}, seconds=60)
    second = post()
    third = post()
    assert second["status"] == "queued" and second["place_in_queue"] == 1
    assert third["status"] == "queued" and third["place_in_queue"] == 2
    # A waiting solve is cancelled by Stop: it never runs and has no rota.
    assert api.post(f"/api/solves/{third['id']}/stop").json()["status"] == "cancelled"
    assert api.get(f"/api/solves/{third['id']}/rota.xlsx").status_code == 404
    _first_progress(api, first["id"])
    waiting = api.get(f"/api/solves/{second['id']}").json()
    assert waiting["status"] == "queued" and waiting["place_in_queue"] == 1
    assert waiting["progress"] is None and "1st in the queue" in waiting["status_text"]
    api.post(f"/api/solves/{first['id']}/stop")
    _first_progress(api, second["id"])  # starts once the first has stopped
    api.post(f"/api/solves/{second['id']}/stop")
    for job_id in (first["id"], second["id"]):
        done = wait_for(api, job_id, {"done", "failed"}, seconds=60)
        assert done["status"] == "done" and done["stopped_early"]
        _check(demo_dir, api.get(f"/api/solves/{job_id}/rota.xlsx").content, tmp_path)


def test_a_bad_workbook_gets_every_located_error(api: httpx.Client, demo_dir: Path) -> None:
    response = _post(api, demo_dir / "broken.xlsx", 10)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "2 errors in the input"
    located = {(e["sheet"], e["row"], e["column"]) for e in body["errors"]}
    assert located == {("Referrals", 2, "minutes"), ("Referrals", 3, "discipline")}
    assert all(e["message"] for e in body["errors"])


def test_an_oversize_upload_is_refused(api: httpx.Client) -> None:
    big = b"PK" + b"\0" * (UPLOAD_LIMIT_MB * 1024 * 1024 + 100_000)
    response = api.post(
        "/api/solves", files={"input": ("big.xlsx", big, XLSX)}, data={"time_limit": "5"}
    )
    assert response.status_code == 413
    assert f"the limit is {UPLOAD_LIMIT_MB} MB" in response.json()["error"]


def test_bad_requests_say_what_is_wrong(api: httpx.Client, demo_dir: Path) -> None:
    assert _post(api, demo_dir / "small.xlsx", 0).status_code == 400
    no_file = api.post("/api/solves", data={"time_limit": "5"})
    assert no_file.status_code == 400 and "workbook" in no_file.json()["error"]
    assert api.get("/api/solves/unknown").status_code == 404
    assert api.post("/api/solves/unknown/stop").status_code == 404


def test_the_log_holds_no_token_and_no_client_data(server: Server, demo_dir: Path) -> None:
    log = server.log()
    assert "POST /api/solves 202" in log
    assert server.token not in log
    problem = read_problem(demo_dir / "small.xlsx")
    for ref in problem.referrals[:20]:
        assert ref.referral_id not in log
    for site in problem.sites:
        assert site.name not in log
    for t in problem.therapists:
        assert t.name not in log
    assert "small.xlsx" not in log


def test_explain_answers_for_a_placed_and_an_unplaced_referral(
    api: httpx.Client, demo_dir: Path
) -> None:
    """The page's "where else could it go?": the same answer as ``rota explain --json``, and
    applying the best alternative gives a rota the checker accepts, whose cost changed by
    exactly what the answer says."""
    from rota.evaluate.check import check
    from rota.evaluate.costs import total_cost
    from rota.evaluate.weights import Weights
    from rota.models import Rota, Session
    from rota.scheduler.explain import apply

    job_id = _post(api, demo_dir / "small.xlsx", 3).json()["id"]
    done = wait_for(api, job_id, {"done", "failed"})
    assert done["status"] == "done", done
    problem = read_problem(demo_dir / "small.xlsx")
    result = json.loads(api.get(f"/api/solves/{job_id}/result.json").content)
    rota = Rota(sessions=tuple(Session(**s) for s in result["rota"]["sessions"]))
    before = total_cost(problem, rota, Weights())
    placed = sorted(s.referral_id for s in rota.sessions)
    unplaced = sorted(set(problem.referral_by_id) - set(placed))
    assert placed and unplaced
    answers = [api.get(f"/api/solves/{job_id}/explain/{rid}").json() for rid in placed[:10]]
    for rid, answer in zip(placed, answers, strict=False):
        assert answer["referral_id"] == rid and answer["current"]["referral_id"] == rid
    with_options = [a for a in answers if a["alternatives"]]
    assert with_options, answers
    best = with_options[0]["alternatives"][0]
    shown = with_options[0]["referral_id"]
    moved = apply(rota, tuple(Session(**s) for s in best["sessions"]))
    assert check(problem, moved) == []
    assert total_cost(problem, moved, Weights()) - before == best["cost_change"]
    for rid in unplaced:
        body = api.get(f"/api/solves/{job_id}/explain/{rid}").json()
        assert body["current"] is None
        assert body["alternatives"] or body["displacements"] or body["note"], body
    page = api.get(f"/solves/{job_id}/explain/{shown}")
    assert page.status_code == 200
    assert f"Where else could {shown} go?" in page.text and "Other places" in page.text
    listing = api.get(f"/solves/{job_id}").text
    assert f'href="/solves/{job_id}/explain/{unplaced[0]}"' in listing
    missing = api.get(f"/api/solves/{job_id}/explain/NOPE")
    assert missing.status_code == 404 and "no referral NOPE" in missing.text
