import httpx
import pytest

from altapi_core import AltAPI
from altapi_core.testclient import TestClient
from altapi_core.testserver import serve_in_thread
from altapi_templates import Jinja2Templates, TemplateNotFoundError, Templates, render_template
from altapi_templates.extension import templates_for


def test_render_template_uses_the_apps_templates_directory(tmp_path):
    (tmp_path / "hi.html").write_text("<p>{{ who }} at {{ request.path }}</p>")
    app = AltAPI(extensions=[Templates(str(tmp_path))])

    @app.get("/hi")
    async def hi():
        return render_template("hi.html", {"who": "<ada>"})

    response = TestClient(app).get("/hi")
    assert response.status_code == 200
    assert response.text == "<p>&lt;ada&gt; at /hi</p>"
    assert response.headers["content-type"] == "text/html; charset=utf-8"


def test_render_template_from_a_sync_handler_with_options(tmp_path):
    (tmp_path / "t.html").write_text("{{ n }}")
    app = AltAPI(extensions=[Templates(str(tmp_path))])

    @app.get("/t")
    def t():
        return render_template("t.html", {"n": 3}, status_code=202, headers={"X-A": "b"})

    response = TestClient(app).get("/t")
    assert response.status_code == 202
    assert response.headers["x-a"] == "b"
    assert response.text == "3"


def test_one_templates_object_per_directory(tmp_path):
    assert templates_for(tmp_path) is templates_for(str(tmp_path))
    other = tmp_path / "other"
    other.mkdir()
    assert templates_for(other) is not templates_for(tmp_path)


def test_apps_with_different_directories_render_their_own_templates(tmp_path):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "t.html").write_text(name)

    def make(name):
        app = AltAPI(extensions=[Templates(str(tmp_path / name))])

        @app.get("/")
        async def home():
            return render_template("t.html")

        return app

    assert TestClient(make("one")).get("/").text == "one"
    assert TestClient(make("two")).get("/").text == "two"


def test_the_extensions_own_templates_override_the_directory(tmp_path):
    (tmp_path / "t.html").write_text("[[ x ]]")
    app = AltAPI(extensions=[Templates("does-not-exist")])
    custom = Jinja2Templates(tmp_path, variable_start_string="[[", variable_end_string="]]")
    app.extensions["templates"].templates = custom

    @app.get("/")
    async def home():
        return render_template("t.html", {"x": "custom"})

    assert TestClient(app).get("/").text == "custom"


def test_render_template_outside_a_request_is_an_error():
    with pytest.raises(RuntimeError, match="while handling a request"):
        render_template("t.html")


def test_missing_template_names_the_apps_directory(tmp_path):
    app = AltAPI(extensions=[Templates(str(tmp_path))])

    @app.get("/")
    async def home():
        return render_template("absent.html")

    with pytest.raises(TemplateNotFoundError) as info:
        TestClient(app).get("/")
    assert str(tmp_path.resolve()) in str(info.value)


def test_render_template_over_a_real_server(tmp_path):
    (tmp_path / "page.html").write_text("{% for i in range(3) %}{{ i }}{% endfor %}")
    app = AltAPI(extensions=[Templates(str(tmp_path))])

    @app.get("/page")
    async def page():
        return render_template("page.html")

    @app.get("/streamed")
    async def streamed():
        return render_template("page.html", stream=True)

    with serve_in_thread(app) as url, httpx.Client(base_url=url) as client:
        assert client.get("/page").text == "012"
        assert client.get("/streamed").text == "012"


def test_without_the_extension_templates_come_from_the_templates_directory(tmp_path, monkeypatch):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.html").write_text("default")
    monkeypatch.chdir(tmp_path)
    app = AltAPI()

    @app.get("/")
    async def home():
        return render_template("t.html")

    assert TestClient(app).get("/").text == "default"
    assert "templates" not in app.extensions
