"""SessionMiddleware: `request.session`, a dict kept in a signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any, Literal

import ujson

from ..connection import _parse_cookies
from ..datastructures import Headers, MutableHeaders
from ..responses import Response
from ..types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["SessionMiddleware"]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class _Signer:
    """`payload.timestamp.signature`, HMAC-SHA256 over the first two parts."""

    def __init__(self, secret_key: str | bytes) -> None:
        key = secret_key.encode() if isinstance(secret_key, str) else secret_key
        if not key:
            raise ValueError("SessionMiddleware needs a non-empty secret_key")
        self.key = hashlib.sha256(b"altapi.session" + key).digest()

    def _mac(self, message: str) -> str:
        return _b64(hmac.new(self.key, message.encode("ascii"), hashlib.sha256).digest())

    def sign(self, data: dict[str, Any]) -> str:
        message = f"{_b64(ujson.dumps(data).encode())}.{int(time.time())}"
        return f"{message}.{self._mac(message)}"

    def unsign(self, value: str, max_age: int | None) -> dict[str, Any] | None:
        """The session, or None when the cookie was tampered with, is malformed or expired."""
        try:
            payload, stamp, mac = value.split(".")
            if not hmac.compare_digest(mac, self._mac(f"{payload}.{stamp}")):
                return None
            if max_age is not None and time.time() - int(stamp) > max_age:
                return None
            data = ujson.loads(_unb64(payload))
        except (ValueError, TypeError):
            return None
        return data if isinstance(data, dict) else None


class SessionMiddleware:
    """Loads `scope["session"]` from the cookie and writes it back after the handler.

    A tampered, malformed or expired cookie gives an empty session, never an error.
    An emptied session deletes the cookie.
    """

    def __init__(
        self,
        app: ASGIApp,
        secret_key: str | bytes,
        session_cookie: str = "session",
        max_age: int | None = 14 * 24 * 60 * 60,
        path: str = "/",
        same_site: Literal["lax", "strict", "none"] = "lax",
        https_only: bool = False,
        domain: str | None = None,
    ) -> None:
        self.app = app
        self.signer = _Signer(secret_key)
        self.cookie = session_cookie
        self.max_age = max_age
        self.path = path
        self.same_site = same_site
        self.https_only = https_only
        self.domain = domain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = Headers(raw=scope["headers"]).get("cookie")
        raw = _parse_cookies(header).get(self.cookie) if header else None
        loaded = self.signer.unsign(raw, self.max_age) if raw else None
        scope["session"] = dict(loaded) if loaded else {}
        had_cookie = raw is not None

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session = scope["session"]
                if session or had_cookie:
                    carrier = Response()
                    carrier.raw_headers = []
                    if session:
                        carrier.set_cookie(
                            self.cookie,
                            self.signer.sign(session),
                            max_age=self.max_age,
                            path=self.path,
                            domain=self.domain,
                            secure=self.https_only,
                            httponly=True,
                            samesite=self.same_site,
                        )
                    else:
                        carrier.delete_cookie(self.cookie, path=self.path, domain=self.domain)
                    headers = MutableHeaders(raw=list(message["headers"]))
                    for name, value in carrier.raw_headers:
                        headers.raw.append((name, value))
                    message["headers"] = headers.raw
            await send(message)

        await self.app(scope, receive, send_with_cookie)
