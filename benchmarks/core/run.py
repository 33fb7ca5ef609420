"""In-process request cost: AltAPI against raw ASGI, Starlette and FastAPI.

    python benchmarks/core/run.py

Each app answers GET / with a small JSON body and GET /users/{id:int} with the
id. Reported: median µs per request over interleaved rounds, and each figure's
ratio to raw ASGI measured in the same run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ujson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import compare, table


async def raw_asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/":
        body = ujson.dumps({"message": "Hello, World!"}).encode()
    else:
        body = ujson.dumps({"id": int(path.rsplit("/", 1)[1])}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def altapi_app():
    from altapi_core import AltAPI, JSONResponse

    app = AltAPI()

    @app.get("/")
    async def home(request):
        return JSONResponse({"message": "Hello, World!"})

    @app.get("/users/{id:int}")
    async def user(id: int):
        return JSONResponse({"id": id})

    return app


def starlette_app():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def home(request):
        return JSONResponse({"message": "Hello, World!"})

    async def user(request):
        return JSONResponse({"id": request.path_params["id"]})

    return Starlette(routes=[Route("/", home), Route("/users/{id:int}", user)])


def fastapi_app():
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/")
    async def home():
        return {"message": "Hello, World!"}

    @app.get("/users/{id}")
    async def user(id: int):
        return {"id": id}

    return app


def main() -> None:
    contenders = {"raw ASGI": raw_asgi, "AltAPI": altapi_app()}
    for name, factory in (("Starlette", starlette_app), ("FastAPI", fastapi_app)):
        try:
            contenders[name] = factory()
        except ImportError:
            print(f"({name} not installed: pip install -r benchmarks/core/requirements.txt)")
    print(table("GET / (JSON)", compare(contenders, path="/"), "raw ASGI"))
    print()
    print(
        table(
            "GET /users/42 (int path parameter)", compare(contenders, path="/users/42"), "raw ASGI"
        )
    )


if __name__ == "__main__":
    main()
