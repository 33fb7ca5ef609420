"""The binding layers (bound.py): the one-body fast path tied to the planned path."""

import msgspec
import pytest

from altapi_core import AltAPI, Request
from altapi_core.app import _sources
from altapi_core.binding import resolve_parameter
from altapi_core.bound import bound_invoker
from altapi_core.endpoints import HTTP_VALUES, Endpoint
from altapi_core.exchange import Exchange
from altapi_core.pipeline import takes_only, values_for
from altapi_core.testclient import TestClient
from altapi_core.validation import RequestValidationError
from altapi_di import Depends, Injector

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


class Item(msgspec.Struct):
    name: str
    price: float = 0.0


async def create(item: Item):
    return {"name": item.name, "price": item.price}


def endpoint_for(handler):
    injector = Injector(_sources(), resolve_parameter=resolve_parameter)
    return Endpoint(handler, injector, route="POST /items")


def make_request(body, content_types):
    headers = [(b"content-type", value.encode()) for value in content_types]
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers}, receive)


@pytest.mark.parametrize(
    "body, content_types",
    [
        (b'{"name": "a", "price": 2}', ["application/json"]),
        (b'{"name": "a"}', ["Application/JSON; charset=utf-8"]),
        (b'{"name": "a"}', []),
        (b'{"name": "a"}', ["text/plain"]),
        (b'{"name": "a"}', ["text/plain", "application/json"]),
        (b'{"name": 1, "price": []}', ["application/json"]),
        (b"{bad", ["application/json"]),
        (b"[]", ["application/json"]),
        (b"", ["application/json"]),
    ],
)
async def test_the_body_only_fast_path_gives_what_the_planned_path_gives(body, content_types):
    endpoint = endpoint_for(create)
    binder, plan = endpoint.binder, endpoint.plan
    assert binder.json_only and takes_only(create, plan, binder.whole_body.key)
    values = values_for(["request"], HTTP_VALUES, {})
    outcomes = []
    for body_only in (True, False):
        call = bound_invoker(create, plan, values, binder, body_only=body_only)
        try:
            outcomes.append(await call(make_request(body, content_types), {}, Exchange()))
        except RequestValidationError as exc:
            outcomes.append(exc.errors())
    assert outcomes[0] == outcomes[1]


def test_only_a_lone_positional_body_model_of_an_async_handler_takes_the_fast_path():
    def sync_handler(item: Item):
        raise AssertionError

    async def keyword_only(*, item: Item):
        raise AssertionError

    async def with_request(item: Item, request: Request):
        raise AssertionError

    async def with_dependency(item: Item, x=Depends(lambda: 1)):
        raise AssertionError

    async def with_query(item: Item, q: str):
        raise AssertionError

    endpoint = endpoint_for(create)
    assert takes_only(create, endpoint.plan, endpoint.binder.whole_body.key)
    for handler in (sync_handler, keyword_only, with_request, with_dependency):
        endpoint = endpoint_for(handler)
        plan, key = endpoint.plan, endpoint.binder.whole_body.key
        assert not (plan.calls_async and takes_only(handler, plan, key)), handler.__name__
    assert not endpoint_for(with_query).binder.json_only


def test_a_body_only_route_reads_its_body_while_a_dependency_is_overridden():
    app = AltAPI()

    def current_user():
        return "real"

    @app.post("/items")
    async def add(item: Item):
        return {"name": item.name}

    client = TestClient(app)
    assert client.post("/items", json={"name": "a"}).json() == {"name": "a"}
    app.dependency_overrides[current_user] = lambda: "stand-in"
    assert client.post("/items", json={"name": "b"}).json() == {"name": "b"}
    invalid = client.post("/items", json={"price": 1})
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["body", "name"]
