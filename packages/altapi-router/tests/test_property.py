"""Compiled, pure and a naive reference matcher agree on generated route tables."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from altapi_router import RouteConflictError

from .conftest import IMPLEMENTATIONS, router_class

WORDS = ["a", "b", "7", "42", "x1", "é", "日本", "😀"]  # three string widths
PARAMS = {"int": (1, r"[0-9]+", int), "str": (2, r"[^/]+", str), "path": (3, r".*", str)}

segment = st.one_of(st.sampled_from(WORDS), st.sampled_from(["{int}", "{str}"]))
pattern = st.tuples(
    st.lists(segment, min_size=0, max_size=3), st.booleans()
)  # (segments, ends with a path parameter)
table = st.lists(st.tuples(pattern, st.sampled_from(["GET", "POST"])), max_size=8)
paths = st.lists(st.lists(st.sampled_from([*WORDS, "", "q"]), max_size=4), max_size=10)


def _route(segments, greedy):
    parts, kinds, regex = [], [], []
    for i, seg in enumerate([*segments, "{path}"] if greedy else segments):
        if seg.startswith("{"):
            kind = seg[1:-1]
            rank, rx, _ = PARAMS[kind]
            parts.append(f"{{p{i}:{kind}}}")
            kinds.append(rank)
            regex.append(f"({rx})")
        else:
            parts.append(seg)
            kinds.append(0)
            regex.append(re.escape(seg))
    return "/" + "/".join(parts), tuple(kinds), re.compile("/" + "/".join(regex))


def reference(routes, method, path):
    """Every route whose regex matches; the winner has the smallest per-segment ranks."""
    best = None
    for path_pattern, ranks, regex, methods, handler in routes.values():
        m = regex.fullmatch(path)
        if not m or method not in methods:
            continue
        values = []
        for rank, text in zip([r for r in ranks if r], m.groups(), strict=True):
            if rank == 1 and not (text.isascii() and text.isdigit()):
                break
            if rank == 2 and (not text or "/" in text):
                break
            values.append(int(text) if rank == 1 else text)
        else:
            if best is None or ranks < best[0]:
                best = (ranks, handler, values, path_pattern)
    if best is None:
        return None
    names = re.findall(r"{(p\d+):", best[3])
    return best[1], dict(zip(names, best[2], strict=True))


@settings(max_examples=150, deadline=None)
@given(table, paths)
def test_implementations_agree_with_the_reference(entries, path_lists):
    routers = [router_class(impl)() for impl in IMPLEMENTATIONS]
    shapes = {}
    for (segments, greedy), method in entries:
        path, ranks, regex = _route(segments, greedy)
        handler = f"{method} {path}"
        outcomes = set()
        for router in routers:
            try:
                router.add(path, handler, methods=[method])
                outcomes.add("added")
            except RouteConflictError:
                outcomes.add("conflict")
        assert len(outcomes) == 1  # both implementations accept or refuse alike
        if outcomes == {"conflict"}:
            # Only the same shape (ranks and static words) with the same method conflicts.
            assert any(method in v[3] and v[1] == ranks for v in shapes.values())
            continue
        shape = (ranks, path)
        shapes.setdefault(shape, [path, ranks, regex, set(), {}])
        shapes[shape][3].add(method)
    # The reference sees one entry per registered (path, method).
    flat = {}
    for (ranks, path), (_, _, regex, methods, _) in shapes.items():
        for method in methods:
            flat[(path, method)] = (path, ranks, regex, {method}, f"{method} {path}")
    for parts in path_lists:
        path = "/" + "/".join(parts)
        for method in ("GET", "POST"):
            expected = reference(flat, method, path)
            for router in routers:
                assert router.match(method, path) == expected, (path, method)
            # The walk that the written-out code follows (and deep trees use) agrees too.
            assert routers[0]._http._walk_path(method, path) == expected, (path, method)
