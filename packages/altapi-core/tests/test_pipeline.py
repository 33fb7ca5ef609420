"""The pipeline's layers, one at a time, and the fast path tied to the general one."""

import pytest

from altapi_core import HTTPException, JSONResponse, PlainTextResponse, Request, Response
from altapi_core.app import _sources
from altapi_core.endpoints import HTTP_VALUES, Endpoint
from altapi_core.errors import ErrorHandlers
from altapi_core.exchange import Exchange
from altapi_core.pipeline import (
    as_response,
    guarded,
    invoker,
    invoker_with_arounds,
    respond,
    takes_only,
    values_for,
)
from altapi_di import Depends, Injector

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def make_request(path="/"):
    return Request({"type": "http", "method": "GET", "path": path, "headers": []})


def injector():
    return Injector(_sources())


async def page_async(request):
    return PlainTextResponse(f"async {request.url.path}")


def page_sync(request):
    return PlainTextResponse(f"sync {request.url.path}")


@pytest.mark.parametrize("handler", [page_async, page_sync])
async def test_the_connection_only_fast_path_gives_what_the_planned_path_gives(handler):
    plan = injector().plan(handler, provides=HTTP_VALUES.keys())
    assert takes_only(handler, plan, "request")
    values = values_for(plan.needs, HTTP_VALUES, {})
    fast = invoker(handler, plan, values, connection_only=True)
    general = invoker(handler, plan, values, connection_only=False)
    request = make_request("/p")
    results = [await call(request, {}, Exchange()) for call in (fast, general)]
    assert [r.body for r in results] == [results[0].body] * 2
    assert results[0].body.decode().endswith(" /p")


def test_only_a_lone_positional_connection_takes_the_fast_path():
    def keyword_only(*, request):
        raise AssertionError

    def with_dependency(request, x=Depends(lambda: 1)):
        raise AssertionError

    def two(request, other: Request):
        raise AssertionError

    for handler in (keyword_only, with_dependency, two):
        plan = injector().plan(handler, provides=HTTP_VALUES.keys())
        assert not takes_only(handler, plan, "request"), handler.__name__


async def test_values_are_made_only_for_what_the_plan_needs_unless_overrides_are_set():
    overrides = {}
    request, exchange = make_request(), Exchange()
    assert values_for((), HTTP_VALUES, overrides)(request, exchange) == {}
    assert values_for({"request"}, HTTP_VALUES, overrides)(request, exchange) == {
        "request": request
    }
    both = values_for({"connection", "background"}, HTTP_VALUES, overrides)(request, exchange)
    assert both == {"connection": request, "background": exchange.tasks}
    overrides["x"] = "y"  # an override may ask for anything the route can provide
    assert set(values_for((), HTTP_VALUES, overrides)(request, exchange)) == set(HTTP_VALUES)


async def test_respond_turns_results_into_responses_and_errors_into_their_responses():
    errors = ErrorHandlers()

    async def gives(result):
        async def inner(request, params, exchange):
            if isinstance(result, Exception):
                raise result
            return result

        exchange = Exchange()
        response = await respond(inner, "h", errors)(make_request(), {}, exchange)
        return response, exchange.error

    response, error = await gives({"a": 1})
    assert isinstance(response, JSONResponse) and error is None
    response, error = await gives(HTTPException(418, "teapot"))
    assert response.status_code == 418 and isinstance(error, HTTPException)
    response, error = await gives(3)  # any value JSON can carry is sent as JSON
    assert response.body == b"3"
    with pytest.raises(TypeError, match="handler 'h' returned object"):
        await gives(object())


def test_as_response_passes_responses_and_names_the_handler_otherwise():
    response = Response(b"x")
    assert as_response(response, "h") is response
    assert as_response("text", "h").body == b'"text"'
    with pytest.raises(TypeError, match="handler 'h' returned object"):
        as_response(object(), "h")


async def test_a_guard_layer_answers_first_or_finishes_the_response():
    class Gate:
        def check(self, request):
            return Response(b"no", 403) if request.url.path == "/deny" else "token"

        def finish(self, response, token):
            response.headers["x-token"] = token

    async def inner(request, params, exchange):
        return {"ok": True}

    layer = guarded(Gate(), inner, "h")
    allowed = await layer(make_request(), {}, Exchange())
    denied = await layer(make_request("/deny"), {}, Exchange())
    assert (allowed.headers["x-token"], denied.status_code) == ("token", 403)


async def test_around_layers_run_after_the_arguments_are_bound_outermost_first():
    calls = []

    class Once:
        def __init__(self, name):
            self.name = name
            self.saved = None

        async def around(self, request, call_handler):
            calls.append(self.name)
            if self.saved is None:
                self.saved = await call_handler()
            return self.saved

    def dependency():
        calls.append("dependency")
        return 1

    async def handler(n=Depends(dependency)):
        calls.append("handler")
        return {"n": n}

    plan = injector().plan(handler, provides=HTTP_VALUES.keys())
    values = values_for(plan.needs, HTTP_VALUES, {})
    layer = invoker_with_arounds(handler, plan, values, [Once("outer"), Once("inner")], "h")
    first = await layer(make_request(), {}, Exchange())
    second = await layer(make_request(), {}, Exchange())
    assert first is second and first.body == b'{"n":1}'
    assert calls == ["dependency", "outer", "inner", "handler", "dependency", "outer"]


async def test_an_endpoint_chains_the_layers_outermost_first():
    order = []

    class Layer:
        def __init__(self, name):
            self.name = name

        def check(self, request):
            order.append(self.name)

    async def handler():
        order.append("handler")
        return {"done": True}

    endpoint = Endpoint(handler, injector(), route="GET /", guards=[Layer("outer"), Layer("inner")])
    response = await endpoint.respond(make_request(), {}, Exchange())
    assert (response.status_code, order) == (200, ["outer", "inner", "handler"])
