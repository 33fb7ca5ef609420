"""The OpenAPI document built from routes: valid 3.1, and saying what each route declared."""

from typing import Annotated

import msgspec
import pydantic
import pytest
from openapi_spec_validator import validate

from altapi_core import AltAPI, APIRouter
from altapi_core.params import Body, Cookie, File, Form, Header, Query
from altapi_core.security import APIKeyHeader, HTTPBearer, OAuth2PasswordBearer, Security
from altapi_core.testclient import TestClient
from altapi_core.uploads import UploadFile
from altapi_di import Depends
from altapi_openapi import OpenAPI


def make_app(title="AltAPI", version="0.1.0", description="", **settings):
    """A core app with the OpenAPI extension (what altapi.AltAPI attaches by itself)."""
    return AltAPI(extensions=[OpenAPI(title, version, description, **settings)])


class Item(msgspec.Struct):
    name: str
    price: float


class User(pydantic.BaseModel):
    name: str
    age: int


def document_of(app):
    document = app.extensions["openapi"].document(app)
    validate(document)
    return document


def test_an_app_with_no_routes_has_a_valid_document_with_its_title():
    app = make_app(title="Notes", version="1.2.3", description="All the notes")
    assert document_of(app) == {
        "openapi": "3.1.0",
        "info": {"title": "Notes", "version": "1.2.3", "description": "All the notes"},
        "paths": {},
    }


def test_parameters_of_every_source_with_constraints_and_descriptions():
    app = make_app()

    @app.get("/items/{item_id:int}")
    async def read_item(
        item_id: int,
        q: Annotated[str | None, Query(max_length=5, description="search")] = None,
        page: int = Query(1, ge=1),
        x_token: str = Header(),
        session: str | None = Cookie(None),
    ):
        return {}

    operation = document_of(app)["paths"]["/items/{item_id}"]["get"]
    assert operation["operationId"] == "read_item_items__item_id__get"
    assert operation["summary"] == "Read Item"
    by_name = {p["name"]: p for p in operation["parameters"]}
    assert by_name["item_id"] == {
        "name": "item_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    assert by_name["q"]["description"] == "search" and by_name["q"]["required"] is False
    assert by_name["page"]["schema"] == {"type": "integer", "minimum": 1, "default": 1}
    assert by_name["x-token"]["in"] == "header" and by_name["x-token"]["required"] is True
    assert by_name["session"]["in"] == "cookie"
    assert operation["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/HTTPValidationError"
    }


def test_json_bodies_msgspec_and_pydantic_models_in_components():
    app = make_app()

    @app.post("/items", status_code=201, response_model=Item)
    async def create(item: Item):
        return item

    @app.post("/users")
    async def add_user(user: User, notify: Annotated[bool, Body()] = False) -> User:
        return user

    document = document_of(app)
    create_op = document["paths"]["/items"]["post"]
    assert create_op["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
        "required": True,
    }
    assert create_op["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"
    }
    user_body = document["paths"]["/users"]["post"]["requestBody"]["content"]["application/json"]
    assert user_body["schema"]["properties"]["user"] == {"$ref": "#/components/schemas/User"}
    assert user_body["schema"]["required"] == ["user"]
    assert set(document["components"]["schemas"]) >= {"Item", "User", "HTTPValidationError"}


def test_forms_and_uploads_are_multipart():
    app = make_app()

    @app.post("/upload")
    async def upload(file: UploadFile, raw: bytes = File(), note: str = Form("")):
        return {}

    @app.post("/login")
    async def login(username: str = Form(), password: str = Form()):
        return {}

    paths = document_of(app)["paths"]
    multipart = paths["/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert multipart["schema"]["properties"]["file"] == {"type": "string", "format": "binary"}
    assert multipart["schema"]["properties"]["raw"] == {"type": "string", "format": "binary"}
    assert multipart["schema"]["required"] == ["file", "raw"]
    form = paths["/login"]["post"]["requestBody"]["content"]
    assert list(form) == ["application/x-www-form-urlencoded"]


def test_route_options_tags_summary_description_deprecated_responses():
    app = make_app(openapi_tags=[{"name": "items", "description": "Things"}])
    router = APIRouter(prefix="/v1", tags=["items"])

    @router.delete(
        "/items/{id}",
        status_code=204,
        summary="Remove",
        description="Gone for good",
        deprecated=True,
        operation_id="removeItem",
        responses={404: {"description": "No such item", "model": Item}},
    )
    async def remove(id: str):
        return None

    @router.get("/hidden", include_in_schema=False)
    async def hidden():
        return {}

    app.include_router(router)
    document = document_of(app)
    operation = document["paths"]["/v1/items/{id}"]["delete"]
    assert operation["tags"] == ["items"]
    assert (operation["summary"], operation["description"]) == ("Remove", "Gone for good")
    assert operation["deprecated"] is True and operation["operationId"] == "removeItem"
    assert operation["responses"]["204"] == {"description": "Successful Response"}
    assert operation["responses"]["404"]["description"] == "No such item"
    assert "422" not in operation["responses"]  # nothing to validate
    assert "/v1/hidden" not in document["paths"]
    assert document["tags"] == [{"name": "items", "description": "Things"}]


def test_docstring_is_the_description_and_handler_names_make_summaries():
    app = make_app()

    @app.get("/")
    async def list_all_notes():
        """Every note, newest first."""
        return []

    operation = document_of(app)["paths"]["/"]["get"]
    assert operation["summary"] == "List All Notes"
    assert operation["description"] == "Every note, newest first."


def test_security_schemes_from_dependencies():
    app = make_app()
    bearer = HTTPBearer(bearerFormat="JWT")
    oauth = OAuth2PasswordBearer(tokenUrl="token", scopes={"read": "Read"})

    def current_user(token=Depends(oauth)):
        return token

    @app.get("/me")
    async def me(user=Depends(current_user), key=Depends(APIKeyHeader(name="X-Key"))):
        return {}

    @app.get("/admin")
    async def admin(credentials=Depends(bearer), token=Security(oauth, scopes=["read"])):
        return {}

    document = document_of(app)
    assert document["components"]["securitySchemes"] == {
        "OAuth2PasswordBearer": {
            "type": "oauth2",
            "flows": {"password": {"scopes": {"read": "Read"}, "tokenUrl": "token"}},
        },
        "APIKeyHeader": {"type": "apiKey", "in": "header", "name": "X-Key"},
        "HTTPBearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    }
    assert document["paths"]["/me"]["get"]["security"] == [
        {"OAuth2PasswordBearer": []},
        {"APIKeyHeader": []},
    ]
    assert document["paths"]["/admin"]["get"]["security"] == [
        {"HTTPBearer": []},
        {"OAuth2PasswordBearer": ["read"]},
    ]


def test_document_is_built_once_and_served_as_json():
    app = make_app()

    @app.get("/")
    async def root(q: int = 0):
        return {}

    assert app.extensions["openapi"].document(app) is app.extensions["openapi"].document(app)
    client = TestClient(app)
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == app.extensions["openapi"].document(app)
    assert "/openapi.json" not in response.json()["paths"]


@pytest.mark.parametrize("off", ["openapi_url", "docs_url", "redoc_url"])
def test_none_turns_a_url_off(off):
    app = make_app(**{off: None})
    client = TestClient(app)
    urls = {"openapi_url": "/openapi.json", "docs_url": "/docs", "redoc_url": "/redoc"}
    for name, url in urls.items():
        expected = 404 if name == off or (off == "openapi_url") else 200
        assert client.get(url).status_code == expected, url
