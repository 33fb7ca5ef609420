"""Serving a WebSocket scope: route it, run the handler, close it properly."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from .exceptions import WebSocketException
from .exchange import Exchange
from .types import Receive, Scope, Send
from .websockets import WebSocket, WebSocketDisconnect, WebSocketState

if TYPE_CHECKING:
    from .app import AltAPI

__all__ = ["route_path", "serve_websocket"]

logger = logging.getLogger("altapi.websocket")


def route_path(scope: Scope) -> str:
    """The path to route on: the ASGI path without the root_path a proxy or mount put in front."""
    path: str = scope["path"]
    root = scope.get("root_path")
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        return path[len(root) :] or "/"
    return path


async def serve_websocket(app: AltAPI, scope: Scope, receive: Receive, send: Send) -> None:
    match = app.router.match_websocket(route_path(scope))
    if match is None:
        # Closing before accept makes the server refuse the handshake with 403.
        await send({"type": "websocket.close", "code": 1000, "reason": ""})
        return
    endpoint, params = match
    scope["path_params"] = params
    websocket = WebSocket(scope, receive, send)
    websocket.max_message_size = app.websocket_max_size
    exchange = Exchange()
    try:
        await endpoint.respond(websocket, params, exchange)
    except WebSocketDisconnect:
        pass
    except WebSocketException as exc:
        if websocket.application_state != WebSocketState.DISCONNECTED:
            await websocket.close(exc.code, exc.reason)
    except Exception as exc:
        exchange.error = exc
        logger.exception("WebSocket handler %r failed", endpoint.name)
        if websocket.application_state != WebSocketState.DISCONNECTED:
            await send({"type": "websocket.close", "code": 1011, "reason": ""})
    else:
        if websocket.application_state != WebSocketState.DISCONNECTED:
            await websocket.close(1000)
    finally:
        pending = exchange.finish(exchange.error)
        if pending is not None:
            await pending
