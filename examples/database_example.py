"""Dependency injection with a database: `get_db` opens a connection for each
request and always closes it (after the response, even when the handler fails);
`get_repository` depends on it, and the handlers depend on the repository.

    python examples/database_example.py      # http://127.0.0.1:8000/notes
"""

from __future__ import annotations

import os
import sqlite3

from altapi import AltAPI
from altapi.depends import Depends
from altapi.http import JSONResponse, Request

DATABASE = os.environ.get("NOTES_DATABASE", "notes.sqlite3")


def get_db():
    """One connection per request: committed if the handler succeeds, always closed."""
    db = sqlite3.connect(DATABASE)
    db.row_factory = sqlite3.Row
    try:
        yield db
        db.commit()
    finally:
        db.close()


class NoteRepository:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        db.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)")

    def all(self) -> list[dict]:
        return [dict(row) for row in self.db.execute("SELECT id, text FROM notes ORDER BY id")]

    def add(self, text: str) -> dict:
        cursor = self.db.execute("INSERT INTO notes (text) VALUES (?)", (text,))
        return {"id": cursor.lastrowid, "text": text}

    def get(self, note_id: int) -> dict | None:
        row = self.db.execute("SELECT id, text FROM notes WHERE id = ?", (note_id,)).fetchone()
        return dict(row) if row else None


def get_repository(db: sqlite3.Connection = Depends(get_db)) -> NoteRepository:
    return NoteRepository(db)


app = AltAPI()


@app.get("/notes")
async def list_notes(notes: NoteRepository = Depends(get_repository)):
    return JSONResponse(notes.all())


@app.post("/notes")
async def add_note(request: Request, notes: NoteRepository = Depends(get_repository)):
    data = await request.json()
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not data["text"]:
        return JSONResponse({"error": 'send {"text": "..."}'}, status_code=422)
    return JSONResponse(notes.add(data["text"]), status_code=201)


@app.get("/notes/{note_id:int}")
async def get_note(note_id: int, notes: NoteRepository = Depends(get_repository)):
    note = notes.get(note_id)
    return JSONResponse(note) if note else JSONResponse({"error": "not found"}, status_code=404)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8000)
