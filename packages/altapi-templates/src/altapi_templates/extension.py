"""`Templates`: the templates extension, where `render_template` finds an app's templates.

`altapi.AltAPI(templates_directory=...)` attaches it; with `altapi_core.AltAPI`,
`app.add_extension(Templates("templates"))`. Without it `render_template` uses
the `templates` directory.
"""

from __future__ import annotations

import os
import threading

from .templating import Jinja2Templates

__all__ = ["Templates", "templates_for"]

_by_directory: dict[str, Jinja2Templates] = {}
_lock = threading.Lock()


def templates_for(directory: str | os.PathLike[str]) -> Jinja2Templates:
    """The Jinja2Templates of `directory`, created once (so compiled templates are reused)."""
    key = os.path.abspath(directory)
    templates = _by_directory.get(key)
    if templates is None:
        with _lock:  # sync handlers render from worker threads
            templates = _by_directory.get(key)
            if templates is None:
                templates = _by_directory[key] = Jinja2Templates(key)
    return templates


class Templates:
    """`app.extensions["templates"]`. `directory`: where templates are found; set
    `templates` to a Jinja2Templates of your own (e.g. with `auto_reload=True`) to
    use it instead."""

    name = "templates"

    def __init__(
        self,
        directory: str | os.PathLike[str] = "templates",
        *,
        templates: Jinja2Templates | None = None,
    ) -> None:
        self.directory = directory
        self.templates = templates

    def get(self) -> Jinja2Templates:
        """`templates` if set, else the one Jinja2Templates of `directory`."""
        return self.templates if self.templates is not None else templates_for(self.directory)
