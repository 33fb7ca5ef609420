"""Dependency injection through the app: cleanup timing and errors, over TestClient."""

import anyio
import pytest

from altapi_core import (
    AltAPI,
    BackgroundTasks,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    Request,
    StreamingResponse,
    WebSocket,
)
from altapi_core.testclient import TestClient
from altapi_di import Depends


def test_generator_dependency_closed_after_the_response_is_sent():
    events = []
    app = AltAPI()

    def resource():
        events.append("open")
        yield "db"
        events.append("close")

    @app.middleware
    async def record(request, call_next):
        response = await call_next(request)
        events.append("response built")
        return response

    @app.get("/")
    async def home(db=Depends(resource)):
        events.append(f"handler {db}")
        return PlainTextResponse(db)

    assert TestClient(app).get("/").text == "db"
    assert events == ["open", "handler db", "response built", "close"]


def test_generator_dependency_sees_the_handler_exception_and_the_client_gets_500():
    seen = []
    app = AltAPI()

    async def transaction():
        try:
            yield "tx"
        except ZeroDivisionError:
            seen.append("rollback")
            raise
        else:
            seen.append("commit")

    @app.get("/fail")
    async def fail(tx=Depends(transaction)):
        return 1 / 0

    response = TestClient(app, raise_server_exceptions=False).get("/fail")
    assert response.status_code == 500
    assert seen == ["rollback"]


def test_http_exception_from_a_dependency_is_its_response_and_cleanup_runs():
    closed = []
    app = AltAPI()

    def session():
        try:
            yield "s"
        finally:
            closed.append(True)

    def current_user(request: Request, s=Depends(session)):
        if request.headers.get("authorization") != "Bearer good":
            raise HTTPException(401, "not signed in", headers={"WWW-Authenticate": "Bearer"})
        return "alice"

    @app.get("/me")
    async def me(user=Depends(current_user)):
        return JSONResponse({"user": user})

    client = TestClient(app)
    refused = client.get("/me")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "not signed in"}
    assert refused.headers["www-authenticate"] == "Bearer"
    assert client.get("/me", headers={"Authorization": "Bearer good"}).json() == {"user": "alice"}
    assert closed == [True, True]


def test_streaming_response_closes_dependencies_after_the_stream_ends():
    events = []
    app = AltAPI()

    def resource():
        yield "r"
        events.append("closed")

    @app.get("/stream")
    async def stream(r=Depends(resource)):
        async def body():
            for i in range(3):
                events.append(f"chunk {i}")
                yield f"{i}"

        return StreamingResponse(body())

    assert TestClient(app).get("/stream").text == "012"
    assert events == ["chunk 0", "chunk 1", "chunk 2", "closed"]


def test_background_task_runs_before_dependencies_close_and_can_use_them():
    events = []
    app = AltAPI()

    def connection():
        conn = {"open": True}
        yield conn
        conn["open"] = False
        events.append("closed")

    def audit(conn):
        events.append(f"audit open={conn['open']}")

    @app.post("/orders")
    async def order(tasks: BackgroundTasks, conn=Depends(connection)):
        tasks.add_task(audit, conn)
        return PlainTextResponse("ok")

    assert TestClient(app).post("/orders").text == "ok"
    assert events == ["audit open=True", "closed"]


def test_dependency_overrides_replace_a_dependency_for_tests():
    app = AltAPI()

    def real_db():
        raise AssertionError("the real database is not used in tests")

    @app.get("/")
    async def home(db=Depends(real_db)):
        return PlainTextResponse(db)

    app.dependency_overrides[real_db] = lambda: "fake"
    assert TestClient(app).get("/").text == "fake"


def test_app_scoped_dependency_lives_from_startup_to_shutdown():
    events = []
    app = AltAPI()

    async def pool():
        events.append("pool open")
        yield "pool"
        events.append("pool closed")

    @app.get("/")
    async def home(p=Depends(pool, scope="app")):
        return PlainTextResponse(p)

    with TestClient(app) as client:
        assert events == ["pool open"]
        assert client.get("/").text == "pool"
        assert client.get("/").text == "pool"
    assert events == ["pool open", "pool closed"]


def test_path_params_reach_dependencies_by_name():
    app = AltAPI()

    def item(item_id: int):
        return {"id": item_id, "name": f"item-{item_id}"}

    @app.get("/items/{item_id:int}")
    async def read(it=Depends(item)):
        return JSONResponse(it)

    assert TestClient(app).get("/items/7").json() == {"id": 7, "name": "item-7"}


def test_websocket_handler_dependencies_close_when_the_socket_closes():
    events = []
    app = AltAPI()

    async def room():
        events.append("join")
        yield "lobby"
        events.append("leave")

    @app.websocket("/ws")
    async def ws(websocket: WebSocket, name=Depends(room)):
        await websocket.accept()
        await websocket.send_text(name)
        await websocket.receive_text()

    with TestClient(app).websocket_connect("/ws") as session:
        assert session.receive_text() == "lobby"
        assert events == ["join"]
        session.send_text("bye")
    assert events == ["join", "leave"]


@pytest.mark.anyio
async def test_client_disconnect_mid_stream_still_closes_dependencies():
    events = []
    app = AltAPI()

    def resource():
        yield "r"
        events.append("closed")

    @app.get("/forever")
    async def forever(r=Depends(resource)):
        async def body():
            while True:
                yield "x"
                events.append("chunk")

        return StreamingResponse(body())

    sent = []
    received = []

    async def receive():
        received.append(True)
        if len(received) == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/forever",
        "raw_path": b"/forever",
        "query_string": b"",
        "headers": [],
        "root_path": "",
        "scheme": "http",
        "server": ("t", 80),
        "client": ("c", 1),
        "http_version": "1.1",
        "asgi": {"version": "3.0"},
    }
    with anyio.fail_after(10):
        await app(scope, receive, send)
    assert events[-1] == "closed"


def test_override_that_needs_the_request_on_a_route_that_did_not():
    app = AltAPI()

    def real():
        return "real"

    @app.get("/")
    async def home(value=Depends(real)):
        return PlainTextResponse(value)

    def fake(request: Request):
        return f"fake for {request.url.path}"

    app.dependency_overrides[real] = fake
    assert TestClient(app).get("/").text == "fake for /"
