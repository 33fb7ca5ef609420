"""WebSocket connections."""

from altapi_core import WebSocket, WebSocketDisconnect, WebSocketException, WebSocketState

__all__ = ["WebSocket", "WebSocketDisconnect", "WebSocketException", "WebSocketState"]
