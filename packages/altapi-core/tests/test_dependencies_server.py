"""Each dependency cleanup guarantee, over a real uvicorn server (see test_dependencies.py)."""

import threading

import httpx
import pytest

from altapi_core import AltAPI, HTTPException, PlainTextResponse, StreamingResponse
from altapi_core.testserver import serve_in_thread
from altapi_di import Depends

events: list[str] = []
changed = threading.Condition()


def tracked(label):
    def resource():
        events.append(f"open {label}")
        try:
            yield label
        except Exception as exc:
            events.append(f"{label} saw {type(exc).__name__}")
            raise
        finally:
            with changed:
                events.append(f"close {label}")
                changed.notify_all()

    resource.__name__ = f"resource_{label}"
    return resource


first = tracked("first")
second = tracked("second")


def broken(x=Depends(first)):
    raise RuntimeError("cannot connect")


def forbidden(x=Depends(first)):
    raise HTTPException(403, "no")


app = AltAPI()


@app.get("/ok")
async def ok(a=Depends(first), b=Depends(second)):
    return PlainTextResponse(a + b)


@app.get("/fail")
async def fail(a=Depends(first)):
    raise ValueError("handler bug")


@app.get("/setup-fails")
async def setup_fails(a=Depends(first), b=Depends(broken)):
    raise AssertionError("not reached")


@app.get("/forbidden")
async def forbidden_route(a=Depends(forbidden)):
    raise AssertionError("not reached")


@app.get("/stream")
async def stream(a=Depends(first)):
    async def body():
        for i in range(3):
            events.append(f"chunk {i}")
            yield str(i)

    return StreamingResponse(body())


@app.get("/forever")
async def forever(a=Depends(first)):
    async def body():
        while True:
            yield "x" * 1024

    return StreamingResponse(body())


@pytest.fixture(scope="module")
def base_url():
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture
def client(base_url):
    events.clear()
    with httpx.Client(base_url=base_url, timeout=10) as http:
        yield http


def wait_closed(label="first"):
    with changed:
        assert changed.wait_for(lambda: f"close {label}" in events, timeout=10), events


def test_success_closes_in_reverse_order(client):
    assert client.get("/ok").text == "firstsecond"
    wait_closed("first")
    assert events[-2:] == ["close second", "close first"]


def test_handler_error_is_thrown_into_the_dependency(client):
    response = client.get("/fail")
    assert response.status_code == 500
    assert "handler bug" not in response.text
    wait_closed()
    assert events == ["open first", "first saw ValueError", "close first"]


def test_setup_failure_closes_what_was_opened(client):
    assert client.get("/setup-fails").status_code == 500
    wait_closed()
    assert events == ["open first", "first saw RuntimeError", "close first"]


def test_http_exception_in_a_dependency_is_the_response(client):
    response = client.get("/forbidden")
    assert (response.status_code, response.json()) == (403, {"detail": "no"})
    wait_closed()
    assert events[-1] == "close first"


def test_streaming_response_closes_after_the_stream(client):
    assert client.get("/stream").text == "012"
    wait_closed()
    assert events == ["open first", "chunk 0", "chunk 1", "chunk 2", "close first"]


def test_client_disconnect_mid_stream_closes_the_dependency(client):
    with client.stream("GET", "/forever") as response:
        assert response.status_code == 200
        next(response.iter_bytes())
    # Leaving the block closes the connection mid-stream.
    wait_closed()
    assert events[-1] == "close first"
