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


def _serve_lifespan(app) -> list[str]:
    """Start and stop `app` the way a server does; returns the messages it sent."""
    import anyio

    sent: list[str] = []
    inbox = [{"type": "lifespan.shutdown"}, {"type": "lifespan.startup"}]

    async def receive():
        return inbox.pop()

    async def send(message):
        sent.append(message["type"])

    anyio.run(app, {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send)
    return sent


@pytest.fixture
def gc_tunings(monkeypatch):
    """Records tune_gc() calls instead of freezing the test process."""
    from altapi_core import gctuning

    calls: list[int] = []
    monkeypatch.setattr(gctuning, "_tuned_in", None)
    monkeypatch.setattr(gctuning, "tune_gc", lambda: calls.append(1))
    monkeypatch.delenv(gctuning.TUNING_ENV, raising=False)
    return calls


def test_server_startup_tunes_gc_once_per_process(gc_tunings):
    assert _serve_lifespan(AltAPI()) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    assert gc_tunings == [1]
    _serve_lifespan(AltAPI())  # a second app started in the same process
    assert gc_tunings == [1]


def test_gc_tuning_is_switched_off_by_the_environment(gc_tunings, monkeypatch):
    monkeypatch.setenv("ALTAPI_GC_TUNING", "0")
    _serve_lifespan(AltAPI())
    assert gc_tunings == []


def test_test_client_never_tunes_the_test_process(gc_tunings):
    with TestClient(AltAPI()):
        pass
    assert gc_tunings == []
