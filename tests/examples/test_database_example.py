"""examples/database_example.py: the nested dependencies, and the connection closed
after every request, through the TestClient and over a real server."""

import sqlite3

import httpx
import pytest

from altapi.testing import TestClient
from altapi_core.testserver import serve_in_thread


@pytest.fixture
def example(import_example):
    return import_example("database_example")


@pytest.fixture
def connections(example, monkeypatch):
    """Every connection get_db opened, with whether it was closed afterwards."""
    opened = []
    connect = sqlite3.connect

    def tracking_connect(*args, **kwargs):
        db = connect(*args, **kwargs)
        opened.append(db)
        return db

    monkeypatch.setattr(example.sqlite3, "connect", tracking_connect)
    return opened


def is_closed(db: sqlite3.Connection) -> bool:
    try:
        db.execute("SELECT 1")
    except sqlite3.ProgrammingError:
        return True
    return False


def test_notes_are_added_and_read_back_one_connection_per_request(example, connections):
    with TestClient(example.app) as client:
        assert client.post("/notes", json={"text": "milk"}).status_code == 201
        assert client.get("/notes").json() == [{"id": 1, "text": "milk"}]
        assert client.get("/notes/1").json() == {"id": 1, "text": "milk"}
        assert client.get("/notes/2").status_code == 404
    assert len(connections) == 4
    assert all(is_closed(db) for db in connections)


def test_connection_is_closed_and_nothing_committed_when_the_handler_fails(example, connections):
    with TestClient(example.app) as client:
        assert client.post("/notes", json={"text": ""}).status_code == 422
        assert client.post("/notes", content=b"{not json").status_code == 400
        assert client.get("/notes").json() == []
    assert all(is_closed(db) for db in connections)


def test_over_a_real_server(example, connections):
    with serve_in_thread(example.app) as base_url, httpx.Client(base_url=base_url) as client:
        assert client.post("/notes", json={"text": "eggs"}).json() == {"id": 1, "text": "eggs"}
        assert client.get("/notes").json() == [{"id": 1, "text": "eggs"}]
    assert len(connections) == 2 and all(is_closed(db) for db in connections)
