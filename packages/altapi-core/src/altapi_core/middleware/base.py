"""ASGI middleware declared on the app: `AltAPI(middleware=[Middleware(Cls, **options)])`."""

from __future__ import annotations

from typing import Any

from ..types import ASGIApp, Receive, Scope, Send

__all__ = ["BaseMiddleware", "Middleware"]


class Middleware:
    """A middleware class and its options; the app builds `Cls(app, **options)` at start-up."""

    def __init__(self, cls: type[Any], *args: Any, **options: Any) -> None:
        self.cls = cls
        self.args = args
        self.options = options

    def build(self, app: ASGIApp) -> ASGIApp:
        return self.cls(app, *self.args, **self.options)

    def __iter__(self) -> Any:  # `cls, args, options = middleware`, as in Starlette
        return iter((self.cls, self.args, self.options))

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"Middleware({self.cls.__name__}{', ' + options if options else ''})"


class BaseMiddleware:
    """Subclass and override `__call__`; the default passes everything through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
