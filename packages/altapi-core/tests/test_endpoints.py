"""An Endpoint is built at registration: every mistake in a route is an error then,
naming the route and the parameter (never a silent skip or a failure per request)."""

import threading
from typing import Annotated

import pytest

from altapi_core import (
    AltAPI,
    APIRouter,
    HTTPConnection,
    PlainTextResponse,
    Request,
    WebSocket,
)
from altapi_core.routing import ROUTE_OPTIONS
from altapi_core.testclient import TestClient
from altapi_di import DependencyError, Depends


def require_login(request: Request):
    if "token" not in request.query_params:
        from altapi_core import HTTPException

        raise HTTPException(401, "login")


def test_a_misspelt_route_option_names_the_option_the_route_and_the_options():
    app = AltAPI()
    with pytest.raises(TypeError) as caught:

        @app.post("/items", satus_code=201)
        async def create():
            return PlainTextResponse("made")

    message = str(caught.value)
    assert message.startswith("POST /items: unknown route option 'satus_code'")
    assert all(name in message for name in ROUTE_OPTIONS)


def test_a_misspelt_option_is_caught_on_websocket_and_route_and_router_decorators():
    router = APIRouter()
    with pytest.raises(TypeError, match="WEBSOCKET /ws: unknown route option 'nam'.*'name'"):
        router.websocket("/ws", nam="x")
    with pytest.raises(TypeError, match="GET, POST /x: unknown route option 'dependecies'"):
        AltAPI().route("/x", ["GET", "POST"], dependecies=[])


@pytest.mark.parametrize("item", [require_login, Depends, "require_login"])
def test_a_route_dependency_without_depends_is_an_error_at_registration(item):
    app = AltAPI()
    with pytest.raises(
        TypeError, match=r"route GET /private: private: dependencies\[0\] is .*write"
    ):

        @app.get("/private", dependencies=[item])
        async def private():
            return PlainTextResponse("secret")


def test_app_and_router_dependencies_without_depends_are_errors_naming_the_route():
    app = AltAPI(dependencies=[require_login])

    async def private():
        return PlainTextResponse("secret")

    with pytest.raises(DependencyError, match=r"route GET /private: .*dependencies\[0\]"):
        app.get("/private")(private)
    router = APIRouter(dependencies=[require_login])
    router.get("/inner")(private)
    with pytest.raises(DependencyError, match=r"route GET /api/inner: "):
        AltAPI().include_router(router, prefix="/api")


def test_depends_without_a_dependency_on_a_builtin_names_the_route_and_the_handler():
    app = AltAPI()
    with pytest.raises(DependencyError) as caught:

        @app.get("/x")
        async def handler(x: int = Depends()):
            return PlainTextResponse("x")

    assert "route GET /x: handler: Depends() on parameter 'x'" in str(caught.value)


def test_the_depends_class_not_called_is_an_error_naming_the_route():
    app = AltAPI()
    with pytest.raises(DependencyError, match=r"route GET /me: me: parameter 'user'"):

        @app.get("/me")
        async def me(user=Depends):
            return PlainTextResponse("me")


def test_a_request_dependency_in_a_websocket_route_is_an_error_at_registration():
    app = AltAPI()

    def current_user(request: Request):
        return "ann"

    with pytest.raises(DependencyError) as caught:

        @app.websocket("/ws")
        async def ws(websocket, user=Depends(current_user)):
            await websocket.accept()

    message = str(caught.value)
    assert "route WEBSOCKET /ws: ws -> current_user: parameter 'request'" in message


def test_an_http_connection_dependency_serves_http_and_websocket_routes():
    app = AltAPI()

    def client_host(connection: HTTPConnection):
        return f"{type(connection).__name__}:{connection.url.path}:{connection.client.host}"

    @app.get("/who")
    async def who(host=Depends(client_host)):
        return PlainTextResponse(host)

    @app.websocket("/ws")
    async def ws(websocket: WebSocket, host=Depends(client_host)):
        await websocket.accept()
        await websocket.send_text(host)

    client = TestClient(app)
    assert client.get("/who").text == "Request:/who:testclient"
    with client.websocket_connect("/ws") as session:
        assert session.receive_text() == "WebSocket:/ws:testclient"


def test_annotated_depends_works_with_route_dependencies_and_guards():
    app = AltAPI()
    ran = []

    def audit():
        ran.append("audit")

    def settings():
        return "cfg"

    class Pass:
        def check(self, request):
            return None

    @app.get("/x", dependencies=[Depends(audit)], guards=[Pass()])
    async def handler(conf: Annotated[str, Depends(settings)]):
        return PlainTextResponse(conf)

    assert TestClient(app).get("/x").text == "cfg"
    assert ran == ["audit"]


def test_a_route_dependency_guards_the_route():
    app = AltAPI()

    @app.get("/private", dependencies=[Depends(require_login)])
    async def private():
        return PlainTextResponse("secret")

    client = TestClient(app)
    assert client.get("/private").status_code == 401
    assert client.get("/private?token=1").text == "secret"


def test_a_plain_dependency_of_a_run_in_thread_one_runs_on_the_event_loop():
    """The rule, explicit: `run_in_thread` moves that one dependency (and its cleanup)
    to a worker thread; what depends on it runs where its own Depends says (a plain
    `def` on the event loop), as any other plain `def` dependency does."""
    app = AltAPI()
    where = {}

    def blocking():
        where["blocking"] = threading.get_ident()
        return "conn"

    def repository(conn=Depends(blocking, run_in_thread=True)):
        where["repository"] = threading.get_ident()
        return conn

    @app.get("/x")
    async def handler(repo=Depends(repository)):
        where["handler"] = threading.get_ident()
        return PlainTextResponse(repo)

    assert TestClient(app).get("/x").text == "conn"
    assert where["repository"] == where["handler"] != where["blocking"]


def test_the_message_for_a_bare_function_in_dependencies_shows_the_fix():
    with pytest.raises(TypeError, match=r"write dependencies=\[Depends\(require_login\)\]"):
        AltAPI().get("/p", dependencies=[require_login])(lambda: PlainTextResponse("p"))
