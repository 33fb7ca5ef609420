"""Instructions per request (valgrind's callgrind) for the core scenarios of run.py.

    python benchmarks/core/instructions.py

Counts the instructions of N and of N + 4000 requests and reports the
difference / 4000 (start-up cancels out), for raw ASGI and AltAPI on every
scenario of run.py (the 404, 405 and redirect included). Needs valgrind (Debian).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import per_call_instructions

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import SCENARIOS

HERE = Path(__file__).resolve().parent
DRIVER = """
import asyncio, sys
sys.path.insert(0, {benchmarks!r}); sys.path.insert(0, {here!r})
import run
from _harness import _receive, _send, _startup, http_scope
app = run.raw_asgi if sys.argv[1] == "raw" else run.altapi_app()
method, path = sys.argv[2], sys.argv[3]
async def main():
    await _startup(app)
    for _ in range(int(sys.argv[4])):
        await app(http_scope(method, path), _receive, _send)
asyncio.run(main())
"""


def main() -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as driver:
        driver.write(DRIVER.format(benchmarks=str(HERE.parent), here=str(HERE)))
    print("| scenario | request | raw ASGI | AltAPI | ratio |\n|---|---|---:|---:|---:|")
    for scenario, method, path in SCENARIOS:
        raw = per_call_instructions(driver.name, "raw", method, path)
        altapi = per_call_instructions(driver.name, "altapi", method, path)
        print(
            f"| {scenario} | {method} {path} | {raw:,.0f} | {altapi:,.0f} | {altapi / raw:.2f}x |",
            flush=True,
        )
    os.unlink(driver.name)


if __name__ == "__main__":
    main()
