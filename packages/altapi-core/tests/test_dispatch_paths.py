"""The dispatcher's two ways to an answer give the same answers.

Without function middleware a request's answer is found before its Request is
built, and the framework's own 404 is one shared response; with function
middleware the chain's end finds it, after the Request (dispatch.py). A
pass-through middleware must change nothing a client can see.
"""

import asyncio

import pytest

from altapi_core import AltAPI, HTTPException, JSONResponse, PlainTextResponse, Request
from altapi_core.middleware import CORSMiddleware, Middleware


def make_app(*, function_middleware: bool, **options) -> AltAPI:
    app = AltAPI(**options)

    @app.get("/")
    async def home(request):
        return JSONResponse({"home": True})

    @app.get("/files/{name}")
    async def file(name: str):
        return PlainTextResponse(name)

    @app.post("/items/")
    async def create(request):
        return PlainTextResponse("created", status_code=201)

    inner = AltAPI()

    @inner.get("/ping")
    async def ping(request):
        return PlainTextResponse("pong")

    @inner.get("/echo/{name}")
    async def echo(name: str):
        return PlainTextResponse(name)

    app.mount("/sub", inner)
    if function_middleware:

        @app.middleware("http")
        async def pass_through(request, call_next):
            return await call_next(request)

    return app


def exchange(app, method: str, path: str, query: bytes = b"", raw_path: bytes | None = None):
    """Status, headers (as lists of pairs) and body of one request, sent straight."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": raw_path if raw_path is not None else path.encode(),
        "root_path": "",
        "query_string": query,
        "headers": [(b"host", b"test"), (b"origin", b"http://example.org")],
        "client": ("127.0.0.1", 5000),
        "server": ("test", 80),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start, body = sent[0], sent[1]
    return start["status"], [list(pair) for pair in start["headers"]], body.get("body", b"")


REQUESTS = [
    ("GET", "/", b"", None),  # a route
    ("HEAD", "/", b"", None),  # HEAD as GET
    ("GET", "/missing", b"", None),  # 404
    ("HEAD", "/missing", b"", None),  # 404 without its body
    ("POST", "/", b"", None),  # 405
    ("OPTIONS", "/", b"", None),  # 204 with Allow
    ("GET", "/items", b"a=1", None),  # redirect to the slash, with the query
    ("GET", "/sub/ping", b"", None),  # a mounted app
    ("GET", "/files/a%2Fb", b"", b"/files/a%2Fb"),  # an encoded slash: a route
    ("POST", "/files/a%2Fb", b"", b"/files/a%2Fb"),  # ... 405
    ("GET", "/nofiles/a%2Fb", b"", b"/nofiles/a%2Fb"),  # ... 404
    ("GET", "/sub/echo/a/b", b"", b"/sub/echo/a%2Fb"),  # ... a mounted app's route
]


@pytest.mark.parametrize(("method", "path", "query", "raw_path"), REQUESTS)
def test_function_middleware_changes_no_answer(method, path, query, raw_path):
    direct = make_app(function_middleware=False)
    chained = make_app(function_middleware=True)
    assert direct._stack is None  # built at the first request
    first = exchange(direct, method, path, query, raw_path)
    assert first == exchange(chained, method, path, query, raw_path)
    assert first == exchange(direct, method, path, query, raw_path)  # the shared 404 too
    assert not direct._dispatcher.has_function_middleware
    assert chained._dispatcher.has_function_middleware


@pytest.mark.parametrize("function_middleware", [False, True])
def test_error_handlers_answer_misses_either_way(function_middleware):
    app = make_app(function_middleware=function_middleware)
    assert exchange(app, "GET", "/missing")[0] == 404  # the framework's own, first

    @app.exception_handler(404)
    async def not_found(request: Request, exc: HTTPException):
        return PlainTextResponse(f"no {request.path}", status_code=404)

    @app.exception_handler(405)
    async def not_allowed(request: Request, exc: HTTPException):
        return PlainTextResponse(exc.headers["Allow"], status_code=405)

    assert exchange(app, "GET", "/missing")[2] == b"no /missing"
    assert exchange(app, "POST", "/")[2] == b"GET, HEAD, OPTIONS"


def test_the_framework_404_is_made_once_and_cannot_be_changed():
    app = make_app(function_middleware=False)
    exchange(app, "GET", "/")  # builds the dispatcher
    scope = {"type": "http", "method": "GET", "path": "/missing", "raw_path": b"/missing"}
    first = app._dispatcher.find(dict(scope))
    assert first is app._dispatcher.find(dict(scope))
    assert isinstance(first.raw_headers, tuple)


def test_with_function_middleware_each_answer_is_its_own():
    app = make_app(function_middleware=True)
    exchange(app, "GET", "/")
    scope = {"type": "http", "method": "GET", "path": "/missing", "raw_path": b"/missing"}
    first = app._dispatcher.find(dict(scope))
    second = app._dispatcher.find(dict(scope))
    assert first is not second and first.raw_headers is not second.raw_headers
    first.headers["x-mine"] = "1"  # a middleware may change the response it is given
    assert "x-mine" not in second.headers


def test_asgi_middleware_adds_to_the_shared_404_without_keeping_it():
    app = make_app(
        function_middleware=False,
        middleware=[Middleware(CORSMiddleware, allow_origins=["http://example.org"])],
    )
    for _ in range(3):
        status, headers, _ = exchange(app, "GET", "/missing")
        assert status == 404
        names = [name for name, _ in headers]
        assert names.count(b"access-control-allow-origin") == 1


@pytest.mark.parametrize("function_middleware", [False, True])
def test_a_path_no_location_can_hold_is_not_redirected(function_middleware):
    app = make_app(function_middleware=function_middleware)

    @app.get("/notes/{title}/")
    async def note(title: str):
        return PlainTextResponse(title)

    assert exchange(app, "GET", "/notes/a b")[0] == 307  # quoted in the Location
    status, headers, _ = exchange(app, "GET", "/notes/a\r\nSet-Cookie: x=1")
    assert status == 404
    assert [b"set-cookie", b"x=1"] not in headers


def test_a_mounted_app_gets_an_encoded_slash_inside_its_segment():
    app = make_app(function_middleware=False)
    status, _, body = exchange(app, "GET", "/sub/echo/a/b", raw_path=b"/sub/echo/a%2Fb")
    assert (status, body) == (200, b"a/b")
