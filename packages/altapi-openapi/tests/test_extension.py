"""The extension: attached to a core app, its routes, and core importing none of it."""

import ast
from pathlib import Path

import altapi_core
from altapi_core import AltAPI
from altapi_core.testclient import TestClient
from altapi_openapi import OpenAPI


def test_attached_it_serves_the_document_and_its_pages():
    app = AltAPI(extensions=[OpenAPI("Notes", "2.0")])
    assert app.extensions["openapi"].title == "Notes"
    names = {route.name for route in app.router.routes}
    assert {"openapi", "swagger_ui", "redoc", "swagger_ui_asset", "redoc_asset"} <= names
    assert TestClient(app).get("/openapi.json").json()["info"] == {
        "title": "Notes",
        "version": "2.0",
    }


def test_a_core_app_without_it_serves_no_docs():
    client = TestClient(AltAPI())
    assert [client.get(url).status_code for url in ("/openapi.json", "/docs", "/redoc")] == [
        404
    ] * 3


def test_core_does_not_import_it():
    for module in Path(altapi_core.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.startswith("altapi_openapi") for name in names), module
