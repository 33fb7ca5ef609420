"""Swagger UI and ReDoc pages and their files, all served by the app itself."""

import re

import pytest

from altapi_core import AltAPI
from altapi_core.testclient import TestClient
from altapi_openapi import OpenAPI


def make_app(title="AltAPI", version="0.1.0", description="", **settings):
    """A core app with the OpenAPI extension (what altapi.AltAPI attaches by itself)."""
    return AltAPI(extensions=[OpenAPI(title, version, description, **settings)])


def local_urls_only(page: str) -> list[str]:
    return re.findall(r"""(?:src|href|spec-url)="([^"]+)\"""", page)


def test_swagger_ui_page_loads_only_the_apps_own_files():
    client = TestClient(make_app(title="Notes <1>"))
    response = client.get("/docs")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<title>Notes &lt;1&gt; - Swagger UI</title>" in response.text
    urls = local_urls_only(response.text)
    assert urls == ["/docs/favicon-32x32.png", "/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js"]
    assert '"url": "/openapi.json"' in response.text
    assert "://" not in response.text
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_redoc_page_loads_only_the_apps_own_files():
    client = TestClient(make_app())
    response = client.get("/redoc")
    assert response.status_code == 200
    assert local_urls_only(response.text) == ["/openapi.json", "/redoc/redoc.standalone.js"]
    assert "://" not in response.text


@pytest.mark.parametrize(
    ("url", "media_type"),
    [
        ("/docs/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("/docs/swagger-ui.css", "text/css; charset=utf-8"),
        ("/docs/favicon-32x32.png", "image/png"),
        ("/redoc/redoc.standalone.js", "text/javascript; charset=utf-8"),
    ],
)
def test_bundled_files_are_served_with_their_type(url, media_type):
    response = TestClient(make_app()).get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert len(response.content) > 500
    assert response.headers["cache-control"] == "public, max-age=86400"


@pytest.mark.parametrize("url", ["/docs/secret.py", "/docs/..%2F__init__.py", "/redoc/x.js"])
def test_only_the_listed_files_are_served(url):
    assert TestClient(make_app()).get(url).status_code == 404


def test_docs_at_other_urls():
    client = TestClient(make_app(openapi_url="/api/schema.json", docs_url="/api/docs"))
    page = client.get("/api/docs").text
    assert '"url": "/api/schema.json"' in page
    assert "/api/docs/swagger-ui-bundle.js" in page
    assert client.get("/api/schema.json").json()["openapi"] == "3.1.0"
    assert client.get("/docs").status_code == 404


def test_oauth2_redirect_page():
    response = TestClient(make_app()).get("/docs/oauth2-redirect")
    assert response.status_code == 200
    assert local_urls_only(response.text) == ["/docs/oauth2-redirect.js"]


def test_the_redoc_bundle_points_at_no_cdn():
    client = TestClient(make_app(redoc_url="/api/redoc"))
    bundle = client.get("/api/redoc/redoc.standalone.js").content
    assert b"cdn.redoc.ly" not in bundle
    assert b"/api/redoc/logo-mini.svg" in bundle
    logo = client.get("/api/redoc/logo-mini.svg")
    assert logo.headers["content-type"].startswith("image/svg+xml")
