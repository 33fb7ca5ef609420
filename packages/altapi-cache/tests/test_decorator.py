import anyio
import anyio.lowlevel
import httpx
import pytest

import altapi_cache._rules
from altapi_cache import Cache, CacheBackend, CacheManager, InMemoryCache, cache
from altapi_core import (
    AltAPI,
    BackgroundTasks,
    EventSourceResponse,
    JSONResponse,
    PlainTextResponse,
    Request,
    StreamingResponse,
)
from altapi_core.testclient import TestClient
from altapi_core.testserver import serve_in_thread
from altapi_di import Depends


def counting_app(response_factory=None, **cache_options):
    """An app whose GET/POST /item handler counts its calls."""
    app = AltAPI()
    calls = []

    @app.route("/item", methods=["GET", "POST"])
    @cache(**cache_options)
    async def item(request: Request):
        calls.append(request.method)
        if response_factory is not None:
            return response_factory(request, len(calls))
        return PlainTextResponse(f"call {len(calls)}", headers={"X-Custom": "kept"})

    return app, calls


def test_second_get_is_a_hit_with_same_status_headers_and_body():
    app, calls = counting_app()
    client = TestClient(app)
    first = client.get("/item")
    second = client.get("/item")
    assert first.headers["x-cache"] == "MISS"
    assert "age" not in first.headers
    assert second.headers["x-cache"] == "HIT"
    assert second.headers["age"] == "0"
    assert second.status_code == first.status_code == 200
    assert second.text == first.text == "call 1"
    assert second.headers["x-custom"] == "kept"
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["content-length"] == "6"
    assert calls == ["GET"]


def test_head_of_a_cached_get_is_served_from_cache_without_body():
    app, calls = counting_app()
    client = TestClient(app)
    client.get("/item")
    head = client.head("/item")
    assert head.headers["x-cache"] == "HIT"
    assert head.content == b""
    assert head.headers["content-length"] == "6"
    assert calls == ["GET"]


def test_head_miss_stores_the_response_for_later_gets():
    app, calls = counting_app()
    client = TestClient(app)
    assert client.head("/item").headers["x-cache"] == "MISS"
    get = client.get("/item")
    assert get.headers["x-cache"] == "HIT"
    assert get.text == "call 1"
    assert calls == ["HEAD"]


def test_query_parameter_order_does_not_change_the_key_but_values_do():
    app, calls = counting_app()
    client = TestClient(app)
    assert client.get("/item?a=1&b=2").text == "call 1"
    assert client.get("/item?b=2&a=1").text == "call 1"
    assert client.get("/item?a=1&b=3").text == "call 2"
    assert client.get("/item").text == "call 3"
    assert len(calls) == 3


def test_post_is_never_cached():
    app, calls = counting_app()
    client = TestClient(app)
    assert client.post("/item").text == "call 1"
    post = client.post("/item")
    assert post.text == "call 2"
    assert "x-cache" not in post.headers
    assert client.get("/item").text == "call 3"


def test_only_status_200_is_cached_by_default():
    app, calls = counting_app(lambda r, n: PlainTextResponse(f"gone {n}", status_code=404))
    client = TestClient(app)
    assert client.get("/item").text == "gone 1"
    assert client.get("/item").text == "gone 2"


def test_statuses_option_caches_other_codes():
    app, calls = counting_app(
        lambda r, n: PlainTextResponse(f"gone {n}", status_code=404), statuses=(200, 404)
    )
    client = TestClient(app)
    client.get("/item")
    second = client.get("/item")
    assert second.status_code == 404
    assert second.text == "gone 1"
    assert second.headers["x-cache"] == "HIT"


def with_cookie(request, n):
    response = PlainTextResponse(f"call {n}")
    response.set_cookie("session", "secret")
    return response


@pytest.mark.parametrize(
    "factory",
    [
        with_cookie,
        lambda r, n: PlainTextResponse(f"call {n}", headers={"Cache-Control": "private"}),
        lambda r, n: PlainTextResponse(
            f"call {n}", headers={"Cache-Control": "max-age=5, no-store"}
        ),
        lambda r, n: PlainTextResponse(f"call {n}", headers={"Vary": "*"}),
    ],
    ids=["set-cookie", "private", "no-store", "vary-star"],
)
def test_responses_that_must_not_be_shared_are_not_stored(factory):
    app, calls = counting_app(factory)
    client = TestClient(app)
    assert client.get("/item").text == "call 1"
    second = client.get("/item")
    assert second.text == "call 2"
    assert second.headers["x-cache"] == "MISS"


def test_public_cache_control_is_stored():
    app, calls = counting_app(
        lambda r, n: PlainTextResponse(f"call {n}", headers={"Cache-Control": "public, max-age=60"})
    )
    client = TestClient(app)
    client.get("/item")
    assert client.get("/item").text == "call 1"


def test_requests_with_authorization_bypass_the_cache():
    app, calls = counting_app()
    client = TestClient(app)
    client.get("/item")  # stores "call 1"
    authed = client.get("/item", headers={"Authorization": "Bearer alice"})
    assert authed.text == "call 2"
    assert "x-cache" not in authed.headers
    assert client.get("/item", headers={"Authorization": "Bearer bob"}).text == "call 3"


def test_key_func_allows_authorized_requests_and_keys_them():
    app, calls = counting_app(key_func=lambda request: request.headers.get("authorization", ""))
    client = TestClient(app)
    alice = {"Authorization": "Bearer alice"}
    assert client.get("/item", headers=alice).text == "call 1"
    assert client.get("/item", headers={"Authorization": "Bearer bob"}).text == "call 2"
    hit = client.get("/item", headers=alice)
    assert hit.text == "call 1"
    assert hit.headers["x-cache"] == "HIT"


def test_async_key_func_is_awaited():
    async def key(request):
        return request.query_params.get("user", "")

    app, calls = counting_app(key_func=key)
    client = TestClient(app)
    assert client.get("/item?user=a&x=1").text == "call 1"
    assert client.get("/item?user=a&x=2").text == "call 1"
    assert client.get("/item?user=b").text == "call 2"


def test_vary_header_keeps_one_variant_per_header_value():
    def greet(request, n):
        lang = request.headers.get("accept-language", "en")
        return PlainTextResponse(f"{lang} {n}", headers={"Vary": "Accept-Language"})

    app, calls = counting_app(greet)
    client = TestClient(app)
    assert client.get("/item", headers={"Accept-Language": "fr"}).text == "fr 1"
    assert client.get("/item", headers={"Accept-Language": "de"}).text == "de 2"
    fr = client.get("/item", headers={"Accept-Language": "fr"})
    assert fr.text == "fr 1"
    assert fr.headers["x-cache"] == "HIT"
    assert fr.headers["vary"] == "Accept-Language"
    assert client.get("/item", headers={"Accept-Language": "de"}).text == "de 2"
    assert len(calls) == 2


def test_entry_expires_after_expires_seconds():
    now = [100.0]
    backend = InMemoryCache(clock=lambda: now[0])
    app, calls = counting_app(expires=30, backend=backend)
    client = TestClient(app)
    client.get("/item")
    now[0] += 29
    assert client.get("/item").text == "call 1"
    now[0] += 1
    assert client.get("/item").text == "call 2"


def test_age_counts_seconds_since_stored(monkeypatch):
    now = [5000.0]
    monkeypatch.setattr(altapi_cache._rules, "wall_clock", lambda: now[0])
    app, calls = counting_app()
    client = TestClient(app)
    client.get("/item")
    now[0] += 42.7
    assert client.get("/item").headers["age"] == "42"


def test_key_prefix_separates_caches_sharing_a_backend():
    backend = InMemoryCache()
    app1, calls1 = counting_app(backend=backend, key_prefix="one")
    app2, calls2 = counting_app(backend=backend, key_prefix="two")
    TestClient(app1).get("/item")
    assert TestClient(app2).get("/item").headers["x-cache"] == "MISS"
    assert TestClient(app1).get("/item").headers["x-cache"] == "HIT"
    assert len(backend) == 2
    assert all(key.split(":")[0] in ("one", "two") for key in backend._data)


def test_default_backend_comes_from_cache_manager_at_request_time():
    app, calls = counting_app()
    backend = InMemoryCache()
    CacheManager.init(backend, prefix="site")
    TestClient(app).get("/item")
    assert list(backend._data) == ["site:/item"]


def test_the_cache_extension_registers_a_cached_get_route():
    app = AltAPI(extensions=[Cache()])
    calls = []

    @app.extensions["cache"].route("/report", expires=60)
    async def report(request):
        calls.append(1)
        return JSONResponse({"n": len(calls)})

    client = TestClient(app)
    assert client.get("/report").json() == {"n": 1}
    hit = client.get("/report")
    assert hit.json() == {"n": 1}
    assert hit.headers["x-cache"] == "HIT"
    assert client.post("/report").status_code == 405


def test_a_cached_route_lives_for_the_extensions_timeout_unless_it_says():
    now = [1000.0]
    backend = InMemoryCache(clock=lambda: now[0])
    app = AltAPI(extensions=[Cache(timeout=10)])
    calls = []

    def count(request):
        calls.append(request.path)
        return JSONResponse({"n": len(calls)})

    app.extensions["cache"].route("/default")(count)
    app.extensions["cache"].route("/own", expires=100)(count)
    CacheManager.init(backend)
    client = TestClient(app)
    assert [client.get(p).json() for p in ("/default", "/own")] == [{"n": 1}, {"n": 2}]
    now[0] += 11  # past the app's timeout, within the route's own
    assert client.get("/default").json() == {"n": 3}
    assert client.get("/own").headers["x-cache"] == "HIT"


def test_a_cache_extension_serves_one_app():
    extension = Cache()
    AltAPI(extensions=[extension])
    with pytest.raises(ValueError, match="one app"):
        AltAPI(extensions=[extension])
    with pytest.raises(RuntimeError, match="add_extension"):
        Cache().route("/x")


def test_path_params_dependencies_and_sync_handlers_still_work():
    app = AltAPI()
    calls = []

    def multiplier() -> int:
        return 10

    @app.get("/users/{id:int}")
    @cache()
    def user(id: int, factor: int = Depends(multiplier)):
        calls.append(id)
        return {"id": id * factor}

    client = TestClient(app)
    assert client.get("/users/1").json() == {"id": 10}
    assert client.get("/users/2").json() == {"id": 20}
    assert client.get("/users/1").headers["x-cache"] == "HIT"
    assert calls == [1, 2]


def test_background_tasks_run_on_a_miss_only():
    app = AltAPI()
    ran = []

    @app.get("/work")
    @cache()
    async def work(tasks: BackgroundTasks):
        tasks.add_task(ran.append, "task")
        return PlainTextResponse("ok")

    client = TestClient(app)
    client.get("/work")
    client.get("/work")
    assert ran == ["task"]


async def chunks(parts):
    for part in parts:
        yield part


def test_short_streaming_response_is_cached_once_fully_sent():
    app, calls = counting_app(lambda r, n: StreamingResponse(chunks([f"part{n}-", "b", b"c"])))
    client = TestClient(app)
    first = client.get("/item")
    assert first.text == "part1-bc"
    assert first.headers["x-cache"] == "MISS"
    second = client.get("/item")
    assert second.text == "part1-bc"
    assert second.headers["x-cache"] == "HIT"
    assert second.headers["content-length"] == "8"
    assert second.headers["content-type"].startswith("text/plain")


def test_sync_iterator_stream_is_cached_too():
    app, calls = counting_app(lambda r, n: StreamingResponse(iter([f"s{n}", "x"])))
    client = TestClient(app)
    client.get("/item")
    assert client.get("/item").text == "s1x"


def test_streaming_response_over_the_limit_is_sent_whole_but_not_cached():
    app, calls = counting_app(
        lambda r, n: StreamingResponse(chunks([b"x" * 60, str(n)])), max_entry_bytes=50
    )
    client = TestClient(app)
    assert client.get("/item").content == b"x" * 60 + b"1"
    assert client.get("/item").content == b"x" * 60 + b"2"


def test_plain_response_over_the_limit_is_not_cached():
    app, calls = counting_app(
        lambda r, n: PlainTextResponse("y" * 100 + str(n)), max_entry_bytes=50
    )
    client = TestClient(app)
    client.get("/item")
    assert client.get("/item").text.endswith("2")


def test_event_streams_are_never_cached():
    app, calls = counting_app(lambda r, n: EventSourceResponse(chunks([f"event {n}"]), ping=60))
    client = TestClient(app)
    assert "event 1" in client.get("/item").text
    assert "event 2" in client.get("/item").text


def test_failing_backend_degrades_to_uncached_responses(caplog):
    class Broken(CacheBackend):
        async def get(self, key):
            raise ConnectionError("down")

        async def set(self, key, value, expires=None):
            raise ConnectionError("down")

        async def delete(self, key):
            raise ConnectionError("down")

        async def clear(self):
            raise ConnectionError("down")

    app, calls = counting_app(backend=Broken())
    client = TestClient(app)
    assert client.get("/item").text == "call 1"
    assert client.get("/item").text == "call 2"
    assert "failed to read" in caplog.text
    assert "failed to store" in caplog.text


# --- stampede protection ---------------------------------------------------------------


async def asgi_get(app, path="/item", headers=()):
    """One request straight through the ASGI interface: (status, headers, body)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), *headers],
        "client": ("127.0.0.1", 1),
        "server": ("test", 80),
        "state": {},
    }
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    await app(scope, receive, send)
    start = messages[0]
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return start["status"], dict(start["headers"]), body


class CountingBackend(InMemoryCache):
    def __init__(self):
        super().__init__()
        self.reads = 0

    async def get(self, key):
        self.reads += 1
        return await super().get(key)


def _concurrent(app_factory, requests=10, headers=None):
    """Run `requests` concurrent GETs against `app_factory(backend, release)`; release
    the handlers once every request has looked up the cache (after its lookup a request
    joins the flight without yielding, so all have joined by then)."""
    backend = CountingBackend()
    results = []

    async def main():
        release = anyio.Event()
        app = app_factory(backend, release)

        async def one(h):
            try:
                results.append(await asgi_get(app, headers=h))
            except RuntimeError as exc:
                results.append(exc)

        async with anyio.create_task_group() as group:
            for i in range(requests):
                group.start_soon(one, headers[i] if headers else ())
            for _ in range(10_000):
                if backend.reads >= requests:
                    break
                await anyio.lowlevel.checkpoint()
            assert backend.reads == requests
            release.set()

    anyio.run(main)
    return results


def test_concurrent_misses_run_the_handler_once_and_share_the_response():
    calls = []

    def factory(backend, release):
        app = AltAPI()

        @app.get("/item")
        @cache(backend=backend)
        async def item():
            calls.append(1)
            await release.wait()
            return PlainTextResponse(f"call {len(calls)}")

        return app

    results = _concurrent(factory, requests=10)
    assert calls == [1]
    assert {body for _, _, body in results} == {b"call 1"}
    assert sorted(h[b"x-cache"] for _, h, _ in results) == [b"HIT"] * 9 + [b"MISS"]


def test_followers_run_the_handler_themselves_when_the_leader_fails():
    calls = []

    def factory(backend, release):
        app = AltAPI()

        @app.get("/item")
        @cache(backend=backend)
        async def item():
            calls.append(1)
            n = len(calls)
            await release.wait()
            if n == 1:
                raise RuntimeError("leader fails")
            return PlainTextResponse("ok")

        return app

    results = _concurrent(factory, requests=5)
    errors = [r for r in results if isinstance(r, RuntimeError)]
    assert [str(e) for e in errors] == ["leader fails"]
    assert [r[2] for r in results if not isinstance(r, RuntimeError)] == [b"ok"] * 4
    assert len(calls) == 5


def test_followers_do_not_share_an_unstorable_response():
    calls = []

    def factory(backend, release):
        app = AltAPI()

        @app.get("/item")
        @cache(backend=backend)
        async def item():
            calls.append(1)
            n = len(calls)
            await release.wait()
            return with_cookie(None, n)

        return app

    results = _concurrent(factory, requests=4)
    assert len(calls) == 4
    assert {body for _, _, body in results} == {b"call 1", b"call 2", b"call 3", b"call 4"}


def test_followers_with_another_vary_value_run_the_handler():
    calls = []

    def factory(backend, release):
        app = AltAPI()

        @app.get("/item")
        @cache(backend=backend)
        async def item(request: Request):
            lang = request.headers["accept-language"]
            calls.append(lang)
            await release.wait()
            return PlainTextResponse(lang, headers={"Vary": "Accept-Language"})

        return app

    langs = [b"fr", b"fr", b"de", b"fr"]
    results = _concurrent(factory, 4, [[(b"accept-language", lang)] for lang in langs])
    assert sorted(calls) == ["de", "fr"]
    assert sorted(body for _, _, body in results) == sorted(langs)


# --- over a real server ----------------------------------------------------------------


def test_cache_over_a_real_server():
    app, calls = counting_app()
    with serve_in_thread(app) as url, httpx.Client(base_url=url) as client:
        first = client.get("/item?q=1")
        second = client.get("/item?q=1")
        head = client.head("/item?q=1")
    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    assert second.text == first.text == "call 1"
    assert head.headers["x-cache"] == "HIT"
    assert head.content == b""
    assert calls == ["GET"]


def test_cache_written_above_the_route_decorator_raises_saying_which_order_works():
    app = AltAPI()
    with pytest.raises(TypeError) as caught:

        @cache(expires=60)
        @app.get("/late")
        async def late():
            return PlainTextResponse("late")

    message = str(caught.value)
    assert "@cache is above the route decorator of GET /late" in message
    assert "@app.get(...)\n    @cache\n" in message


def test_cache_on_a_websocket_route_is_an_error_at_registration():
    app = AltAPI()
    with pytest.raises(TypeError, match="WEBSOCKET /ws: .*HTTP routes only"):

        @app.websocket("/ws")
        @cache(expires=60)
        async def ws(websocket):
            await websocket.accept()


def test_annotated_depends_and_route_dependencies_work_under_cache():
    from typing import Annotated

    from altapi_di import Depends

    app = AltAPI()
    audited = []

    def settings():
        return "cfg"

    def audit():
        audited.append(1)

    @app.get("/conf/{name}", dependencies=[Depends(audit)])
    @cache(expires=60)
    async def conf(name: str, value: Annotated[str, Depends(settings)]):
        return PlainTextResponse(f"{name}={value}")

    client = TestClient(app)
    assert client.get("/conf/a").text == "a=cfg"
    hit = client.get("/conf/a")
    assert (hit.text, hit.headers["x-cache"]) == ("a=cfg", "HIT")
    assert audited == [1, 1]  # route dependencies run before the cache answers
