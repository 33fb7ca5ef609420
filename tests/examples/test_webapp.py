"""examples/webapp.py through the TestClient and over a real uvicorn server."""

import asyncio
import json

import httpx
import pytest
import websockets

from altapi.testing import TestClient
from altapi.websocket import WebSocketDisconnect
from altapi_core.testserver import serve_in_thread


@pytest.fixture
def webapp(import_example):
    return import_example("webapp")


@pytest.fixture
def make_app(webapp, tmp_path):
    def make(login_limit: int = 5):
        return webapp.create_app(str(tmp_path / "users.sqlite3"), "test secret", login_limit)

    return make


def register(client, username="ann", email="ann@example.com", password="correct horse"):
    return client.post(
        "/register", data={"username": username, "email": email, "password": password}
    )


def test_register_logs_in_and_lists_the_new_user(make_app):
    with TestClient(make_app()) as client:
        response = register(client)
        assert response.url.path == "/users"
        assert "Welcome, ann!" in response.text
        assert 'data-user="ann"' in response.text
        assert "session" in client.cookies


def test_pages_need_a_session(make_app):
    with TestClient(make_app()) as client:
        assert client.get("/users").url.path == "/login"
        assert client.get("/api/users").status_code == 401
        assert client.post("/users/new", data={}).url.path == "/login"


def test_invalid_registration_shows_each_message_and_keeps_the_input(make_app):
    with TestClient(make_app()) as client:
        response = register(client, username="a!", email="nope", password="short")
        assert response.status_code == 400
        assert "3 to 32 letters" in response.text
        assert "An address like" in response.text
        assert "At least 8 characters." in response.text
        assert 'value="nope"' in response.text
        register(client)
        client.post("/logout")
        taken = register(client, email="other@example.com")
        assert taken.status_code == 400 and "ann is taken." in taken.text


def test_password_is_stored_hashed_and_checked_at_login(make_app, webapp, tmp_path):
    with TestClient(make_app()) as client:
        register(client)
        client.post("/logout")
        wrong = client.post("/login", data={"username": "ann", "password": "wrong password"})
        assert wrong.status_code == 400 and "wrong password" in wrong.text
        right = client.post("/login", data={"username": "ann", "password": "correct horse"})
        assert right.url.path == "/users" and "Welcome back, ann!" in right.text
    db = webapp.open_database(str(tmp_path / "users.sqlite3"))
    (stored,) = db.execute("SELECT password_hash FROM users").fetchone()
    db.close()
    assert "correct horse" not in stored and stored.startswith("pbkdf2_sha256$")


def test_a_forged_session_cookie_is_ignored(make_app):
    with TestClient(make_app()) as client:
        register(client)
        value = client.cookies["session"]
        client.cookies.clear()
        client.cookies.set("session", value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1])
        assert client.get("/users").url.path == "/login"


def test_create_edit_and_delete_through_the_forms(make_app):
    with TestClient(make_app()) as client:
        register(client)
        created = client.post(
            "/users/new",
            data={"username": "bob", "email": "bob@example.com", "password": "12345678"},
        )
        assert 'data-user="bob"' in created.text
        bob = next(user for user in client.get("/api/users").json() if user["username"] == "bob")
        edit_page = client.get(f"/users/{bob['id']}/edit")
        assert 'value="bob@example.com"' in edit_page.text
        invalid = client.post(
            f"/users/{bob['id']}/edit", data={"username": "ann", "email": "bob@example.com"}
        )
        assert invalid.status_code == 400 and "ann is taken." in invalid.text
        client.post(
            f"/users/{bob['id']}/edit", data={"username": "robert", "email": "r@example.com"}
        )
        assert client.get(f"/api/users/{bob['id']}").json()["username"] == "robert"
        client.post(f"/users/{bob['id']}/delete")
        assert client.get(f"/api/users/{bob['id']}").status_code == 404


def test_json_api_creates_updates_and_deletes(make_app):
    with TestClient(make_app()) as client:
        register(client)
        new = {"username": "cyd", "email": "cy@example.com", "password": "password1"}
        created = client.post("/api/users", json=new)
        assert created.status_code == 201
        user_id = created.json()["id"]
        assert "password" not in json.dumps(created.json())
        bad = client.put(f"/api/users/{user_id}", json={"username": "", "email": "x"})
        assert bad.status_code == 422 and set(bad.json()["errors"]) == {"username", "email"}
        assert client.post("/api/users", json=[1, 2]).status_code == 422
        updated = client.put(f"/api/users/{user_id}", json={**new, "email": "c@example.com"})
        assert updated.json()["email"] == "c@example.com"
        assert client.delete(f"/api/users/{user_id}").status_code == 204
        assert client.delete(f"/api/users/{user_id}").status_code == 404


def test_login_is_rate_limited(make_app):
    with TestClient(make_app(login_limit=3)) as client:
        statuses = [
            client.post("/login", data={"username": "x", "password": "y"}).status_code
            for _ in range(4)
        ]
        assert statuses == [400, 400, 400, 429]


def test_static_files_are_served(make_app):
    with TestClient(make_app()) as client:
        assert "new WebSocket" in client.get("/static/webapp.js").text
        assert client.get("/static/webapp.css").headers["content-type"].startswith("text/css")


def test_websocket_needs_a_session_and_hears_every_change(make_app):
    with TestClient(make_app()) as client:
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/ws"):
            pass
        assert refused.value.code == 1008
        register(client)
        with client.websocket_connect("/ws") as socket:
            hello = socket.receive_json()
            assert hello["event"] == "hello" and 'data-user="ann"' in hello["table"]
            user = client.post(
                "/api/users",
                json={"username": "dia", "email": "d@example.com", "password": "p" * 8},
            ).json()
            created = socket.receive_json()
            assert (created["event"], created["id"]) == ("created", user["id"])
            assert 'data-user="dia"' in created["table"]
            client.delete(f"/api/users/{user['id']}")
            deleted = socket.receive_json()
            assert (deleted["event"], deleted["id"]) == ("deleted", user["id"])
            assert 'data-user="dia"' not in deleted["table"]


def test_over_a_real_server_pages_api_and_live_updates(make_app):
    with serve_in_thread(make_app()) as base_url, httpx.Client(base_url=base_url) as client:
        response = register(client)
        assert response.status_code == 303 and response.headers["location"] == "/users"
        assert 'data-user="ann"' in client.get("/users").text
        cookie = f"session={client.cookies['session']}"

        async def watch_then_create():
            ws_url = base_url.replace("http", "ws") + "/ws"
            async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}) as ws:
                await asyncio.wait_for(ws.recv(), 10)  # the table as it was
                new = {"username": "eve", "email": "e@example.com", "password": "p" * 8}
                async with httpx.AsyncClient(base_url=base_url, cookies=client.cookies) as other:
                    created = (await other.post("/api/users", json=new)).json()
                return created, json.loads(await asyncio.wait_for(ws.recv(), 10))

        created, message = asyncio.run(watch_then_create())
        assert (message["event"], message["id"]) == ("created", created["id"])
        assert 'data-user="eve"' in message["table"]
