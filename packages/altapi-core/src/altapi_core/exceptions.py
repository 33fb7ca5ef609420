"""HTTP errors a handler (or the framework) raises to answer with a status code."""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any

__all__ = ["HTTPException", "WebSocketException"]


# PERF: a table, not http.HTTPStatus(code).phrase (0.28 µs, and a raise for an unknown code).
_PHRASES = {status.value: status.phrase for status in http.HTTPStatus}


def default_detail(status_code: int) -> str:
    """The detail of an HTTP error nobody described: its reason phrase ("Not Found")."""
    return _PHRASES.get(status_code, "Error")


class HTTPException(Exception):
    """Raise to answer with `status_code`; the body is JSON `{"detail": detail}`."""

    def __init__(
        self,
        status_code: int,
        detail: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if detail is None:
            detail = default_detail(status_code)
        self.status_code = status_code
        self.detail = detail
        self.headers = dict(headers) if headers else None
        super().__init__(status_code, detail)

    def __str__(self) -> str:
        return f"{self.status_code}: {self.detail}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code!r}, detail={self.detail!r})"


class WebSocketException(Exception):
    """Raise in a WebSocket handler to close the socket with `code` and `reason`."""

    def __init__(self, code: int, reason: str | None = None) -> None:
        self.code = code
        self.reason = reason or ""
        super().__init__(code, self.reason)
