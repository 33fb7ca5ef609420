"""The meta-package re-exports the very objects of the altapi-* distributions."""

import importlib

import pytest

import altapi
import altapi_core
import altapi_di
from altapi import depends, http, middleware, testing, websocket


def test_top_level_names():
    assert issubclass(altapi.AltAPI, altapi_core.AltAPI)  # with the extensions: test_app.py
    assert altapi.APIRouter is altapi_core.APIRouter


@pytest.mark.parametrize(
    ("module", "name", "origin"),
    [
        (http, "Request", altapi_core.Request),
        (http, "Response", altapi_core.Response),
        (http, "JSONResponse", altapi_core.JSONResponse),
        (http, "HTMLResponse", altapi_core.HTMLResponse),
        (http, "PlainTextResponse", altapi_core.PlainTextResponse),
        (http, "StreamingResponse", altapi_core.StreamingResponse),
        (http, "RedirectResponse", altapi_core.RedirectResponse),
        (http, "HTTPException", altapi_core.HTTPException),
        (websocket, "WebSocket", altapi_core.WebSocket),
        (websocket, "WebSocketState", altapi_core.WebSocketState),
        (websocket, "WebSocketDisconnect", altapi_core.WebSocketDisconnect),
        (depends, "Depends", altapi_di.Depends),
        (middleware, "Middleware", altapi_core.Middleware),
        (middleware, "BaseMiddleware", altapi_core.BaseMiddleware),
    ],
)
def test_reexports_are_the_same_objects(module, name, origin):
    assert getattr(module, name) is origin


def test_file_response_and_test_client_come_from_core():
    from altapi_core.fileresponse import FileResponse
    from altapi_core.testclient import TestClient

    assert http.FileResponse is FileResponse
    assert testing.TestClient is TestClient


@pytest.mark.parametrize(
    "module",
    [
        "altapi.http",
        "altapi.websocket",
        "altapi.depends",
        "altapi.middleware",
        "altapi.testing",
        "altapi.background",
        "altapi.caching",
        "altapi.ratelimit",
        "altapi.templating",
    ],
)
def test_every_public_module_declares_what_it_exports(module):
    imported = importlib.import_module(module)
    for name in imported.__all__:
        assert hasattr(imported, name), f"{module} lists {name} but has no such attribute"
