"""The AltAPI demo app: `nox -s demo` serves it on http://127.0.0.1:8000.

It walks through the features of the original AltAPI README: typed path
parameters, a JSON echo, every HTTP method, each response type, static files,
a mounted ASGI app, middleware in both styles and request.state; then typed
parameters read from the signature (/notes, 422 on bad input) and the API's
documents: /docs (Swagger UI), /redoc and /openapi.json, served by the app itself.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Annotated

import msgspec

from altapi import AltAPI
from altapi.caching import cache
from altapi.depends import Depends
from altapi.http import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Request,
    StreamingResponse,
)
from altapi.middleware import BaseMiddleware, Middleware
from altapi.params import Header, Query
from altapi.ratelimit import rate_limit, rate_limit_batch
from altapi.templating import Jinja2Templates, render_template
from altapi.websocket import WebSocket

HERE = Path(__file__).parent


class ServerHeader(BaseMiddleware):
    """An ASGI middleware class: adds `Server-Timing`-style header to every response."""

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message["headers"], (b"x-powered-by", b"AltAPI")]
            await send(message)

        await self.app(scope, receive, send_with_header)


app = AltAPI(
    title="AltAPI demo",
    version="1.0.0",
    middleware=[Middleware(ServerHeader)],
    static_directory=str(HERE / "static"),
    templates_directory=str(HERE / "templates"),
)
templates = Jinja2Templates(directory=str(HERE / "templates"))


@app.middleware
async def attach_user(request: Request, call_next):
    """A function middleware: puts data on request.state for the handler."""
    request.state.user = request.headers.get("x-user", "anonymous")
    return await call_next(request)


@app.get("/")
async def home(request):
    return JSONResponse({"message": "Hello, World!"})


@app.get("/users/{id:int}")
async def get_user(request):
    user_id = request.path_params["id"]
    return JSONResponse({"id": user_id, "name": f"User {user_id}"})


@app.get("/items/{name:str}")
async def get_item(request):
    return JSONResponse({"name": request.path_params["name"]})


@app.get("/price/{value:float}")
async def price(value: float):
    return JSONResponse({"value": value, "with_tax": round(value * 1.2, 2)})


@app.get("/files/{path:path}")
async def get_file(request):
    return JSONResponse({"path": request.path_params["path"]})


@app.post("/api/echo")
async def echo(request):
    data = await request.json()
    return JSONResponse({"echo": data})


@app.route("/method", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
async def which_method(request):
    return PlainTextResponse(request.method)


@app.get("/whoami")
async def whoami(request):
    return JSONResponse({"user": request.state.user})


@app.get("/html")
async def html(request):
    return HTMLResponse("<h1>AltAPI</h1><p>Fast and simple.</p>")


@app.get("/stream")
async def stream(request):
    async def count():
        for i in range(5):
            yield f"chunk {i}\n"

    return StreamingResponse(count())


@app.get("/download")
async def download(request):
    return FileResponse(HERE / "static" / "hello.txt", filename="hello.txt")


@app.get("/old")
async def old(request):
    return RedirectResponse("/")


@app.get("/sync")
def sync_handler(request):
    """A plain def handler runs in a worker thread; it never blocks the event loop."""
    return PlainTextResponse("computed in a thread")


async def legacy_asgi_app(scope, receive, send):
    await PlainTextResponse(f"mounted app saw {scope['path']}")(scope, receive, send)


app.mount("/legacy", app=legacy_asgi_app)


# --- WebSocket (original README) ---------------------------------------------------------


@app.websocket("/ws/echo")
async def websocket_echo(ws: WebSocket):
    await ws.accept()
    while True:
        text = await ws.receive_text()
        await ws.send_text(f"Echo: {text}")


# --- Dependency injection (original README): generator with cleanup, nested ----------------

DATABASE = os.environ.get("ALTAPI_DEMO_DB", ":memory:")


class UserRepository:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def get_all(self) -> list[str]:
        self.db.execute("CREATE TABLE IF NOT EXISTS users (name TEXT)")
        if not self.db.execute("SELECT count(*) FROM users").fetchone()[0]:
            self.db.executemany("INSERT INTO users VALUES (?)", [("ann",), ("bo",)])
        return [row[0] for row in self.db.execute("SELECT name FROM users ORDER BY name")]


def get_db():
    """Generator-based dependency with automatic cleanup."""
    conn = sqlite3.connect(DATABASE, check_same_thread=False)
    try:
        yield conn
    finally:
        conn.close()


def get_user_repo(db=Depends(get_db)):
    """Nested dependency."""
    return UserRepository(db)


@app.get("/users")
async def list_users(repo=Depends(get_user_repo)):
    users = repo.get_all()
    return JSONResponse({"users": users})


# --- Caching and templates (original README) -----------------------------------------------


@app.get("/api/data")
@cache(expires=3600)  # cache for 1 hour
async def get_data(request):
    return JSONResponse({"data": "cached"})


@app.get("/page")
async def page(request):
    return templates.TemplateResponse(
        "index.html", {"request": request, "title": "Home Page", "note": "<escaped>"}
    )


@app.get("/rendered")
async def rendered(request):
    return render_template("index.html", {"title": "Rendered", "note": "via render_template"})


# --- Rate limiting (original README) ---------------------------------------------------------


@app.get("/api/limited")
@rate_limit(limit=10, period=60)  # 10 requests per minute
async def limited(request):
    return JSONResponse({"data": "value"})


@app.get("/api/strict")
@rate_limit_batch(
    [
        (10, 60),  # 10 per minute
        (100, 3600),  # 100 per hour
        (1000, 86400),  # 1000 per day
    ]
)
async def strict_endpoint(request):
    return JSONResponse({"data": "rate limited"})


# --- typed parameters: read from the signature, validated, documented at /docs ---------


class Note(msgspec.Struct):
    text: str
    tags: list[str] = []


NOTES: list[Note] = [Note("Try /docs", ["help"])]


@app.get("/notes", tags=["notes"], summary="List notes")
async def list_notes(
    tag: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100, description="at most this many")] = 10,
) -> list[Note]:
    """`?tag=help&limit=5`; `?limit=0` answers 422 with FastAPI's error body."""
    found = [note for note in NOTES if tag is None or tag in note.tags]
    return found[:limit]


@app.post("/notes", status_code=201, tags=["notes"], summary="Add a note")
async def add_note(note: Note, x_author: Annotated[str | None, Header()] = None) -> Note:
    """The JSON body is decoded and checked against `Note` before this runs."""
    NOTES.append(note)
    return note


if __name__ == "__main__":
    app.run(
        host=os.environ.get("ALTAPI_HOST", "127.0.0.1"),
        port=int(os.environ.get("ALTAPI_PORT", "8000")),
    )
