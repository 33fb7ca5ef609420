"""Guards and around-layers: declared on a handler or given as `guards=`, run around it."""

import pytest

from altapi_core import AltAPI, HTTPException, PlainTextResponse, Request
from altapi_core.guards import declare, declared
from altapi_core.testclient import TestClient
from altapi_di import Depends


class Gate:
    """A guard that refuses when ?deny is set and stamps the responses it lets through."""

    def __init__(self, label, asynchronous=False):
        self.label = label
        self.asynchronous = asynchronous
        self.finished = []

    def check(self, request):
        token = f"{self.label}-token"
        if "deny" in request.query_params:
            token = PlainTextResponse(f"denied by {self.label}", status_code=403)
        if self.asynchronous:

            async def later():
                return token

            return later()
        return token

    def finish(self, response, token):
        self.finished.append(token)
        response.headers.append("x-gate", self.label)

    def amend(self, exc, token):
        if isinstance(exc, HTTPException):
            exc.headers = {**(exc.headers or {}), "x-gate": self.label}


class Wrap:
    """An around-layer that records each request and stamps the response."""

    def __init__(self):
        self.seen = []

    async def around(self, request, call_handler):
        self.seen.append(request.url.path)
        response = await call_handler()
        response.headers["x-wrapped"] = "yes"
        return response


def test_around_layer_sees_every_request_and_keeps_the_handlers_parameters():
    app = AltAPI()
    wrap = Wrap()

    def settings():
        return "cfg"

    async def item(item_id: int, conf=Depends(settings)):
        return PlainTextResponse(f"{item_id} {conf}")

    app.get("/items/{item_id:int}", guards=[wrap])(item)
    response = TestClient(app).get("/items/3")
    assert (response.text, response.headers["x-wrapped"], wrap.seen) == (
        "3 cfg",
        "yes",
        ["/items/3"],
    )


@pytest.mark.parametrize("asynchronous", [False, True])
def test_guard_runs_around_the_handler_sync_or_async(asynchronous):
    app = AltAPI()
    gate = Gate("a", asynchronous)

    @app.get("/page", guards=[gate])
    async def page(request: Request):
        return PlainTextResponse("page")

    client = TestClient(app)
    ok = client.get("/page")
    assert (ok.text, ok.headers["x-gate"], gate.finished) == ("page", "a", ["a-token"])
    denied = client.get("/page?deny=1")
    assert (denied.status_code, denied.text) == (403, "denied by a")
    assert gate.finished == ["a-token"]  # not finished: the handler did not run


def test_guard_amends_http_exceptions_and_stacks_outermost_first():
    app = AltAPI()
    inner, outer = Gate("inner"), Gate("outer")

    @app.get("/missing", guards=[outer, inner])
    async def missing():
        raise HTTPException(404, "gone")

    response = TestClient(app).get("/missing")
    assert response.status_code == 404
    assert response.headers.get_list("x-gate") == ["outer"]  # amended by inner, then outer
    assert TestClient(app).get("/missing?deny=1").text == "denied by outer"


def test_a_failing_check_is_not_amended_and_its_error_is_mapped():
    app = AltAPI()

    class Broken(Gate):
        def check(self, request):
            raise HTTPException(400, "bad check")

        def amend(self, exc, token):
            raise AssertionError("amended although the check failed")

    @app.get("/broken", guards=[Broken("broken")])
    async def broken():
        return PlainTextResponse("never")

    assert TestClient(app).get("/broken").status_code == 400


def test_a_guard_with_only_check_is_enough():
    app = AltAPI()

    class OnlyCheck:
        def check(self, request):
            return PlainTextResponse("no", status_code=401) if "deny" in request.query_params else 1

    @app.get("/", guards=[OnlyCheck()])
    def home():
        return PlainTextResponse("home")

    client = TestClient(app)
    assert (client.get("/").text, client.get("/?deny=1").status_code) == ("home", 401)


def test_declared_layers_are_read_by_the_route_decorator_outermost_first():
    app = AltAPI()
    outer, inner = Gate("outer"), Gate("inner")

    def gate(layer):
        def decorate(func):
            declare(func, layer, "@gate")
            return func

        return decorate

    @app.get("/page")
    @gate(outer)
    @gate(inner)
    async def page():
        return PlainTextResponse("page")

    assert declared(page) == (outer, inner)
    response = TestClient(app).get("/page")
    assert response.headers.get_list("x-gate") == ["inner", "outer"]  # inner finishes first


def test_a_decorator_above_the_route_decorator_raises_saying_which_order_works():
    app = AltAPI()

    with pytest.raises(TypeError) as caught:

        def late(func):
            declare(func, Gate("late"), "@late")
            return func

        @late
        @app.get("/page")
        async def page():
            return PlainTextResponse("page")

    message = str(caught.value)
    assert "@late is above the route decorator of GET /page" in message
    assert "under the route decorator" in message


def test_an_object_that_is_neither_guard_nor_around_is_refused():
    async def page():
        return PlainTextResponse("page")

    with pytest.raises(TypeError, match="neither a guard"):
        declare(page, object(), "@odd")


def test_an_around_layer_on_a_websocket_route_is_an_error_at_registration():
    app = AltAPI()
    with pytest.raises(TypeError, match="WEBSOCKET /ws: Wrap .* HTTP routes only"):

        @app.websocket("/ws", guards=[Wrap()])
        async def ws(websocket):
            await websocket.accept()


def test_a_refused_websocket_is_denied_with_403_or_closed_with_1008():
    import anyio

    from altapi_core import WebSocket

    async def deny(extensions):
        sent = []

        async def send(message):
            sent.append(message)

        scope = {"type": "websocket", "path": "/ws", "headers": [], "extensions": extensions}
        refusal = PlainTextResponse("no", status_code=429, headers={"x-why": "limit"})
        await WebSocket(scope, None, send).deny(refusal)
        return sent

    with_response = anyio.run(deny, {"websocket.http.response": {}})
    assert with_response[0]["status"] == 403
    assert (b"x-why", b"limit") in with_response[0]["headers"]
    assert with_response[1] == {"type": "websocket.http.response.body", "body": b"no"}
    assert anyio.run(deny, {}) == [{"type": "websocket.close", "code": 1008, "reason": "refused"}]


def test_a_guard_refusing_a_websocket_route_keeps_the_handler_from_running():
    from altapi_core.testwebsocket import WebSocketDenialResponse

    app = AltAPI()
    ran = []

    @app.websocket("/ws", guards=[Gate("ws")])
    async def ws(websocket):
        ran.append(1)
        await websocket.accept()
        await websocket.send_text("hi")

    client = TestClient(app)
    with client.websocket_connect("/ws") as session:
        assert session.receive_text() == "hi"
    with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect("/ws?deny=1"):
        pass
    assert (refused.value.status_code, refused.value.content, ran) == (403, b"denied by ws", [1])
