import threading

import anyio
import httpx
import pytest

from altapi_core import AltAPI, EventSourceResponse, Request, ServerSentEvent
from altapi_core.testclient import TestClient
from altapi_core.testserver import serve_in_thread


@pytest.mark.parametrize(
    ("event", "wire"),
    [
        (ServerSentEvent("hello"), b"data: hello\n\n"),
        (ServerSentEvent("a\nb\r\nc"), b"data: a\ndata: b\ndata: c\n\n"),
        (
            ServerSentEvent({"x": 1}, event="update", id="7", retry=3000),
            b'event: update\nid: 7\nretry: 3000\ndata: {"x":1}\n\n',
        ),
        (ServerSentEvent(comment="keep"), b": keep\ndata: \n\n"),
    ],
)
def test_events_are_encoded_in_the_event_stream_format(event, wire):
    assert event.encode() == wire


@pytest.mark.parametrize("field", ["event", "id"])
def test_line_breaks_in_event_or_id_are_refused(field):
    with pytest.raises(ValueError, match="line break"):
        ServerSentEvent("x", **{field: "a\nb"})


def test_negative_retry_is_refused():
    with pytest.raises(ValueError, match="retry"):
        ServerSentEvent("x", retry=-1)


def test_stream_of_strings_dicts_and_events():
    app = AltAPI()

    @app.get("/events")
    async def events(request: Request):
        async def source():
            yield "plain"
            yield {"n": 1}
            yield ServerSentEvent("done", event="end", id=request.headers.get("last-event-id"))

        return EventSourceResponse(source(), ping=None)

    response = TestClient(app).get("/events", headers={"Last-Event-ID": "41"})
    assert response.headers["content-type"].split(";")[0] == "text/event-stream"
    assert response.headers["cache-control"] == "no-store"
    assert response.text == 'data: plain\n\ndata: {"n":1}\n\nevent: end\nid: 41\ndata: done\n\n'


def test_ping_comment_is_sent_while_the_source_is_idle():
    app = AltAPI()

    @app.get("/events")
    async def events():
        async def source():
            await anyio.sleep(0.35)  # the stream is idle; pings go out meanwhile
            yield "late"

        return EventSourceResponse(source(), ping=0.1)

    text = TestClient(app).get("/events").text
    assert text.count(": ping\n\n") >= 2
    assert text.endswith("data: late\n\n")


def test_generator_is_closed_when_the_client_goes_away():
    closed = threading.Event()
    started = threading.Event()
    app = AltAPI()

    @app.get("/events")
    async def events():
        async def source():
            try:
                started.set()
                n = 0
                while True:
                    n += 1
                    yield {"n": n}
                    await anyio.sleep(0.01)
            finally:
                closed.set()

        return EventSourceResponse(source(), ping=None)

    with serve_in_thread(app) as base_url:
        with httpx.stream("GET", base_url + "/events", timeout=5) as response:
            for line in response.iter_lines():
                if line.startswith("data:"):
                    break
        assert started.is_set()
        assert closed.wait(5), "the event generator was not closed after the disconnect"
