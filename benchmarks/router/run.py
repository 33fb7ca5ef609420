"""Route lookup: ns per match on the GitHub API table (~240 routes), interleaved medians.

    python benchmarks/router/run.py        (or: nox -s bench)

Every contender gets the same table and the same requests; each lookup must
return the right handler (checked before timing). Peers: Starlette's route
list, Falcon's CompiledRouter, xrtr (Cython radix tree), http-router,
BlackSheep's router. Missing peers are reported, not silently dropped.
"""

from __future__ import annotations

import importlib
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROUTES = [
    line.split(" ", 1)
    for line in (Path(__file__).parent / "github_api.txt").read_text().splitlines()
    if line and not line.startswith("#")
]

# Each case cycles through VARIANTS distinct paths (ids, names), as real traffic does,
# so a router that memoises recent paths (BlackSheep and http-router keep an LRU
# cache) is measured on lookups, not on cache hits. "{n}" is replaced by 0..VARIANTS-1.
VARIANTS = 4096
CASES = {
    "static": ("GET", "/user/repos", "/user/repos"),
    "1 param": ("GET", "/users/user{n}", "/users/{user}"),
    "3 params": (
        "GET",
        "/repos/owner{n}/repo{n}/issues/comments/{n}",
        "/repos/{owner}/{repo}/issues/comments/{id}",
    ),
    "path param": (
        "GET",
        "/repos/o{n}/r/contents/docs/{n}/b.md",
        "/repos/{owner}/{repo}/contents/{path:path}",
    ),
    "not found": ("GET", "/this/does/not/exist{n}", None),
}


Lookup = Callable[[str, str], Any]  # (method, path) -> the matched route's template or None


def altapi(impl: str) -> Lookup:
    import altapi_router

    module = importlib.import_module(
        {"py": "altapi_router._tree", "c": "altapi_router._ctree"}[impl]
    )
    router = type("R", (altapi_router.Router,), {"_tree_class": module.Tree})()
    for method, path in ROUTES:
        router.add(path, path, methods=[method])
    match = router.match

    def lookup(method: str, path: str) -> Any:
        found = match(method, path)
        return None if found is None else found[0]

    return lookup


def starlette() -> Lookup:
    from starlette.routing import Match, Route

    routes = [
        Route(path, endpoint=lambda r: None, methods=[method], name=path) for method, path in ROUTES
    ]

    def lookup(method: str, path: str) -> Any:
        scope = {"type": "http", "method": method, "path": path, "root_path": ""}
        for route in routes:  # what starlette.routing.Router.app does
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route.name
        return None

    return lookup


def _colon(path: str) -> str:
    path = re.sub(r"{(\w+):path}", r"*\1", path)
    return re.sub(r"{(\w+)}", r":\1", path)


def falcon() -> Lookup:
    from falcon.routing import CompiledRouter

    router = CompiledRouter()
    templates: dict[str, dict[str, str]] = {}
    for method, path in ROUTES:
        templates.setdefault(path, {})[method] = path
    for path, methods in templates.items():
        resource = type("Resource", (), {f"on_{m.lower()}": lambda *a: None for m in methods})()
        resource.template = path  # type: ignore[attr-defined]
        router.add_route(path, resource)

    def lookup(method: str, path: str) -> Any:
        found = router.find(path)
        return None if found is None else found[0].template

    return lookup


def xrtr() -> Lookup:
    from xrtr import RadixTree

    tree = RadixTree()
    for method, path in ROUTES:
        tree.insert(_colon(path).replace("*path", "*").replace("*ref", "*"), path, [method])
    get = tree.get

    def lookup(method: str, path: str) -> Any:
        return get(path, method)[0]

    return lookup


def http_router() -> Lookup:
    from http_router import Router
    from http_router.exceptions import NotFoundError

    router = Router(trim_last_slash=False)
    for method, path in ROUTES:
        router.bind(path, path, methods=[method])

    def lookup(method: str, path: str) -> Any:
        try:
            return router(path, method).target
        except NotFoundError:
            return None

    return lookup


def blacksheep() -> Lookup:
    from blacksheep.server.routing import Router

    router = Router()
    for method, path in ROUTES:
        handler = lambda: None  # noqa: E731
        handler.template = path  # type: ignore[attr-defined]
        router.add(method, _colon(path).replace("*path", "*").replace("*ref", "*"), handler)
    router.apply_routes()
    get = router.get_match_by_method_and_path

    def lookup(method: str, path: str) -> Any:
        found = get(method, path)
        return None if found is None else found.handler.template

    return lookup


CONTENDERS: dict[str, Callable[[], Lookup]] = {
    "altapi_router (compiled)": lambda: altapi("c"),
    "altapi_router (pure Python)": lambda: altapi("py"),
    "xrtr": xrtr,
    "Falcon CompiledRouter": falcon,
    "BlackSheep": blacksheep,
    "http-router": http_router,
    "Starlette": starlette,
}


def time_lookups(lookup: Lookup, method: str, paths: list[str]) -> float:
    start = time.perf_counter_ns()
    for path in paths:
        lookup(method, path)
    return (time.perf_counter_ns() - start) / len(paths)


def main(rounds: int = 9, repeat: int = 5) -> None:
    lookups: dict[str, Lookup] = {}
    for name, factory in CONTENDERS.items():
        try:
            lookups[name] = factory()
        except ImportError as exc:
            print(f"- {name}: not installed ({exc})")
        except Exception as exc:  # a router that cannot hold this table says so here
            print(f"- {name}: cannot load the table: {type(exc).__name__}: {exc}")
    # Correctness first: every contender must find the right route.
    for name, lookup in lookups.items():
        for case, (method, template, expected) in CASES.items():
            path = template.replace("{n}", "7")
            got = lookup(method, path)
            if got != expected:
                raise SystemExit(f"{name} matched {got!r} for {case} {path}, expected {expected!r}")
    # A bare call of a no-op function, the floor every lookup pays.
    baseline: Lookup = lambda method, path: None  # noqa: E731
    print(
        f"GitHub API table: {len(ROUTES)} routes; ns per lookup, median of {rounds} interleaved rounds\n"
    )
    header = "| router | " + " | ".join(CASES) + " |"
    print(header)
    print("|---|" + "---:|" * len(CASES))
    results: dict[str, dict[str, float]] = {name: {} for name in ["(empty call)", *lookups]}
    for case, (method, template, _) in CASES.items():
        paths = [template.replace("{n}", str(i)) for i in range(VARIANTS)] * repeat
        samples: dict[str, list[float]] = {name: [] for name in results}
        everyone = {"(empty call)": baseline, **lookups}
        for _ in range(rounds):
            for name, lookup in everyone.items():
                samples[name].append(time_lookups(lookup, method, paths))
        for name in results:
            results[name][case] = statistics.median(samples[name])
    fastest_peer = {
        case: min(v[case] for n, v in results.items() if not n.startswith(("altapi", "(")))
        for case in CASES
    }
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(f"{row[c]:.0f}" for c in CASES) + " |")
    compiled = results.get("altapi_router (compiled)")
    if compiled:
        ratios = " | ".join(f"{fastest_peer[c] / compiled[c]:.2f}x" for c in CASES)
        print(f"| fastest peer / altapi compiled | {ratios} |")


if __name__ == "__main__":
    main()
