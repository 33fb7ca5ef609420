import pytest

from altapi_core import AltAPI, BaseMiddleware, Middleware, PlainTextResponse, Request
from altapi_core.testclient import TestClient


def test_function_middleware_wraps_the_handler_and_shares_request_state():
    app = AltAPI()

    @app.middleware
    async def add_user(request, call_next):
        request.state.user = "ada"
        response = await call_next(request)
        response.headers["X-Seen-By"] = "middleware"
        return response

    @app.get("/")
    async def home(request: Request):
        return PlainTextResponse(request.state.user)

    response = TestClient(app).get("/")
    assert response.text == "ada"
    assert response.headers["x-seen-by"] == "middleware"


def test_function_middleware_with_http_argument_as_in_fastapi():
    app = AltAPI()

    @app.middleware("http")
    async def tag(request, call_next):
        response = await call_next(request)
        response.headers["X-Tag"] = "1"
        return response

    app.get("/")(lambda: PlainTextResponse("x"))
    assert TestClient(app).get("/").headers["x-tag"] == "1"


def test_last_registered_function_middleware_runs_first():
    app = AltAPI()
    order = []

    @app.middleware
    async def first(request, call_next):
        order.append("first")
        return await call_next(request)

    @app.middleware
    async def second(request, call_next):
        order.append("second")
        return await call_next(request)

    app.get("/")(lambda: PlainTextResponse("x"))
    TestClient(app).get("/")
    assert order == ["second", "first"]


def test_function_middleware_can_answer_without_calling_the_handler():
    app = AltAPI()
    called = []

    @app.middleware
    async def gate(request, call_next):
        if "x-key" not in request.headers:
            return PlainTextResponse("denied", status_code=401)
        return await call_next(request)

    @app.get("/")
    async def home(request):
        called.append(True)
        return PlainTextResponse("in")

    client = TestClient(app)
    assert client.get("/").status_code == 401
    assert called == []
    assert client.get("/", headers={"X-Key": "k"}).text == "in"


def test_function_middleware_sees_http_exceptions_as_responses():
    app = AltAPI()
    statuses = []

    @app.middleware
    async def log(request, call_next):
        response = await call_next(request)
        statuses.append(response.status_code)
        return response

    TestClient(app).get("/missing")
    assert statuses == [404]


def test_function_middleware_headers_reach_mounted_apps():
    async def sub_app(scope, receive, send):
        await PlainTextResponse("sub")(scope, receive, send)

    app = AltAPI()
    app.mount("/sub", app=sub_app)

    @app.middleware
    async def tag(request, call_next):
        response = await call_next(request)
        response.headers["X-Tag"] = "added"
        return response

    response = TestClient(app).get("/sub/x")
    assert response.text == "sub"
    assert response.headers["x-tag"] == "added"


class AddHeader(BaseMiddleware):
    def __init__(self, app, name, value):
        super().__init__(app)
        self.header = (name.lower().encode(), value.encode())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], self.header]
            await send(message)

        await self.app(scope, receive, send_with_header)


def test_asgi_middleware_classes_wrap_the_app_first_listed_outermost():
    app = AltAPI(
        middleware=[
            Middleware(AddHeader, name="X-Outer", value="1"),
            Middleware(AddHeader, name="X-Inner", value="2"),
        ]
    )
    app.get("/")(lambda: PlainTextResponse("x"))
    response = TestClient(app).get("/")
    names = [k for k, _ in response.headers.multi_items()]
    assert names.index("x-inner") < names.index("x-outer")


def test_base_middleware_passes_everything_through():
    app = AltAPI(middleware=[Middleware(BaseMiddleware)])
    app.get("/")(lambda: PlainTextResponse("through"))
    with TestClient(app) as client:
        assert client.get("/").text == "through"


def test_exception_escaping_asgi_middleware_is_a_500():
    class Broken(BaseMiddleware):
        async def __call__(self, scope, receive, send):
            if scope["type"] == "http":
                raise RuntimeError("middleware bug")
            await self.app(scope, receive, send)

    app = AltAPI(middleware=[Middleware(Broken)])
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500


def test_middleware_cannot_be_added_after_start():
    app = AltAPI()
    app.get("/")(lambda: PlainTextResponse("x"))
    TestClient(app).get("/")
    with pytest.raises(RuntimeError, match="after the application has started"):
        app.add_middleware(BaseMiddleware)


def test_function_middleware_must_return_a_response():
    app = AltAPI()

    @app.middleware
    async def broken(request, call_next):
        await call_next(request)

    app.get("/")(lambda: PlainTextResponse("x"))
    assert TestClient(app, raise_server_exceptions=False).get("/").status_code == 500
