"""Requests, responses and HTTP errors."""

from altapi_core import (
    EventSourceResponse,
    HTMLResponse,
    HTTPConnection,
    HTTPException,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Request,
    Response,
    ServerSentEvent,
    StreamingResponse,
    UploadFile,
)
from altapi_core.fileresponse import FileResponse

__all__ = [
    "EventSourceResponse",
    "FileResponse",
    "HTMLResponse",
    "HTTPConnection",
    "HTTPException",
    "JSONResponse",
    "PlainTextResponse",
    "RedirectResponse",
    "Request",
    "Response",
    "ServerSentEvent",
    "StreamingResponse",
    "UploadFile",
]
