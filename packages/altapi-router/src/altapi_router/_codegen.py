"""The pure-Python matcher: a tree written out as one function of nested `if`s.

`compile_matchers(root)` turns the tree into the source of `match(method, path)`
and `match_segments(method, segs)` and compiles them. Each node becomes a block that tests
its static children, then its parameter edges in precedence order; a block that
finds nothing falls through to the next alternative, which is the backtracking
of `_tree._walk`. Parameter values are locals (`s2`, `v2`, ...) read back by the
leaf that matches, so nothing is collected on the way. See docs/router.md.

PERF: the tests that jump over a subtree are truth tests of prepared bools
(`more[d]` for "a segment is left at depth d", `k1[j]` for "go right at step j
of the binary search"), not comparisons: CPython 3.11 only specialises a
comparison followed directly by its jump, and a jump over a large block needs
an EXTENDED_ARG in between, so `n > 3` or `k1 < 10` there costs a generic
rich comparison (about 60 instructions) where `more[3]` costs a tuple index.
"""

from __future__ import annotations

from typing import Any

from . import _tree
from ._tree import Matcher

__all__ = ["compile_matchers"]

# The two entry points; both leave segs[1:] as the path's segments (segs[0] == "").
_HEADS = {
    "match": (
        "def match(method, path):",
        'segs = path.split("/")\n    if segs[0]:\n        return None',
    ),
    "match_segments": ("def match_segments(method, segs):", 'segs = ["", *segs]'),
}
# After either head: more[d] is len(segs) > d, for every depth the blocks test.
_MORE = "n = len(segs)\n    more = MORE[n] if n < {size} else ALL"

# Above this nesting Python's parser gives up (100 levels); such a tree is walked instead.
MAX_INDENT = 80
# A node with more static children than this finds the child by a dict and a binary search.
CHAIN = 4


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.consts: dict[str, Any] = {}
        self.deepest = 0
        self.depth = 0  # the largest d tested by more[d]

    def line(self, indent: int, text: str) -> None:
        self.deepest = max(self.deepest, indent)
        self.lines.append("    " * indent + text)

    def const(self, value: Any) -> str:
        name = f"K{len(self.consts)}"
        self.consts[name] = value
        return name

    def node(self, node: _tree._Node, d: int, ind: int, caps: list[tuple[int, int, int]]) -> None:
        """The block for `node`, reached with segs[1:d] consumed (so n >= d here)."""
        has_children = bool(node.static or node.edges)
        self.depth = max(self.depth, d)
        if node.routes:  # n >= d here, so "not more[d]" is n == d
            self.line(ind, f"if not more[{d}]:")
            self.leaf(node.routes, ind + 1, caps)
            if has_children:
                self.line(ind, "else:")
                self.children(node, d, ind + 1, caps)
        elif has_children:
            self.line(ind, f"if more[{d}]:")
            self.children(node, d, ind + 1, caps)

    def children(
        self, node: _tree._Node, d: int, ind: int, caps: list[tuple[int, int, int]]
    ) -> None:
        seg = f"s{d}"
        self.line(ind, f"{seg} = segs[{d}]")
        keys = list(node.static)
        if len(keys) <= CHAIN:
            for i, key in enumerate(keys):
                self.line(ind, f"{'if' if i == 0 else 'elif'} {seg} == {key!r}:")
                self.node(node.static[key], d + 1, ind + 1, caps)
        else:
            turns: list[list[bool]] = [[] for _ in keys]
            _turns(turns, 0, len(keys))
            index = self.const({key: tuple(turns[i]) for i, key in enumerate(keys)})
            self.line(ind, f"k{d} = {index}.get({seg})")
            self.line(ind, f"if k{d} is not None:")
            self.search([node.static[k] for k in keys], 0, len(keys), d, ind + 1, caps)
        for edge in node.edges:
            self.edge(edge, d, ind, caps)

    def search(
        self, kids: list[_tree._Node], lo: int, hi: int, d: int, ind: int, caps: Any, step: int = 0
    ) -> None:
        """Binary search for the child block among kids[lo:hi], steered by k{d}'s turns."""
        if hi - lo == 1:
            self.node(kids[lo], d + 1, ind, caps)
            return
        mid = (lo + hi) // 2
        self.line(ind, f"if k{d}[{step}]:")
        self.search(kids, mid, hi, d, ind + 1, caps, step + 1)
        self.line(ind, "else:")
        self.search(kids, lo, mid, d, ind + 1, caps, step + 1)

    def edge(self, edge: _tree._Edge, d: int, ind: int, caps: list[tuple[int, int, int]]) -> None:
        seg, kind = f"s{d}", edge.kind
        if kind == _tree._GREEDY:
            if edge.node.routes:
                self.leaf(edge.node.routes, ind, [*caps, (kind, d, 1)])
            return
        if kind == _tree._STR:
            self.line(ind, f"if {seg}:")
        elif kind == _tree._INT:
            # isdigit() alone accepts "²" and other Unicode digits; isascii() keeps it exact.
            self.line(ind, f"if {seg}.isascii() and {seg}.isdigit():")
            self.line(ind + 1, f"v{d} = int({seg})")
        else:
            target = "v" if kind == _tree._CONVERTER else "c"
            self.line(ind, "try:")
            self.line(ind + 1, f"{target}{d} = {self.const(edge.matcher)}.convert({seg})")
            self.line(ind, "except ValueError:")
            self.line(ind + 1, "pass")
            self.line(ind, "else:")
        count = len(edge.matcher.names) if kind == _tree._COMPOUND else 1
        self.node(edge.node, d + 1, ind + 1, [*caps, (kind, d, count)])

    def leaf(self, routes: dict[str, Any], ind: int, caps: list[tuple[int, int, int]]) -> None:
        for i, (method, route) in enumerate(routes.items()):
            self.line(ind, f"{'if' if i == 0 else 'elif'} method == {method!r}:")
            params = ", ".join(f"{name!r}: {value}" for name, value in _values(route, caps))
            self.line(ind + 1, f"return {self.const(route.handler)}, {{{params}}}")


def _turns(turns: list[list[bool]], lo: int, hi: int) -> None:
    """Each key's way through the binary search on kids[lo:hi]: True for the upper half."""
    if hi - lo > 1:
        mid = (lo + hi) // 2
        for i in range(lo, hi):
            turns[i].append(i >= mid)
        _turns(turns, lo, mid)
        _turns(turns, mid, hi)


def _values(route: Any, caps: list[tuple[int, int, int]]) -> list[tuple[str, str]]:
    """(name, expression) for each parameter of `route`, from the captures on its way."""
    exprs: list[str] = []
    for kind, d, count in caps:
        if kind == _tree._STR:
            exprs.append(f"s{d}")
        elif kind == _tree._GREEDY:
            exprs.append(f"'/'.join(segs[{d}:])")
        elif kind == _tree._COMPOUND:
            exprs.extend(f"c{d}[{j}]" for j in range(count))
        else:
            exprs.append(f"v{d}")
    return list(zip(route.param_names, exprs, strict=True))


def compile_matchers(root: _tree._Node) -> tuple[Matcher, Matcher] | None:
    """`match(method, path)` and `match_segments(method, segs)` for the tree under
    `root`, or None when the tree is too deep to write out."""
    writer = _Writer()
    writer.node(root, 1, 1, [])  # segs[0] is the empty text before the first "/"
    if writer.deepest > MAX_INDENT:
        return None
    body = "\n".join(writer.lines)
    size = writer.depth + 1
    more = _MORE.format(size=size)
    source = "".join(
        f"{define}\n    {prepare}\n    {more}\n{body}\n    return None\n\n"
        for define, prepare in _HEADS.values()
    )
    namespace = dict(writer.consts)
    namespace["MORE"] = tuple(tuple(n > d for d in range(size)) for n in range(size))
    namespace["ALL"] = (True,) * size
    exec(compile(source, "<altapi_router matcher>", "exec"), namespace)
    return namespace["match"], namespace["match_segments"]
