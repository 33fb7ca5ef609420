"""Route lookup: ns per match on the GitHub API table (~240 routes), interleaved medians.

    python benchmarks/router/run.py        (or: nox -s bench)

Every contender gets the same table and the same requests; each lookup must
return the right handler (checked before timing). Peers: Starlette's route
list, Falcon's CompiledRouter, xrtr (Cython radix tree), http-router,
BlackSheep's router. Missing peers are reported, not silently dropped.
"""

from __future__ import annotations

import functools
import importlib
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _harness import record

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
# The "mix" column, as issue #3 defines it: 20 fixed paths, 5 each of static, 1-param,
# 3-param and not-found, repeated: the case an LRU cache is made for. Every other
# column uses 4096 distinct paths.
MIX_CLASSES = ["static", "1 param", "3 params", "not found"]
MIX = [CASES[case][1].replace("{n}", str(i)) for case in MIX_CLASSES for i in range(5)]


Lookup = Callable[[str, str], Any]  # (method, path) -> the matched route's template or None


def altapi(impl: str, table: list[list[str]], cache_size: int = 0) -> Lookup:
    import altapi_router

    module = importlib.import_module(
        {"py": "altapi_router._tree", "c": "altapi_router._ctree"}[impl]
    )
    router = type("R", (altapi_router.Router,), {"_tree_class": module.Tree})(cache_size)
    for method, path in table:
        router.add(path, path, methods=[method])
    router.match("GET", "/")  # as in an app: the first lookup binds the tree's matcher
    match = router.match

    def lookup(method: str, path: str) -> Any:
        found = match(method, path)
        return None if found is None else found[0]

    return lookup


def starlette(table: list[list[str]]) -> Lookup:
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


def linear_regex(table: list[list[str]]) -> Lookup:
    """The naive router: one compiled regex per route, tried in order."""
    compiled = []
    for method, path in table:
        regex = re.sub(r"{(\w+):path}", r"(?P<\1>.*)", path)
        regex = re.sub(r"{(\w+)}", r"(?P<\1>[^/]+)", regex)
        compiled.append((method, re.compile(regex + "$"), path))

    def lookup(method: str, path: str) -> Any:
        for route_method, regex, template in compiled:
            if route_method == method and regex.match(path):
                return template
        return None

    return lookup


def _colon(path: str) -> str:
    path = re.sub(r"{(\w+):path}", r"*\1", path)
    return re.sub(r"{(\w+)}", r":\1", path)


def falcon(table: list[list[str]]) -> Lookup:
    from falcon.routing import CompiledRouter

    router = CompiledRouter()
    templates: dict[str, dict[str, str]] = {}
    for method, path in table:
        templates.setdefault(path, {})[method] = path
    for path, methods in templates.items():
        responders = {f"on_{m.lower()}": lambda *a: None for m in methods}
        resource: Any = type("Resource", (), responders)()
        resource.template = path
        router.add_route(path, resource)

    def lookup(method: str, path: str) -> Any:
        found = router.find(path)
        if found is None:
            return None
        resource: Any = found[0]
        return resource.template

    return lookup


def xrtr(table: list[list[str]]) -> Lookup:
    from xrtr import RadixTree

    tree = RadixTree()
    refused = []
    for method, path in table:
        try:
            tree.insert(_colon(path).replace("*path", "*").replace("*ref", "*"), path, [method])
        except ValueError as exc:  # a static and a parameter segment at one level, mostly
            refused.append(str(exc))
    if refused:
        raise ValueError(f"refuses {len(refused)} of {len(table)} routes, first: {refused[0]}")
    get = tree.get

    def lookup(method: str, path: str) -> Any:
        return get(path, method)[0]

    return lookup


def http_router(table: list[list[str]], cached: bool = True) -> Lookup:
    from http_router import Router
    from http_router.exceptions import NotFoundError

    router = Router(trim_last_slash=False)
    for method, path in table:
        router.bind(path, path, methods=[method])
    if not cached:  # its match() without the lru_cache around it
        match = Router.match.__wrapped__

        def uncached(method: str, path: str) -> Any:
            found = match(router, path, method, None)
            return found.target if found.path and found.method else None

        return uncached

    def lookup(method: str, path: str) -> Any:
        try:
            return router(path, method).target
        except NotFoundError:
            return None

    return lookup


def blacksheep(table: list[list[str]], cached: bool = True) -> Lookup:
    from blacksheep.server.routing import Router

    router = Router()
    for method, path in table:
        handler = lambda: None  # noqa: E731
        handler.template = path  # type: ignore[attr-defined]
        router.add(method, _colon(path).replace("*path", "*").replace("*ref", "*"), handler)
    router.apply_routes()
    get: Callable[[str, str], Any] = router.get_match_by_method_and_path
    if not cached:  # the same method without the lru_cache around it
        get = functools.partial(Router.get_match_by_method_and_path.__wrapped__, router)

    def lookup(method: str, path: str) -> Any:
        found = get(method, path)
        return None if found is None else found.handler.template

    return lookup


CONTENDERS: dict[str, Callable[[list[list[str]]], Lookup]] = {
    "altapi_router (compiled)": lambda table: altapi("c", table),
    "altapi_router (pure Python)": lambda table: altapi("py", table),
    "altapi_router (compiled, cache_size=1024)": lambda table: altapi("c", table, 1024),
    "xrtr": xrtr,
    "Falcon CompiledRouter": falcon,
    "BlackSheep (LRU cache)": blacksheep,
    "BlackSheep (no cache)": lambda table: blacksheep(table, cached=False),
    "http-router (LRU cache)": http_router,
    "http-router (no cache)": lambda table: http_router(table, cached=False),
    "Starlette": starlette,
    "linear regex": linear_regex,
}


GROWING = [
    "altapi_router (compiled)",
    "altapi_router (pure Python)",
    "Falcon CompiledRouter",
    "http-router (no cache)",
    "BlackSheep (no cache)",
    "linear regex",
]
GROWTH_ROUTE = ["GET", "/users/{user}"]  # in every table size; looked up as /users/user<i>


def scaled_table(size: int) -> list[list[str]]:
    """`size` routes holding GROWTH_ROUTE: the GitHub table cut down, or repeated under
    /svc<k> prefixes."""
    others = [route for route in ROUTES if route != GROWTH_ROUTE]
    if size <= len(ROUTES):
        return [*others[: size - 1], GROWTH_ROUTE]
    table = list(ROUTES)
    k = 0
    while len(table) < size:
        table += [[m, f"/svc{k}{p}"] for m, p in ROUTES][: size - len(table)]
        k += 1
    return table


def time_lookups(lookup: Lookup, method: str, paths: list[str]) -> float:
    start = time.perf_counter_ns()
    for path in paths:
        lookup(method, path)
    return (time.perf_counter_ns() - start) / len(paths)


def _measure(
    lookups: dict[str, Lookup], workloads: dict[str, list[str]], rounds: int
) -> dict[str, dict[str, float]]:
    """Median ns per lookup for each (contender, workload), contenders interleaved."""
    results: dict[str, dict[str, float]] = {name: {} for name in lookups}
    for label, paths in workloads.items():
        samples: dict[str, list[float]] = {name: [] for name in lookups}
        for _ in range(rounds):
            for name, lookup in lookups.items():
                samples[name].append(time_lookups(lookup, "GET", paths))
        for name in lookups:
            results[name][label] = statistics.median(samples[name])
    return results


def _print(results: dict[str, dict[str, float]], columns: list[str]) -> None:
    print("| router | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name, row in results.items():
        print(f"| {name} | " + " | ".join(f"{row[c]:.0f}" for c in columns) + " |")


def main(rounds: int = 7, repeat: int = 3) -> None:
    lookups: dict[str, Lookup] = {"(empty call)": lambda method, path: None}
    for name, factory in CONTENDERS.items():
        try:
            lookups[name] = factory(ROUTES)
        except ImportError as exc:
            print(f"- {name}: not installed ({exc})")
        except Exception as exc:  # a router that cannot hold this table says so here
            print(f"- {name}: cannot load the table: {type(exc).__name__}: {exc}")
    # Correctness first: every contender must find the right route.
    for name, lookup in list(lookups.items())[1:]:
        for case, (method, template, expected) in CASES.items():
            path = template.replace("{n}", "7")
            got = lookup(method, path)
            if got != expected:
                raise SystemExit(f"{name} matched {got!r} for {case} {path}, expected {expected!r}")

    workloads = {
        case: [template.replace("{n}", str(i)) for i in range(VARIANTS)] * repeat
        for case, (_, template, _) in CASES.items()
    }
    workloads["mix, 20 paths repeating"] = MIX * (VARIANTS * repeat // len(MIX))
    # ~100x slower: fewer lookups, same medians
    slow = {"Starlette", "linear regex", "BlackSheep (no cache)", "http-router (no cache)"}
    fast = {n: f for n, f in lookups.items() if n not in slow}
    results = _measure(fast, workloads, rounds)
    short = {label: paths[: len(paths) // 20] for label, paths in workloads.items()}
    results.update(_measure({n: f for n, f in lookups.items() if n in slow}, short, rounds))
    print(
        f"GitHub API table, {len(ROUTES)} routes: ns per lookup, median of {rounds} "
        f"interleaved rounds, {VARIANTS} distinct paths per class\n"
    )
    _print(results, list(workloads))
    record("GitHub API table: lookup by path class", "ns/lookup", results, "(empty call)")

    print("\nGrowth with the table size (1-param lookups, distinct paths):\n")
    sizes = (20, 200, 2000)
    growing = {}  # every (router, size) in the same interleaved rounds: noise hits all alike
    for name in GROWING:
        for size in sizes:
            try:
                growing[f"{name}|{size}"] = CONTENDERS[name](scaled_table(size))
            except Exception:
                continue
    paths = [f"/users/user{i}" for i in range(VARIANTS)]
    scaling: dict[str, dict[str, float]] = {}
    for key, value in _measure(growing, {"growth": paths}, rounds).items():
        name, routes = key.split("|")
        scaling.setdefault(name, {})[f"{routes} routes"] = value["growth"]
    _print(scaling, [f"{size} routes" for size in sizes])
    record("Growth with the table size (1-param lookups)", "ns/lookup", scaling)


if __name__ == "__main__":
    main()
