from contextlib import asynccontextmanager

import pytest

from altapi_core import AltAPI, PlainTextResponse, Request
from altapi_core.testclient import TestClient


def test_startup_and_shutdown_hooks_run_once_each():
    events = []
    app = AltAPI(on_startup=[lambda: events.append("startup")])

    @app.on_event("shutdown")
    async def bye():
        events.append("shutdown")

    with TestClient(app):
        assert events == ["startup"]
    assert events == ["startup", "shutdown"]


def test_startup_builds_the_route_table_before_the_first_request():
    app = AltAPI()

    @app.get("/items/{item_id:int}")
    async def item(item_id: int):
        return PlainTextResponse(str(item_id))

    with TestClient(app) as client:
        assert "match" in vars(app.router)  # prepared: no request has been made yet
        assert client.get("/items/5").text == "5"


def test_lifespan_context_state_reaches_requests():
    @asynccontextmanager
    async def lifespan(app):
        app.state.ready = True
        yield {"db": "connection"}

    app = AltAPI(lifespan=lifespan)

    @app.get("/")
    async def home(request: Request):
        return PlainTextResponse(f"{request.state.db} {request.app.state.ready}")

    with TestClient(app) as client:
        assert client.get("/").text == "connection True"


def test_lifespan_exit_code_runs_at_shutdown():
    events = []

    async def lifespan(app):
        events.append("enter")
        yield
        events.append("exit")

    with TestClient(AltAPI(lifespan=lifespan)):
        assert events == ["enter"]
    assert events == ["enter", "exit"]


def test_failing_startup_is_reported():
    async def broken():
        raise RuntimeError("no database")

    app = AltAPI(on_startup=[broken])
    with pytest.raises(RuntimeError, match="no database"), TestClient(app):
        pass


def test_unknown_event_name_is_refused():
    with pytest.raises(ValueError, match="startup"):
        AltAPI().add_event_handler("boot", lambda: None)
