"""Arbitrary paths and methods: the router answers a match or None, never an exception,
and both implementations answer alike (the generated route tables of test_property.py
check them against a reference; here the input is anything a client can send)."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import IMPLEMENTATIONS, router_class

ROUTES = [
    "/",
    "/users",
    "/users/{id:int}",
    "/users/{id:int}/posts/{slug}",
    "/files/{rest:path}",
    "/price/{value:float}",
    "/日本/{name:str}",
    "/a/b/c/d/e",
    "/a/{x}/c/{y:int}/e",
]

QUICK = settings(max_examples=int(os.environ.get("ALTAPI_FUZZ_EXAMPLES", "300")), deadline=None)

path_text = st.lists(
    st.one_of(
        st.sampled_from(["users", "42", "-1", "1e5", "nan", "inf", "日本", "a", "b", "files", ""]),
        st.text(max_size=12),
        st.from_regex(r"[0-9]{15,25}", fullmatch=True),
    ),
    max_size=6,
).map(lambda parts: "/" + "/".join(parts))


def _routers():
    routers = []
    for impl in IMPLEMENTATIONS:
        router = router_class(impl)()
        for i, path in enumerate(ROUTES):
            router.add(path, f"h{i}", methods=["GET", "POST"], name=f"r{i}")
        routers.append(router)
    return routers


ROUTERS = _routers()


def _outcome(call):
    try:
        return ("value", call())
    except Exception as exc:  # compared across implementations, then refused below
        return ("error", type(exc).__name__)


@QUICK
@given(
    st.sampled_from(["GET", "POST", "HEAD", "get", "", "PATCH"]) | st.text(max_size=8), path_text
)
def test_any_path_matches_or_not_alike_in_both_implementations(method, path):
    outcomes = {repr(_outcome(lambda r=r: r.match(method, path))) for r in ROUTERS}
    assert len(outcomes) == 1, outcomes
    assert not outcomes.pop().startswith("('error'"), (method, path)
    allowed = {repr(_outcome(lambda r=r: r.allowed_methods(path))) for r in ROUTERS}
    assert len(allowed) == 1 and not allowed.pop().startswith("('error'")


@QUICK
@given(st.lists(st.text(max_size=10), max_size=6))
def test_any_segments_match_or_not_alike_in_both_implementations(segments):
    outcomes = {repr(_outcome(lambda r=r: r.match_segments("GET", segments))) for r in ROUTERS}
    assert len(outcomes) == 1, outcomes
    assert not outcomes.pop().startswith("('error'"), segments
