import pytest

from altapi_core import AltAPI, HTTPException, JSONResponse, PlainTextResponse, Request
from altapi_core.requests import ClientDisconnect
from altapi_core.testclient import TestClient


def echo_app(handler):
    app = AltAPI()
    app.route("/echo", methods=["GET", "POST"])(handler)
    return TestClient(app)


def test_request_line_and_metadata():
    async def handler(request: Request):
        return JSONResponse(
            {
                "method": request.method,
                "path": request.path,
                "query_string": request.query_string,
                "url": str(request.url),
                "client_host": request.client.host,
                "scheme": request.url.scheme,
            }
        )

    body = echo_app(handler).get("/echo?a=1&b=2").json()
    assert body == {
        "method": "GET",
        "path": "/echo",
        "query_string": "a=1&b=2",
        "url": "http://testserver/echo?a=1&b=2",
        "client_host": "testclient",
        "scheme": "http",
    }


def test_query_params_keep_repeated_keys():
    async def handler(request):
        q = request.query_params
        return JSONResponse({"last": q["tag"], "all": q.getlist("tag"), "blank": q["empty"]})

    body = echo_app(handler).get("/echo?tag=a&tag=b&empty=").json()
    assert body == {"last": "b", "all": ["a", "b"], "blank": ""}


def test_headers_are_case_insensitive_and_multi_valued():
    async def handler(request):
        return JSONResponse(
            {
                "lower": request.headers["x-token"],
                "upper": request.headers["X-TOKEN"],
                "all": request.headers.getlist("x-multi"),
                "dict": request.headers_dict["x-token"],
            }
        )

    client = echo_app(handler)
    response = client.get("/echo", headers=[("X-Token", "t"), ("X-Multi", "1"), ("X-Multi", "2")])
    assert response.json() == {"lower": "t", "upper": "t", "all": ["1", "2"], "dict": "t"}


def test_cookies_are_parsed():
    async def handler(request):
        return JSONResponse(request.cookies)

    client = echo_app(handler)
    response = client.get("/echo", headers={"Cookie": 'session=abc; theme="dark"'})
    assert response.json() == {"session": "abc", "theme": "dark"}


def test_json_body_is_parsed():
    async def handler(request):
        return JSONResponse({"echo": await request.json()})

    assert echo_app(handler).post("/echo", json={"x": [1, 2]}).json() == {"echo": {"x": [1, 2]}}


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe"])
def test_malformed_json_is_400_with_a_message(body):
    async def handler(request):
        return JSONResponse(await request.json())

    response = echo_app(handler).post("/echo", content=body)
    assert response.status_code == 400
    assert "Malformed JSON" in response.json()["detail"]


def test_text_body_that_is_not_utf8_is_400():
    async def handler(request):
        return PlainTextResponse(await request.text())

    client = echo_app(handler)
    assert client.post("/echo", content="héllo".encode()).text == "héllo"
    assert client.post("/echo", content=b"\xff").status_code == 400


def test_body_can_be_read_twice_and_after_stream():
    async def handler(request):
        first = await request.body()
        second = await request.body()
        streamed = b"".join([chunk async for chunk in request.stream()])
        return PlainTextResponse(f"{first == second == streamed} {len(first)}")

    assert echo_app(handler).post("/echo", content=b"abc").text == "True 3"


def test_stream_yields_chunks_as_sent():
    async def handler(request):
        sizes = [len(chunk) async for chunk in request.stream()]
        return JSONResponse(sizes)

    def chunks():
        yield b"aa"
        yield b"bbb"

    assert sum(echo_app(handler).post("/echo", content=chunks()).json()) == 5


def receiving(*messages):
    queue = list(messages)

    async def receive():
        return queue.pop(0)

    return receive


def body_request(receive, max_body_size=None):
    scope = {"type": "http", "method": "POST", "path": "/", "headers": []}
    return Request(scope, receive, max_body_size=max_body_size)


@pytest.mark.anyio
async def test_body_joins_every_chunk_and_stream_gives_the_same_chunks():
    messages = [
        {"type": "http.request", "body": b"ab", "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b"cde", "more_body": False},
    ]
    assert await body_request(receiving(*messages)).body() == b"abcde"
    streamed = [chunk async for chunk in body_request(receiving(*messages)).stream()]
    assert streamed == [b"ab", b"cde"]


@pytest.mark.anyio
async def test_body_over_the_limit_across_chunks_is_413():
    request = body_request(
        receiving(
            {"type": "http.request", "body": b"x" * 6, "more_body": True},
            {"type": "http.request", "body": b"x" * 6, "more_body": False},
        ),
        max_body_size=10,
    )
    with pytest.raises(HTTPException) as info:
        await request.body()
    assert info.value.status_code == 413


@pytest.mark.anyio
async def test_body_raises_client_disconnect_when_the_client_leaves_midway():
    request = body_request(
        receiving(
            {"type": "http.request", "body": b"ab", "more_body": True}, {"type": "http.disconnect"}
        )
    )
    with pytest.raises(ClientDisconnect):
        await request.body()


@pytest.mark.anyio
async def test_body_after_a_started_stream_is_an_error():
    request = body_request(
        receiving(
            {"type": "http.request", "body": b"ab", "more_body": True},
            {"type": "http.request", "body": b"c", "more_body": False},
        )
    )
    stream = request.stream()
    assert await stream.__anext__() == b"ab"
    with pytest.raises(RuntimeError, match="already consumed"):
        await request.body()
    await stream.aclose()


@pytest.mark.anyio
async def test_invalid_content_length_is_400():
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [(b"content-length", b"x")]}
    request = Request(scope, max_body_size=100)
    with pytest.raises(HTTPException) as info:
        await request.body()
    assert info.value.status_code == 400


def test_form_urlencoded_fields():
    async def handler(request):
        form = await request.form()
        return JSONResponse({"name": form["name"], "tags": form.getlist("tag")})

    response = echo_app(handler).post("/echo", data={"name": "Ada Lovelace", "tag": ["a", "b"]})
    assert response.json() == {"name": "Ada Lovelace", "tags": ["a", "b"]}


def test_async_with_form_closes_the_uploads_on_exit():
    seen = {}

    async def handler(request):
        async with request.form() as form:
            upload = form["doc"]
            seen["open_inside"] = not upload.file.closed
            content = await upload.read()
            assert await request.form() is form  # parsed once
        seen["closed_after"] = upload.file.closed
        return JSONResponse({"title": form["title"], "content": content.decode()})

    response = echo_app(handler).post(
        "/echo", data={"title": "t"}, files={"doc": ("a.txt", b"hello", "text/plain")}
    )
    assert response.json() == {"title": "t", "content": "hello"}
    assert seen == {"open_inside": True, "closed_after": True}


def test_async_with_form_closes_the_uploads_when_the_block_raises():
    uploads = []

    async def handler(request):
        with pytest.raises(ValueError):
            async with request.form() as form:
                uploads.append(form["doc"])
                raise ValueError("the handler failed")
        return PlainTextResponse("closed" if uploads[0].file.closed else "open")

    response = echo_app(handler).post("/echo", files={"doc": ("a.txt", b"x", "text/plain")})
    assert response.text == "closed"


def test_form_not_awaited_reads_nothing():
    async def handler(request):
        request.form()  # neither awaited nor entered: the body is left alone
        return JSONResponse({"body": (await request.body()).decode()})

    response = echo_app(handler).post("/echo", data={"a": "1"})
    assert response.json() == {"body": "a=1"}


@pytest.mark.parametrize("body", [b"name=%zz", b"name=%E9t%E9", b"name=%"])
def test_bad_percent_encoding_or_non_utf8_form_is_400(body):
    async def handler(request):
        await request.form()
        return PlainTextResponse("parsed")

    response = echo_app(handler).post(
        "/echo", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_multipart_fields_and_files():
    async def handler(request):
        form = await request.form()
        upload = form["doc"]
        return JSONResponse(
            {
                "field": form["title"],
                "filename": upload.filename,
                "content_type": upload.content_type,
                "content": (await upload.read()).decode(),
                "size": upload.size,
            }
        )

    response = echo_app(handler).post(
        "/echo",
        data={"title": "Report"},
        files={"doc": ("report.txt", b"file body", "text/plain")},
    )
    assert response.json() == {
        "field": "Report",
        "filename": "report.txt",
        "content_type": "text/plain",
        "content": "file body",
        "size": 9,
    }


def test_multipart_with_too_many_fields_is_400():
    async def handler(request):
        await request.form(max_fields=2)
        return PlainTextResponse("parsed")

    response = echo_app(handler).post(
        "/echo", data={"a": "1", "b": "2", "c": "3"}, files={"f": ("f.txt", b"x")}
    )
    assert response.status_code == 400
    assert "Too many form fields" in response.json()["detail"]


def test_multipart_with_too_many_files_is_400():
    async def handler(request):
        await request.form(max_files=1)
        return PlainTextResponse("parsed")

    files = [("f", ("a.txt", b"a")), ("f", ("b.txt", b"b"))]
    response = echo_app(handler).post("/echo", files=files)
    assert response.status_code == 400
    assert "Too many files" in response.json()["detail"]


def test_multipart_oversize_field_or_file_is_413():
    async def handler(request):
        await request.form(max_part_size=10, max_file_size=20)
        return PlainTextResponse("parsed")

    client = echo_app(handler)
    big_field = client.post("/echo", data={"a": "x" * 11}, files={"f": ("f.txt", b"x")})
    big_file = client.post("/echo", files={"f": ("f.txt", b"x" * 21)})
    small = client.post("/echo", data={"a": "x" * 10}, files={"f": ("f.txt", b"x" * 20)})
    assert (big_field.status_code, big_file.status_code, small.text) == (413, 413, "parsed")


def test_malformed_multipart_is_400():
    async def handler(request):
        await request.form()
        return PlainTextResponse("parsed")

    response = echo_app(handler).post(
        "/echo",
        content=b"--b\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--b--\r\n",
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert response.status_code == 400


def test_multipart_without_boundary_is_400():
    async def handler(request):
        await request.form()
        return PlainTextResponse("parsed")

    response = echo_app(handler).post(
        "/echo", content=b"x", headers={"content-type": "multipart/form-data"}
    )
    assert response.status_code == 400


@pytest.mark.anyio
async def test_is_disconnected_sees_the_disconnect_and_keeps_body_chunks():
    messages = [
        {"type": "http.request", "body": b"part", "more_body": False},
        {"type": "http.disconnect"},
    ]

    async def receive():
        return messages.pop(0)

    request = Request({"type": "http", "method": "POST", "path": "/", "headers": []}, receive)
    assert await request.is_disconnected() is False
    assert await request.body() == b"part"
    assert await request.is_disconnected() is True


def test_current_request_is_the_request_being_handled():
    from altapi_core.context import current_request

    app = AltAPI()

    @app.get("/who")
    async def who(request):
        return PlainTextResponse(str(current_request() is request) + current_request().path)

    assert TestClient(app).get("/who").text == "True/who"
    with pytest.raises(LookupError, match="no request"):
        current_request()
