"""The request being served, for helpers called without it (`render_template`, logging)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .requests import Request

__all__ = ["current_request"]

# Each request runs in its own task (servers and TestClient alike), so setting the
# variable never leaks into another request and needs no reset. It holds a one-item
# list that the dispatcher empties when the request ends (see Dispatcher.http).
_current: ContextVar[list[Request]] = ContextVar("altapi_current_request")


def current_request() -> Request:
    """The Request of the HTTP request being handled; LookupError outside one."""
    try:
        return _current.get()[0]
    except (LookupError, IndexError):
        raise LookupError("no request is being handled in this context") from None
