"""Typed parameters, route options and returned values through a whole app."""

import uuid
from typing import Annotated

import msgspec
import pytest

from altapi_core import AltAPI, APIRouter, Request
from altapi_core.params import Body, Header, Query
from altapi_core.testclient import TestClient
from altapi_core.validation import RequestValidationError
from altapi_di import Depends


class Item(msgspec.Struct):
    name: str
    price: float


def test_query_parameters_with_defaults_are_read_and_validated():
    app = AltAPI()

    @app.get("/items")
    async def items(q: str, limit: int = 10, page: Annotated[int, Query(ge=1)] = 1):
        return {"q": q, "limit": limit, "page": page}

    client = TestClient(app)
    assert client.get("/items?q=a&limit=5").json() == {"q": "a", "limit": 5, "page": 1}
    response = client.get("/items?limit=x&page=0")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"type": "missing", "loc": ["query", "q"], "msg": "Field required", "input": None},
            {
                "type": "int_parsing",
                "loc": ["query", "limit"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "x",
            },
            {
                "type": "greater_than_equal",
                "loc": ["query", "page"],
                "msg": "Input should be greater than or equal to 1",
                "input": "0",
                "ctx": {"ge": 1},
            },
        ]
    }


def test_body_path_and_request_together_in_a_sync_handler():
    app = AltAPI()

    @app.post("/shops/{shop}/items", status_code=201)
    def create(shop: str, item: Item, request: Request, x_trace: str | None = Header(None)):
        return {"shop": shop, "item": item, "method": request.method, "trace": x_trace}

    response = TestClient(app).post(
        "/shops/s1/items", json={"name": "a", "price": 2}, headers={"X-Trace": "t"}
    )
    assert response.status_code == 201
    assert response.json() == {
        "shop": "s1",
        "item": {"name": "a", "price": 2.0},
        "method": "POST",
        "trace": "t",
    }


def test_dependencies_take_typed_parameters_too():
    app = AltAPI()

    def pagination(skip: int = 0, limit: int = Query(100, le=100)):
        return {"skip": skip, "limit": limit}

    @app.get("/")
    async def handler(page=Depends(pagination), q: str | None = None):
        return {"page": page, "q": q}

    client = TestClient(app)
    assert client.get("/?skip=5").json() == {"page": {"skip": 5, "limit": 100}, "q": None}
    errors = client.get("/?limit=500&skip=x").json()["detail"]
    assert [e["loc"] for e in errors] == [["query", "skip"], ["query", "limit"]]


def test_validation_errors_reach_a_custom_handler():
    app = AltAPI()

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request, exc):
        from altapi_core import JSONResponse

        return JSONResponse({"count": len(exc.errors())}, status_code=400)

    @app.get("/")
    async def handler(a: int, b: int):
        return {}

    assert TestClient(app).get("/").json() == {"count": 2}


def test_status_code_204_and_response_model():
    app = AltAPI()

    class Public(msgspec.Struct):
        name: str

    @app.delete("/items/{id}", status_code=204)
    async def remove(id: str):
        return None

    @app.get("/me", response_model=Public)
    async def me():
        return {"name": "ann", "password": "secret"}

    client = TestClient(app)
    response = client.delete("/items/1")
    assert response.status_code == 204 and response.content == b""
    assert client.get("/me").json() == {"name": "ann"}


def test_returned_values_json_can_carry_are_sent():
    app = AltAPI()
    ident = uuid.UUID(int=5)

    @app.get("/")
    async def handler():
        return ident

    assert TestClient(app).get("/").json() == str(ident)


def test_an_unknown_route_option_names_the_option_and_the_route():
    app = AltAPI()
    with pytest.raises(
        TypeError,
        match=r"POST /items: unknown route option 'satus_code' \(did you mean 'status_code'\?\)",
    ):

        @app.post("/items", satus_code=201)
        async def handler():
            return {}


def test_a_body_model_with_form_fields_is_refused_naming_the_route():
    from altapi_core.params import Form

    app = AltAPI()
    with pytest.raises(TypeError, match=r"route POST /items: a JSON body and form fields"):

        @app.post("/items")
        async def handler(item: Item, name: str = Form()):
            return {}


def test_router_tags_join_route_tags():
    router = APIRouter(prefix="/api", tags=["api"])

    @router.get("/x", tags=["x"], summary="X")
    async def x():
        return {}

    app = AltAPI()
    app.include_router(router)
    [route] = [r for r in app.router.routes if r.path == "/api/x"]
    assert route.handler.options.tags == ("api", "x")
    assert route.handler.options.summary == "X"


def test_embedded_body_and_several_bodies():
    app = AltAPI()

    @app.put("/items/{id}")
    async def update(id: str, item: Item, importance: Annotated[int, Body(gt=0)]):
        return {"id": id, "item": item, "importance": importance}

    client = TestClient(app)
    body = {"item": {"name": "a", "price": 1}, "importance": 3}
    assert client.put("/items/9", json=body).json() == {
        "id": "9",
        "item": {"name": "a", "price": 1.0},
        "importance": 3,
    }
    errors = client.put("/items/9", json={"item": {"name": "a", "price": 1}, "importance": 0})
    assert errors.json()["detail"][0]["loc"] == ["body", "importance"]


def test_routes_without_typed_parameters_have_no_binding_layer():
    app = AltAPI()

    @app.get("/plain")
    async def plain(request: Request):
        return {}

    @app.get("/typed")
    async def typed(q: str):
        return {}

    handlers = {r.path: r.handler for r in app.router.routes}
    assert handlers["/plain"].binder is None
    assert handlers["/typed"].binder is not None


def test_untyped_path_parameters_are_converted_to_their_annotation():
    from altapi_core.params import Path

    app = AltAPI()

    @app.get("/items/{item_id}")
    async def item(item_id: int):
        return {"id": item_id}

    @app.get("/pages/{n}")
    async def page(n: Annotated[int, Path(ge=1)]):
        return {"n": n}

    @app.get("/names/{name}")
    async def name(name: str):
        return {"name": name}

    @app.get("/typed/{id:int}")
    async def typed(id: int):
        return {"id": id}

    client = TestClient(app)
    assert client.get("/items/5").json() == {"id": 5}
    response = client.get("/items/abc")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "item_id"]
    assert client.get("/pages/0").json()["detail"][0]["type"] == "greater_than_equal"
    assert client.get("/names/x").json() == {"name": "x"}
    assert client.get("/typed/7").json() == {"id": 7}
    assert client.get("/typed/x").status_code == 404  # the router's converter: no match
    handlers = {r.path: r.handler for r in app.router.routes}
    assert handlers["/names/{name}"].binder is None  # a str path parameter costs nothing
    assert handlers["/typed/{id:int}"].binder is None


def test_path_marker_for_a_name_not_in_the_path_is_an_error():
    from altapi_core.params import Path

    app = AltAPI()
    with pytest.raises(
        TypeError, match=r"route GET /items: item: Path\(\) parameter 'item_id' is not in the path"
    ):

        @app.get("/items")
        async def item(item_id: int = Path()):
            return {}


def test_websocket_routes_read_query_parameters_and_close_1008_when_invalid():
    from altapi_core.websockets import WebSocketDisconnect

    app = AltAPI()

    @app.websocket("/ws/{room}")
    async def chat(websocket, room: str, token: str, limit: int = 5):
        await websocket.accept()
        await websocket.send_json({"room": room, "token": token, "limit": limit})
        await websocket.close()

    client = TestClient(app)
    with client.websocket_connect("/ws/a?token=t&limit=2") as ws:
        assert ws.receive_json() == {"room": "a", "token": "t", "limit": 2}
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect("/ws/a?limit=x") as ws,
    ):
        ws.receive_text()
    assert closed.value.code == 1008


def test_a_websocket_route_cannot_read_a_body():
    app = AltAPI()
    with pytest.raises(TypeError, match=r"route WEBSOCKET /ws: a WebSocket handshake has no body"):

        @app.websocket("/ws")
        async def chat(websocket, item: Item):
            await websocket.accept()


def test_typed_parameters_keep_working_while_a_dependency_is_overridden():
    app = AltAPI()

    def current_user(token: str = Header()):
        return token

    @app.get("/me")
    async def me(page: int, user=Depends(current_user)):
        return {"page": page, "user": user}

    client = TestClient(app)
    assert client.get("/me?page=2", headers={"Token": "t"}).json() == {"page": 2, "user": "t"}
    app.dependency_overrides[current_user] = lambda: "stand-in"
    assert client.get("/me?page=3").json() == {"page": 3, "user": "stand-in"}
    assert client.get("/me?page=x").status_code == 422
    app.dependency_overrides.clear()
    assert client.get("/me?page=1").json()["detail"][0]["loc"] == ["header", "token"]


def test_the_return_annotation_filters_like_a_response_model():
    from altapi_core import JSONResponse

    class Public(msgspec.Struct):
        name: str

    app = AltAPI()

    @app.get("/me")
    async def me() -> Public:
        return {"name": "ann", "password": "secret"}  # type: ignore[return-value]

    @app.get("/raw")
    async def raw() -> JSONResponse:
        return JSONResponse({"password": "kept: a Response is sent as it is"})

    @app.get("/anything")
    async def anything() -> dict:
        return {"a": 1}

    client = TestClient(app)
    assert client.get("/me").json() == {"name": "ann"}
    assert client.get("/raw").json() == {"password": "kept: a Response is sent as it is"}
    assert client.get("/anything").json() == {"a": 1}
