"""Per-request cost of dependency injection: a route with 3 dependencies.

    python benchmarks/di/run.py        (or: nox -s bench)

The route uses one sync generator dependency with cleanup, one nested sync
dependency built on it, and one async dependency. Contenders, measured in one
run (median µs/request of interleaved rounds, ratio to raw ASGI):
raw ASGI doing the same three calls by hand, AltAPI with and without the
dependencies, AltAPI with the generator marked run_in_thread=True, FastAPI, and
Litestar.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ujson

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import compare, table

CLOSED = []


def session():
    yield {"db": "session"}
    CLOSED.append(1)
    CLOSED.clear()


def repository(db=None):
    return {"repo": db["db"] if db else None}


async def settings():
    return {"debug": False}


async def raw_asgi(scope, receive, send):
    if scope["type"] != "http":
        return
    gen = session()
    db = next(gen)
    try:
        repo = repository(db)
        conf = await settings()
        body = ujson.dumps({"repo": repo["repo"], "debug": conf["debug"]}).encode()
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
    finally:
        for _ in gen:
            pass


def altapi_app(run_in_thread: bool = False):
    from altapi_core import AltAPI, JSONResponse
    from altapi_di import Depends

    app = AltAPI()

    def repo_dep(db=Depends(session, run_in_thread=run_in_thread)):
        return repository(db)

    @app.get("/")
    async def home(
        db=Depends(session, run_in_thread=run_in_thread),
        repo=Depends(repo_dep),
        conf=Depends(settings),
    ):
        return JSONResponse({"repo": repo["repo"], "debug": conf["debug"]})

    return app


def altapi_plain():
    from altapi_core import AltAPI, JSONResponse

    app = AltAPI()

    @app.get("/")
    async def home(request):
        return JSONResponse({"repo": "session", "debug": False})

    return app


def fastapi_app():
    from fastapi import Depends, FastAPI
    from fastapi.responses import JSONResponse

    app = FastAPI()

    def repo_dep(db=Depends(session)):
        return repository(db)

    @app.get("/")
    async def home(db=Depends(session), repo=Depends(repo_dep), conf=Depends(settings)):
        return JSONResponse({"repo": repo["repo"], "debug": conf["debug"]})

    return app


def litestar_app():
    from litestar import Litestar, get
    from litestar.di import Provide

    def provide_db():
        yield {"db": "session"}

    def provide_repo(db: dict) -> dict:
        return repository(db)

    async def provide_conf() -> dict:
        return await settings()

    @get("/", sync_to_thread=False)
    async def home(db: dict, repo: dict, conf: dict) -> dict:
        return {"repo": repo["repo"], "debug": conf["debug"]}

    return Litestar(
        [home],
        dependencies={
            "db": Provide(provide_db, sync_to_thread=False),
            "repo": Provide(provide_repo, sync_to_thread=False),
            "conf": Provide(provide_conf),
        },
        logging_config=None,
    )


def main() -> None:
    contenders = {
        "raw ASGI (3 calls by hand)": raw_asgi,
        "AltAPI, 3 dependencies": altapi_app(),
        "AltAPI, no dependencies": altapi_plain(),
        "AltAPI, generator run_in_thread": altapi_app(run_in_thread=True),
        "FastAPI, 3 dependencies": fastapi_app(),
        "Litestar, 3 dependencies": litestar_app(),
    }
    results = compare(contenders, count=2000, rounds=15)
    print(table("A route with 3 dependencies", results, "raw ASGI (3 calls by hand)"))
    with_deps = results["AltAPI, 3 dependencies"] / results["AltAPI, no dependencies"]
    print(f"\nAltAPI with dependencies / without: {with_deps:.2f}x")


if __name__ == "__main__":
    main()
