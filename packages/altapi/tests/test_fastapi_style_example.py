"""examples/fastapi_style.py through TestClient and over a real uvicorn server."""

import sys
import time
from pathlib import Path

import httpx
import pytest

from altapi.testing import TestClient
from altapi_core.testserver import serve_in_thread

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def example():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import fastapi_style
    finally:
        sys.path.remove(str(EXAMPLES))
    return fastapi_style


@pytest.fixture(params=["testclient", "uvicorn"])
def client(request, example):
    example.AUDIT_LOG.clear()
    if request.param == "testclient":
        with TestClient(example.app) as test_client:
            yield test_client
    else:
        with serve_in_thread(example.app) as url, httpx.Client(base_url=url) as http:
            yield http


def test_router_dependencies_guard_every_route(client):
    assert client.get("/api/v1/items/").status_code == 401
    assert client.get("/api/v1/items/1").json() == {"detail": "sign in first"}


def test_session_login_and_nested_router_prefixes(client):
    assert client.post("/api/v1/auth/login/ann").json() == {"user": "ann"}
    assert client.get("/api/v1/items/1").json() == {"id": 1, "name": "hammer", "viewer": "ann"}
    assert client.get("/api/v1/items/9").status_code == 404
    client.post("/api/v1/auth/logout")
    assert client.get("/api/v1/items/").status_code == 401


def test_background_task_runs_after_the_response(client, example):
    client.post("/api/v1/auth/login/bo")
    response = client.post("/api/v1/items/2/order")
    assert response.status_code == 202
    # The task runs after the response is sent; over a real server it may end just after.
    deadline = time.monotonic() + 10
    while not example.AUDIT_LOG and time.monotonic() < deadline:
        time.sleep(0.01)  # bounded polling of the server thread's work
    assert example.AUDIT_LOG == ["bo ordered 2"]


def test_cors_preflight_and_simple_request(client):
    preflight = client.options(
        "/api/v1/items/",
        headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "https://shop.example"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    refused = client.options(
        "/api/v1/items/",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert refused.status_code == 400


def test_gzip_on_a_large_response_and_url_for(client):
    response = client.get("/api/v1/report", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    body = response.json()
    assert len(body["lines"]) == 200
    assert body["next"].endswith("/api/v1/items/")
