"""Where a limiter's table lives: the namespace comes from the server that app.run starts."""

from altapi_core.server import SERVER_ID_ENV
from altapi_ratelimit._naming import NAMESPACE_ENV, namespace


def test_the_namespace_is_the_server_id_that_app_run_sets(monkeypatch):
    monkeypatch.delenv(NAMESPACE_ENV, raising=False)
    monkeypatch.setenv(SERVER_ID_ENV, "4242-0123456789ab")
    assert namespace() == ("s4242-0123456789ab", 4242)


def test_an_explicit_namespace_wins_over_the_server_id(monkeypatch):
    monkeypatch.setenv(NAMESPACE_ENV, "shared")
    monkeypatch.setenv(SERVER_ID_ENV, "4242-0123456789ab")
    assert namespace() == ("nshared", 0)
