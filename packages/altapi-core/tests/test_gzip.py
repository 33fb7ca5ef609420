import gzip

from altapi_core import AltAPI, Middleware, PlainTextResponse, StreamingResponse
from altapi_core.middleware import GZipMiddleware
from altapi_core.sse import EventSourceResponse
from altapi_core.testclient import TestClient


def make_client():
    app = AltAPI(middleware=[Middleware(GZipMiddleware, minimum_size=100)])

    @app.get("/big")
    async def big(request):
        return PlainTextResponse("x" * 1000)

    @app.get("/small")
    async def small(request):
        return PlainTextResponse("tiny")

    @app.get("/encoded")
    async def encoded(request):
        return PlainTextResponse("y" * 1000, headers={"Content-Encoding": "br"})

    @app.get("/stream")
    async def stream(request):
        async def chunks():
            for i in range(50):
                yield f"chunk {i:03d} " * 10

        return StreamingResponse(chunks())

    @app.get("/events")
    async def events(request):
        async def source():
            yield "one"

        return EventSourceResponse(source(), ping=None)

    return TestClient(app)


def test_large_response_is_compressed_with_vary():
    response = make_client().get("/big", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == "x" * 1000  # httpx decodes it
    assert int(response.headers["content-length"]) < 1000
    assert "Accept-Encoding" in response.headers["vary"]


def test_small_or_not_accepted_is_left_alone():
    client = make_client()
    assert (
        "content-encoding" not in client.get("/small", headers={"Accept-Encoding": "gzip"}).headers
    )
    assert (
        "content-encoding"
        not in client.get("/big", headers={"Accept-Encoding": "identity"}).headers
    )


def test_already_encoded_and_event_streams_are_skipped():
    client = make_client()
    assert (
        client.get("/encoded", headers={"Accept-Encoding": "gzip"}).headers["content-encoding"]
        == "br"
    )
    events = client.get("/events", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in events.headers
    assert "data: one" in events.text


def test_streaming_response_is_compressed_as_a_stream():
    response = make_client().get("/stream", headers={"Accept-Encoding": "gzip"}, extensions={})
    assert response.headers["content-encoding"] == "gzip"
    assert "content-length" not in response.headers
    assert response.text == "".join(f"chunk {i:03d} " * 10 for i in range(50))


def test_compressed_bytes_are_real_gzip():
    app = AltAPI(middleware=[Middleware(GZipMiddleware, minimum_size=10)])

    @app.get("/")
    async def home(request):
        return PlainTextResponse("hello " * 50)

    client = TestClient(app)
    with client.stream("GET", "/", headers={"Accept-Encoding": "gzip"}) as response:
        raw = b"".join(response.iter_raw())
    assert gzip.decompress(raw) == b"hello " * 50
