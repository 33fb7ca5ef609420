import pytest
from hypothesis import given
from hypothesis import strategies as st

from altapi_core import URL, Headers, MutableHeaders, QueryParams, State


def test_headers_lookup_ignores_case_and_keeps_repeats():
    headers = Headers(raw=[(b"x-a", b"1"), (b"x-a", b"2"), (b"content-type", b"text/plain")])
    assert headers["X-A"] == "1"
    assert headers.getlist("x-a") == ["1", "2"]
    assert "Content-Type" in headers
    assert list(headers) == ["x-a", "content-type"]
    assert len(headers) == 2


def test_mutable_headers_set_replaces_and_append_adds():
    headers = MutableHeaders(raw=[(b"x-a", b"1"), (b"x-a", b"2")])
    headers["X-A"] = "3"
    assert headers.getlist("x-a") == ["3"]
    headers.append("X-A", "4")
    assert headers.getlist("x-a") == ["3", "4"]
    del headers["x-a"]
    assert "x-a" not in headers
    with pytest.raises(KeyError):
        del headers["x-a"]


def test_vary_header_is_merged_without_duplicates():
    headers = MutableHeaders(raw=[(b"vary", b"Accept")])
    headers.add_vary_header("Origin")
    headers.add_vary_header("origin")
    assert headers["vary"] == "Accept, Origin"


@pytest.mark.parametrize("name", ["bad name", "a:b", "", "x\r"])
def test_invalid_header_names_are_refused(name):
    with pytest.raises(ValueError):
        MutableHeaders()[name] = "v"


def test_query_params_from_string_and_str_round_trip():
    params = QueryParams("a=1&a=2&b=%20x")
    assert params["a"] == "2"
    assert params.getlist("a") == ["1", "2"]
    assert params["b"] == " x"
    assert QueryParams(str(params)) == params


def test_url_parts():
    url = URL("https://example.com:8443/a/b?x=1#frag")
    assert (url.scheme, url.hostname, url.port, url.path, url.query, url.fragment) == (
        "https",
        "example.com",
        8443,
        "/a/b",
        "x=1",
        "frag",
    )
    assert url.is_secure
    assert url.replace(path="/c") == "https://example.com:8443/c?x=1#frag"
    assert url.include_query_params(y=2).query == "x=1&y=2"


def test_url_from_scope_uses_host_header_and_root_path():
    scope = {
        "scheme": "http",
        "path": "/api/users",
        "root_path": "",
        "query_string": b"q=1",
        "headers": [(b"host", b"example.org")],
    }
    assert URL.from_scope(scope) == "http://example.org/api/users?q=1"


def test_state_is_an_attribute_bag():
    state = State()
    state.user = "ada"
    assert state.user == "ada"
    assert "user" in state
    del state.user
    with pytest.raises(AttributeError):
        _ = state.user


@pytest.mark.parametrize(
    "query",
    ["", "a=1", "a=1&b=2&a=3", "a=&b", "&&a=1&", "a==b", "=x", "a=1;b=2", "é=ü", "a=%20&b=+"],
)
def test_query_parsing_by_hand_agrees_with_parse_qsl(query):
    from urllib.parse import parse_qsl

    from altapi_core.datastructures import parse_query

    assert parse_query(query) == parse_qsl(query, keep_blank_values=True)


@given(st.text(alphabet="ab=&;%+2é", max_size=20))
def test_query_parsing_agrees_with_parse_qsl_on_any_string(query):
    from urllib.parse import parse_qsl

    from altapi_core.datastructures import parse_query

    assert parse_query(query) == parse_qsl(query, keep_blank_values=True)
