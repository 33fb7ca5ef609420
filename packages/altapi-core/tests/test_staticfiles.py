import os

import pytest

from altapi_core import AltAPI
from altapi_core.staticfiles import StaticFiles
from altapi_core.testclient import TestClient


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "public"
    (root / "css").mkdir(parents=True)
    (root / "css" / "site.css").write_text("body{}")
    (root / "index.html").write_text("<h1>home</h1>")
    (root / "404.html").write_text("<h1>missing</h1>")
    (tmp_path / "secret.txt").write_text("top secret")
    os.symlink(tmp_path / "secret.txt", root / "leak.txt")
    os.symlink(root / "css" / "site.css", root / "alias.css")
    return root


def client_for(root, **options):
    app = AltAPI()
    app.mount("/static", StaticFiles(directory=root, **options))
    return TestClient(app)


def test_files_are_served_with_their_type(tree):
    response = client_for(tree).get("/static/css/site.css")
    assert response.status_code == 200
    assert response.text == "body{}"
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "content-disposition" not in response.headers or response.headers[
        "content-disposition"
    ].startswith("inline")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/css/%2e%2e/%2e%2e/secret.txt",
        "/static/..%2fsecret.txt",
        "/static/css%2f..%2f..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/%2fetc%2fpasswd",
        "/static//etc/passwd",
        "/static/leak.txt",
        "/static/nul%00.txt",
    ],
)
def test_paths_that_leave_the_directory_are_404(tree, path):
    client = client_for(tree)
    response = client.send(client.build_request("GET", "http://testserver" + path))
    assert response.status_code == 404
    assert "top secret" not in response.text


def test_symlink_inside_the_root_is_served(tree):
    assert client_for(tree).get("/static/alias.css").text == "body{}"


def test_directory_and_missing_file_without_html_mode(tree):
    client = client_for(tree)
    assert client.get("/static/css").status_code == 404
    assert client.get("/static/nothing.txt").status_code == 404


def test_html_mode_serves_index_and_404_page(tree):
    client = client_for(tree, html=True)
    assert client.get("/static/").text == "<h1>home</h1>"
    response = client.get("/static/nothing")
    assert response.status_code == 404 and response.text == "<h1>missing</h1>"
    redirect = client.get("/static/css", follow_redirects=False)
    assert redirect.status_code == 307


def test_only_get_and_head(tree):
    client = client_for(tree)
    response = client.post("/static/css/site.css")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert client.head("/static/css/site.css").headers["content-length"] == "6"


def test_missing_directory_is_an_error_at_construction(tmp_path):
    with pytest.raises(RuntimeError, match="does not exist"):
        StaticFiles(directory=tmp_path / "nope")
