import time

from altapi_core import AltAPI, JSONResponse, Middleware
from altapi_core.middleware import SessionMiddleware
from altapi_core.testclient import TestClient


def make_client(base_url="http://testserver", **options):
    app = AltAPI(middleware=[Middleware(SessionMiddleware, secret_key="s3cret", **options)])

    @app.post("/login/{name}")
    async def login(request, name: str):
        request.session["user"] = name
        return JSONResponse({"ok": True})

    @app.get("/me")
    async def me(request):
        return JSONResponse({"user": request.session.get("user")})

    @app.post("/logout")
    async def logout(request):
        request.session.clear()
        return JSONResponse({"ok": True})

    return TestClient(app, base_url=base_url)


def test_session_round_trips_in_a_signed_cookie():
    client = make_client()
    login = client.post("/login/ann")
    cookie = login.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
    assert "ann" not in cookie.split(";")[0].split("=", 1)[1] or "." in cookie
    assert client.get("/me").json() == {"user": "ann"}


def test_tampered_cookie_gives_an_empty_session():
    client = make_client()
    client.post("/login/ann")
    value = client.cookies["session"]
    client.cookies.set("session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    assert client.get("/me").json() == {"user": None}
    client.cookies.set("session", "garbage")
    assert client.get("/me").json() == {"user": None}


def test_expired_cookie_gives_an_empty_session(monkeypatch):
    client = make_client(max_age=60)
    client.post("/login/ann")
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 61)
    assert client.get("/me").json() == {"user": None}


def test_clearing_the_session_deletes_the_cookie_and_options_apply():
    client = make_client("https://testserver", https_only=True, same_site="strict")
    login = client.post("/login/bo")
    assert "secure" in login.headers["set-cookie"].lower()
    assert "samesite=strict" in login.headers["set-cookie"].lower()
    logout = client.post("/logout")
    assert "max-age=0" in logout.headers["set-cookie"].lower()
