"""The same small app in each framework, for the in-process and the end-to-end benchmarks.

Every app answers:
- `GET /` with `{"message": "Hello, World!"}` (JSON),
- `GET /users/{id:int}` with `{"id": id}` (JSON, an int path parameter),
- `GET /plaintext` with `Hello, World!` (text/plain),
and whatever its framework answers to an unknown path (404), a known path with
another method (405) and a known path with a trailing slash (a redirect where the
framework does that). Each factory returns a fresh ASGI app.
"""

from __future__ import annotations

import json

import ujson

HELLO = {"message": "Hello, World!"}
PLAIN = b"Hello, World!"


def hand_written(dumps):
    """Hand-written ASGI, encoding JSON with `dumps`: what any framework's answer is
    measured against."""

    async def raw_asgi(scope, receive, send):
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        path = scope["path"]
        headers = [(b"content-type", b"application/json")]
        status = 200
        if path == "/plaintext":
            body = PLAIN
            headers = [(b"content-type", b"text/plain; charset=utf-8")]
        elif path == "/":
            body = dumps(HELLO).encode()
        elif path.startswith("/users/") and path[7:].isdigit():
            body = dumps({"id": int(path[7:])}).encode()
        elif path == "/plaintext/":
            status, body = 307, b""
            headers = [(b"location", b"/plaintext")]
        else:
            status, body = 404, b'{"detail":"Not Found"}'
        if status == 200 and scope["method"] != "GET":
            status, body = 405, b'{"detail":"Method Not Allowed"}'
            headers = [(b"content-type", b"application/json"), (b"allow", b"GET, HEAD, OPTIONS")]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return raw_asgi


raw_asgi = hand_written(ujson.dumps)
# The same app with the standard library's encoder: the baseline of issue #21's
# "geometric mean 1.33x a hand-written ASGI app" (benchmarks/RESULTS.md, "Core").
raw_asgi_stdlib_json = hand_written(json.dumps)


def raw_asgi_app():
    return raw_asgi


def raw_asgi_stdlib_json_app():
    return raw_asgi_stdlib_json


def altapi_app():
    from altapi_core import AltAPI, JSONResponse, PlainTextResponse

    app = AltAPI()

    @app.get("/")
    async def home(request):
        return JSONResponse(HELLO)

    @app.get("/users/{id:int}")
    async def user(id: int):
        return JSONResponse({"id": id})

    @app.get("/plaintext")
    async def plaintext(request):
        return PlainTextResponse(PLAIN)

    return app


def starlette_app():
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, PlainTextResponse
    from starlette.routing import Route

    async def home(request):
        return JSONResponse(HELLO)

    async def user(request):
        return JSONResponse({"id": request.path_params["id"]})

    async def plaintext(request):
        return PlainTextResponse(PLAIN)

    return Starlette(
        routes=[Route("/", home), Route("/users/{id:int}", user), Route("/plaintext", plaintext)]
    )


def fastapi_app():
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.get("/")
    async def home():
        return HELLO

    @app.get("/users/{id}")
    async def user(id: int):
        return {"id": id}

    @app.get("/plaintext", response_class=PlainTextResponse)
    async def plaintext():
        return PLAIN

    return app


def blacksheep_app():
    from blacksheep import Application, json, text

    app = Application()

    @app.router.get("/")
    async def home():
        return json(HELLO)

    @app.router.get("/users/{int:id}")
    async def user(id: int):
        return json({"id": id})

    @app.router.get("/plaintext")
    async def plaintext():
        return text(PLAIN.decode())

    return app


def falcon_app():
    import falcon
    import falcon.asgi

    class Home:
        async def on_get(self, req, resp):
            resp.media = HELLO

    class User:
        async def on_get(self, req, resp, id):
            resp.media = {"id": id}

    class Plaintext:
        async def on_get(self, req, resp):
            resp.content_type = falcon.MEDIA_TEXT
            resp.data = PLAIN

    app = falcon.asgi.App()
    app.add_route("/", Home())
    app.add_route("/users/{id:int}", User())
    app.add_route("/plaintext", Plaintext())
    return app


FACTORIES = {
    "raw ASGI": raw_asgi_app,
    "raw ASGI (stdlib json)": raw_asgi_stdlib_json_app,
    "AltAPI": altapi_app,
    "BlackSheep": blacksheep_app,
    "Falcon": falcon_app,
    "Starlette": starlette_app,
    "FastAPI": fastapi_app,
}
