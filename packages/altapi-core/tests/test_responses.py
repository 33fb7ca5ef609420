import pytest

from altapi_core import (
    AltAPI,
    BackgroundTasks,
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from altapi_core.testclient import TestClient


def serve(response_factory, method="GET"):
    app = AltAPI()
    app.route("/", methods=[method])(lambda: response_factory())
    return TestClient(app)


@pytest.mark.parametrize(
    ("cls", "content", "media"),
    [
        (Response, b"raw", None),
        (PlainTextResponse, "text", "text/plain; charset=utf-8"),
        (HTMLResponse, "<b>hi</b>", "text/html; charset=utf-8"),
        (JSONResponse, {"a": "é/"}, "application/json"),
    ],
)
def test_response_types_set_body_length_and_media_type(cls, content, media):
    response = serve(lambda: cls(content)).get("/")
    assert response.headers.get("content-type") == media
    assert response.headers["content-length"] == str(len(response.content))
    if cls is JSONResponse:
        assert response.content == '{"a":"é/"}'.encode()


def test_json_response_keeps_html_characters_like_the_generic_path():
    content = {"html": "<b>&</b>", "path": "/a/b", "text": "é"}
    fast = JSONResponse(content)
    generic = JSONResponse(content, headers={"X-Any": "1"})  # takes Response.__init__
    assert fast.body == generic.body == '{"html":"<b>&</b>","path":"/a/b","text":"é"}'.encode()


def test_status_code_and_custom_media_type():
    response = serve(lambda: Response("x", status_code=201, media_type="text/csv")).get("/")
    assert response.status_code == 201
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


def test_no_content_response_has_no_content_length():
    response = serve(lambda: Response(status_code=204)).get("/")
    assert response.status_code == 204
    assert "content-length" not in response.headers


def test_response_content_of_wrong_type_is_a_clear_error():
    with pytest.raises(TypeError, match="bytes or str"):
        Response(123)


@pytest.mark.parametrize("value", ["a\r\nInjected: yes", "a\nb", "a\rb"])
def test_header_value_with_cr_or_lf_is_refused_at_construction(value):
    with pytest.raises(ValueError, match="CR"):
        Response("x", headers={"X-Bad": value})
    response = Response("x")
    with pytest.raises(ValueError, match="CR"):
        response.headers["X-Bad"] = value


@pytest.mark.parametrize("url", ["/next\r\nSet-Cookie: a=b", "/a\nb"])
def test_redirect_url_with_cr_or_lf_is_refused_at_construction(url):
    with pytest.raises(ValueError, match="CR"):
        RedirectResponse(url)


def test_redirect_defaults_to_303_and_quotes_the_url():
    client = serve(lambda: RedirectResponse("/target path?q=1"))
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/target%20path?q=1"


@pytest.mark.parametrize(
    "url",
    [
        "/plain/path/",
        "https://example.com:8443/a-b_c.d~e?x=1&y=%20#top",
        "/with space",
        "/caf\u00e9",
        '/quote"and<angle>',
        "/back\\slash",
        "",
    ],
)
def test_redirect_location_is_what_quote_gives(url):
    # The Location of a URL with nothing to quote skips quote(): the same header either way.
    from urllib.parse import quote

    location = dict(RedirectResponse(url).raw_headers)[b"location"]
    assert location == quote(url, safe=":/%#?=@[]!$&'()*+,;~").encode("latin-1")


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 70000])
@pytest.mark.parametrize("make", [lambda body: Response(body), lambda body: JSONResponse(body)])
def test_content_length_is_the_body_size_small_or_large(make, size):
    response = make("x" * size)
    assert dict(response.raw_headers)[b"content-length"] == str(len(response.body)).encode()


def test_set_and_delete_cookie():
    def make():
        response = PlainTextResponse("x")
        response.set_cookie("session", "abc", max_age=60, httponly=True, secure=True)
        response.delete_cookie("old")
        return response

    cookies = serve(make).get("/").headers.get_list("set-cookie")
    assert len(cookies) == 2
    assert cookies[0].startswith("session=abc;")
    assert "HttpOnly" in cookies[0] and "Max-Age=60" in cookies[0] and "Secure" in cookies[0]
    assert cookies[1].startswith("old=") and "Max-Age=0" in cookies[1]


def test_invalid_samesite_is_refused():
    with pytest.raises(ValueError):
        Response().set_cookie("a", "b", samesite="sometimes")  # type: ignore[arg-type]


def test_streaming_response_from_async_generator():
    async def numbers():
        for i in range(3):
            yield f"{i},"

    response = serve(lambda: StreamingResponse(numbers())).get("/")
    assert response.text == "0,1,2,"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_streaming_response_from_sync_iterator():
    response = serve(lambda: StreamingResponse(iter([b"a", b"b"]), media_type="x/y")).get("/")
    assert response.content == b"ab"


def test_streaming_response_to_head_does_not_iterate():
    iterated = []

    async def body():
        iterated.append(True)
        yield "x"

    app = AltAPI()
    app.get("/")(lambda: StreamingResponse(body()))
    response = TestClient(app).head("/")
    assert response.content == b""
    assert iterated == []


def test_background_tasks_run_after_the_response():
    done = []
    tasks = BackgroundTasks()
    tasks.add_task(done.append, "sync")

    async def record(value):
        done.append(value)

    tasks.add_task(record, "async")
    response = serve(lambda: PlainTextResponse("sent", background=tasks)).get("/")
    assert response.text == "sent"
    assert done == ["sync", "async"]


def test_a_failing_background_task_does_not_stop_the_others(caplog):
    done = []

    def fail():
        raise RuntimeError("task broke")

    tasks = BackgroundTasks()
    tasks.add_task(fail)
    tasks.add_task(done.append, "after")
    serve(lambda: PlainTextResponse("x", background=tasks)).get("/")
    assert done == ["after"]
    assert "task broke" in caplog.text
