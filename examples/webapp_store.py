"""The data side of examples/webapp.py: the users table, password hashing, validation
and the hub that tells every open page about a change."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from typing import Any

from altapi.websocket import WebSocket, WebSocketDisconnect

PBKDF2_ITERATIONS = 200_000  # OWASP's 2023 advice is 600,000 for SHA-256; lower for a demo
USERNAME = re.compile(r"[A-Za-z0-9_.-]{3,32}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def open_database(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    db.execute(
        "CREATE TABLE IF NOT EXISTS users ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " username TEXT NOT NULL UNIQUE,"
        " email TEXT NOT NULL,"
        " password_hash TEXT NOT NULL)"
    )
    return db


def hash_password(password: str, salt: bytes | None = None) -> str:
    """`pbkdf2_sha256$iterations$salt$hash`, the salt random for each password."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"pbkdf2_sha256${PBKDF2_ITERATIONS}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    _, iterations, salt, digest = stored.split("$")
    computed = hashlib.pbkdf2_hmac(
        "sha256", password.encode(), bytes.fromhex(salt), int(iterations)
    )
    return hmac.compare_digest(computed.hex(), digest)  # constant time


class UserRepository:
    """Users as plain dicts (`id`, `username`, `email`); the hash never leaves here."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def all(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, username, email FROM users ORDER BY id")
        return [dict(row) for row in rows]

    def get(self, user_id: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, username, email FROM users WHERE id = ?", (user_id,)
        ).fetchone()
        return dict(row) if row else None

    def id_of(self, username: str) -> int | None:
        row = self.db.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
        return row["id"] if row else None

    def create(self, username: str, email: str, password: str) -> dict[str, Any]:
        cursor = self.db.execute(
            "INSERT INTO users (username, email, password_hash) VALUES (?, ?, ?)",
            (username, email, hash_password(password)),
        )
        return {"id": cursor.lastrowid, "username": username, "email": email}

    def update(self, user_id: int, username: str, email: str, password: str | None) -> None:
        self.db.execute(
            "UPDATE users SET username = ?, email = ? WHERE id = ?", (username, email, user_id)
        )
        if password:
            self.db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?",
                (hash_password(password), user_id),
            )

    def delete(self, user_id: int) -> bool:
        return self.db.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount == 1

    def authenticate(self, username: str, password: str) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, username, password_hash FROM users WHERE username = ?", (username,)
        ).fetchone()
        if row is None or not password_matches(password, row["password_hash"]):
            return None
        return {"id": row["id"], "username": row["username"]}


def validate(
    data: Any, users: UserRepository, *, password_required: bool, user_id: int | None = None
) -> dict[str, str]:
    """Field name -> message for each field that is wrong; empty when all are right."""
    if not isinstance(data, dict):
        return {"form": "Send an object with username, email and password."}
    errors = {}
    username = data.get("username")
    email = data.get("email")
    password = data.get("password") or ""
    if not isinstance(username, str) or not USERNAME.fullmatch(username):
        errors["username"] = "3 to 32 letters, digits, '_', '.' or '-'."
    elif users.id_of(username) not in (None, user_id):
        errors["username"] = f"{username} is taken."
    if not isinstance(email, str) or not EMAIL.fullmatch(email):
        errors["email"] = "An address like ann@example.com."
    if not isinstance(password, str) or (password_required or password) and len(password) < 8:
        errors["password"] = "At least 8 characters."
    return errors


class Hub:
    """The open pages' WebSockets; `broadcast` sends a message to each one."""

    def __init__(self) -> None:
        self.sockets: set[WebSocket] = set()

    def join(self, websocket: WebSocket) -> None:
        self.sockets.add(websocket)

    def leave(self, websocket: WebSocket) -> None:
        self.sockets.discard(websocket)

    async def broadcast(self, message: dict[str, Any]) -> None:
        for websocket in list(self.sockets):
            try:
                await websocket.send_json(message)
            except (WebSocketDisconnect, OSError):
                self.leave(websocket)  # went away while we were sending
