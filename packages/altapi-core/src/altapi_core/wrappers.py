"""`wrap_handler`: how decorators like `@cache` and `@rate_limit` get at the request.

A decorator under a route decorator receives the user's handler, whose
parameters the app resolves from its signature. `wrap_handler(handler, around)`
returns a stand-in with the same parameters plus one that receives the Request,
so the decorator sees every request and decides whether and how to call the
handler, while the handler's own parameters (path params, `Depends`) still work.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Awaitable, Callable
from typing import Any

from anyio.to_thread import run_sync

from .endpoints import as_response, is_async_callable
from .requests import Request
from .responses import Response

__all__ = ["Around", "CallHandler", "wrap_handler"]

CallHandler = Callable[[], Awaitable[Response]]
Around = Callable[[Request, CallHandler], Awaitable[Response]]

_REQUEST = "__altapi_request__"


def wrap_handler(handler: Callable[..., Any], around: Around) -> Callable[..., Awaitable[Response]]:
    """A handler that calls `around(request, call_handler)` on every request.

    `call_handler()` runs the wrapped handler (a plain `def` in the thread pool)
    with its resolved arguments and returns its result as a Response.
    """
    try:
        hints = typing.get_type_hints(handler)
    except Exception:
        hints = {}
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation))
        for p in inspect.signature(handler).parameters.values()
    ]
    request_param = inspect.Parameter(_REQUEST, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
    if params and params[-1].kind == inspect.Parameter.VAR_KEYWORD:
        params.insert(len(params) - 1, request_param)
    else:
        params.append(request_param)
    name = getattr(handler, "__name__", "handler")
    is_async = is_async_callable(handler)

    async def wrapper(**kwargs: Any) -> Response:
        request = kwargs.pop(_REQUEST)

        async def call_handler() -> Response:
            if is_async:
                result = await handler(**kwargs)
            else:
                result = await run_sync(functools.partial(handler, **kwargs))
            return as_response(result, name)

        return await around(request, call_handler)

    wrapper.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper.__name__ = name
    wrapper.__qualname__ = getattr(handler, "__qualname__", name)
    wrapper.__doc__ = handler.__doc__
    wrapper.__module__ = getattr(handler, "__module__", __name__)
    wrapper.__altapi_wrapped__ = handler  # type: ignore[attr-defined]
    return wrapper
