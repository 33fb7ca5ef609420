"""Atheris targets: each takes the fuzzer's bytes and feeds one parser.

A target returns normally when the parser gives a value or refuses the input the
way the framework answers with a 4xx; anything else escapes and is a crash
(`run.py` keeps the input in tests/fuzz/crashes/). Imported under atheris's
instrumentation by run.py, which picks one target by name.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import atheris

with atheris.instrument_imports():
    import altapi_router._tree
    from altapi_core.connection import _parse_cookies
    from altapi_core.datastructures import Headers, QueryParams
    from altapi_core.exceptions import HTTPException
    from altapi_core.fileresponse import _RangeError, parse_range
    from altapi_core.formparsers import FormLimits, parse_multipart, parse_urlencoded
    from altapi_core.websockets import WebSocket, WebSocketDisconnect
    from altapi_router import Router

_loop = asyncio.new_event_loop()


def _chunked(data: bytes, size: int):
    async def chunks():
        for i in range(0, len(data), size):
            yield data[i : i + size]

    return chunks()


def _run_form_parser(parse: Callable[..., object]) -> None:
    try:
        form = _loop.run_until_complete(parse())
    except HTTPException as exc:
        if not 400 <= exc.status_code < 500:
            raise
        return
    _loop.run_until_complete(form.close())  # type: ignore[attr-defined]


def urlencoded(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    size = fdp.ConsumeIntInRange(1, 64)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    limits = FormLimits(max_fields=50, max_part_size=200)
    _run_form_parser(lambda: parse_urlencoded(_chunked(body, size), limits))


def multipart(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    size = fdp.ConsumeIntInRange(1, 64)
    options = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 40)).decode("latin-1")
    body = b"--b\r\n" + fdp.ConsumeBytes(fdp.remaining_bytes())
    content_type = "multipart/form-data; boundary=b" + options
    limits = FormLimits(max_fields=10, max_files=5, max_part_size=500, max_file_size=2000)
    _run_form_parser(lambda: parse_multipart(content_type, _chunked(body, size), limits))


def cookies(data: bytes) -> None:
    for key, value in _parse_cookies(data.decode("latin-1")).items():
        assert isinstance(key, str) and isinstance(value, str)


def query(data: bytes) -> None:
    for key, value in QueryParams(data).multi_items():
        assert isinstance(key, str) and isinstance(value, str)


def headers(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    raw = [
        (fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 12)).lower(), fdp.ConsumeBytes(20))
        for _ in range(fdp.ConsumeIntInRange(0, 5))
    ]
    view = Headers(raw=raw)
    name = fdp.ConsumeUnicodeNoSurrogates(10)
    view.get(name), view.getlist(name), list(view.values()), name in view


def range_header(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    size = fdp.ConsumeIntInRange(0, 2**40)
    header = fdp.ConsumeBytes(fdp.remaining_bytes()).decode("latin-1")  # as ASGI decodes
    try:
        span = parse_range(header, size)
    except _RangeError:
        return
    if span is not None:
        assert 0 <= span[0] < span[1] <= size, (header, size, span)


def websocket_json(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    as_text = fdp.ConsumeBool()
    payload = fdp.ConsumeUnicodeNoSurrogates(200) if as_text else fdp.ConsumeBytes(200)
    message = {"type": "websocket.receive", "text" if as_text else "bytes": payload}

    async def receive() -> dict[str, object]:
        return message

    async def send(message: dict[str, object]) -> None:
        pass

    ws = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
    try:
        _loop.run_until_complete(ws.receive_json("text" if fdp.ConsumeBool() else "binary"))
    except WebSocketDisconnect as exc:
        assert exc.code == 1007


ROUTES = [
    "/",
    "/users/{id:int}",
    "/users/{id:int}/posts/{slug}",
    "/files/{rest:path}",
    "/price/{value:float}",
    "/日本/{name}",
    "/a/{x}/c/{y:int}/e",
]


def _routers() -> list[Router]:
    made = []
    kinds: list[type[Router]] = [Router]
    if getattr(__import__("altapi_router"), "COMPILED", False):
        kinds.append(type("PureRouter", (Router,), {"_tree_class": altapi_router._tree.Tree}))
    for kind in kinds:
        router = kind()
        for i, path in enumerate(ROUTES):
            router.add(path, f"h{i}", methods=["GET"])
        made.append(router)
    return made


_ROUTERS = _routers()


def router(data: bytes) -> None:
    path = "/" + atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    answers = {repr(r.match("GET", path)) for r in _ROUTERS}
    assert len(answers) == 1, (path, answers)  # compiled and pure agree


TARGETS: dict[str, Callable[[bytes], None]] = {
    "urlencoded": urlencoded,
    "multipart": multipart,
    "cookies": cookies,
    "query": query,
    "headers": headers,
    "range": range_header,
    "websocket_json": websocket_json,
    "router": router,
}
