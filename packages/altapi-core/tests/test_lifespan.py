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
