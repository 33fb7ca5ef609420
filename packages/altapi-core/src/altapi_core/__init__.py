"""altapi-core: the AltAPI ASGI application and everything a request touches."""

from .__about__ import __version__
from .app import AltAPI
from .background import BackgroundTask, BackgroundTasks
from .connection import HTTPConnection
from .datastructures import URL, Address, Headers, MutableHeaders, QueryParams, State
from .exceptions import HTTPException, WebSocketException
from .extensions import Extension
from .middleware import BaseMiddleware, Middleware
from .requests import ClientDisconnect, Request
from .responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from .routing import APIRouter
from .sse import EventSourceResponse, ServerSentEvent
from .uploads import FormData, UploadFile
from .websockets import WebSocket, WebSocketDisconnect, WebSocketState

__all__ = [
    "URL",
    "APIRouter",
    "Address",
    "AltAPI",
    "BackgroundTask",
    "BackgroundTasks",
    "BaseMiddleware",
    "ClientDisconnect",
    "FormData",
    "HTMLResponse",
    "HTTPConnection",
    "HTTPException",
    "EventSourceResponse",
    "Extension",
    "Headers",
    "JSONResponse",
    "Middleware",
    "MutableHeaders",
    "PlainTextResponse",
    "QueryParams",
    "RedirectResponse",
    "Request",
    "Response",
    "ServerSentEvent",
    "State",
    "StreamingResponse",
    "UploadFile",
    "WebSocket",
    "WebSocketDisconnect",
    "WebSocketException",
    "WebSocketState",
    "__version__",
]
