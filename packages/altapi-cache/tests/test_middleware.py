import anyio
import anyio.lowlevel
import httpx

from altapi_cache import CacheManager, CacheMiddleware, InMemoryCache
from altapi_core import AltAPI, Middleware, PlainTextResponse, Request, StreamingResponse
from altapi_core.testclient import TestClient
from altapi_core.testserver import serve_in_thread


def make_app(factory=None, **options):
    calls = []
    app = AltAPI(middleware=[Middleware(CacheMiddleware, **options)])

    @app.route("/page", methods=["GET", "POST"])
    async def page(request: Request):
        calls.append(request.method)
        if factory is not None:
            return factory(request, len(calls))
        return PlainTextResponse(f"call {len(calls)}", headers={"X-Custom": "kept"})

    @app.get("/other")
    async def other():
        calls.append("other")
        return PlainTextResponse("other")

    return app, calls


def test_every_get_route_is_cached():
    app, calls = make_app()
    client = TestClient(app)
    first = client.get("/page")
    second = client.get("/page")
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    assert second.headers["age"] == "0"
    assert second.headers["x-custom"] == "kept"
    assert second.text == "call 1"
    client.get("/other")
    assert client.get("/other").headers["x-cache"] == "HIT"
    assert calls == ["GET", "other"]


def test_cache_timeout_is_the_entry_lifetime():
    now = [0.0]
    app, calls = make_app(cache_timeout=10, backend=InMemoryCache(clock=lambda: now[0]))
    client = TestClient(app)
    client.get("/page")
    now[0] = 9.5
    assert client.get("/page").text == "call 1"
    now[0] = 10.0
    assert client.get("/page").text == "call 2"


def test_head_is_served_from_a_cached_get_and_a_head_miss_is_not_stored():
    app, calls = make_app()
    client = TestClient(app)
    head = client.head("/page")
    assert head.headers["x-cache"] == "MISS"
    assert client.get("/page").headers["x-cache"] == "MISS"
    cached_head = client.head("/page")
    assert cached_head.headers["x-cache"] == "HIT"
    assert cached_head.content == b""
    assert cached_head.headers["content-length"] == "6"
    assert calls == ["HEAD", "GET"]


def test_post_authorization_and_cookies_are_not_cached():
    def cookie(request, n):
        response = PlainTextResponse(f"call {n}")
        if request.query_params.get("cookie"):
            response.set_cookie("a", "b")
        return response

    app, calls = make_app(cookie)
    client = TestClient(app)
    client.post("/page")
    assert client.post("/page").text == "call 2"
    auth = {"Authorization": "Basic eA=="}
    client.get("/page", headers=auth)
    assert client.get("/page", headers=auth).text == "call 4"
    client.get("/page?cookie=1")
    assert client.get("/page?cookie=1").text == "call 6"


def test_errors_are_not_cached():
    app, calls = make_app(lambda r, n: PlainTextResponse(f"boom {n}", status_code=500))
    client = TestClient(app)
    client.get("/page")
    assert client.get("/page").text == "boom 2"
    assert client.get("/missing").status_code == 404


async def chunks(parts):
    for part in parts:
        yield part


def test_streamed_body_is_recorded_and_cached_when_small():
    app, calls = make_app(lambda r, n: StreamingResponse(chunks([b"a", f"{n}".encode(), b"c"])))
    client = TestClient(app)
    assert client.get("/page").text == "a1c"
    hit = client.get("/page")
    assert hit.text == "a1c"
    assert hit.headers["x-cache"] == "HIT"


def test_streamed_body_over_the_limit_is_not_cached():
    app, calls = make_app(
        lambda r, n: StreamingResponse(chunks([b"x" * 20, f"{n}".encode()])), max_entry_bytes=10
    )
    client = TestClient(app)
    assert client.get("/page").content == b"x" * 20 + b"1"
    assert client.get("/page").content == b"x" * 20 + b"2"


def test_uses_the_cache_manager_backend_and_prefix():
    backend = InMemoryCache()
    CacheManager.init(backend, prefix="mwtest")
    app, calls = make_app()
    TestClient(app).get("/page?b=2&a=1")
    assert list(backend._data) == ["mwtest:mw:/page?a=1&b=2"]


def test_concurrent_misses_share_one_app_call():
    calls = []
    reads = []

    class Counting(InMemoryCache):
        async def get(self, key):
            reads.append(key)
            return await super().get(key)

    results = []

    async def main():
        release = anyio.Event()

        async def app(scope, receive, send):
            calls.append(1)
            await release.wait()
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"shared"})

        cached = CacheMiddleware(app, backend=Counting())

        async def one():
            messages = []

            async def send(message):
                messages.append(message)

            scope = {"type": "http", "method": "GET", "path": "/", "headers": []}
            await cached(scope, None, send)
            results.append(messages)

        async with anyio.create_task_group() as group:
            for _ in range(6):
                group.start_soon(one)
            for _ in range(10_000):
                if len(reads) >= 6:
                    break
                await anyio.lowlevel.checkpoint()
            assert len(reads) == 6
            release.set()

    anyio.run(main)
    assert calls == [1]
    assert [m[1]["body"] for m in results] == [b"shared"] * 6
    statuses = sorted(dict(m[0]["headers"])[b"x-cache"] for m in results)
    assert statuses == [b"HIT"] * 5 + [b"MISS"]


def test_middleware_over_a_real_server():
    app, calls = make_app()
    with serve_in_thread(app) as url, httpx.Client(base_url=url) as client:
        assert client.get("/page").headers["x-cache"] == "MISS"
        hit = client.get("/page")
    assert hit.headers["x-cache"] == "HIT"
    assert hit.text == "call 1"
    assert calls == ["GET"]
