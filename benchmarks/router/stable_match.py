"""`m = router.match` fetched before and after the first lookup: the same cost.

    python benchmarks/router/stable_match.py

On the GitHub API table (github_api.txt), for both implementations: the median
ns per lookup of `/repos/{owner}/{repo}/issues/{number}` through a `match`
fetched right after the adds (before any lookup) and one fetched after a lookup
(CPU time, rounds interleaved).
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from pathlib import Path

from altapi_router import Router

HERE = Path(__file__).resolve().parent


def build(tree_module: str) -> Router:
    tree = importlib.import_module(tree_module).Tree
    router = type("R", (Router,), {"_tree_class": tree})()
    for line in (HERE / "github_api.txt").read_text().split("\n"):
        if line.strip() and not line.startswith("#"):
            method, path = line.split()
            router.add(path, line, methods=[method])
    return router


def per_lookup(match, count: int = 20_000) -> float:
    start = time.process_time()
    for _ in range(count):
        match("GET", "/repos/python/cpython/issues/42")
    return (time.process_time() - start) / count * 1e9


def interleaved(before, after, rounds: int = 9) -> tuple[float, float]:
    """Medians of rounds taken in turn, so noise on a shared machine hits both alike."""
    b, a = [], []
    for _ in range(rounds):
        b.append(per_lookup(before))
        a.append(per_lookup(after))
    return statistics.median(b), statistics.median(a)


def main() -> None:
    modules = {"pure": "altapi_router._tree"}
    if importlib.import_module("altapi_router").COMPILED:
        modules["compiled"] = "altapi_router._ctree"
    print("| implementation | fetched before first lookup (ns) | fetched after (ns) | ratio |")
    print("|---|---:|---:|---:|")
    for label, module in modules.items():
        router = build(module)
        before = router.match
        assert before("GET", "/repos/python/cpython/issues/42") is not None
        after = router.match
        b, a = interleaved(before, after)
        print(f"| {label} | {b:.0f} | {a:.0f} | {b / a:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
