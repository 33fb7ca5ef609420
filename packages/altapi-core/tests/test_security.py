"""Security helpers as dependencies: credentials, 401 with WWW-Authenticate, auto_error=False."""

import base64

import pytest

from altapi_core import AltAPI
from altapi_core.responses import JSONResponse
from altapi_core.security import (
    APIKeyCookie,
    APIKeyHeader,
    APIKeyQuery,
    HTTPAuthorizationCredentials,
    HTTPBasic,
    HTTPBasicCredentials,
    HTTPBearer,
    OAuth2PasswordBearer,
    Security,
)
from altapi_core.testclient import TestClient
from altapi_di import Depends


def client_for(scheme):
    app = AltAPI()

    @app.get("/")
    async def handler(credentials=Depends(scheme)):
        if isinstance(credentials, HTTPAuthorizationCredentials):
            credentials = {"scheme": credentials.scheme, "credentials": credentials.credentials}
        elif isinstance(credentials, HTTPBasicCredentials):
            credentials = {"username": credentials.username, "password": credentials.password}
        return JSONResponse({"got": credentials})

    return TestClient(app)


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("scheme", "headers", "got"),
    [
        (HTTPBearer(), {"Authorization": "Bearer tok"}, {"scheme": "Bearer", "credentials": "tok"}),
        (HTTPBasic(), {"Authorization": basic("u", "p:w")}, {"username": "u", "password": "p:w"}),
        (APIKeyHeader(name="X-Key"), {"X-Key": "k1"}, "k1"),
        (APIKeyCookie(name="key"), {"Cookie": "key=k2"}, "k2"),
        (OAuth2PasswordBearer(tokenUrl="token"), {"Authorization": "Bearer t"}, "t"),
    ],
)
def test_credentials_are_given_to_the_handler(scheme, headers, got):
    response = client_for(scheme).get("/", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"got": got}


def test_api_key_in_the_query():
    assert client_for(APIKeyQuery(name="key")).get("/?key=k3").json() == {"got": "k3"}


@pytest.mark.parametrize(
    ("scheme", "headers", "challenge"),
    [
        (HTTPBearer(), {}, "Bearer"),
        (HTTPBearer(), {"Authorization": "Basic abc"}, "Bearer"),
        (HTTPBearer(), {"Authorization": "Bearer "}, "Bearer"),
        (HTTPBasic(), {}, "Basic"),
        (HTTPBasic(realm="site"), {"Authorization": "Basic !!!"}, 'Basic realm="site"'),
        (HTTPBasic(), {"Authorization": "Basic " + base64.b64encode(b"nocolon").decode()}, "Basic"),
        (APIKeyHeader(name="X-Key"), {}, "APIKey"),
        (APIKeyCookie(name="key"), {}, "APIKey"),
        (APIKeyQuery(name="key"), {}, "APIKey"),
        (OAuth2PasswordBearer(tokenUrl="token"), {"Authorization": "Token x"}, "Bearer"),
    ],
)
def test_missing_or_malformed_credentials_answer_401_with_a_challenge(scheme, headers, challenge):
    response = client_for(scheme).get("/", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "Not authenticated"}
    assert response.headers["www-authenticate"] == challenge


@pytest.mark.parametrize(
    "scheme",
    [
        HTTPBearer(auto_error=False),
        HTTPBasic(auto_error=False),
        APIKeyHeader(name="X-Key", auto_error=False),
        OAuth2PasswordBearer(tokenUrl="token", auto_error=False),
    ],
)
def test_auto_error_false_gives_none(scheme):
    response = client_for(scheme).get("/")
    assert response.status_code == 200 and response.json() == {"got": None}


def test_security_is_a_depends_with_scopes():
    scheme = OAuth2PasswordBearer(tokenUrl="token", scopes={"read": "Read things"})
    marker = Security(scheme, scopes=["read"])
    assert isinstance(marker, Depends) and marker.scopes == ["read"]
    assert client_for(scheme).get("/", headers={"Authorization": "Bearer z"}).json() == {"got": "z"}


def test_each_helper_describes_its_scheme_for_openapi():
    assert HTTPBearer(bearerFormat="JWT").openapi_scheme() == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
    }
    assert APIKeyHeader(name="X-Key", description="d").openapi_scheme() == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Key",
        "description": "d",
    }
    flows = OAuth2PasswordBearer(tokenUrl="token", scopes={"a": "A"}).openapi_scheme()["flows"]
    assert flows == {"password": {"scopes": {"a": "A"}, "tokenUrl": "token"}}
    assert HTTPBasic(scheme_name="Login").scheme_name == "Login"
