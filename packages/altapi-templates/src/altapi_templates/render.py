"""`render_template(name, context)`: render with the current app's `templates_directory`."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from typing import Any

from altapi_core.context import current_request
from altapi_core.responses import Response

from .templating import Jinja2Templates

__all__ = ["render_template"]

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


def render_template(
    name: str, context: Mapping[str, Any] | None = None, /, **options: Any
) -> Response:
    """An HTML response from template `name` in the current app's `templates_directory`.

    Call it while handling a request. `options` are those of
    `Jinja2Templates.TemplateResponse` (status_code, headers, media_type,
    background, stream). An app may set `app.templates` to a Jinja2Templates of
    its own (e.g. with `auto_reload=True`) to use instead.
    """
    try:
        request = current_request()
    except LookupError:
        raise RuntimeError("render_template() must be called while handling a request") from None
    app = request.app
    templates = getattr(app, "templates", None)
    if not isinstance(templates, Jinja2Templates):
        templates = templates_for(getattr(app, "templates_directory", "templates"))
    return templates.TemplateResponse(request, name, context, **options)
