"""WebSockets through TestClient (the ASGI messages) and over a real uvicorn server."""

import asyncio

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from altapi_core import AltAPI, WebSocket, WebSocketDisconnect, WebSocketState
from altapi_core.testclient import TestClient, WebSocketDenialResponse
from altapi_core.testserver import serve_in_thread


def echo_app(**options):
    app = AltAPI(**options)

    @app.websocket("/echo")
    async def echo(websocket: WebSocket):
        await websocket.accept()
        async for message in websocket:
            if isinstance(message, str):
                await websocket.send_text(message)
            else:
                await websocket.send_bytes(message)

    @app.websocket("/json")
    async def json_echo(websocket: WebSocket):
        await websocket.accept()
        while True:
            data = await websocket.receive_json()
            await websocket.send_json({"got": data})

    @app.websocket("/rooms/{room}")
    async def room(websocket: WebSocket, room: str):
        await websocket.accept(subprotocol="chat", headers={"x-room": room})
        name = websocket.query_params.get("name", "anon")
        await websocket.send_text(f"{name} joined {room} via {websocket.path}")
        await websocket.close(4000, "bye")

    return app


def test_echo_text_and_bytes():
    with TestClient(echo_app()).websocket_connect("/echo") as ws:
        ws.send_text("hello")
        assert ws.receive_text() == "hello"
        ws.send_bytes(b"\x00\x01")
        assert ws.receive_bytes() == b"\x00\x01"


def test_json_round_trip():
    with TestClient(echo_app()).websocket_connect("/json") as ws:
        ws.send_json({"a": [1, 2]})
        assert ws.receive_json() == {"got": {"a": [1, 2]}}


def test_invalid_json_closes_with_1007():
    with TestClient(echo_app()).websocket_connect("/json") as ws:
        ws.send_text("{not json")
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_text()
    assert info.value.code == 1007


def test_path_params_query_subprotocol_headers_and_close_code():
    client = TestClient(echo_app())
    with client.websocket_connect("/rooms/lobby?name=ann", subprotocols=["chat"]) as ws:
        assert ws.accepted_subprotocol == "chat"
        assert (b"x-room", b"lobby") in ws.extra_headers
        assert ws.receive_text() == "ann joined lobby via /rooms/lobby"
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_text()
    assert (info.value.code, info.value.reason) == (4000, "bye")


def test_unknown_path_is_refused_during_the_handshake():
    with pytest.raises(WebSocketDisconnect), TestClient(echo_app()).websocket_connect("/nope"):
        pass


def test_handler_may_reject_before_accept_or_send_a_denial_response():
    app = AltAPI()

    @app.websocket("/closed")
    async def closed(websocket: WebSocket):
        await websocket.close(1008)

    @app.websocket("/denied")
    async def denied(websocket: WebSocket):
        await websocket.send(
            {
                "type": "websocket.http.response.start",
                "status": 401,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await websocket.send({"type": "websocket.http.response.body", "body": b"who are you?"})

    client = TestClient(app)
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/closed"):
        pass
    assert info.value.code == 1008
    with pytest.raises(WebSocketDenialResponse) as denial, client.websocket_connect("/denied"):
        pass
    assert denial.value.status_code == 401 and denial.value.content == b"who are you?"


def test_client_disconnect_raises_in_the_handler_with_its_code():
    seen = {}
    app = AltAPI()

    @app.websocket("/ws")
    async def ws(websocket: WebSocket):
        await websocket.accept()
        try:
            await websocket.receive_text()
        except WebSocketDisconnect as exc:
            seen["code"] = exc.code
            seen["state"] = websocket.client_state
            raise

    with TestClient(app).websocket_connect("/ws") as session:
        session.close(4001)
    assert seen == {"code": 4001, "state": WebSocketState.DISCONNECTED}


def test_handler_that_returns_closes_with_1000_and_one_that_raises_with_1011():
    app = AltAPI()

    @app.websocket("/done")
    async def done(websocket: WebSocket):
        await websocket.accept()

    @app.websocket("/boom")
    async def boom(websocket: WebSocket):
        await websocket.accept()
        raise RuntimeError("handler bug")

    client = TestClient(app)
    with client.websocket_connect("/done") as ws, pytest.raises(WebSocketDisconnect) as info:
        ws.receive_text()
    assert info.value.code == 1000
    with client.websocket_connect("/boom") as ws, pytest.raises(WebSocketDisconnect) as info:
        ws.receive_text()
    assert info.value.code == 1011


def test_message_over_the_limit_closes_with_1009():
    with TestClient(echo_app(websocket_max_size=10)).websocket_connect("/echo") as ws:
        ws.send_text("short")
        assert ws.receive_text() == "short"
        ws.send_text("x" * 11)
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_text()
    assert info.value.code == 1009


def test_middleware_sees_websocket_scopes():
    from altapi_core import Middleware

    seen = []

    class Recorder:
        def __init__(self, app):
            self.app = app

        async def __call__(self, scope, receive, send):
            seen.append(scope["type"])
            await self.app(scope, receive, send)

    app = echo_app(middleware=[Middleware(Recorder)])
    with TestClient(app).websocket_connect("/echo") as ws:
        ws.send_text("hi")
        assert ws.receive_text() == "hi"
    assert "websocket" in seen


# --- over a real server, with the `websockets` client library ---------------------------


@pytest.fixture(scope="module")
def server():
    with serve_in_thread(echo_app(websocket_max_size=1024)) as base_url:
        yield base_url.replace("http://", "ws://")


def test_real_server_echo_json_binary_and_rooms(server):
    async def main():
        async with websockets.connect(server + "/echo") as ws:
            await ws.send("hello")
            assert await ws.recv() == "hello"
            await ws.send(b"\x01\x02")
            assert await ws.recv() == b"\x01\x02"
        async with websockets.connect(server + "/json") as ws:
            await ws.send('{"n": 1}')
            assert await ws.recv() == '{"got":{"n":1}}'
        async with websockets.connect(server + "/rooms/blue?name=bo", subprotocols=["chat"]) as ws:
            assert ws.subprotocol == "chat"
            assert await ws.recv() == "bo joined blue via /rooms/blue"
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            assert info.value.rcvd.code == 4000

    asyncio.run(main())


def test_real_server_refuses_unknown_path_with_403(server):
    async def main():
        with pytest.raises(InvalidStatus) as info:
            async with websockets.connect(server + "/nope"):
                pass
        assert info.value.response.status_code == 403

    asyncio.run(main())


def test_real_server_closes_oversize_message_with_1009(server):
    async def main():
        async with websockets.connect(server + "/echo", max_size=None) as ws:
            await ws.send("x" * 4096)
            with pytest.raises(ConnectionClosed) as info:
                await ws.recv()
            assert info.value.rcvd.code == 1009

    asyncio.run(main())


def test_real_server_200_concurrent_clients_and_abrupt_disconnects(server):
    async def client(i):
        async with websockets.connect(server + "/echo") as ws:
            for j in range(5):
                await ws.send(f"{i}:{j}")
                assert await ws.recv() == f"{i}:{j}"
        return i

    async def abrupt(i):
        ws = await websockets.connect(server + "/echo")
        await ws.send("bye")
        ws.transport.abort()  # no closing handshake
        return i

    async def main():
        done = await asyncio.gather(*(client(i) for i in range(200)))
        assert sorted(done) == list(range(200))
        await asyncio.gather(*(abrupt(i) for i in range(20)))
        # The server still serves after the abrupt disconnects.
        async with websockets.connect(server + "/echo") as ws:
            await ws.send("still here")
            assert await ws.recv() == "still here"

    asyncio.run(asyncio.wait_for(main(), 60))
