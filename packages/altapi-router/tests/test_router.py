import uuid

import pytest

import altapi_router
from altapi_router import NoMatchFound, RouteConflictError, register_converter
from altapi_router._tree import Tree
from altapi_router.routes import Route


def test_static_route_matches_with_no_params(make_router):
    router = make_router()
    router.add("/users", "list")
    assert router.match("GET", "/users") == ("list", {})
    assert router.match("GET", "/user") is None
    assert router.match("POST", "/users") is None


def test_typed_params_are_converted(make_router):
    router = make_router()
    router.add("/users/{id:int}", "user")
    router.add("/prices/{value:float}", "price")
    router.add("/items/{key:uuid}", "item")
    router.add("/files/{rest:path}", "file")
    router.add("/names/{name}", "name")
    key = uuid.uuid4()
    assert router.match("GET", "/users/42") == ("user", {"id": 42})
    assert router.match("GET", "/prices/1.5") == ("price", {"value": 1.5})
    assert router.match("GET", f"/items/{key}") == ("item", {"key": key})
    assert router.match("GET", "/files/a/b/c.txt") == ("file", {"rest": "a/b/c.txt"})
    assert router.match("GET", "/names/zoë") == ("name", {"name": "zoë"})


@pytest.mark.parametrize(
    "path", ["/users/abc", "/users/-1", "/users/4.2", "/users/²", "/users/", "/users"]
)
def test_value_that_does_not_convert_does_not_match(make_router, path):
    router = make_router()
    router.add("/users/{id:int}", "user")
    assert router.match("GET", path) is None


def test_str_param_needs_a_non_empty_segment(make_router):
    router = make_router()
    router.add("/a/{x}/b", "h")
    assert router.match("GET", "/a//b") is None
    assert router.match("GET", "/a/1/b") == ("h", {"x": "1"})


def test_compound_segment(make_router):
    router = make_router()
    router.add("/reports/{name}.{ext}", "report", name="report")
    router.add("/v{major:int}/status", "status")
    assert router.match("GET", "/reports/q3.tar.gz") == ("report", {"name": "q3", "ext": "tar.gz"})
    assert router.match("GET", "/v2/status") == ("status", {"major": 2})
    assert router.match("GET", "/vx/status") is None
    assert router.url_for("report", name="a b", ext="csv") == "/reports/a%20b.csv"


def test_many_static_siblings(make_router):
    # More siblings than a linear scan handles (the compiled tree hashes them), many
    # sharing a length and first and last characters, and a parameter to fall back to.
    router = make_router()
    words = [f"a{c}z" for c in "bcdefghijklmnopqrstuvwxy"] + ["az", "a", "abz/x", "aé", "a日z"]
    for word in words:
        router.add(f"/{word}", word)
    router.add("/{other}", "other")
    for word in words:
        assert router.match("GET", f"/{word}") == (word, {})
    for miss in ["aAz", "abb", "bbz", "abzz", "aa", "ab", "a日", "日z", "a😀z"]:
        assert router.match("GET", f"/{miss}") == ("other", {"other": miss})
    assert router.match("GET", "/abz/x") == ("abz/x", {})


def test_paths_of_any_width(make_router):
    # Latin-1, two-byte and four-byte strings: segments are compared and cut alike.
    router = make_router()
    router.add("/café/{name}/{n:int}", "cafe")
    router.add("/日本/{rest:path}", "japan")
    router.add("/{a}/x", "x")
    assert router.match("GET", "/café/zoë/3") == ("cafe", {"name": "zoë", "n": 3})
    assert router.match("GET", "/café/日本/3") == ("cafe", {"name": "日本", "n": 3})
    assert router.match("GET", "/café/😀/3") == ("cafe", {"name": "😀", "n": 3})
    assert router.match("GET", "/日本/a/😀/c") == ("japan", {"rest": "a/😀/c"})
    assert router.match("GET", "/😀/x") == ("x", {"a": "😀"})
    assert router.match("GET", "/café/zoë/٣") is None  # an Arabic-Indic digit is not an int


@pytest.mark.parametrize("digits", ["0", "7", "42", "9" * 18, "1" + "0" * 18, "12345" * 8])
def test_int_values_of_any_length(make_router, digits):
    # The compiled tree adds up short numbers itself and hands longer ones (over 18
    # digits) to CPython's own parsing.
    router = make_router()
    router.add("/n/{n:int}", "n")
    assert router.match("GET", f"/n/{digits}") == ("n", {"n": int(digits)})


@pytest.mark.parametrize("char", ["a", "é", "日", "😀"])
def test_one_character_values(make_router, char):
    router = make_router()
    router.add("/x/{a}/{b}", "x")
    found = router.match("GET", f"/x/{char}/{char}{char}")
    assert found == ("x", {"a": char, "b": char * 2})
    assert type(found[1]["a"]) is str


def test_an_error_in_a_converter_is_raised_not_taken_for_no_match(make_router):
    def to_python(value):
        if value == "boom":
            raise RuntimeError("converter failed")
        if value == "no":
            raise ValueError("not mine")
        return value.upper()

    register_converter_once("loud", r"[a-z]+", to_python, str.lower)
    router = make_router()
    router.add("/c/{v:loud}/end", "loud")
    router.add("/c/{v}/end", "plain")
    assert router.match("GET", "/c/ok/end") == ("loud", {"v": "OK"})
    assert router.match("GET", "/c/no/end") == ("plain", {"v": "no"})  # ValueError: next edge
    with pytest.raises(RuntimeError, match="converter failed"):
        router.match("GET", "/c/boom/end")
    assert router.match("GET", "/c/ok/end") == ("loud", {"v": "OK"})  # and it still works


def test_a_result_is_never_changed_by_a_later_lookup(make_router):
    # The compiled router refills a result's tuple and dict once its caller has let go
    # of them; one still held, whole or just its dict, must stay as it was.
    router = make_router()
    router.add("/users/{id:int}/{tab}", "user")
    router.add("/about", "about")
    held = router.match("GET", "/users/1/a")
    params = router.match("GET", "/users/2/b")[1]
    assert router.match("GET", "/users/3/c") == ("user", {"id": 3, "tab": "c"})
    assert held == ("user", {"id": 1, "tab": "a"})
    assert params == {"id": 2, "tab": "b"}
    changed = router.match("GET", "/users/4/d")
    changed[1]["extra"] = True  # a caller that added a key, then let go
    del changed
    assert router.match("GET", "/users/5/e") == ("user", {"id": 5, "tab": "e"})
    swapped = router.match("GET", "/users/6/f")
    del swapped[1]["tab"]
    swapped[1]["other"] = 1  # as many keys as before, not the same ones
    del swapped
    assert router.match("GET", "/users/7/g") == ("user", {"id": 7, "tab": "g"})
    empty = router.match("GET", "/about")
    empty[1]["x"] = 1
    del empty
    assert router.match("GET", "/about") == ("about", {})


class Noisy:
    """A converted value whose __del__ runs whatever `on_del` says (set by a test)."""

    on_del = None

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        return isinstance(other, Noisy) and other.text == self.text

    def __del__(self):
        if Noisy.on_del is not None:
            Noisy.on_del()


def test_a_lookup_from_inside_a_lookup_gets_its_own_result(make_router):
    # Refilling a result frees the previous value; its __del__ may look up the same
    # route again before the outer lookup has returned (the compiled router). The
    # pure one frees it at `del first`.
    register_converter_once("noisy", r"[a-z]+", Noisy, lambda value: value.text)
    router = make_router()
    router.add("/n/{v:noisy}", "noisy")
    inner = []
    first = router.match("GET", "/n/first")
    assert first == ("noisy", {"v": Noisy("first")})
    Noisy.on_del = lambda: inner or inner.append(router.match("GET", "/n/inner"))
    try:
        del first
        second = router.match("GET", "/n/second")  # Noisy("first") is freed by now
    finally:
        Noisy.on_del = None
    assert second == ("noisy", {"v": Noisy("second")})
    assert inner == [("noisy", {"v": Noisy("inner")})]
    assert inner[0] is not second


def test_static_beats_typed_beats_str_beats_path(make_router):
    router = make_router()
    router.add("/p/{rest:path}", "path")
    router.add("/p/{name}", "str")
    router.add("/p/{id:int}", "int")
    router.add("/p/me", "static")
    assert router.match("GET", "/p/me")[0] == "static"
    assert router.match("GET", "/p/7")[0] == "int"
    assert router.match("GET", "/p/bob")[0] == "str"
    assert router.match("GET", "/p/a/b")[0] == "path"


def test_typed_ties_resolved_by_registration_order(make_router):
    register_converter_once("hexword", r"[0-9a-f]+", str, str)
    router = make_router()
    router.add("/t/{a:hexword}", "hex")
    router.add("/t/{b:int}", "int")
    assert router.match("GET", "/t/12")[0] == "hex"
    assert router.match("GET", "/t/ff")[0] == "hex"


def test_backtracks_when_deeper_static_branch_fails(make_router):
    router = make_router()
    router.add("/users/{id:int}/posts", "posts")
    router.add("/users/me/settings", "settings")
    router.add("/users/{name}/profile", "profile")
    assert router.match("GET", "/users/me/settings")[0] == "settings"
    assert router.match("GET", "/users/12/posts") == ("posts", {"id": 12})
    assert router.match("GET", "/users/me/profile") == ("profile", {"name": "me"})


def test_backtracking_forgets_the_parameters_of_the_failed_branch(make_router):
    router = make_router()
    router.add("/a/{x}/b", "ab")
    router.add("/{y}/{z}/c", "yzc")
    router.add("/{y}/{z}/{w:int}/d", "yzwd")
    assert router.match("GET", "/a/1/c") == ("yzc", {"y": "a", "z": "1"})
    assert router.match("GET", "/a/1/2/d") == ("yzwd", {"y": "a", "z": "1", "w": 2})
    assert router.match("GET", "/a/1/b") == ("ab", {"x": "1"})


def test_method_falls_through_to_a_lower_precedence_route(make_router):
    router = make_router()
    router.add("/items/new", "form", methods=["GET"])
    router.add("/items/{id}", "update", methods=["POST"])
    assert router.match("POST", "/items/new") == ("update", {"id": "new"})


def test_allowed_methods_is_the_union_over_matching_routes(make_router):
    router = make_router()
    router.add("/items/{id:int}", "get", methods=["GET", "DELETE"])
    router.add("/items/{name}", "put", methods=["PUT"])
    assert router.allowed_methods("/items/3") == frozenset({"GET", "DELETE", "PUT"})
    assert router.allowed_methods("/items/x") == frozenset({"PUT"})
    assert router.allowed_methods("/nothing") == frozenset()


def test_allowed_methods_gathers_every_kind_of_route_that_matches(make_router):
    # Routes of every edge kind: the compiled router gathers them in its own walk.
    register_converter_once("even", r"[0-9]+", _even, str)
    router = make_router()
    router.add("/files/{rest:path}", "files", methods=["GET"])
    router.add("/files/readme", "readme", methods=["PATCH"])
    router.add("/n/{x:even}", "even", methods=["PUT"])
    router.add("/n/{x:int}", "int", methods=["POST"])
    router.add("/n/{x}", "str", methods=["DELETE"])
    router.add("/img/{name}.{ext}", "img", methods=["HEAD"])
    router.add("/img/logo.png", "logo", methods=["OPTIONS"])
    assert router.allowed_methods("/files/readme") == frozenset({"GET", "PATCH"})
    assert router.allowed_methods("/files/a/b") == frozenset({"GET"})
    assert router.allowed_methods("/n/4") == frozenset({"PUT", "POST", "DELETE"})
    assert router.allowed_methods("/n/3") == frozenset({"POST", "DELETE"})
    assert router.allowed_methods("/n/x") == frozenset({"DELETE"})
    assert router.allowed_methods("/n/") == frozenset()
    assert router.allowed_methods("/img/logo.png") == frozenset({"HEAD", "OPTIONS"})
    assert router.allowed_methods("/img/x.gif") == frozenset({"HEAD"})
    assert router.allowed_methods("/img/x") == frozenset()
    assert router.allowed_methods("/n/4/") == frozenset()
    assert router.allowed_methods(["n", "4"]) == frozenset({"PUT", "POST", "DELETE"})
    with pytest.raises(RuntimeError, match="odd one out"):
        router.allowed_methods("/n/13")


def _even(value):
    if value == "13":
        raise RuntimeError("odd one out")
    if int(value) % 2:
        raise ValueError(value)
    return int(value)


def test_routes_added_after_a_lookup_are_matched(make_router):
    router = make_router()
    router.add("/a/{x}", "a")
    assert router.match("GET", "/b/1") is None
    router.add("/b/{y:int}", "b")
    assert router.match("GET", "/b/1") == ("b", {"y": 1})
    assert router.match_segments("GET", ["b", "2"]) == ("b", {"y": 2})


def test_prepare_builds_the_lookups_before_the_first_one(make_router):
    router = make_router()
    router.add("/u/{id:int}", "user")
    router.add_websocket("/ws/{room}", "room")
    router.prepare()
    assert "match" in vars(router)  # bound: the lookups are the tree's own functions
    assert router.match("GET", "/u/3") == ("user", {"id": 3})
    assert router.match_websocket("/ws/a") == ("room", {"room": "a"})
    router.add("/v", "v")  # an add() after prepare() is still seen
    assert router.match("GET", "/v") == ("v", {})


def test_a_route_too_deep_to_write_out_is_still_matched(make_router):
    from altapi_router._codegen import MAX_INDENT, compile_matchers

    depth = MAX_INDENT  # each segment nests the written-out code at least one level
    deep = "/" + "/".join(f"s{i}/{{p{i}:int}}" for i in range(depth))
    tree = Tree()
    tree.add(Route(deep, "deep", ["GET"]), frozenset({"GET"}))
    assert compile_matchers(tree._root) is None  # so the walk is used
    router = make_router()
    router.add(deep, "deep")
    router.add("/x/{name}", "shallow")
    path = "/" + "/".join(f"s{i}/{i}" for i in range(depth))
    assert router.match("GET", path) == ("deep", {f"p{i}": i for i in range(depth)})
    assert router.match("GET", path + "/more") is None
    assert router.match("GET", "/x/y") == ("shallow", {"name": "y"})
    assert router.match("GET", "x/y") is None  # a path must start with "/"


def test_trailing_slash_is_a_different_path(make_router):
    router = make_router()
    router.add("/docs", "docs")
    router.add("/files/", "files")
    assert router.match("GET", "/docs/") is None
    assert router.match("GET", "/files") is None
    assert router.match("GET", "/files/") == ("files", {})


def test_match_segments_keeps_an_encoded_slash_inside_a_segment(make_router):
    router = make_router()
    router.add("/names/{name}", "name")
    assert router.match_segments("GET", ["names", "a/b"]) == ("name", {"name": "a/b"})


def test_same_pattern_and_method_twice_is_an_error_naming_both(make_router):
    router = make_router()
    router.add("/users/{id:int}", "a", name="first")
    router.add("/users/{id:int}", "b", methods=["POST"], name="second")
    with pytest.raises(RouteConflictError) as info:
        router.add("/users/{uid:int}", "c", name="third")
    message = str(info.value)
    assert "first" in message and "third" in message and "GET" in message


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/a/{x}/{x:int}", "appears twice"),
        ("/a/{x:nope}", "unknown converter"),
        ("/a/{rest:path}/b", "last segment"),
        ("no-slash", "must start with '/'"),
        ("/a/{x", "unbalanced"),
        ("/a/{1x}", "not an identifier"),
    ],
)
def test_bad_patterns_are_rejected_at_add(make_router, path, fragment):
    with pytest.raises(ValueError, match=fragment):
        make_router().add(path, "h")


def test_url_for_converts_and_percent_encodes(make_router):
    router = make_router()
    router.add("/users/{id:int}", "user", name="user")
    router.add("/search/{term}", "search", name="search")
    router.add("/files/{rest:path}", "file", name="file")
    assert router.url_for("user", id=42) == "/users/42"
    assert router.url_for("search", term="a b/c?") == "/search/a%20b%2Fc%3F"
    assert router.url_for("file", rest="dir/x y.txt") == "/files/dir/x%20y.txt"


def test_url_for_errors(make_router):
    router = make_router()
    router.add("/users/{id:int}", "user", name="user")
    with pytest.raises(NoMatchFound, match="no route named 'nope'"):
        router.url_for("nope")
    with pytest.raises(NoMatchFound, match="missing id"):
        router.url_for("user")
    with pytest.raises(NoMatchFound, match="unexpected extra"):
        router.url_for("user", id=1, extra=2)
    with pytest.raises(ValueError, match="not a valid 'int'"):
        router.url_for("user", id="abc")


def test_websocket_routes_are_kept_apart(make_router):
    router = make_router()
    router.add_websocket("/ws/{room}", "ws", name="ws")
    assert router.match("GET", "/ws/lobby") is None
    assert router.allowed_methods("/ws/lobby") == frozenset()
    assert router.match_websocket("/ws/lobby") == ("ws", {"room": "lobby"})
    assert router.url_for("ws", room="x") == "/ws/x"


def test_mount_adds_a_sub_router_under_a_prefix(make_router):
    sub = make_router()
    sub.add("/", "index", name="api-index")
    sub.add("/users/{id:int}", "user", name="api-user")
    sub.add_websocket("/feed", "feed")
    router = make_router()
    router.mount("/api/", sub)
    assert router.match("GET", "/api") == ("index", {})
    assert router.match("GET", "/api/users/3") == ("user", {"id": 3})
    assert router.match_websocket("/api/feed") == ("feed", {})
    assert router.url_for("api-user", id=3) == "/api/users/3"


def test_routes_are_listed_for_introspection(make_router):
    router = make_router()
    router.add("/a", "a", methods=["get", "post"], name="a")
    router.add_websocket("/w", "w")
    routes = list(router)
    assert [(r.path, r.methods, r.name, r.websocket) for r in routes] == [
        ("/a", frozenset({"GET", "POST"}), "a", False),
        ("/w", None, None, True),
    ]
    assert len(router) == 2 and router.routes == routes


def register_converter_once(name, *args):
    from altapi_router.converters import CONVERTERS

    if name not in CONVERTERS:
        register_converter(name, *args)


def test_registered_converter_round_trips(make_router):
    register_converter_once("slug", r"[a-z0-9-]+", str.upper, str.lower)
    router = make_router()
    router.add("/posts/{s:slug}", "post", name="post")
    assert router.match("GET", "/posts/hello-world") == ("post", {"s": "HELLO-WORLD"})
    assert router.match("GET", "/posts/Hello") is None
    assert router.url_for("post", s="HELLO") == "/posts/hello"
    with pytest.raises(ValueError, match="already registered"):
        register_converter("slug", r".*")


def test_compiled_extension_loaded_where_built():
    if altapi_router._compat.NO_EXTENSIONS:
        assert altapi_router.COMPILED is False
    else:
        assert altapi_router.COMPILED is True
        assert type(altapi_router.Router()._http).__module__ == "altapi_router._ctree"


def test_result_cache_gives_the_same_answers_and_fresh_parameters(make_router):
    router = make_router(cache_size=2)
    router.add("/users/{id:int}", "get", methods=["GET"])
    router.add("/users/{id:int}", "put", methods=["PUT"])
    first = router.match("GET", "/users/7")
    assert first == ("get", {"id": 7})
    first[1]["id"] = "changed by the caller"
    assert router.match("GET", "/users/7") == ("get", {"id": 7})  # a hit, a fresh dict
    assert router.match("PUT", "/users/7") == ("put", {"id": 7})  # the method still counts
    assert router.match("DELETE", "/users/7") is None
    for i in range(10):  # more paths than it may hold
        assert router.match("GET", f"/users/{i}") == ("get", {"id": i})
        assert len(router._http._cache) <= 2
    router.add("/users/7", "seven")  # an add() is seen at once
    assert router.match("GET", "/users/7") == ("seven", {})


def test_result_cache_is_off_by_default(make_router):
    router = make_router()
    router.add("/a/{x}", "a")
    router.match("GET", "/a/1")
    assert router._http._cache is None


def test_match_is_one_stable_function_before_and_after_the_first_lookup(make_router):
    router = make_router()
    before = router.match
    router.add("/users/{id:int}", "user")
    assert before("GET", "/users/1") == ("user", {"id": 1})  # fetched before the add, still right
    after = router.match
    assert after is before and router.match_segments is router.match_segments
    router.add("/items", "items")  # an add after lookups: the same function sees it
    assert (before("GET", "/items"), router.match is before) == (("items", {}), True)
    assert "match" not in type(router).__dict__  # no class-level method for it to shadow
