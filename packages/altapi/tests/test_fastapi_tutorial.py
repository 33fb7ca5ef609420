"""FastAPI's tutorial app with only its imports changed, over TestClient and over uvicorn."""

import sys
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from altapi.testing import TestClient
from altapi_core.testserver import serve_in_thread

sys.path.insert(0, str(Path(__file__).parent))
try:
    from fastapi_tutorial_app import app
finally:
    sys.path.pop(0)


@pytest.fixture(params=["testclient", "uvicorn"])
def client(request):
    if request.param == "testclient":
        with TestClient(app) as test_client:
            yield test_client
    else:
        with serve_in_thread(app) as url, httpx.Client(base_url=url) as http:
            yield http


def test_query_parameters_with_defaults(client):
    assert client.get("/items/?skip=1&limit=1").json() == [{"item_name": "Bar"}]
    assert client.get("/items/").json()[0] == {"item_name": "Foo"}


def test_path_and_query_parameters_converted(client):
    assert client.get("/items/5?q=x&short=yes").json() == {"item_id": 5, "q": "x"}
    response = client.get("/items/foo")
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "type": "int_parsing",
                "loc": ["path", "item_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": "foo",
            }
        ]
    }


def test_query_constraints(client):
    assert client.get("/search/?q=abc").json()["q"] == "abc"
    error = client.get("/search/?q=ab").json()["detail"][0]
    assert error == {
        "type": "string_too_short",
        "loc": ["query", "q"],
        "msg": "String should have at least 3 characters",
        "input": "ab",
        "ctx": {"min_length": 3},
    }


def test_body_model_status_code_and_response_model(client):
    response = client.post("/items/", json={"name": "Foo", "price": 50.5, "tax": 1.5})
    assert response.status_code == 201
    assert response.json() == {"name": "Foo", "price": 50.5}  # tax filtered out
    assert client.post("/items/", json={"name": "taken", "price": 1}).status_code == 409
    response = client.post("/items/", json={"price": "x"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [
        ["body", "name"],
        ["body", "price"],
    ]


def test_path_body_and_query_together(client):
    response = client.put("/items/3?q=z", json={"name": "A", "price": 2})
    assert response.json() == {
        "item_id": 3,
        "name": "A",
        "description": None,
        "price": 2.0,
        "tax": None,
        "q": "z",
    }


def test_header_and_cookie(client):
    response = client.get("/headers/", headers={"User-Agent": "tester", "Cookie": "ads_id=42"})
    assert response.json() == {"User-Agent": "tester", "ads_id": "42"}


def test_form_fields(client):
    assert client.post("/login/", data={"username": "ann", "password": "x"}).json() == {
        "username": "ann"
    }
    errors = client.post("/login/", data={"username": "ann"}).json()["detail"]
    assert errors == [
        {"type": "missing", "loc": ["body", "password"], "msg": "Field required", "input": None}
    ]


def test_uploads(client):
    files = {"file": ("notes.txt", b"hello world", "text/plain")}
    assert client.post("/files/", files=files).json() == {"file_size": 11}
    assert client.post("/uploadfile/", files=files).json() == {
        "filename": "notes.txt",
        "size": 11,
    }


def test_http_bearer(client):
    response = client.get("/users/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert client.get("/users/me", headers={"Authorization": "Bearer abc"}).json() == {
        "scheme": "Bearer",
        "credentials": "abc",
    }


def test_openapi_document_and_docs(client):
    document = client.get("/openapi.json").json()
    validate(document)
    assert document["info"] == {"title": "Tutorial", "version": "0.1.0"}
    assert document["paths"]["/items/"]["post"]["tags"] == ["items"]
    assert "201" in document["paths"]["/items/"]["post"]["responses"]
    assert document["components"]["securitySchemes"] == {
        "HTTPBearer": {"type": "http", "scheme": "bearer"}
    }
    assert client.get("/docs").status_code == 200
