"""@rate_limit and @rate_limit_batch on routes, through the TestClient."""

import os

import pytest

from altapi_core import AltAPI, HTTPException, PlainTextResponse
from altapi_core.guards import declared
from altapi_core.testclient import TestClient
from altapi_ratelimit import rate_limit, rate_limit_batch


def _app(decorator, path="/x"):
    app = AltAPI()

    @app.get(path)
    @decorator
    async def limited(request):
        return PlainTextResponse("ok")

    return app, limited.__altapi_rate_limiter__


@pytest.fixture
def limited(clock, namespace):
    made = []

    def make(*args, factory=rate_limit, **options):
        app, limiter = _app(factory(*args, clock=clock, namespace=namespace, **options))
        made.append(limiter)
        return TestClient(app)

    yield make
    for limiter in made:
        limiter.close()


def test_allowed_responses_carry_the_rate_limit_headers(limited, clock):
    client = limited(3, 60)
    response = client.get("/x")
    assert response.status_code == 200 and response.text == "ok"
    assert response.headers["x-ratelimit-limit"] == "3"
    assert response.headers["x-ratelimit-remaining"] == "2"
    assert response.headers["x-ratelimit-reset"] == str(int(clock.now + 60))
    assert "retry-after" not in response.headers
    assert client.get("/x").headers["x-ratelimit-remaining"] == "1"


def test_refused_request_is_429_with_json_body_and_retry_after(limited, clock):
    client = limited(1, 30)
    client.get("/x")
    clock.advance(10.5)
    response = client.get("/x")
    assert response.status_code == 429
    body = response.json()
    assert body["error"] == "Rate limit exceeded"
    assert "1 requests per 30 seconds" in body["message"]
    assert response.headers["retry-after"] == "20"  # 19.5 rounded up
    assert response.headers["x-ratelimit-remaining"] == "0"
    assert response.headers["x-ratelimit-limit"] == "1"
    assert response.headers["x-ratelimit-reset"] == str(int(clock.now - 10.5 + 30))


def test_retry_after_is_at_least_one_second(limited, clock):
    client = limited(1, 1)
    client.get("/x")
    clock.advance(0.999)
    assert client.get("/x").headers["retry-after"] == "1"


def test_default_key_is_the_peer_address_not_a_header(clock, namespace):
    app, limiter = _app(rate_limit(1, 60, clock=clock, namespace=namespace))
    one = TestClient(app, client=("10.0.0.1", 1000))
    two = TestClient(app, client=("10.0.0.2", 1000))
    assert one.get("/x").status_code == 200
    spoofed = one.get("/x", headers={"X-Forwarded-For": "1.2.3.4", "X-Real-IP": "5.6.7.8"})
    assert spoofed.status_code == 429
    assert two.get("/x").status_code == 200
    limiter.close()


def test_trusted_proxies_key_on_the_rightmost_untrusted_hop(clock, namespace):
    decorator = rate_limit(1, 60, trusted_proxies=["10.0.0.0/8"], clock=clock, namespace=namespace)
    app, limiter = _app(decorator)
    via_proxy = TestClient(app, client=("10.1.1.1", 1000))
    first = via_proxy.get("/x", headers={"X-Forwarded-For": "6.6.6.6, 203.0.113.5, 10.2.2.2"})
    assert first.status_code == 200
    # the client can forge hops to the left, not the one the proxy appended
    forged = via_proxy.get("/x", headers={"X-Forwarded-For": "7.7.7.7, 203.0.113.5"})
    assert forged.status_code == 429
    assert via_proxy.get("/x", headers={"X-Forwarded-For": "198.51.100.9"}).status_code == 200
    # a direct, untrusted peer's header is ignored
    direct = TestClient(app, client=("203.0.113.5", 1000))
    assert direct.get("/x", headers={"X-Forwarded-For": "1.1.1.1"}).status_code == 429
    limiter.close()


def _user_key(request):
    return request.headers.get("x-user", "anon")


async def _async_user_key(request):
    return request.headers.get("x-user", "anon")


@pytest.mark.parametrize("key_func", [_user_key, _async_user_key], ids=["sync", "async"])
def test_key_func_sync_or_async_chooses_the_bucket(limited, key_func):
    client = limited(1, 60, key_func=key_func)
    assert client.get("/x", headers={"x-user": "ann"}).status_code == 200
    assert client.get("/x", headers={"x-user": "ann"}).status_code == 429
    assert client.get("/x", headers={"x-user": "bob"}).status_code == 200


def _is_admin(request):
    return request.headers.get("x-admin") == "yes"


async def _async_is_admin(request):
    return request.headers.get("x-admin") == "yes"


@pytest.mark.parametrize("skip_when", [_is_admin, _async_is_admin], ids=["sync", "async"])
def test_skip_when_sync_or_async_neither_counts_nor_limits(limited, skip_when):
    client = limited(1, 60, skip_when=skip_when)
    for _ in range(3):
        skipped = client.get("/x", headers={"x-admin": "yes"})
        assert skipped.status_code == 200
        assert "x-ratelimit-limit" not in skipped.headers
    assert client.get("/x").status_code == 200  # the skipped ones consumed nothing
    assert client.get("/x").status_code == 429


def test_batch_refusal_consumes_none_of_the_limits(limited, clock):
    client = limited([(1, 1), (3, 60)], factory=rate_limit_batch)
    assert client.get("/x").status_code == 200
    for _ in range(5):
        refused = client.get("/x")
        assert refused.status_code == 429
        assert refused.headers["x-ratelimit-limit"] == "1"
    clock.advance(1)
    assert client.get("/x").status_code == 200
    clock.advance(1)
    last = client.get("/x")
    assert last.status_code == 200
    assert (last.headers["x-ratelimit-limit"], last.headers["x-ratelimit-remaining"]) == ("3", "0")
    clock.advance(1)
    refused = client.get("/x")
    assert refused.headers["x-ratelimit-limit"] == "3"
    assert refused.headers["retry-after"] == "57"


def test_ietf_headers_on_request(limited, clock):
    client = limited([(2, 1), (10, 60)], factory=rate_limit_batch, ietf_headers=True)
    response = client.get("/x")
    assert response.headers["ratelimit-policy"] == '"2-per-1s";q=2;w=1, "10-per-60s";q=10;w=60'
    assert response.headers["ratelimit"] == '"2-per-1s";r=1;t=1'
    assert "ratelimit" not in limited(2, 1).get("/x").headers


def test_handler_parameters_and_http_errors_keep_working(clock, namespace):
    app = AltAPI()

    @app.get("/items/{item_id:int}")
    @rate_limit(5, 60, clock=clock, namespace=namespace)
    def item(request, item_id: int):  # a plain def runs in the thread pool
        if item_id == 0:
            raise HTTPException(404, "no such item")
        return PlainTextResponse(str(item_id * 2))

    client = TestClient(app)
    assert client.get("/items/21").text == "42"
    missing = client.get("/items/0")
    assert missing.status_code == 404
    assert missing.headers["x-ratelimit-remaining"] == "3"
    item.__altapi_rate_limiter__.close()


def test_trusted_proxies_and_key_func_do_not_mix():
    with pytest.raises(TypeError, match="trusted_proxies"):
        rate_limit(1, 1, key_func=_user_key, trusted_proxies=["10.0.0.0/8"])(_user_key)


def test_the_table_is_closed_and_removed_at_app_shutdown(clock, namespace):
    app, limiter = _app(rate_limit(2, 60, clock=clock, namespace=namespace))
    with TestClient(app) as client:
        assert client.get("/x").status_code == 200
        path = limiter.path
        assert os.path.exists(path)
    assert not os.path.exists(path)


def test_a_rate_limited_route_attaches_the_extension_when_registered(clock, namespace):
    app, limiter = _app(rate_limit(2, 60, clock=clock, namespace=namespace))
    assert app.extensions["ratelimit"].limiters == [limiter]  # before any request
    with TestClient(app) as client:
        assert client.get("/x").status_code == 200
    assert app.on_shutdown == []  # serving added nothing to the app
    assert list(app.extensions) == ["ratelimit"]


def test_one_limiter_on_two_routes_is_tracked_once(clock, namespace):
    app = AltAPI()
    limited = rate_limit(2, 60, clock=clock, namespace=namespace)

    @app.get("/a")
    @limited
    async def a():
        return PlainTextResponse("a")

    app.get("/b")(a)
    assert app.extensions["ratelimit"].limiters == [a.__altapi_rate_limiter__]
    a.__altapi_rate_limiter__.close()


def test_the_usual_guard_runs_in_c_on_the_compiled_table(clock, namespace, impl):
    app = AltAPI()

    @app.get("/x")
    @rate_limit(3, 60, clock=clock, namespace=namespace)
    async def limited(request):
        return PlainTextResponse("ok")

    (guard,) = declared(limited)
    check = guard.check  # fetched before the first request
    assert (guard._fast_path is not None) is (impl == "c")  # the C check, made by __init__
    client = TestClient(app)
    assert client.get("/x").headers["x-ratelimit-remaining"] == "2"  # Python check, opens
    assert client.get("/x").headers["x-ratelimit-remaining"] == "1"  # C check, if built
    guard._after_fork()  # as in a forked child: the Python path first, on the child's table
    assert client.get("/x").headers["x-ratelimit-remaining"] == "0"
    assert client.get("/x").status_code == 429
    assert guard.check == check  # the same check throughout: never replaced
    limited.__altapi_rate_limiter__.close()


def test_a_closed_table_is_reopened_by_the_next_request(clock, namespace):
    app, limiter = _app(rate_limit(3, 60, clock=clock, namespace=namespace))
    client = TestClient(app)
    assert client.get("/x").headers["x-ratelimit-remaining"] == "2"
    assert client.get("/x").headers["x-ratelimit-remaining"] == "1"
    limiter.close()  # the last user: the file and its counts go
    assert client.get("/x").headers["x-ratelimit-remaining"] == "2"
    assert client.get("/x").headers["x-ratelimit-remaining"] == "1"
    limiter.close()


@pytest.mark.parametrize("when_full", ["open", "closed"])
def test_a_full_table_through_the_decorator(clock, namespace, when_full):
    app, limiter = _app(
        rate_limit(1, 60, clock=clock, namespace=namespace, slots=1, when_full=when_full)
    )
    one = TestClient(app, client=("10.0.0.1", 1000))
    two = TestClient(app, client=("10.0.0.2", 1000))
    assert one.get("/x").status_code == 200
    assert one.get("/x").status_code == 429  # counted
    untracked = two.get("/x")
    assert untracked.status_code == (200 if when_full == "open" else 429)
    assert "x-ratelimit-limit" in untracked.headers
    limiter.close()


def test_a_rate_limited_websocket_handshake_is_refused_with_403_and_the_limit_headers(
    clock, namespace
):
    from altapi_core.testwebsocket import WebSocketDenialResponse

    app = AltAPI()
    sessions = []

    @app.websocket("/ws")
    @rate_limit(1, 60, clock=clock, namespace=namespace)
    async def ws(websocket):
        sessions.append(websocket.path)
        await websocket.accept()
        await websocket.send_text("hello")

    client = TestClient(app)
    with client.websocket_connect("/ws") as session:
        assert session.receive_text() == "hello"
    with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect("/ws"):
        pass
    headers = {k.decode(): v.decode() for k, v in refused.value.headers}
    assert refused.value.status_code == 403
    assert (headers["x-ratelimit-limit"], headers["x-ratelimit-remaining"]) == ("1", "0")
    assert "retry-after" in headers
    assert sessions == ["/ws"]  # the refused handshake never reached the handler
    ws.__altapi_rate_limiter__.close()


def test_rate_limit_written_above_the_route_decorator_raises_saying_which_order_works():
    app = AltAPI()
    with pytest.raises(TypeError) as caught:

        @rate_limit(5, 60)
        @app.get("/late")
        async def late():
            return PlainTextResponse("late")

    message = str(caught.value)
    assert "@rate_limit is above the route decorator of GET /late" in message
    assert "@app.get(...)\n    @rate_limit\n" in message
