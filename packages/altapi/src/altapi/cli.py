"""The `altapi` command: `altapi run module:app` and `altapi routes module:app`."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

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
        if args.server != "uvicorn":
            raise SystemExit("error: --reload runs under uvicorn; drop --server")
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
        server=args.server,
    )
    return 0


def _handler_name(handler: Any) -> str:
    target = getattr(handler, "handler", handler)  # an Endpoint wraps the user's function
    target = getattr(target, "__altapi_wrapped__", target)
    module = getattr(target, "__module__", "")
    name = getattr(target, "__qualname__", getattr(target, "__name__", repr(target)))
    return f"{module}.{name}" if module else name


def route_table(app: Any) -> list[tuple[str, str, str, str]]:
    rows = []
    for route in app.router.routes:
        methods = "WEBSOCKET" if route.websocket else ",".join(sorted(route.methods))
        rows.append((methods, route.path, route.name or "", _handler_name(route.handler)))
    for prefix, mounted in app.mounts:
        rows.append(("MOUNT", prefix, "", _handler_name(mounted)))
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="altapi",
        description="Serve an AltAPI app or list its routes. MODULE:APP names the app object, "
        "for example `main:app` for `app` in main.py (the current directory is importable).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="serve the app with uvicorn (as app.run does)")
    run.add_argument("app", metavar="MODULE:APP")
    run.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    run.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    run.add_argument(
        "--server", choices=("uvicorn", "granian"), default="uvicorn", help="default uvicorn"
    )
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
