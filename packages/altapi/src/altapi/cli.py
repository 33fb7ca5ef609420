"""The `altapi` command: `altapi run module:app` and `altapi routes module:app`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import types
from collections.abc import Sequence
from typing import Any

from altapi_core import AltAPI

__all__ = ["load_app", "main"]


def load_app(target: str) -> Any:
    """Import `module:attribute` (the current directory is importable)."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise SystemExit(f"error: expected MODULE:APP (for example main:app), got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise SystemExit(f"error: cannot import {module_name!r}: {exc}") from None
    try:
        app = module
        for part in attribute.split("."):
            app = getattr(app, part)
    except AttributeError:
        raise SystemExit(f"error: module {module_name!r} has no attribute {attribute!r}") from None
    return app


def _run(args: argparse.Namespace) -> int:
    if args.reload:
        if args.workers != 1:
            raise SystemExit("error: --reload runs one worker; drop --workers")
        import uvicorn

        load_app(args.app)  # fail early, with a clear message, on a bad target
        uvicorn.run(
            args.app,
            host=args.host,
            port=args.port,
            reload=True,
            root_path=args.root_path,
            access_log=not args.no_access_log,
        )
        return 0
    app = load_app(args.app)
    app.run(
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=not args.no_access_log,
        root_path=args.root_path,
    )
    return 0


def _handler_name(handler: Any) -> str:
    target = getattr(handler, "handler", handler)  # an Endpoint wraps the user's function
    target = getattr(target, "__altapi_wrapped__", target)
    module = getattr(target, "__module__", "")
    name = getattr(target, "__qualname__", getattr(target, "__name__", repr(target)))
    return f"{module}.{name}" if module else name


def _mounted_name(mounted: Any) -> str:
    """What a mount serves: a function's name, an object's own repr (StaticFiles shows
    its directory), else its class (an object's default repr is only an address)."""
    if isinstance(mounted, types.FunctionType | types.MethodType):
        return _handler_name(mounted)
    cls = type(mounted)
    if cls.__repr__ is not object.__repr__:
        return repr(mounted)
    return f"{cls.__module__}.{cls.__qualname__} instance"


def route_table(app: Any, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(methods, path, name, handler) of every route; a mounted AltAPI app's routes
    follow its MOUNT row, under the mount's path."""
    rows = []
    for route in app.router.routes:
        methods = "WEBSOCKET" if route.websocket else ",".join(sorted(route.methods))
        rows.append((methods, prefix + route.path, route.name or "", _handler_name(route.handler)))
    for mount_path, mounted in app.mounts:
        path = prefix + mount_path
        rows.append(("MOUNT", path, "", _mounted_name(mounted)))
        if isinstance(mounted, AltAPI):
            rows.extend(route_table(mounted, path.rstrip("/")))
    return rows


def _routes(args: argparse.Namespace) -> int:
    rows = [("METHODS", "PATH", "NAME", "HANDLER"), *route_table(load_app(args.app))]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[3]
        )
    return 0


def _count(text: str) -> int:
    """--workers: a whole number, at least 1 (argparse turns the error into usage, exit 2)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be between 0 and 65535, got {value}")
    return value


def versions() -> str:
    """`altapi --version`: this package's version, then every installed altapi-* distribution."""
    from importlib.metadata import distributions

    from .__about__ import __version__

    lines = [f"altapi {__version__}"]
    names = {dist.metadata["Name"]: dist.version for dist in distributions()}
    for name in sorted(n for n in names if n and n.lower().startswith("altapi-")):
        lines.append(f"{name} {names[name]}")
    implementation = sys.implementation.name
    lines.append(f"{implementation} {'.'.join(map(str, sys.version_info[:3]))}")
    return "\n".join(lines)


class _PrintVersions(argparse.Action):
    """Like argparse's "version" action, without rewrapping the lines (and only if asked)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        print(versions())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="altapi",
        description="Serve an AltAPI app or list its routes. MODULE:APP names the app object, "
        "for example `main:app` for `app` in main.py (the current directory is importable).",
    )
    parser.add_argument(
        "--version", action=_PrintVersions, nargs=0, help="print the versions installed and exit"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="serve the app with uvicorn (as app.run does)")
    run.add_argument("app", metavar="MODULE:APP")
    run.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1, this machine only; app.run() binds 0.0.0.0)",
    )
    run.add_argument("--port", type=_port, default=8000, help="port to bind (default 8000)")
    run.add_argument("--workers", type=_count, default=1, help="worker processes (default 1)")
    run.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    run.add_argument("--root-path", default="", help="path prefix the app is served under")
    run.add_argument("--no-access-log", action="store_true", help="do not log each request")
    run.set_defaults(func=_run)
    routes = commands.add_parser(
        "routes", help="print method, path, name and handler of every route"
    )
    routes.add_argument("app", metavar="MODULE:APP")
    routes.set_defaults(func=_routes)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
