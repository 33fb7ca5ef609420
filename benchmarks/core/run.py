"""In-process request cost: AltAPI against raw ASGI and its peers, scenario by scenario.

    python benchmarks/core/run.py [--json results.json]

The apps are in benchmarks/_apps.py (the same ones the end-to-end benchmark
serves). Scenarios: JSON, an int path parameter, plain text, and the answers a
framework makes itself (404, 405, a trailing-slash redirect). A peer takes part
in a scenario only when it answers it with the same status as raw ASGI (a
framework that does not redirect is not timed on the redirect). Reported: median
µs per request over interleaved rounds, each figure's ratio to raw ASGI measured
in the same run, and AltAPI's geometric mean over the scenarios.

The JSON scenarios also time the hand-written app with the standard library's
`json` in place of ujson. AltAPI's geometric mean over those two against it is
the closest this script comes to issue #21's "1.33x a hand-written ASGI app":
run against the code of the day the issue was written (03754b5) it gives 1.20x
there, and 2.03x against ujson (benchmarks/RESULTS.md, "Core").
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _apps import FACTORIES, altapi_app, raw_asgi
from _harness import _receive, _startup, compare, http_scope, table

# The apps are importable from here too (other scripts of benchmarks/core use them).
__all__ = ["altapi_app", "main", "raw_asgi"]

SCENARIOS = [
    ("JSON", "GET", "/"),
    ("path parameter", "GET", "/users/42"),
    ("plaintext", "GET", "/plaintext"),
    ("404", "GET", "/missing"),
    ("405", "POST", "/"),
    ("redirect", "GET", "/plaintext/"),
]
# The scenarios where the two hand-written apps differ: the others encode no JSON.
JSON_SCENARIOS = ("JSON", "path parameter")
STDLIB = "raw ASGI (stdlib json)"


def _status(app, method: str, path: str) -> int:
    seen: list[int] = []

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            seen.append(message["status"])

    async def main() -> None:
        await _startup(app)
        await app(http_scope(method, path), _receive, send)

    asyncio.run(main())
    return seen[0]


def main() -> None:
    apps = {}
    for name, factory in FACTORIES.items():
        try:
            apps[name] = factory()
        except ImportError:
            print(f"({name} not installed: pip install -r benchmarks/requirements.txt)")
    results: dict[str, dict[str, float]] = {}
    for title, method, path in SCENARIOS:
        expected = _status(apps["raw ASGI"], method, path)
        candidates = {n: a for n, a in apps.items() if n != STDLIB or title in JSON_SCENARIOS}
        contenders = {n: a for n, a in candidates.items() if _status(a, method, path) == expected}
        left_out = sorted(set(candidates) - set(contenders))
        results[title] = compare(contenders, method=method, path=path)
        print(table(f"{method} {path} ({title}, {expected})", results[title], "raw ASGI"))
        if left_out:
            print(f"\n(not timed, a different status: {', '.join(left_out)})")
        print()
    geomean = _geomean([r["AltAPI"] / r["raw ASGI"] for r in results.values()])
    print(f"AltAPI's geometric mean over {len(results)} scenarios: {geomean:.2f}x raw ASGI")
    issue = _geomean([results[t]["AltAPI"] / results[t][STDLIB] for t in JSON_SCENARIOS])
    print(f"... over the {len(JSON_SCENARIOS)} JSON scenarios: {issue:.2f}x {STDLIB}")
    if "--json" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--json") + 1])
        summary = {"altapi_geomean": geomean, "altapi_geomean_json_vs_stdlib_json": issue}
        out.write_text(json.dumps({"us_per_request": results, **summary}, indent=1))


def _geomean(ratios: list[float]) -> float:
    return math.exp(sum(map(math.log, ratios)) / len(ratios))


if __name__ == "__main__":
    main()
