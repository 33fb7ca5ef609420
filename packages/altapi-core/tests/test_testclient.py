import itertools

import anyio
import pytest

from altapi_core import (
    AltAPI,
    BackgroundTasks,
    EventSourceResponse,
    PlainTextResponse,
    StreamingResponse,
)
from altapi_core.testclient import TestClient


def endless_events_app(closed: list[str]) -> AltAPI:
    app = AltAPI()

    @app.get("/events")
    async def events():
        async def numbers():
            try:
                for n in itertools.count():
                    yield {"n": n}
                    await anyio.sleep(0)
            finally:
                closed.append("closed")

        return EventSourceResponse(numbers())

    return app


@pytest.mark.parametrize("shared_loop", [False, True], ids=["own-loop", "with-block"])
def test_stream_reads_an_endless_event_stream_and_stops(shared_loop):
    closed: list[str] = []
    client = TestClient(endless_events_app(closed))
    with client if shared_loop else TestClient(endless_events_app(closed)) as client:
        with client.stream("GET", "/events") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = []
            for line in response.iter_lines():
                if line.startswith("data:"):
                    lines.append(line)
                if len(lines) == 3:
                    break
        assert lines == ['data: {"n":0}', 'data: {"n":1}', 'data: {"n":2}']
        assert closed == ["closed"]  # leaving the block is a disconnect the app sees


def test_stream_yields_the_first_chunk_before_the_app_has_sent_the_last():
    sent: list[int] = []
    app = AltAPI()

    @app.get("/")
    async def chunks():
        async def body():
            for n in range(10):
                sent.append(n)
                yield f"{n};"

        return StreamingResponse(body())

    with TestClient(app) as client, client.stream("GET", "/") as response:
        chunks_and_sent = [(chunk, len(sent)) for chunk in response.iter_bytes()]
    assert [chunk for chunk, _ in chunks_and_sent] == [f"{n};".encode() for n in range(10)]
    # One chunk handed over at a time: the app is at most one chunk ahead of the reader.
    assert max(count - index for index, (_, count) in enumerate(chunks_and_sent)) <= 2


def test_background_tasks_have_run_when_get_returns():
    ran: list[str] = []
    app = AltAPI()

    @app.get("/")
    async def home(tasks: BackgroundTasks):
        tasks.add_task(ran.append, "task")
        return PlainTextResponse("ok")

    response = TestClient(app).get("/")
    assert response.text == "ok"
    assert ran == ["task"]


def test_an_error_after_the_response_started_is_raised_in_the_test():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        raise ValueError("mid-stream")

    with pytest.raises(ValueError, match="mid-stream"):
        TestClient(app).get("/")


def test_an_error_before_the_response_is_a_500_when_not_raised():
    app = AltAPI()

    @app.get("/")
    async def broken():
        raise ValueError("boom")

    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500
    with pytest.raises(ValueError, match="boom"):
        TestClient(app).get("/")
