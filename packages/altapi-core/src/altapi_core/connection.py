"""`HTTPConnection`: what a Request and a WebSocket share, lazy views over the ASGI scope.

A dependency annotated `HTTPConnection` gets the request on an HTTP route and
the WebSocket on a WebSocket route, so one dependency serves both kinds.
"""

from __future__ import annotations

from http.cookies import _unquote as _unquote_cookie
from typing import Any

from .datastructures import URL, Address, Headers, QueryParams, State
from .types import Scope

__all__ = ["HTTPConnection"]


def _parse_cookies(header: str) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        key, sep, value = chunk.partition("=")
        key, value = (key.strip(), value.strip()) if sep else ("", chunk.strip())
        if key or value:
            cookies[key] = _unquote_cookie(value)
    return cookies


class HTTPConnection:
    """The scope's views: url, headers, query_params, path_params, cookies, client, state."""

    # PERF: no __slots__ and no __init__ here: views default at class level and are
    # cached on first use, so a new Request or WebSocket sets only its own fields.
    scope: Scope
    _headers: Headers | None = None
    _query_params: QueryParams | None = None
    _url: URL | None = None

    @property
    def path(self) -> str:
        return self.scope["path"]

    @property
    def query_params(self) -> QueryParams:
        if self._query_params is None:
            self._query_params = QueryParams(self.scope.get("query_string", b""))
        return self._query_params

    @property
    def headers(self) -> Headers:
        if self._headers is None:
            self._headers = Headers(raw=self.scope["headers"])
        return self._headers

    @property
    def cookies(self) -> dict[str, str]:
        header = self.headers.get("cookie")
        return _parse_cookies(header) if header else {}

    @property
    def path_params(self) -> dict[str, Any]:
        return self.scope.get("path_params", {})

    @property
    def client(self) -> Address | None:
        client = self.scope.get("client")
        return Address(*client) if client else None

    @property
    def state(self) -> State:
        return State(self.scope.setdefault("state", {}))

    @property
    def url(self) -> URL:
        if self._url is None:
            self._url = URL.from_scope(self.scope)
        return self._url

    @property
    def base_url(self) -> URL:
        root = self.scope.get("root_path", "")
        return URL.from_scope({**self.scope, "path": "/", "root_path": root, "query_string": b""})

    @property
    def app(self) -> Any:
        return self.scope.get("app")
