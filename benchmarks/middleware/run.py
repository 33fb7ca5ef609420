"""What a CORS + GZip + Session middleware stack adds per request, AltAPI vs Starlette.

    python benchmarks/middleware/run.py        (or: nox -s bench)

Each framework serves the same small JSON route bare and with the three
middleware installed (same options). Reported: median µs/request over
interleaved rounds and, per framework, the stack's cost as a ratio to that
framework's bare app, all measured in one run. A request carries an Origin
header (so CORS works), Accept-Encoding: gzip (below GZip's minimum size, as
most API answers are) and a session cookie.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import _harness
from _harness import compare, table

SECRET = "benchmark-secret"
OPTIONS = {"allow_origins": ["https://a.example"], "allow_methods": ["*"], "allow_headers": ["*"]}


def altapi_app(stack: bool):
    from altapi_core import AltAPI, JSONResponse, Middleware
    from altapi_core.middleware import CORSMiddleware, GZipMiddleware, SessionMiddleware

    middleware = [
        Middleware(CORSMiddleware, **OPTIONS),
        Middleware(GZipMiddleware, minimum_size=500),
        Middleware(SessionMiddleware, secret_key=SECRET),
    ]
    app = AltAPI(middleware=middleware if stack else None)

    @app.get("/")
    async def home(request):
        return JSONResponse({"message": "Hello, World!"})

    return app


def starlette_app(stack: bool):
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def home(request):
        return JSONResponse({"message": "Hello, World!"})

    middleware = [
        Middleware(CORSMiddleware, **OPTIONS),
        Middleware(GZipMiddleware, minimum_size=500),
        Middleware(SessionMiddleware, secret_key=SECRET),
    ]
    return Starlette(routes=[Route("/", home)], middleware=middleware if stack else None)


def main() -> None:
    headers = [
        (b"host", b"bench"),
        (b"origin", b"https://a.example"),
        (b"accept-encoding", b"gzip"),
    ]
    original = _harness.http_scope

    def scope_with_headers(method: str = "GET", path: str = "/", _headers: list | None = None):
        return original(method, path, headers=list(headers))

    _harness.http_scope = scope_with_headers
    contenders = {
        "AltAPI bare": altapi_app(False),
        "AltAPI + CORS, GZip, Session": altapi_app(True),
        "Starlette bare": starlette_app(False),
        "Starlette + CORS, GZip, Session": starlette_app(True),
    }
    results = compare(contenders, count=2000, rounds=7)
    print(table("CORS + GZip + Session stack", results, "AltAPI bare"))
    altapi_ratio = results["AltAPI + CORS, GZip, Session"] / results["AltAPI bare"]
    starlette_ratio = results["Starlette + CORS, GZip, Session"] / results["Starlette bare"]
    altapi_added = results["AltAPI + CORS, GZip, Session"] - results["AltAPI bare"]
    starlette_added = results["Starlette + CORS, GZip, Session"] - results["Starlette bare"]
    print(f"\nstack / bare: AltAPI {altapi_ratio:.2f}x, Starlette {starlette_ratio:.2f}x")
    print(f"added µs/request: AltAPI {altapi_added:.2f}, Starlette {starlette_added:.2f}")


if __name__ == "__main__":
    main()
