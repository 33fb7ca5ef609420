import os

import anyio
import anyio.lowlevel
import httpx
import jinja2
import pytest

from altapi_core import AltAPI, BackgroundTasks, Request
from altapi_core.testclient import TestClient
from altapi_core.testserver import serve_in_thread
from altapi_templates import Jinja2Templates, TemplateNotFoundError, TemplateResponse


@pytest.fixture
def template_dir(tmp_path):
    def write(name, text):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    write.path = tmp_path
    return write


def test_template_response_renders_with_request_in_context(template_dir):
    template_dir("index.html", "<p>{{ message }} {{ request.method }} {{ request.path }}</p>")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()

    @app.get("/")
    async def index(request: Request):
        return templates.TemplateResponse("index.html", {"request": request, "message": "hi"})

    response = TestClient(app).get("/")
    assert response.status_code == 200
    assert response.text == "<p>hi GET /</p>"
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-length"] == str(len(response.content))


def test_starlette_call_style_with_request_first(template_dir):
    template_dir("page.html", "{{ request.url.path }}:{{ n }}")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()

    @app.get("/p")
    async def page(request: Request):
        return templates.TemplateResponse(request, "page.html", {"n": 1}, status_code=201)

    @app.get("/k")
    async def keywords(request: Request):
        return templates.TemplateResponse(request=request, name="page.html", context={"n": 2})

    client = TestClient(app)
    created = client.get("/p")
    assert created.status_code == 201
    assert created.text == "/p:1"
    assert client.get("/k").text == "/k:2"


def test_request_defaults_to_the_one_being_handled(template_dir):
    template_dir("who.html", "{{ request.query_params['name'] }}")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()

    @app.get("/who")
    def who():
        return templates.TemplateResponse("who.html", {})

    assert TestClient(app).get("/who?name=ada").text == "ada"


def test_status_headers_media_type_and_response_attributes(template_dir):
    template_dir("feed.xml", "<feed>{{ title }}</feed>")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()
    seen = {}

    @app.get("/feed")
    async def feed(request: Request):
        response = templates.TemplateResponse(
            "feed.xml",
            {"request": request, "title": "a & b"},
            status_code=203,
            headers={"X-Feed": "1"},
            media_type="application/atom+xml",
        )
        seen["template"] = response.template.name
        seen["context"] = response.context
        return response

    response = TestClient(app).get("/feed")
    assert response.status_code == 203
    assert response.headers["x-feed"] == "1"
    assert response.headers["content-type"] == "application/atom+xml"
    assert response.text == "<feed>a &amp; b</feed>"
    assert seen["template"] == "feed.xml"
    assert seen["context"]["title"] == "a & b"


@pytest.mark.parametrize(
    ("name", "escaped"),
    [("a.html", True), ("a.htm", True), ("a.xml", True), ("a.jinja", True), ("a.txt", False)],
)
def test_autoescape_by_extension(template_dir, name, escaped):
    template_dir(name, "{{ value }}")
    templates = Jinja2Templates(template_dir.path)
    rendered = templates.get_template(name).render(value="<b>")
    assert rendered == ("&lt;b&gt;" if escaped else "<b>")


def test_url_for_and_static_url_give_absolute_urls(template_dir, tmp_path):
    template_dir("links.html", "{{ url_for('user', id=7) }} {{ static_url('css/site.css') }}")
    static = tmp_path / "static"
    static.mkdir()
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI(static_directory=str(static))

    @app.get("/users/{id:int}")
    async def user(id: int):
        return {"id": id}

    @app.get("/links")
    async def links(request: Request):
        return templates.TemplateResponse(request, "links.html")

    text = TestClient(app).get("/links").text
    assert text == "http://testserver/users/7 http://testserver/static/css/site.css"


def test_url_for_honours_root_path(template_dir):
    template_dir("l.html", "{{ url_for('home') }}")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()

    @app.get("/")
    async def home(request: Request):
        return templates.TemplateResponse(request, "l.html")

    assert TestClient(app, root_path="/app").get("/").text == "http://testserver/app/"


def test_url_for_outside_a_request_explains_itself(template_dir):
    template_dir("l.html", "{{ url_for('home') }}")
    templates = Jinja2Templates(template_dir.path)
    with pytest.raises(RuntimeError, match="need a request"):
        templates.get_template("l.html").render()


def test_compiled_templates_are_reused_unless_auto_reload(template_dir):
    path = template_dir("t.html", "one")
    cached = Jinja2Templates(template_dir.path)
    reloading = Jinja2Templates(template_dir.path, auto_reload=True)
    assert cached.get_template("t.html").render() == "one"
    assert reloading.get_template("t.html").render() == "one"
    first = cached.get_template("t.html")
    assert cached.get_template("t.html") is first  # no re-read, no re-compile
    path.write_text("two")
    os.utime(path, (path.stat().st_atime + 10, path.stat().st_mtime + 10))
    assert cached.get_template("t.html").render() == "one"
    assert reloading.get_template("t.html").render() == "two"


def test_env_options_and_env_are_used(template_dir):
    template_dir("t.html", "[[ x ]]")
    templates = Jinja2Templates(
        template_dir.path, variable_start_string="[[", variable_end_string="]]"
    )
    assert templates.get_template("t.html").render(x=1) == "1"
    env = jinja2.Environment(loader=jinja2.DictLoader({"d.html": "{{ x }}"}))
    assert Jinja2Templates(env=env).env is env
    with pytest.raises(TypeError):
        Jinja2Templates()


def test_several_directories_are_searched_in_order(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.html").write_text("from a")
    (tmp_path / "b" / "x.html").write_text("from b")
    (tmp_path / "b" / "y.html").write_text("only b")
    templates = Jinja2Templates([tmp_path / "a", tmp_path / "b"])
    assert templates.get_template("x.html").render() == "from a"
    assert templates.get_template("y.html").render() == "only b"


def test_context_processors_add_to_the_context(template_dir):
    template_dir("t.html", "{{ site }} {{ agent }}")
    templates = Jinja2Templates(
        template_dir.path,
        context_processors=[lambda request: {"site": "S", "agent": request.headers["user-agent"]}],
    )
    app = AltAPI()

    @app.get("/")
    async def home(request: Request):
        return templates.TemplateResponse(request, "t.html")

    assert TestClient(app).get("/").text == "S testclient"


def test_async_environment_renders_asynchronously(template_dir):
    template_dir("a.html", "{% for item in items %}{{ item }};{% endfor %}{{ url_for('page') }}")
    templates = Jinja2Templates(template_dir.path, enable_async=True)
    app = AltAPI()

    async def items():
        for i in range(3):
            await anyio.lowlevel.checkpoint()
            yield i

    @app.get("/page")
    async def page(request: Request):
        response = templates.TemplateResponse(request, "a.html", {"items": items()})
        assert isinstance(response, TemplateResponse)
        assert response.body is None  # rendered when sent
        return response

    response = TestClient(app).get("/page")
    assert response.text == "0;1;2;http://testserver/page"
    assert response.headers["content-length"] == str(len(response.content))


def test_streamed_rendering_sends_the_page_in_chunks(template_dir):
    template_dir("big.html", "{% for i in range(n) %}<li>{{ i }}</li>{% endfor %}")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()

    @app.get("/big")
    async def big(request: Request):
        return templates.TemplateResponse(request, "big.html", {"n": 500}, stream=True)

    response = TestClient(app).get("/big")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "content-length" not in response.headers
    assert response.text == "".join(f"<li>{i}</li>" for i in range(500))


def test_streamed_rendering_with_an_async_environment(template_dir):
    template_dir("s.html", "{% for i in range(3) %}{{ i }}{% endfor %}")
    templates = Jinja2Templates(template_dir.path, enable_async=True)
    app = AltAPI()

    @app.get("/s")
    async def s(request: Request):
        return templates.TemplateResponse(request, "s.html", stream=True)

    assert TestClient(app).get("/s").text == "012"


def test_background_task_runs_after_a_template_response(template_dir):
    template_dir("t.html", "ok")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()
    ran = []

    @app.get("/")
    async def home(request: Request, tasks: BackgroundTasks):
        tasks.add_task(ran.append, 1)
        return templates.TemplateResponse(request, "t.html")

    assert TestClient(app).get("/").text == "ok"
    assert ran == [1]


def test_missing_template_error_names_the_searched_directories(template_dir):
    templates = Jinja2Templates(template_dir.path)
    with pytest.raises(TemplateNotFoundError) as info:
        templates.get_template("nope.html")
    assert "'nope.html'" in str(info.value)
    assert str(template_dir.path.resolve()) in str(info.value)
    assert isinstance(info.value, jinja2.TemplateNotFound)


def test_missing_included_template_is_reported_the_same_way(template_dir):
    template_dir("outer.html", "{% include 'inner.html' %}")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()

    @app.get("/")
    async def home(request: Request):
        return templates.TemplateResponse(request, "outer.html")

    with pytest.raises(TemplateNotFoundError, match="inner.html.*searched"):
        TestClient(app).get("/")


def test_missing_template_is_a_plain_500_in_production_and_explained_in_debug(template_dir):
    templates = Jinja2Templates(template_dir.path)

    def make(debug):
        app = AltAPI(debug=debug)

        @app.get("/")
        async def home(request: Request):
            return templates.TemplateResponse(request, "gone.html")

        return TestClient(app, raise_server_exceptions=False)

    production = make(False).get("/")
    assert production.status_code == 500
    assert production.text == "Internal Server Error"
    debug = make(True).get("/")
    assert debug.status_code == 500
    assert "TemplateNotFoundError" in debug.text
    assert "gone.html" in debug.text
    assert str(template_dir.path.resolve()) in debug.text


def test_syntax_error_reports_file_and_line(template_dir):
    path = template_dir("bad.html", "line one\n{% if %}\n")
    templates = Jinja2Templates(template_dir.path)
    with pytest.raises(jinja2.TemplateSyntaxError) as info:
        templates.get_template("bad.html")
    assert info.value.lineno == 2
    assert f"{path}, line 2" in str(info.value)


def test_templates_over_a_real_server(template_dir):
    template_dir("hello.html", "<h1>{{ name }}</h1><a href='{{ url_for('hello') }}'>me</a>")
    templates = Jinja2Templates(template_dir.path)
    app = AltAPI()

    @app.get("/hello")
    async def hello(request: Request):
        return templates.TemplateResponse(request, "hello.html", {"name": "<world>"})

    @app.get("/stream")
    async def stream(request: Request):
        return templates.TemplateResponse(request, "hello.html", {"name": "s"}, stream=True)

    with serve_in_thread(app) as url, httpx.Client(base_url=url) as client:
        response = client.get("/hello")
        streamed = client.get("/stream")
    assert response.status_code == 200
    assert response.text == f"<h1>&lt;world&gt;</h1><a href='{url}/hello'>me</a>"
    assert streamed.text == f"<h1>s</h1><a href='{url}/hello'>me</a>"
