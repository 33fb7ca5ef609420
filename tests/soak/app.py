"""The app the soak serves: one route per kind of work, and /stats for the driver.

`python app.py PORT STATS_DIR` serves it with app.run(workers=2). Each worker counts
the generator dependencies it opened and closed and writes them, with its memory and
file descriptors, to STATS_DIR/<pid>.json at shutdown.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys

from altapi import AltAPI
from altapi.depends import Depends
from altapi.http import (
    EventSourceResponse,
    JSONResponse,
    PlainTextResponse,
    Request,
    StreamingResponse,
)
from altapi.ratelimit import rate_limit
from altapi.websocket import WebSocket, WebSocketDisconnect

RATE_LIMIT = 50  # admitted on /limited in the whole run, by both workers together

app = AltAPI()
counts = {"opened": 0, "closed": 0}


def usage() -> dict[str, int]:
    with open("/proc/self/statm") as statm:
        rss_pages = int(statm.read().split()[1])
    return {
        "pid": os.getpid(),
        "rss": rss_pages * os.sysconf("SC_PAGE_SIZE"),
        "fds": len(os.listdir("/proc/self/fd")),
        **counts,
    }


async def session():
    counts["opened"] += 1
    try:
        await asyncio.sleep(0)  # a cleanup that awaits, like a real connection pool
        yield {"user": 1}
    finally:
        counts["closed"] += 1


@app.get("/json")
async def json_route():
    return {"hello": "world", "items": list(range(10))}


@app.get("/di")
async def di_route(db=Depends(session)):
    return JSONResponse(db)


@app.post("/upload")
async def upload(request: Request):
    form = await request.form()
    file = form["file"]
    data = await file.read()
    return JSONResponse({"name": form["name"], "size": len(data)})


@app.get("/stream")
async def stream():
    async def chunks():
        for i in range(10):
            yield f"chunk {i}\n"

    return StreamingResponse(chunks())


@app.get("/sse")
async def sse():
    async def events():
        for i in range(3):
            yield {"n": i}

    return EventSourceResponse(events())


@app.websocket("/ws")
async def echo(ws: WebSocket):
    await ws.accept()
    try:
        async for text in ws.iter_text():
            await ws.send_text(text)
    except WebSocketDisconnect:
        pass


@app.get("/boom")
async def boom():
    raise RuntimeError("the soak's raising route")


@app.get("/limited")
@rate_limit(RATE_LIMIT, 3600, key_func=lambda request: "everyone")
async def limited():
    return PlainTextResponse("admitted")


@app.get("/stats")
async def stats():
    """Memory as the load left it, then after a full collection: app.run's GC tuning
    (generation 0 at 50,000) lets cyclic garbage (uvicorn's WebSocket connections make
    some) wait long for a collection, which moves RSS by tens of MiB without a leak."""
    before = usage()
    gc.collect()
    return JSONResponse({**usage(), "rss_uncollected": before["rss"]})


STATS_DIR = sys.argv[2] if len(sys.argv) > 2 else None


@app.on_event("shutdown")
def write_stats():
    if STATS_DIR:
        with open(os.path.join(STATS_DIR, f"{os.getpid()}.json"), "w") as out:
            json.dump(usage(), out)


if __name__ == "__main__":
    app.run(
        host="127.0.0.1",
        port=int(sys.argv[1]),
        workers=2,
        access_log=False,
        log_level="warning",
        graceful_timeout=10,
    )
