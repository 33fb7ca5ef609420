"""The examples of the original AltAPI README, through TestClient and over real uvicorn."""

import sys
import uuid
from pathlib import Path

import httpx
import pytest

from altapi.testing import TestClient
from altapi_core.testserver import serve_in_thread

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="module")
def demo_app():
    sys.path.insert(0, str(EXAMPLES))
    try:
        import app as demo  # examples/app.py
    finally:
        sys.path.remove(str(EXAMPLES))
    return demo.app


@pytest.fixture(scope="module", params=["testclient", "uvicorn"])
def client(request, demo_app):
    if request.param == "testclient":
        with TestClient(demo_app) as test_client:
            yield test_client
    else:
        with serve_in_thread(demo_app) as base_url, httpx.Client(base_url=base_url) as http_client:
            yield http_client


def test_quick_start(client):
    response = client.get("/")
    assert response.json() == {"message": "Hello, World!"}


def test_typed_path_parameters(client):
    assert client.get("/users/42").json() == {"id": 42, "name": "User 42"}
    assert client.get("/items/apple").json() == {"name": "apple"}
    assert client.get("/price/10.0").json() == {"value": 10.0, "with_tax": 12.0}
    assert client.get("/files/a/b/c.txt").json() == {"path": "a/b/c.txt"}
    assert client.get("/users/abc").status_code == 404


def test_post_echo(client):
    assert client.post("/api/echo", json={"x": 1}).json() == {"echo": {"x": 1}}
    assert client.post("/api/echo", content=b"{oops").status_code == 400


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"])
def test_all_http_methods(client, method):
    response = client.request(method, "/method")
    assert response.status_code == 200
    assert response.text == method


def test_head_and_options(client):
    head = client.head("/html")
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0
    assert client.options("/html").status_code == 204


def test_response_types(client):
    assert client.get("/html").headers["content-type"] == "text/html; charset=utf-8"
    assert client.get("/stream").text == "".join(f"chunk {i}\n" for i in range(5))
    download = client.get("/download")
    assert download.text == (EXAMPLES / "static" / "hello.txt").read_text()
    assert "attachment" in download.headers["content-disposition"]
    redirect = client.get("/old", follow_redirects=False)
    assert (redirect.status_code, redirect.headers["location"]) == (303, "/")
    assert client.get("/sync").text == "computed in a thread"


def test_static_files(client):
    response = client.get("/static/hello.txt")
    assert response.status_code == 200
    assert response.text == (EXAMPLES / "static" / "hello.txt").read_text()
    assert client.get("/static/../app.py").status_code == 404


def test_mount(client):
    assert client.get("/legacy/anything").text == "mounted app saw /legacy/anything"


def test_middleware_both_styles_and_request_state(client):
    response = client.get("/whoami", headers={"x-user": "ada"})
    assert response.json() == {"user": "ada"}
    assert response.headers["x-powered-by"] == "AltAPI"
    assert client.get("/whoami").json() == {"user": "anonymous"}


def test_dependency_injection_generator_and_nested(client):
    assert client.get("/users").json() == {"users": ["ann", "bo"]}


def test_websocket_echo(demo_app):
    with TestClient(demo_app).websocket_connect("/ws/echo") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "Echo: hi"


def test_websocket_echo_over_uvicorn(demo_app):
    import asyncio

    import websockets

    async def talk(url):
        async with websockets.connect(url) as ws:
            await ws.send("hi")
            return await ws.recv()

    with serve_in_thread(demo_app) as base_url:
        assert asyncio.run(talk(base_url.replace("http", "ws") + "/ws/echo")) == "Echo: hi"


def test_caching(client):
    fresh = f"/api/data?run={uuid.uuid4().hex}"  # the cache outlives one client
    first = client.get(fresh)
    second = client.get(fresh)
    assert first.json() == second.json() == {"data": "cached"}
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")


def test_templates(client):
    response = client.get("/page")
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Home Page</h1>" in response.text
    assert "&lt;escaped&gt;" in response.text
    assert "/static/hello.txt" in response.text
    assert "<h1>Rendered</h1>" in client.get("/rendered").text


def test_rate_limiting(client):
    # TestClient ("testclient") and uvicorn (127.0.0.1) are different client addresses.
    seen = [client.get("/api/strict") for _ in range(11)]
    statuses = [r.status_code for r in seen]
    assert statuses == [200] * 10 + [429]
    refused = seen[-1]
    assert refused.json()["error"] == "Rate limit exceeded"
    assert int(refused.headers["retry-after"]) >= 1
    # A batch reports its tightest limit: 10 per minute.
    assert (seen[0].headers["x-ratelimit-limit"], seen[0].headers["x-ratelimit-remaining"]) == (
        "10",
        "9",
    )
