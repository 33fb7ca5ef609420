"""RateLimitMiddleware: one global limit for every route of an app."""

import os

from altapi_core import AltAPI, Middleware, PlainTextResponse
from altapi_core.testclient import TestClient
from altapi_ratelimit import RateLimiter, RateLimitMiddleware


def test_global_limit_spans_every_route(clock, namespace):
    app = AltAPI(
        middleware=[
            Middleware(RateLimitMiddleware, limit=3, period=60, clock=clock, namespace=namespace)
        ]
    )
    app.get("/a")(lambda request: PlainTextResponse("a"))
    app.get("/b")(lambda request: PlainTextResponse("b"))
    with TestClient(app) as client:
        first = client.get("/a")
        assert first.headers["x-ratelimit-remaining"] == "2"
        assert client.get("/b").headers["x-ratelimit-remaining"] == "1"
        assert client.get("/nowhere").status_code == 404  # unknown paths count too
        refused = client.get("/a")
        assert refused.status_code == 429
        assert refused.json()["error"] == "Rate limit exceeded"
        assert refused.headers["retry-after"] == "60"
        clock.advance(60)
        assert client.get("/b").text == "b"


def test_middleware_key_func_and_websockets_pass_through(clock, namespace):
    app = AltAPI(
        middleware=[
            Middleware(
                RateLimitMiddleware,
                limit=1,
                period=60,
                key_func=lambda request: request.headers.get("x-user", "anon"),
                clock=clock,
                namespace=namespace,
            )
        ]
    )
    app.get("/a")(lambda request: PlainTextResponse("a"))

    @app.websocket("/ws")
    async def ws(websocket):
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    with TestClient(app) as client:
        assert client.get("/a", headers={"x-user": "ann"}).status_code == 200
        assert client.get("/a", headers={"x-user": "bob"}).status_code == 200
        assert client.get("/a", headers={"x-user": "ann"}).status_code == 429
        for _ in range(3):
            with client.websocket_connect("/ws") as session:
                assert session.receive_text() == "hi"


def test_rate_limiter_in_a_websocket_handler(clock, namespace):
    limiter = RateLimiter(2, 60, clock=clock, namespace=namespace)
    app = AltAPI()

    @app.websocket("/ws")
    async def ws(websocket):
        await websocket.accept()
        while True:
            text = await websocket.receive_text()
            decision = limiter.hit("room")
            await websocket.send_text(f"{text}:{decision.allowed}:{decision.remaining}")

    with TestClient(app).websocket_connect("/ws") as session:
        replies = []
        for word in ("a", "b", "c"):
            session.send_text(word)
            replies.append(session.receive_text())
    assert replies == ["a:True:1", "b:True:0", "c:False:0"]
    limiter.close()


def test_the_middlewares_table_is_closed_at_app_shutdown(clock, namespace, tmp_path):
    options = {"clock": clock, "namespace": namespace, "directory": str(tmp_path)}
    app = AltAPI(middleware=[Middleware(RateLimitMiddleware, limit=3, period=60, **options)])
    app.get("/a")(lambda request: PlainTextResponse("a"))
    with TestClient(app) as client:
        assert client.get("/a").status_code == 200
        assert len(os.listdir(tmp_path)) == 1  # the table, opened by the first request
    assert os.listdir(tmp_path) == []  # closed, and removed by its last user
    assert app.on_shutdown == []  # nothing was added to the app while it served
