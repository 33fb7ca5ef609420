import pytest

from altapi_core import AltAPI, Middleware, PlainTextResponse
from altapi_core.middleware import CORSMiddleware
from altapi_core.testclient import TestClient


def client(**options):
    app = AltAPI(middleware=[Middleware(CORSMiddleware, **options)])

    @app.route("/items", methods=["GET", "POST"])
    async def items(request):
        return PlainTextResponse("items", headers={"X-Total": "3"})

    return TestClient(app)


def test_simple_request_from_allowed_origin_gets_the_origin_and_vary():
    response = client(allow_origins=["https://a.example"]).get(
        "/items", headers={"Origin": "https://a.example"}
    )
    assert response.headers["access-control-allow-origin"] == "https://a.example"
    assert "Origin" in response.headers["vary"]


def test_simple_request_from_other_origin_gets_no_cors_headers():
    response = client(allow_origins=["https://a.example"]).get(
        "/items", headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_wildcard_without_credentials_answers_star():
    response = client(allow_origins=["*"]).get("/items", headers={"Origin": "https://x.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_credentials_echo_the_origin_never_star():
    response = client(allow_origins=["*"], allow_credentials=True).get(
        "/items", headers={"Origin": "https://x.example"}
    )
    assert response.headers["access-control-allow-origin"] == "https://x.example"
    assert response.headers["access-control-allow-credentials"] == "true"


def test_origin_regex_and_exposed_headers():
    c = client(allow_origin_regex=r"https://.*\.example\.org", expose_headers=["X-Total"])
    response = c.get("/items", headers={"Origin": "https://app.example.org"})
    assert response.headers["access-control-allow-origin"] == "https://app.example.org"
    assert response.headers["access-control-expose-headers"] == "X-Total"
    other = c.get("/items", headers={"Origin": "https://example.org.evil.com"})
    assert "access-control-allow-origin" not in other.headers


def test_preflight_allowed():
    response = client(
        allow_origins=["https://a.example"],
        allow_methods=["GET", "POST"],
        allow_headers=["X-Token"],
        max_age=120,
    ).options(
        "/items",
        headers={
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-token",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://a.example"
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "x-token" in response.headers["access-control-allow-headers"].lower()
    assert response.headers["access-control-max-age"] == "120"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        {"Origin": "https://a.example", "Access-Control-Request-Method": "DELETE"},
        {
            "Origin": "https://a.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "X-Secret",
        },
    ],
)
def test_disallowed_preflight_is_400(headers):
    response = client(allow_origins=["https://a.example"], allow_methods=["GET"]).options(
        "/items", headers=headers
    )
    assert response.status_code == 400
