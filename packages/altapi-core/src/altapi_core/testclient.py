"""`TestClient`: a synchronous httpx client that calls the ASGI app in-process.

Requests are turned into ASGI scopes and run through an anyio blocking portal
(testtransport.py; a response is read as the app sends it, so `client.stream()`
can read an endless one); `with TestClient(app) as client:` runs the app's lifespan (startup on enter,
shutdown on exit) and keeps one event loop for every request in the block.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urljoin

import anyio
import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal

from .errors import RAISE_SERVER_EXCEPTIONS
from .testtransport import _Transport
from .testwebsocket import (
    WebSocketDenialResponse,
    WebSocketTestSession,
    close_streams,
    memory_streams,
)
from .types import ASGIApp, Message, Scope

__all__ = ["TestClient", "WebSocketDenialResponse", "WebSocketTestSession"]


class TestClient(httpx.Client):
    """`TestClient(app, base_url="http://testserver", raise_server_exceptions=True, ...)`.

    An exception the app does not handle is re-raised in the test unless
    `raise_server_exceptions=False`, in which case the 500 response is returned.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: ASGIApp,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        root_path: str = "",
        backend: str = "asyncio",
        cookies: httpx._types.CookieTypes | None = None,
        headers: dict[str, str] | None = None,
        follow_redirects: bool = True,
        client: tuple[str, int] = ("testclient", 50000),
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self.root_path = root_path
        self.backend = backend
        self.client_address = client
        self._shared_portal: BlockingPortal | None = None
        self._exit_stack: contextlib.ExitStack | None = None
        self._lifespan_state: dict[str, Any] = {}
        super().__init__(
            base_url=base_url,
            headers={"user-agent": "testclient", **(headers or {})},
            transport=_Transport(self),
            follow_redirects=follow_redirects,
            cookies=cookies,
        )

    # --- running the app -------------------------------------------------------------------

    @contextlib.contextmanager
    def _portal(self) -> Iterator[BlockingPortal]:
        if self._shared_portal is not None:
            yield self._shared_portal
        else:
            with start_blocking_portal(backend=self.backend) as portal:
                yield portal

    def _scope(self, kind: str, url: httpx.URL, headers: list[tuple[bytes, bytes]]) -> Scope:
        default_port = {"http": 80, "ws": 80, "https": 443, "wss": 443}[url.scheme]
        raw_path = url.raw_path.split(b"?", 1)[0]
        scope: Scope = {
            "type": kind,
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "scheme": url.scheme,
            "path": unquote(raw_path.decode("ascii")),
            "raw_path": raw_path,
            "root_path": self.root_path,
            "query_string": url.query,
            "headers": [(k.lower(), v) for k, v in headers],
            "client": self.client_address,
            "server": (url.host, url.port or default_port),
            "state": dict(self._lifespan_state),
            "extensions": {"http.response.debug": {}, "websocket.http.response": {}},
        }
        if self.raise_server_exceptions:
            scope["extensions"][RAISE_SERVER_EXCEPTIONS] = {}
        return scope

    # --- WebSockets ------------------------------------------------------------------------

    def websocket_connect(
        self,
        url: str,
        subprotocols: list[str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> WebSocketTestSession:
        """Open a WebSocket to `url`; use the result in a `with` block."""
        full = httpx.URL(urljoin(str(self.base_url), url))
        full = full.copy_with(scheme="wss" if full.scheme in ("https", "wss") else "ws")
        raw = [
            (b"host", (full.host or "testserver").encode()),
            (b"connection", b"upgrade"),
            (b"upgrade", b"websocket"),
            (b"sec-websocket-version", b"13"),
            (b"sec-websocket-key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        ]
        raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if cookie:
            raw.append((b"cookie", cookie.encode()))
        scope = self._scope("websocket", full, raw)
        scope["subprotocols"] = list(subprotocols or [])
        if self._shared_portal is not None:
            return WebSocketTestSession(self.app, scope, self._shared_portal)
        return _OwnPortalSession(self.app, scope, self.backend)

    # --- lifespan --------------------------------------------------------------------------

    def __enter__(self) -> TestClient:
        with contextlib.ExitStack() as stack:
            self._shared_portal = portal = stack.enter_context(
                start_blocking_portal(backend=self.backend)
            )

            @stack.callback
            def reset_portal() -> None:
                self._shared_portal = None

            self._to_app, self._app_inbox = portal.call(memory_streams)
            self._from_app_send, self._from_app = portal.call(memory_streams)
            self._lifespan_streams = (
                self._to_app,
                self._app_inbox,
                self._from_app_send,
                self._from_app,
            )
            stack.callback(portal.call, close_streams, *self._lifespan_streams)
            self._lifespan_task = portal.start_task_soon(self._lifespan)
            portal.call(self._to_app.send, {"type": "lifespan.startup"})
            message = portal.call(self._from_app.receive)
            if message["type"] == "lifespan.startup.failed":
                self._lifespan_task.result(timeout=30)  # re-raises the app's error
                raise RuntimeError(message.get("message", "lifespan startup failed"))
            self._exit_stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        assert self._exit_stack is not None and self._shared_portal is not None
        with self._exit_stack:
            portal = self._shared_portal
            portal.call(self._to_app.send, {"type": "lifespan.shutdown"})
            message = portal.call(self._from_app.receive)
            self._lifespan_task.result(timeout=30)
            portal.call(close_streams, *self._lifespan_streams)
            if message["type"] == "lifespan.shutdown.failed":
                raise RuntimeError(message.get("message", "lifespan shutdown failed"))
        super().__exit__(*exc_info)

    async def _lifespan(self) -> None:
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0"},
            "state": self._lifespan_state,
            "altapi.gc_tuning": False,  # a test process is not a server: no gc.freeze()
        }

        async def receive() -> Message:
            return await self._app_inbox.receive()

        async def send(message: Message) -> None:
            await self._from_app_send.send(message)

        try:
            await self.app(scope, receive, send)
        finally:
            with anyio.CancelScope(shield=True):
                await self._from_app_send.send({"type": "lifespan.shutdown.complete"})


class _OwnPortalSession(WebSocketTestSession):
    """A WebSocket session outside `with TestClient(...)`: it runs its own event loop."""

    def __init__(self, app: ASGIApp, scope: Scope, backend: str) -> None:
        self._portal_cm = start_blocking_portal(backend=backend)
        super().__init__(app, scope, self._portal_cm.__enter__())

    def __enter__(self) -> WebSocketTestSession:
        try:
            return super().__enter__()
        except BaseException:
            self._portal_cm.__exit__(None, None, None)
            raise

    def __exit__(self, *exc_info: Any) -> None:
        try:
            super().__exit__(*exc_info)
        finally:
            self._portal_cm.__exit__(None, None, None)
