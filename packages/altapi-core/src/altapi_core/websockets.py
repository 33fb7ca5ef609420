"""The WebSocket connection handed to a WebSocket handler."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Mapping
from typing import Any

import ujson

from .connection import HTTPConnection
from .types import Message, Receive, Scope, Send

__all__ = ["WebSocket", "WebSocketDisconnect", "WebSocketState"]


class WebSocketState(enum.Enum):
    CONNECTING = 0
    CONNECTED = 1
    DISCONNECTED = 2


class WebSocketDisconnect(Exception):
    """The peer closed the connection (or went away); `code` says how."""

    def __init__(self, code: int = 1000, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""
        super().__init__(code, self.reason)


class WebSocket(HTTPConnection):
    """`accept`, `send_*`, `receive_*`, `async for message in ws`, `close`."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            raise ValueError("a WebSocket needs a websocket scope")
        self.scope = scope
        self._receive = receive
        self._send = send
        self.client_state = WebSocketState.CONNECTING
        self.application_state = WebSocketState.CONNECTING
        #: A received message larger than this closes the socket with 1009.
        self.max_message_size: int | None = None

    async def receive(self) -> Message:
        if self.client_state == WebSocketState.DISCONNECTED:
            raise RuntimeError("cannot receive: the WebSocket is disconnected")
        message = await self._receive()
        kind = message["type"]
        if kind == "websocket.connect":
            return message
        if kind == "websocket.disconnect":
            self.client_state = WebSocketState.DISCONNECTED
            return message
        self.client_state = WebSocketState.CONNECTED
        limit = self.max_message_size
        if limit is not None:
            data = message.get("text") or message.get("bytes") or b""
            if len(data) > limit:  # characters for text: a lower bound on its bytes
                await self.close(1009, "message too big")
                raise WebSocketDisconnect(1009, "message too big")
        return message

    async def send(self, message: Message) -> None:
        if self.application_state == WebSocketState.DISCONNECTED:
            raise RuntimeError("cannot send: the WebSocket is closed")
        kind = message["type"]
        if kind == "websocket.accept":
            self.application_state = WebSocketState.CONNECTED
        elif kind == "websocket.close" or (
            kind == "websocket.http.response.body" and not message.get("more_body", False)
        ):
            self.application_state = WebSocketState.DISCONNECTED
        await self._send(message)

    async def accept(
        self, subprotocol: str | None = None, headers: Mapping[str, str] | None = None
    ) -> None:
        if self.client_state == WebSocketState.CONNECTING:
            await self.receive()  # websocket.connect
        raw = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()
        ]
        await self.send({"type": "websocket.accept", "subprotocol": subprotocol, "headers": raw})

    def _raise_on_disconnect(self, message: Message) -> None:
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))

    async def receive_text(self) -> str:
        message = await self.receive()
        self._raise_on_disconnect(message)
        text = message.get("text")
        if text is None:
            raise TypeError("expected a text message, got a binary one")
        return text

    async def receive_bytes(self) -> bytes:
        message = await self.receive()
        self._raise_on_disconnect(message)
        data = message.get("bytes")
        if data is None:
            raise TypeError("expected a binary message, got a text one")
        return data

    async def receive_json(self, mode: str = "text") -> Any:
        message = await self.receive()
        self._raise_on_disconnect(message)
        data = message.get("text") if mode == "text" else message.get("bytes")
        if data is None:
            data = message.get("bytes") if mode == "text" else message.get("text")
        if data is None:
            raise TypeError("the message carries no data")
        try:
            return ujson.loads(data)
        except ValueError:
            # 1007: the payload is not what the endpoint accepts (RFC 6455).
            await self.close(1007, "invalid JSON")
            raise WebSocketDisconnect(1007, "invalid JSON") from None

    async def iter_text(self) -> AsyncIterator[str]:
        try:
            while True:
                yield await self.receive_text()
        except WebSocketDisconnect:
            pass

    async def iter_bytes(self) -> AsyncIterator[bytes]:
        try:
            while True:
                yield await self.receive_bytes()
        except WebSocketDisconnect:
            pass

    async def iter_json(self) -> AsyncIterator[Any]:
        try:
            while True:
                yield await self.receive_json()
        except WebSocketDisconnect:
            pass

    async def __aiter__(self) -> AsyncIterator[str | bytes]:
        """Each message's text or bytes, until the client disconnects."""
        while True:
            message = await self.receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            yield text if text is not None else message.get("bytes", b"")

    async def send_text(self, data: str) -> None:
        await self.send({"type": "websocket.send", "text": data})

    async def send_bytes(self, data: bytes) -> None:
        await self.send({"type": "websocket.send", "bytes": data})

    async def send_json(self, data: Any, mode: str = "text") -> None:
        text = ujson.dumps(data, ensure_ascii=False, escape_forward_slashes=False)
        if mode == "text":
            await self.send({"type": "websocket.send", "text": text})
        else:
            await self.send({"type": "websocket.send", "bytes": text.encode("utf-8")})

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.send({"type": "websocket.close", "code": code, "reason": reason})

    async def deny(self, response: Any) -> None:
        """Refuse the handshake: 403 with `response`'s headers and body where the server
        can send a response (ASGI's websocket.http.response extension), else close with
        1008 (policy violation; before accept the server answers 403)."""
        if "websocket.http.response" in (self.scope.get("extensions") or {}):
            start = {"type": "websocket.http.response.start", "status": 403}
            await self.send({**start, "headers": list(response.raw_headers)})
            body = getattr(response, "body", b"")
            await self.send({"type": "websocket.http.response.body", "body": body})
        else:
            await self.close(1008, "refused")
