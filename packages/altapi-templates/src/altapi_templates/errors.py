"""Template errors that say where to look: the directories searched, the file and line."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import jinja2

__all__ = ["TemplateNotFoundError", "clear_errors"]


class TemplateNotFoundError(jinja2.TemplateNotFound):
    """A template is missing: the message names it and every directory searched."""

    def __init__(self, name: str, searched: Sequence[str]) -> None:
        self.searched = list(searched)
        where = ", ".join(repr(path) for path in self.searched) or "(no directory)"
        super().__init__(name, f"template {name!r} not found; searched: {where}")


def searched_directories(loader: jinja2.BaseLoader | None) -> list[str]:
    paths = getattr(loader, "searchpath", None)
    if paths is None:
        return [type(loader).__name__] if loader is not None else []
    return [os.path.abspath(path) for path in paths]


@contextmanager
def clear_errors(env: jinja2.Environment) -> Iterator[None]:
    """Re-raise a missing template with the searched directories, and a syntax error with
    its file and line in the message (jinja2 keeps them only in attributes)."""
    try:
        yield
    except TemplateNotFoundError:
        raise
    except jinja2.TemplateNotFound as exc:
        raise TemplateNotFoundError(str(exc.name), searched_directories(env.loader)) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name or '<template>'}, line {exc.lineno}"
        if where in (exc.message or ""):
            raise
        raise jinja2.TemplateSyntaxError(
            f"{exc.message} ({where})", exc.lineno, exc.name, exc.filename
        ) from exc
