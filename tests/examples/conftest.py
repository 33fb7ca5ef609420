"""The examples are programs, not packages: import them from examples/ by file name."""

import importlib
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture
def import_example(monkeypatch, tmp_path):
    """`import_example("webapp")`: the module, with its settings pointed at tmp_path."""
    monkeypatch.syspath_prepend(str(EXAMPLES))
    monkeypatch.setenv("WEBAPP_DATABASE", str(tmp_path / "webapp.sqlite3"))
    monkeypatch.setenv("NOTES_DATABASE", str(tmp_path / "notes.sqlite3"))

    def load(name: str):
        sys.modules.pop(name, None)
        return importlib.import_module(name)

    return load
