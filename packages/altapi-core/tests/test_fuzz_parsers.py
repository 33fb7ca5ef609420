"""Property tests: every parser the framework owns, given arbitrary input, gives a value
or a 4xx; nothing escapes as a 500. Bounded (max_examples) to stay quick; the atheris
targets in tests/fuzz/ run the same parsers for longer (`nox -s fuzz`)."""

from __future__ import annotations

import os

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from altapi_core import AltAPI, PlainTextResponse
from altapi_core.connection import _parse_cookies
from altapi_core.datastructures import Headers, QueryParams
from altapi_core.exceptions import HTTPException
from altapi_core.fileresponse import _RangeError, parse_range
from altapi_core.formparsers import FormLimits, parse_multipart, parse_urlencoded
from altapi_core.testclient import TestClient
from altapi_core.uploads import FormData, UploadFile
from altapi_core.websockets import WebSocket, WebSocketDisconnect

# ALTAPI_FUZZ_EXAMPLES=5000 for a longer run on demand.
QUICK = settings(
    max_examples=int(os.environ.get("ALTAPI_FUZZ_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Bytes rich in the characters parsers split on, decode or unquote.
SYNTAX = b"=&;,-+%\"'\\:/ \r\n\t\x00\xff\xc3\xa9"
hostile_bytes = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([bytes([c]) for c in SYNTAX] + [b"a", b"%2", b"%zz", b"--b"])).map(
        b"".join
    ),
)
chunk_sizes = st.integers(min_value=1, max_value=64)


def _chunks(body: bytes, size: int):
    async def chunks():
        for i in range(0, len(body), size):
            yield body[i : i + size]

    return chunks()


async def _parsed(parse, body: bytes, size: int):
    try:
        form = await parse(_chunks(body, size))
    except HTTPException as exc:
        assert 400 <= exc.status_code < 500
        return ("refused", exc.status_code)
    assert isinstance(form, FormData)
    items = []
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            value = (value.filename, await value.read())
        items.append((name, value))
    await form.close()
    return items


@QUICK
@given(hostile_bytes, chunk_sizes)
def test_urlencoded_gives_fields_or_a_4xx_whatever_the_chunking(body, size):
    def parse(chunks):
        return parse_urlencoded(chunks, FormLimits(max_fields=20, max_part_size=100))

    whole = anyio.run(_parsed, parse, body, len(body) or 1)
    assert anyio.run(_parsed, parse, body, size) == whole


PART = st.builds(
    lambda name, filename, data: (
        b'Content-Disposition: form-data; name="'
        + name
        + b'"'
        + (b'; filename="' + filename + b'"' if filename is not None else b"")
        + b"\r\n\r\n"
        + data
    ),
    st.binary(max_size=8),
    st.none() | st.binary(max_size=8),
    st.binary(max_size=40),
)


@st.composite
def multipart_bodies(draw):
    """Well-formed bodies, then cut, spliced or sprinkled with bytes."""
    parts = draw(st.lists(PART, max_size=4))
    body = b"".join(b"--b\r\n" + p + b"\r\n" for p in parts) + b"--b--\r\n"
    cut = draw(st.integers(0, len(body)))
    tail = draw(st.sampled_from([b"", b"--b", b"\r\n", b"--b--", b"\xff"]))
    return draw(st.sampled_from([body, body[:cut] + tail, draw(hostile_bytes)]))


content_types = st.sampled_from(
    [
        "multipart/form-data; boundary=b",
        'multipart/form-data; boundary="b"',
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=" + "b" * 80,
    ]
) | st.text(st.characters(max_codepoint=255), max_size=40).map(  # headers are latin-1
    lambda t: "multipart/form-data; " + t
)


@QUICK
@given(content_types, multipart_bodies(), chunk_sizes)
def test_multipart_gives_fields_or_a_4xx_whatever_the_chunking(content_type, body, size):
    def parse(chunks):
        return parse_multipart(content_type, chunks, FormLimits(max_fields=3, max_files=2))

    whole = anyio.run(_parsed, parse, body, len(body) or 1)
    assert anyio.run(_parsed, parse, body, size) == whole


@QUICK
@given(st.text(max_size=200))
def test_cookies_parse_to_a_dict_of_strings(header):
    cookies = _parse_cookies(header)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in cookies.items())


@QUICK
@given(hostile_bytes)
def test_query_strings_parse_to_pairs_of_strings(query):
    params = QueryParams(query)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.multi_items())


@QUICK
@given(st.lists(st.tuples(hostile_bytes, hostile_bytes), max_size=6), st.binary(max_size=10))
def test_headers_read_as_strings_whatever_their_bytes(raw, name):
    headers = Headers(raw=[(k.lower(), v) for k, v in raw])
    assert all(isinstance(v, str) for v in headers.values())
    headers.get(name.decode("latin-1"))
    headers.getlist(name.decode("latin-1"))


@QUICK
@given(
    st.one_of(
        st.text(max_size=30).map(lambda t: "bytes=" + t),
        st.from_regex(r"bytes=[0-9]{0,25}-[0-9]{0,25}", fullmatch=True),
        st.text(max_size=30),
    ),
    st.integers(min_value=0, max_value=2**40),
)
def test_a_range_is_within_the_file_or_refused(header, size):
    try:
        span = parse_range(header, size)
    except _RangeError:
        return
    if span is not None:
        start, end = span
        assert 0 <= start < end <= size


@QUICK
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60)), st.sampled_from(["text", "binary"]))
def test_a_websocket_message_is_json_or_a_1007_close(data, mode):
    sent = []

    async def main():
        key = "text" if isinstance(data, str) else "bytes"
        messages = [{"type": "websocket.receive", key: data}]

        async def receive():
            return messages.pop(0)

        async def send(message):
            sent.append(message)

        ws = WebSocket({"type": "websocket", "path": "/", "headers": []}, receive, send)
        try:
            return await ws.receive_json(mode)
        except WebSocketDisconnect as exc:
            assert exc.code == 1007
            assert sent[-1] == {"type": "websocket.close", "code": 1007, "reason": "invalid JSON"}

    anyio.run(main)


def _echo_app() -> AltAPI:
    app = AltAPI()

    @app.route("/any", methods=["GET", "POST"])
    async def anything(request):
        request.query_params, request.cookies, dict(request.headers)
        form = await request.form()
        await form.close()
        return PlainTextResponse("ok")

    @app.post("/json")
    async def json_body(request):
        await request.json()
        return PlainTextResponse("ok")

    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(_echo_app()) as client:  # re-raises anything the app lets escape
        yield client


header_values = st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))


@QUICK
@given(
    st.sampled_from(["/any", "/json"]),
    st.text(
        st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="#"), max_size=30
    ),
    header_values,
    st.sampled_from(
        [
            b"application/x-www-form-urlencoded",
            b"multipart/form-data; boundary=b",
            b"application/json",
            b"text/plain",
        ]
    ),
    multipart_bodies(),
)
def test_the_app_answers_arbitrary_requests_below_500(
    client, path, query, cookie, content_type, body
):
    target = path + "?" + query if query else path
    headers = {"content-type": content_type, "cookie": cookie}
    response = client.post(target, content=body, headers=headers)
    assert response.status_code < 500


# Regressions: inputs the property tests above found.


def test_a_header_name_with_a_latin1_capital_is_found_as_asgi_lowers_it():
    headers = Headers(raw=[(b"\xc0", b"v")])  # ASGI lowers ASCII letters only
    assert dict(headers.items()) == {"\xc0": "v"} and list(headers.values()) == ["v"]
    assert headers.get("日本") is None and "日本" not in headers  # no such name on the wire


def test_a_suffix_range_of_an_empty_file_is_unsatisfiable():
    with pytest.raises(_RangeError):
        parse_range("bytes=-1", 0)  # it gave (0, 0): "Content-Range: bytes 0--1/0"
