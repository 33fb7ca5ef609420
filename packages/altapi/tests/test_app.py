"""`altapi.AltAPI`: the core app with the cache, templates and rate-limit extensions."""

import pytest

import altapi_core
from altapi import AltAPI
from altapi.caching import Cache, CacheManager, InMemoryCache
from altapi.http import JSONResponse
from altapi.ratelimit import rate_limit
from altapi.templating import Templates, render_template
from altapi.testing import TestClient


def test_the_contracts_positional_arguments_keep_their_places(tmp_path):
    app = AltAPI(None, str(tmp_path), None, 30, True, 1024)
    assert app.extensions["templates"].directory == str(tmp_path)
    assert app.extensions["cache"].timeout == 30
    assert (app.debug, app.max_body_size) == (True, 1024)


def test_templates_directory_is_where_render_template_looks(tmp_path):
    (tmp_path / "hi.html").write_text("hi {{ who }}")
    app = AltAPI(templates_directory=str(tmp_path))

    @app.get("/")
    async def home():
        return render_template("hi.html", {"who": "ada"})

    assert TestClient(app).get("/").text == "hi ada"


def test_app_cache_keeps_a_response_for_cache_timeout_by_default():
    now = [1000.0]
    app = AltAPI(cache_timeout=10)
    calls = []

    @app.cache("/report")
    async def report():
        calls.append(1)
        return JSONResponse({"n": len(calls)})

    @app.cache("/long", expires=100)
    async def long():
        calls.append(1)
        return JSONResponse({"n": len(calls)})

    CacheManager.init(InMemoryCache(clock=lambda: now[0]))
    try:
        client = TestClient(app)
        assert client.get("/report").json() == {"n": 1}
        assert client.get("/report").headers["x-cache"] == "HIT"
        assert client.get("/long").json() == {"n": 2}
        now[0] += 11
        assert client.get("/report").json() == {"n": 3}
        assert client.get("/long").headers["x-cache"] == "HIT"
        assert client.post("/report").status_code == 405
    finally:
        CacheManager.reset()


def test_an_extension_passed_in_wins_over_the_default_one(tmp_path):
    own = Templates(tmp_path)
    app = AltAPI(templates_directory="elsewhere", extensions=[own])
    assert app.extensions["templates"] is own
    assert isinstance(app.extensions["cache"], Cache)


def test_a_rate_limited_route_attaches_the_rate_limit_extension():
    app = AltAPI()
    assert list(app.extensions) == ["templates", "cache"]

    @app.get("/x")
    @rate_limit(5, 60, namespace="altapi-meta-test")
    async def limited():
        return JSONResponse({})

    with TestClient(app) as client:
        assert client.get("/x").headers["x-ratelimit-remaining"] == "4"
    assert list(app.extensions) == ["templates", "cache", "ratelimit"]


def test_core_app_has_no_cache_method():
    with pytest.raises(AttributeError):
        altapi_core.AltAPI().cache  # noqa: B018  (the method belongs to altapi.AltAPI)
