"""The guard in front of the page, in-process: local Host only, the launch token (and its
cookie), same-origin requests, CSRF keys, the upload limit, and the security headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rota.web.app import create_app
from rota.web.config import ServerConfig
from rota.web.security import csrf_token

BASE = "http://127.0.0.1:8000"
TOKEN = "launch-token-for-tests"


@pytest.fixture()
def config(tmp_path: Path) -> ServerConfig:
    return ServerConfig(root=tmp_path / "root", port=8000, token=TOKEN, max_upload_bytes=50_000)


@pytest.fixture()
def client(config: ServerConfig) -> TestClient:
    """The app without its lifespan: no dispatcher thread, no child process."""
    return TestClient(create_app(config), base_url=BASE, follow_redirects=False)


def _logged_in(client: TestClient) -> TestClient:
    response = client.get(f"/?token={TOKEN}")
    assert response.status_code == 303
    return client


def test_health_is_open_the_rest_needs_the_token(client: TestClient) -> None:
    assert client.get("/api/health").status_code == 200
    page = client.get("/")
    assert page.status_code == 401 and "rota serve" in page.text
    assert client.get("/api/solves/x").json()["error"]
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_the_token_moves_into_a_strict_cookie(client: TestClient) -> None:
    response = client.get(f"/uploads/abc?token={TOKEN}&x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/uploads/abc?x=1"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and TOKEN.lower() in cookie
    assert client.get("/").status_code == 200  # the cookie is enough from now on


def test_a_host_that_is_not_this_computer_is_refused(client: TestClient) -> None:
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        response = client.get("/api/health", headers={"Host": host})
        assert response.status_code == 403, host
    assert client.get("/api/health", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/api/health", headers={"Host": "[::1]:8000"}).status_code == 200


def test_other_web_sites_are_refused(client: TestClient) -> None:
    _logged_in(client)
    assert client.get("/", headers={"Origin": "http://evil.example"}).status_code == 403
    assert client.get("/", headers={"Origin": "null"}).status_code == 403
    cross = client.get("/api/solves/x", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    same_site = client.get("/", headers={"Origin": BASE, "Sec-Fetch-Site": "same-origin"})
    assert same_site.status_code == 200


def test_a_browser_post_needs_the_page_key(client: TestClient) -> None:
    _logged_in(client)
    form = client.post("/uploads", data={"csrf": "wrong"})
    assert form.status_code == 403 and "expired" in form.text
    with_key = client.post("/uploads", data={"csrf": csrf_token(TOKEN)})
    assert with_key.status_code == 400 and "Choose a workbook" in with_key.text
    api = client.post("/api/solves/x/stop")
    assert api.status_code == 403
    api = client.post("/api/solves/x/stop", headers={"X-CSRF-Token": csrf_token(TOKEN)})
    assert api.status_code == 404  # past the guard: there is no such solve
    script = client.post("/api/solves/x/stop", headers={"Authorization": f"Bearer {TOKEN}"})
    assert script.status_code == 404  # a script's header token needs no page key


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client: TestClient) -> None:
    big = b"x" * 200_000
    response = client.post(
        "/api/solves",
        files={"input": ("big.xlsx", big)},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert response.status_code == 413 and "limit" in response.json()["error"]


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    response = client.get("/api/health")
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_allowed_hosts_follow_the_listening_address(tmp_path: Path) -> None:
    local = ServerConfig(root=tmp_path)
    assert local.allowed_hosts == {"127.0.0.1", "localhost", "::1"}
    wide = ServerConfig(root=tmp_path, host="0.0.0.0", extra_hosts=("rota.office.lan",))
    assert "0.0.0.0" not in wide.allowed_hosts and "rota.office.lan" in wide.allowed_hosts
    assert wide.url.startswith("http://127.0.0.1:8000/?token=")
