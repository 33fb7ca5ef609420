import pytest

from altapi_core import AltAPI, Middleware, PlainTextResponse
from altapi_core.middleware import TrustedHostMiddleware
from altapi_core.testclient import TestClient


def client(hosts, base_url):
    app = AltAPI(middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)])

    @app.get("/")
    async def home(request):
        return PlainTextResponse("ok")

    return TestClient(app, base_url=base_url)


@pytest.mark.parametrize(
    "base_url", ["http://example.com", "http://api.example.com", "http://a.b.example.com:8080"]
)
def test_allowed_hosts_and_wildcard_subdomains(base_url):
    assert client(["example.com", "*.example.com"], base_url).get("/").text == "ok"


@pytest.mark.parametrize("base_url", ["http://evil.com", "http://example.com.evil.com"])
def test_other_host_is_400(base_url):
    response = client(["example.com", "*.example.com"], base_url).get("/")
    assert response.status_code == 400
    assert "host" in response.text.lower()


def test_www_redirect():
    response = client(["www.example.com"], "http://example.com").get("/", follow_redirects=False)
    assert response.status_code in (301, 307, 308)
    assert response.headers["location"].startswith("http://www.example.com/")


def test_bad_pattern_is_refused():
    with pytest.raises(ValueError, match="only start with"):
        TrustedHostMiddleware(None, allowed_hosts=["api.*.com"])
