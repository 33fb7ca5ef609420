"""Instructions per request (valgrind's callgrind) for the typed routes of run.py.

    python benchmarks/params/instructions.py

Counts the instructions of N and of N + 4000 requests and reports the
difference / 4000 (start-up cancels out), for the route written by hand and the
typed one: `q: str, page: int` from the query string, and a JSON body into a
`msgspec.Struct`. Needs valgrind (Debian).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import per_call_instructions

HERE = Path(__file__).resolve().parent
DRIVER = """
import asyncio, sys
sys.path.insert(0, {benchmarks!r}); sys.path.insert(0, {here!r})
import run
from _harness import _receive, _send, _startup, http_scope
hand, typed = run.altapi_apps()
app = hand if sys.argv[1] == "hand" else typed
if sys.argv[2] == "query":
    method, path, query, body = "GET", "/search", run.QUERY, b""
else:
    method, path, query, body = "POST", "/items", b"", run.BODY
headers = [(b"host", b"bench")]
if body:
    headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
message = {{"type": "http.request", "body": body, "more_body": False}}
async def receive():
    return message
async def main():
    await _startup(app)
    for _ in range(int(sys.argv[3])):
        scope = http_scope(method, path, headers)
        scope["query_string"] = query
        await app(scope, receive if body else _receive, _send)
asyncio.run(main())
"""


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as driver:
        driver.write(DRIVER.format(benchmarks=str(HERE.parent), here=str(HERE)))
    print("| route | by hand | typed | ratio |\n|---|---:|---:|---:|")
    for route in ("query", "body"):
        hand = per_call_instructions(driver.name, "hand", route)
        typed = per_call_instructions(driver.name, "typed", route)
        print(f"| {route} | {hand:,.0f} | {typed:,.0f} | {typed / hand:.2f}x |")
    os.unlink(driver.name)


if __name__ == "__main__":
    main()
