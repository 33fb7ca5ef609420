import threading

import pytest

from altapi_core import AltAPI, HTTPException, JSONResponse, PlainTextResponse, Request
from altapi_core.testclient import TestClient
from altapi_di import Depends

VERBS = ["get", "post", "put", "delete", "patch", "options", "trace", "connect"]


@pytest.mark.parametrize("verb", VERBS)
def test_every_verb_decorator_registers_its_method(verb):
    app = AltAPI()
    getattr(app, verb)("/thing")(lambda request: PlainTextResponse(request.method))
    client = TestClient(app)
    response = client.request(verb.upper(), "/thing")
    assert response.status_code == 200
    assert response.text == verb.upper()


def test_route_decorator_takes_several_methods():
    app = AltAPI()

    @app.route("/both", methods=["GET", "POST"])
    async def both(request):
        return PlainTextResponse(request.method)

    client = TestClient(app)
    assert client.get("/both").text == "GET"
    assert client.post("/both").text == "POST"
    assert client.put("/both").status_code == 405


def test_get_route_answers_head_with_headers_and_no_body():
    app = AltAPI()

    @app.get("/page")
    async def page(request):
        return PlainTextResponse("hello", headers={"X-Extra": "1"})

    response = TestClient(app).head("/page")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-length"] == "5"
    assert response.headers["x-extra"] == "1"


def test_wrong_method_is_405_with_allow_header():
    app = AltAPI()
    app.get("/items")(lambda request: PlainTextResponse("x"))
    app.post("/items")(lambda request: PlainTextResponse("x"))
    response = TestClient(app).delete("/items")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}
    assert response.json() == {"detail": "Method Not Allowed"}


def test_unknown_path_is_404_with_json_detail():
    response = TestClient(AltAPI()).get("/nothing")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_options_on_existing_path_is_204_with_allow():
    app = AltAPI()
    app.get("/x")(lambda request: PlainTextResponse("x"))
    response = TestClient(app).options("/x")
    assert response.status_code == 204
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_registered_options_handler_wins_over_automatic_one():
    app = AltAPI()
    app.get("/x")(lambda request: PlainTextResponse("x"))
    app.options("/x")(lambda request: PlainTextResponse("custom"))
    assert TestClient(app).options("/x").text == "custom"


@pytest.mark.parametrize(
    ("pattern", "url", "expected"),
    [
        ("/users/{id:int}", "/users/42", 42),
        ("/items/{name:str}", "/items/apple", "apple"),
        ("/items/{name}", "/items/pear", "pear"),
        ("/price/{value:float}", "/price/9.5", 9.5),
        ("/files/{path:path}", "/files/a/b/c.txt", "a/b/c.txt"),
    ],
)
def test_typed_path_parameters_are_converted(pattern, url, expected):
    app = AltAPI()
    name = pattern.split("{")[1].split(":")[0].rstrip("}")

    @app.get(pattern)
    async def handler(request):
        value = request.path_params[name]
        return JSONResponse({"value": value, "type": type(value).__name__})

    body = TestClient(app).get(url).json()
    assert body == {"value": expected, "type": type(expected).__name__}


def test_value_that_does_not_convert_is_404():
    app = AltAPI()
    app.get("/users/{id:int}")(lambda request: PlainTextResponse("x"))
    assert TestClient(app).get("/users/abc").status_code == 404


def test_path_parameter_is_passed_by_name():
    app = AltAPI()

    @app.get("/users/{user_id:int}/posts/{slug}")
    async def post(user_id, slug, request: Request):
        return JSONResponse({"user_id": user_id, "slug": slug, "path": request.path})

    assert TestClient(app).get("/users/7/posts/hi").json() == {
        "user_id": 7,
        "slug": "hi",
        "path": "/users/7/posts/hi",
    }


def test_request_is_found_by_annotation_under_any_name():
    app = AltAPI()

    @app.get("/")
    async def home(req: Request):
        return PlainTextResponse(req.method)

    assert TestClient(app).get("/").text == "GET"


def test_handler_without_parameters_is_called():
    app = AltAPI()
    app.get("/")(lambda: PlainTextResponse("none"))
    assert TestClient(app).get("/").text == "none"


def test_parameter_that_cannot_be_resolved_fails_at_registration():
    class Service:
        pass

    app = AltAPI()
    with pytest.raises(
        TypeError, match=r"route GET /: handler: parameter 'mystery' of type Service"
    ):

        @app.get("/")
        async def handler(mystery: Service):
            return PlainTextResponse("x")


def test_simple_depends_value_is_injected():
    app = AltAPI()

    def settings():
        return {"name": "demo"}

    @app.get("/")
    async def home(config=Depends(settings)):
        return JSONResponse(config)

    assert TestClient(app).get("/").json() == {"name": "demo"}


def test_plain_def_handler_runs_off_the_event_loop_thread():
    app = AltAPI()
    loop_thread = {}

    @app.get("/async")
    async def on_loop(request):
        loop_thread["id"] = threading.get_ident()
        return PlainTextResponse("")

    @app.get("/sync")
    def in_thread(request):
        return PlainTextResponse(str(threading.get_ident()))

    with TestClient(app) as client:
        client.get("/async")
        assert client.get("/sync").text != str(loop_thread["id"])


def test_handler_returning_dict_is_sent_as_json():
    app = AltAPI()
    app.get("/")(lambda: {"ok": True})
    response = TestClient(app).get("/")
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"ok": True}


def test_handler_returning_a_value_json_cannot_carry_is_a_500():
    app = AltAPI()
    app.get("/")(lambda: object())
    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert response.status_code == 500


def test_http_exception_becomes_json_response_with_its_headers():
    app = AltAPI()

    @app.get("/")
    async def home(request):
        raise HTTPException(418, "short and stout", headers={"X-Pot": "tea"})

    response = TestClient(app).get("/")
    assert response.status_code == 418
    assert response.json() == {"detail": "short and stout"}
    assert response.headers["x-pot"] == "tea"


def test_exception_handler_by_class_and_by_status():
    app = AltAPI()

    class Oops(Exception):
        pass

    @app.exception_handler(Oops)
    async def on_oops(request, exc):
        return PlainTextResponse("handled oops", status_code=409)

    @app.exception_handler(404)
    def on_404(request, exc):
        return PlainTextResponse(f"no {request.path}", status_code=404)

    @app.get("/boom")
    async def boom(request):
        raise Oops

    client = TestClient(app)
    assert (client.get("/boom").status_code, client.get("/boom").text) == (409, "handled oops")
    assert client.get("/missing").text == "no /missing"


def test_unhandled_exception_is_500_without_traceback_and_app_keeps_serving():
    app = AltAPI()

    @app.get("/boom")
    async def boom(request):
        raise RuntimeError("secret internals")

    app.get("/ok")(lambda: PlainTextResponse("fine"))
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert client.get("/ok").text == "fine"


def test_unhandled_exception_is_reraised_in_tests_by_default():
    app = AltAPI()

    @app.get("/boom")
    async def boom(request):
        raise RuntimeError("visible in the test")

    with pytest.raises(RuntimeError, match="visible in the test"):
        TestClient(app).get("/boom")


@pytest.mark.parametrize(("accept", "media"), [("text/html", "text/html"), ("*/*", "text/plain")])
def test_debug_mode_shows_the_traceback(accept, media):
    app = AltAPI(debug=True)

    @app.get("/boom")
    async def boom(request):
        raise RuntimeError("look here")

    response = TestClient(app, raise_server_exceptions=False).get(
        "/boom", headers={"accept": accept}
    )
    assert response.status_code == 500
    assert response.headers["content-type"].startswith(media)
    assert "look here" in response.text
    assert "Traceback" in response.text


def test_trailing_slash_redirects_to_the_registered_form():
    app = AltAPI()
    app.get("/items")(lambda: PlainTextResponse("items"))
    app.get("/folder/")(lambda: PlainTextResponse("folder"))
    client = TestClient(app, follow_redirects=False)
    response = client.get("/items/?page=2")
    assert response.status_code == 307
    assert response.headers["location"] == "/items?page=2"
    assert client.get("/folder").headers["location"] == "/folder/"


def test_redirect_slashes_can_be_turned_off():
    app = AltAPI(redirect_slashes=False)
    app.get("/items")(lambda: PlainTextResponse("items"))
    assert TestClient(app).get("/items/").status_code == 404


def test_url_path_for_builds_paths_by_route_name():
    app = AltAPI()

    @app.get("/users/{id:int}", name="user")
    async def user(request):
        return PlainTextResponse("")

    @app.get("/about")
    async def about(request):
        return PlainTextResponse("")

    assert app.url_path_for("user", id=3) == "/users/3"
    assert app.url_path_for("about") == "/about"


def test_request_url_for_is_absolute():
    app = AltAPI()

    @app.get("/users/{id:int}", name="user")
    async def user(request):
        return PlainTextResponse(str(request.url_for("user", id=5)))

    assert TestClient(app).get("/users/1").text == "http://testserver/users/5"


def test_body_over_max_body_size_is_413_without_reading_it():
    app = AltAPI(max_body_size=10)
    reads = []

    @app.post("/upload")
    async def upload(request):
        reads.append(await request.body())
        return PlainTextResponse("stored")

    client = TestClient(app)
    response = client.post("/upload", content=b"x" * 11)
    assert response.status_code == 413
    assert reads == []
    assert client.post("/upload", content=b"x" * 10).text == "stored"


def test_streamed_body_over_max_body_size_is_413():
    app = AltAPI(max_body_size=100)

    @app.post("/upload")
    async def upload(request):
        total = 0
        async for chunk in request.stream():
            total += len(chunk)
        return PlainTextResponse(str(total))

    def chunks():
        for _ in range(5):
            yield b"y" * 30

    response = TestClient(app).post("/upload", content=chunks())
    assert response.status_code == 413


def test_mount_passes_requests_to_another_asgi_app():
    seen = {}

    async def sub_app(scope, receive, send):
        seen["root_path"] = scope["root_path"]
        seen["path"] = scope["path"]
        await PlainTextResponse("from sub app")(scope, receive, send)

    app = AltAPI()
    app.mount("/sub", app=sub_app)
    response = TestClient(app).get("/sub/deep/path")
    assert response.text == "from sub app"
    assert seen == {"root_path": "/sub", "path": "/sub/deep/path"}


def test_an_altapi_app_can_be_mounted_in_another():
    inner = AltAPI()
    inner.get("/hello")(lambda: PlainTextResponse("inner hello"))
    outer = AltAPI()
    outer.mount("/inner", app=inner)
    client = TestClient(outer)
    assert client.get("/inner/hello").text == "inner hello"
    assert client.get("/inner/missing").status_code == 404


def test_routes_win_over_mounts():
    async def sub_app(scope, receive, send):
        await PlainTextResponse("mounted")(scope, receive, send)

    app = AltAPI()
    app.mount("/", app=sub_app)
    app.get("/api")(lambda: PlainTextResponse("route"))
    client = TestClient(app)
    assert client.get("/api").text == "route"
    assert client.get("/anything").text == "mounted"


def test_static_directory_is_served_under_static(tmp_path):
    (tmp_path / "style.css").write_text("body{}")
    app = AltAPI(static_directory=str(tmp_path))
    response = TestClient(app).get("/static/style.css")
    assert response.status_code == 200
    assert response.text == "body{}"
    assert response.headers["content-type"].startswith("text/css")
    assert app.url_path_for("static", path="/style.css") == "/static/style.css"


def test_mount_directory(tmp_path):
    (tmp_path / "a.txt").write_text("A")
    app = AltAPI()
    app.mount("/files", directory=str(tmp_path))
    assert TestClient(app).get("/files/a.txt").text == "A"


def test_mount_takes_exactly_one_of_app_and_directory():
    with pytest.raises(TypeError):
        AltAPI().mount("/x")


def test_encoded_slash_stays_inside_its_path_segment():
    app = AltAPI()

    @app.get("/files/{name}")
    async def file(name: str):
        return PlainTextResponse(name)

    @app.get("/files/{folder}/{name}")
    async def nested(folder: str, name: str):
        return PlainTextResponse(f"{folder} | {name}")

    client = TestClient(app)
    assert client.get("/files/a%2Fb.txt").text == "a/b.txt"
    assert client.get("/files/a/b.txt").text == "a | b.txt"
    assert client.post("/files/a%2Fb.txt").status_code == 405


def test_handler_whose_only_parameter_is_keyword_only_request():
    app = AltAPI()

    @app.get("/kw")
    async def kw(*, request: Request):
        return PlainTextResponse(request.path)

    assert TestClient(app).get("/kw").text == "/kw"
