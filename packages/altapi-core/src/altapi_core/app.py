"""`AltAPI`: the application object users create, decorate and serve."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from anyio.to_thread import run_sync

from altapi_di import Depends, Injector
from altapi_router import Router

from .background import BackgroundTasks
from .connection import HTTPConnection
from .datastructures import State
from .dispatch import Dispatcher, FunctionMiddleware
from .endpoints import Endpoint
from .errors import ErrorHandlers, ExceptionHandler
from .extensions import E, Extension, Extensions
from .lifespan import Lifespan
from .middleware.base import Middleware
from .requests import Request
from .routing import APIRouter, RouteDecorators, RouteSpec
from .types import ASGIApp, Receive, Scope, Send

__all__ = ["AltAPI"]

F = TypeVar("F", bound=Callable[..., Any])

_PARAM = re.compile(r"{([^{}:]+)(?::[^{}]*)?}")


def _sources() -> dict[object, str]:
    from .websockets import WebSocket

    return {
        Request: "request",
        "request": "request",
        WebSocket: "websocket",
        "websocket": "websocket",
        BackgroundTasks: "background",
        HTTPConnection: "connection",  # after Request and WebSocket: they are ones too
    }


class AltAPI(RouteDecorators):
    """The ASGI application.

    Routes, middleware, mounts and handlers are declared before the first request;
    the middleware stack is built once, when the app starts.
    """

    def __init__(
        self,
        middleware: Sequence[Middleware] | None = None,
        static_directory: str | None = None,
        debug: bool = False,
        max_body_size: int | None = 10 * 1024 * 1024,
        lifespan: Lifespan | None = None,
        *,
        exception_handlers: Mapping[int | type[BaseException], ExceptionHandler] | None = None,
        on_startup: Sequence[Callable[[], Any]] | None = None,
        on_shutdown: Sequence[Callable[[], Any]] | None = None,
        dependencies: Sequence[Depends] | None = None,
        redirect_slashes: bool = True,
        websocket_max_size: int | None = 16 * 1024 * 1024,
        extensions: Sequence[Extension] = (),
    ) -> None:
        self.router = Router()
        self.injector = Injector(_sources(), run_sync=run_sync)
        self.dependency_overrides = self.injector.overrides
        self.state = State()
        self.errors = ErrorHandlers(debug)
        for key, handler in (exception_handlers or {}).items():
            self.errors.add(key, handler)
        self.user_middleware = list(middleware or [])
        self.function_middleware: list[FunctionMiddleware] = []
        self.mounts: list[tuple[str, ASGIApp]] = []
        self.mount_names: dict[str, str] = {}
        self.lifespan = lifespan
        self.on_startup = list(on_startup or [])
        self.on_shutdown = list(on_shutdown or [])
        self.after_startup: list[Callable[[], None]] = []
        self.dependencies = tuple(dependencies or ())
        self.static_directory = static_directory
        self.max_body_size = max_body_size
        self.redirect_slashes = redirect_slashes
        self.websocket_max_size = websocket_max_size
        self._stack: ASGIApp | None = None
        self._dispatcher: Dispatcher | None = None
        if static_directory is not None:
            self.mount("/static", directory=static_directory, name="static")
        self.extensions = Extensions()
        for extension in extensions:
            self.add_extension(extension)

    @property
    def debug(self) -> bool:
        return self.errors.debug

    @debug.setter
    def debug(self, value: bool) -> None:
        self.errors.debug = value

    # --- declaring routes ------------------------------------------------------------------

    def add_spec(self, spec: RouteSpec) -> None:
        name = spec.name or getattr(spec.endpoint, "__name__", None)
        endpoint = Endpoint(
            spec.endpoint,
            self.injector,
            route=spec.describe(),
            path_params=_PARAM.findall(spec.path),
            websocket=spec.websocket,
            dependencies=self.dependencies + spec.dependencies,
            guards=spec.guards,
            name=name,
            errors=self.errors,
        )
        for guard in endpoint.guards:
            attach = getattr(guard, "attach", None)  # optional: see guards.py
            if attach is not None:
                attach(self)
        if spec.methods is None:
            self.router.add_websocket(spec.path, endpoint, name=name)
        else:
            self.router.add(spec.path, endpoint, methods=list(spec.methods), name=name)

    def include_router(
        self, router: APIRouter, prefix: str = "", dependencies: Sequence[Depends] | None = None
    ) -> None:
        """Add every route of `router` (and the routers it includes) under `prefix`."""
        for spec in router.flattened(prefix, dependencies):
            self.add_spec(spec)

    def url_path_for(self, name: str, /, **path_params: Any) -> str:
        """The path of the route (or mount, with `path=`) called `name`."""
        if name in self.mount_names and set(path_params) <= {"path"}:
            prefix = self.mount_names[name].rstrip("/")
            return prefix + "/" + str(path_params.get("path", "")).lstrip("/")
        return str(self.router.url_for(name, **path_params))

    def mount(
        self,
        path: str,
        app: ASGIApp | None = None,
        *,
        directory: str | None = None,
        name: str | None = None,
    ) -> None:
        """Serve `app` (any ASGI app) or the files in `directory` under `path`."""
        if (app is None) == (directory is None):
            raise TypeError("mount() takes either app= or directory=, and not both")
        if not path.startswith("/"):
            raise ValueError(f"a mount path must start with '/': {path!r}")
        if directory is not None:
            from .staticfiles import StaticFiles

            app = StaticFiles(directory=directory)
        prefix = path.rstrip("/") or "/"
        assert app is not None
        self.mounts.append((prefix, app))
        if name is not None:
            self.mount_names[name] = prefix
        if self._dispatcher is not None:
            self._dispatcher = None
            self._stack = None

    # --- extensions ----------------------------------------------------------------------

    def add_extension(self, extension: E) -> E:
        """Attach an add-on (see altapi_core.extensions): kept in `app.extensions[name]`,
        set up now, started and shut down with the app. Attaching the same one twice is
        a no-op; another one under a name already taken is an error."""
        self._check_not_started("attach an extension")
        return self.extensions.add(self, extension)

    # --- middleware, errors and events -----------------------------------------------------

    def middleware(self, middleware: Any = None) -> Any:
        """`@app.middleware` (or `@app.middleware("http")`): `async def mw(request, call_next)`."""
        if middleware is None or isinstance(middleware, str):
            if middleware not in (None, "http"):
                raise ValueError(f"only 'http' function middleware exists, not {middleware!r}")
            return self.middleware
        self._check_not_started("add middleware")
        self.function_middleware.append(middleware)
        return middleware

    def add_middleware(self, cls: type[Any], *args: Any, **options: Any) -> None:
        """Wrap the app in `cls(app, **options)`; the last one added is the outermost."""
        self._check_not_started("add middleware")
        self.user_middleware.insert(0, Middleware(cls, *args, **options))

    def exception_handler(self, key: int | type[BaseException]) -> Callable[[F], F]:
        def decorator(func: F) -> F:
            self.errors.add(key, func)
            return func

        return decorator

    def add_exception_handler(
        self, key: int | type[BaseException], handler: ExceptionHandler
    ) -> None:
        self.errors.add(key, handler)

    def on_event(self, event: str) -> Callable[[F], F]:
        def decorator(func: F) -> F:
            self.add_event_handler(event, func)
            return func

        return decorator

    def add_event_handler(self, event: str, func: Callable[[], Any]) -> None:
        if event == "startup":
            self.on_startup.append(func)
        elif event == "shutdown":
            self.on_shutdown.append(func)
        else:
            raise ValueError(f"event must be 'startup' or 'shutdown', not {event!r}")

    def _check_not_started(self, action: str) -> None:
        if self._stack is not None:
            raise RuntimeError(f"cannot {action} after the application has started")

    # --- serving ---------------------------------------------------------------------------

    def run(
        self,
        host: str = "0.0.0.0",
        port: int = 8000,
        workers: int = 1,
        access_log: bool = True,
        **uvicorn_options: Any,
    ) -> None:
        """Serve with uvicorn; `workers > 1` starts that many processes sharing the socket."""
        from .server import run

        run(self, host=host, port=port, workers=workers, access_log=access_log, **uvicorn_options)

    def build(self) -> ASGIApp:
        """The middleware stack around the dispatcher (done once, at the first event)."""
        self._dispatcher = Dispatcher(
            self,
            self.router,
            self.mounts,
            self.errors,
            self.function_middleware,
            max_body_size=self.max_body_size,
            redirect_slashes=self.redirect_slashes,
        )
        stack: ASGIApp = self._dispatcher
        for declared in reversed(self.user_middleware):
            stack = declared.build(stack)
        if self.user_middleware:
            from .errors import ServerErrorBoundary

            stack = ServerErrorBoundary(stack, self.errors)
        self._stack = stack
        return stack

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["app"] = self
        stack = self._stack if self._stack is not None else self.build()
        if stack is self._dispatcher and scope["type"] == "http":
            await stack.http(scope, receive, send)  # PERF: no ASGI middleware, skip a hop
        else:
            await stack(scope, receive, send)
