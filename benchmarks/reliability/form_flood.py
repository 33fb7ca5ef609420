"""A hostile urlencoded body (10 MB of `ab&`) through request.form(): time and peak memory.

`python benchmarks/reliability/form_flood.py` prints the median time to the 400 and the
peak memory traced while answering it (tracemalloc), over a few runs.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import tracemalloc

from altapi_core import AltAPI
from altapi_core.exceptions import HTTPException
from altapi_core.requests import Request

BODY = b"ab&" * (10 * 1024 * 1024 // 3)
CHUNK = 64 * 1024  # what uvicorn hands the app at a time


async def answer_once(trace: bool) -> tuple[float, int]:
    chunks = [BODY[i : i + CHUNK] for i in range(0, len(BODY), CHUNK)]

    async def receive() -> dict[str, object]:
        body = chunks.pop(0)
        return {"type": "http.request", "body": body, "more_body": bool(chunks)}

    headers = [(b"content-type", b"application/x-www-form-urlencoded")]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers, "app": AltAPI()}
    request = Request(scope, receive, max_body_size=None)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        await request.form()
    except HTTPException as exc:
        assert exc.status_code == 400, exc
    else:
        raise AssertionError("the flood was accepted")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    return elapsed, peak


def main() -> None:
    times = statistics.median(asyncio.run(answer_once(False))[0] for _ in range(5))
    peak = statistics.median(asyncio.run(answer_once(True))[1] for _ in range(3))
    print(
        f"10 MB of 'ab&': 400 in {times * 1000:.1f} ms (median of 5), peak traced +{peak / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    main()
