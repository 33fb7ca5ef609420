"""The ASGI lifespan protocol: start-up hooks, the lifespan context, shut-down hooks."""

from __future__ import annotations

import inspect
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import TYPE_CHECKING, Any

from anyio.to_thread import run_sync

from .types import Receive, Scope, Send

if TYPE_CHECKING:
    from .app import AltAPI

__all__ = ["Lifespan", "app_lifespan", "run_lifespan"]

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


async def _call_hook(hook: Callable[[], Any]) -> None:
    if inspect.iscoroutinefunction(hook):
        await hook()
    else:
        result = await run_sync(hook)
        if inspect.isawaitable(result):
            await result


def _user_context(lifespan: Callable[[Any], Any], app: Any) -> AbstractAsyncContextManager[Any]:
    """Accept an async context manager factory or a bare async generator function."""
    if inspect.isasyncgenfunction(lifespan):
        return asynccontextmanager(lifespan)(app)
    return lifespan(app)


@asynccontextmanager
async def app_lifespan(app: AltAPI) -> AsyncIterator[dict[str, Any] | None]:
    """Extensions, startup hooks, then the app's dependency container, then the user's
    lifespan.

    Shutdown unwinds in reverse: the user's lifespan exits, app-scoped dependencies
    close, shutdown hooks run, extensions shut down.
    """
    async with AsyncExitStack() as stack:
        await app.extensions.start(stack, _call_hook)
        for hook in app.on_startup:
            await _call_hook(hook)

        async def on_shutdown() -> None:
            for hook in app.on_shutdown:
                await _call_hook(hook)

        stack.push_async_callback(on_shutdown)
        await app.injector.startup()
        stack.push_async_callback(app.injector.shutdown)
        state = None
        if app.lifespan is not None:
            state = await stack.enter_async_context(_user_context(app.lifespan, app))
        app.router.prepare()  # the route table is built now, not by the first request
        for hook in app.after_startup:
            hook()
        yield state


async def run_lifespan(app: AltAPI, scope: Scope, receive: Receive, send: Send) -> None:
    await receive()  # lifespan.startup
    started = False
    try:
        async with app_lifespan(app) as state:
            if state is not None:
                if "state" not in scope:
                    raise RuntimeError("the server does not support lifespan state")
                scope["state"].update(state)
            await send({"type": "lifespan.startup.complete"})
            started = True
            await receive()  # lifespan.shutdown
    except BaseException:
        failed = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
        await send({"type": failed, "message": traceback.format_exc()})
        raise
    await send({"type": "lifespan.shutdown.complete"})
