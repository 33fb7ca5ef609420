"""Extensions: how an add-on package (cache, rate limits, templates, OpenAPI) attaches to an app.

An extension is any object with a `name`. `app.add_extension(ext)` keeps it in
`app.extensions[ext.name]`, where the add-on finds its settings again, and calls
`ext.setup(app)` if it has one. Its `startup()` and `shutdown()`, if it has them
(plain or async functions), run in the app's lifespan: extensions start before the
`on_startup` hooks, in the order they were attached, and shut down after the
`on_shutdown` hooks, in reverse order. Core never imports an add-on; the add-on
imports core. See docs/architecture.md, "Extensions".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from .app import AltAPI

__all__ = ["Extension", "Extensions"]


class Extension(Protocol):
    """What `app.add_extension` needs: a name. `setup(app)`, `startup()` and
    `shutdown()` are optional (see the module's docstring)."""

    name: str


E = TypeVar("E", bound=Extension)
RunHook = Callable[[Callable[[], Any]], Awaitable[None]]


class Extensions(dict[str, Any]):
    """An app's extensions by name, in the order they were attached."""

    def add(self, app: AltAPI, extension: E) -> E:
        name = getattr(extension, "name", None)
        if not isinstance(name, str) or not name:
            raise TypeError(f"an extension needs a `name` (a non-empty str): {extension!r}")
        attached = self.get(name)
        if attached is extension:
            return extension
        if attached is not None:
            raise ValueError(f"an extension named {name!r} is already attached: {attached!r}")
        setup = getattr(extension, "setup", None)
        if setup is not None:
            setup(app)
        self[name] = extension
        return extension

    async def start(self, stack: AsyncExitStack, call: RunHook) -> None:
        """Run each `startup()`, and push each `shutdown()` on `stack` (so they unwind in
        reverse); `call(hook)` runs a hook, plain or async, the way the lifespan does."""
        for extension in list(self.values()):
            startup = getattr(extension, "startup", None)
            if startup is not None:
                await call(startup)
            shutdown = getattr(extension, "shutdown", None)
            if shutdown is not None:
                stack.push_async_callback(call, shutdown)
